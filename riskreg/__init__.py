"""riskreg: published risk registers into a clean, linked dataset."""

__version__ = "0.1.0"
