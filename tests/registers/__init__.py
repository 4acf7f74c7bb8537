"""Invented risk registers rendered as PDFs, with the records riskreg should read from them."""
