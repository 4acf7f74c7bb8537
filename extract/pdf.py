"""Born-digital PDF registers -> ExtractedDocument: per page, ruled tables (lattice) or unruled (stream).

Per page: vector rules forming a grid that holds most of the page's text -> `lattice`;
otherwise a usable text layer -> `stream`; no usable text layer -> the page is marked
`needs_ocr` and left for extract.ocr.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

import numpy as np
import pypdfium2 as pdfium

from extract import read_bytes
from extract.lattice import glyphs_inside, read_lattice
from extract.pages import PageContent, build_lines, lines_text, page_lines, read_page, text_usable
from extract.stream import read_stream, remember_gutters
from extract.types import ExtractedDocument, PageInfo, RawTable
from riskreg.errors import RegisterError, ResourceLimit, UnreadableInput

HEAD_LINES = 3
FOOT_LINES = 2
LATTICE_MIN_SHARE = 0.5  # ruled tables must hold this share of the page's text, else read it as stream


def _check_bytes(path: str, data: bytes) -> None:
    if not data:
        raise UnreadableInput("empty file", path=path, hint="download it again")
    if b"%PDF-" not in data[:1024]:
        start = data[:16].decode("latin-1").strip().replace("\n", " ")[:10]
        raise UnreadableInput(f"not a PDF (starts with {start!r})", path=path,
                              hint="check the link: this is probably an error or login page")


def open_document(path: str, data: bytes, password: str | None) -> pdfium.PdfDocument:
    """Open the PDF or raise UnreadableInput saying why and what to do."""
    _check_bytes(path, data)
    try:
        return pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as error:
        raise unreadable_pdf(path, password, error) from None


def unreadable_pdf(path: str, password: str | None, error: Exception) -> UnreadableInput:
    """What a pdfium failure to open a file means for the analyst, and what to do."""
    if "password" in str(error).lower():
        if password:
            return UnreadableInput("PDF is encrypted and the password was wrong", path=path,
                                   hint="check the --password value")
        return UnreadableInput("PDF is encrypted: pass --password", path=path,
                               hint="ask the publisher for the password or an unprotected copy")
    return UnreadableInput(f"PDF is truncated or damaged ({error})", path=path,
                           hint="download it again; if it persists, repair it with qpdf")


def read_page_tables(page: PageContent, known_gutters: list | None = None) -> tuple[str, list[RawTable]]:
    """Choose how to read one page and read its tables: (method, tables).

    known_gutters: column gutters of unruled tables on earlier pages (see stream.read_stream).
    """
    known_gutters = known_gutters or []
    if not text_usable(page.glyphs, page.width * page.height):
        return "needs_ocr", []
    tables = read_lattice(page)
    if tables:
        visible = np.array([not t.isspace() for t in page.glyphs.text], dtype=bool)
        inside = glyphs_inside(page, tables) & visible
        if inside.sum() >= LATTICE_MIN_SHARE * visible.sum():
            return "lattice", tables
        # rules hold only a fragment (a boxed header, a frame): the body is unruled
        stream = read_stream(page, known_gutters)
        if stream:
            return "stream", stream
        return "lattice", tables
    return "stream", read_stream(page, known_gutters)


def page_info(page: PageContent, method: str) -> PageInfo:
    """The page's size, how it was read, and its first and last text lines."""
    g = page.glyphs
    upright = g.direction == 0
    head = foot = ""
    if upright.any():
        if page._lines is not None:
            lines = page._lines
            head_lines, foot_lines = lines[:HEAD_LINES], lines[HEAD_LINES:][-FOOT_LINES:]
        else:  # only the glyphs near the top and bottom: lines of the whole page cost more
            size = float(np.median(g.size[upright]))
            top, bottom = g.top[upright].min(), g.bottom[upright].max()
            near_top = np.nonzero(upright & (g.top < top + 2 * HEAD_LINES * size))[0]
            near_bottom = np.nonzero(upright & (g.bottom > bottom - 2 * FOOT_LINES * size))[0]
            head_lines = build_lines(g, near_top)[:HEAD_LINES]
            foot_lines = build_lines(g, np.setdiff1d(near_bottom, near_top))[-FOOT_LINES:]
        head, foot = lines_text(head_lines), lines_text(foot_lines)
    return PageInfo(number=page.number, width=round(page.width, 2), height=round(page.height, 2),
                    method=method, text_head=head, text_foot=foot)


def heading_above(page: PageContent, tables: list[RawTable]) -> str:
    """The text lines above the page's first table (the register's title), or its first line."""
    lines = page_lines(page)
    if not lines:
        return ""
    if tables and tables[0].bbox:
        above = [line for line in lines if line.bottom <= tables[0].bbox[1] + 1]
        if above:
            return lines_text(above)
    return lines[0].text


def read_pdf(path: str, *, password: str | None = None, pages: Sequence[int] | None = None,
             max_pages: int | None = None, data: bytes | None = None,
             sha256: str | None = None) -> ExtractedDocument:
    """Read a born-digital PDF register into raw tables, one page at a time.

    pages: 1-based page numbers to read (default all); max_pages: refuse longer documents.
    data, sha256: the file's bytes and their hash where the caller has them already (the file
    is then not read or hashed again).
    """
    path = os.fspath(path)
    if data is None:
        data = read_bytes(path)
    document = open_document(path, data, password)
    try:
        page_count = len(document)
        if max_pages is not None and page_count > max_pages:
            raise ResourceLimit(f"PDF has {page_count} pages, more than the limit of {max_pages}", path=path,
                                hint="raise the page limit or pass the pages to read")
        wanted = list(range(1, page_count + 1)) if pages is None else [p for p in pages if 1 <= p <= page_count]
        result = ExtractedDocument(path=path, sha256=sha256 or hashlib.sha256(data).hexdigest(), kind="pdf",
                                   tables=[], page_count=page_count)
        if pages is not None and len(wanted) < len(list(pages)):
            result.warnings.append(f"pages outside 1..{page_count} ignored")
        known_gutters: list = []  # columns of unruled tables met so far, most recent first
        for number in wanted:
            try:
                page = read_page(document, number - 1)
            except RegisterError:  # a time limit or other verdict on the whole file
                raise
            except Exception as error:  # one damaged page should not lose the others
                result.warnings.append(f"page {number}: could not be parsed ({error})")
                result.pages.append(PageInfo(number=number, method="failed"))
                continue
            method, tables = read_page_tables(page, known_gutters)
            remember_gutters(known_gutters, tables)
            result.tables.extend(tables)
            result.pages.append(page_info(page, method))
            if not result.title and method != "needs_ocr":
                result.title = heading_above(page, tables)
            del page  # pages are processed as a stream; nothing of a page is kept but its tables
        return result
    finally:
        document.close()
