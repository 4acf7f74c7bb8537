"""The library's own exceptions. Every message names the file, the page where known, and what to do."""

from __future__ import annotations


class RegisterError(Exception):
    """Something about one input register that stops it being read."""

    def __init__(self, message: str, *, path: str | None = None, page: int | None = None,
                 hint: str | None = None):
        self.reason = message
        self.path = path
        self.page = page
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}"
            if self.page:
                where += f" page {self.page}"
            where += ": "
        tail = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.reason}{tail}"


class UnreadableInput(RegisterError):
    """The file cannot be opened or is not what its name says (empty, corrupt, encrypted, not a PDF)."""


class NoRegisterFound(RegisterError):
    """The file opened but held no register table that could be mapped with confidence."""


class OcrUnavailable(RegisterError):
    """A page needs OCR and tesseract is not installed."""


class ResourceLimit(RegisterError):
    """The file exceeded the per-file time or page limit."""


class ValidationError(Exception):
    """A table broke a rule of the schema; nothing was written."""
