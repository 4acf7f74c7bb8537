"""Source files into raw tables: cells with page and position, and how they were read.

One module per way of reading: `lattice` (ruled tables), `stream` (unruled tables),
`ocr` (scanned pages), `text` (text renderings). `read_document` sniffs the file and
chooses among them; pages without a usable text layer go through OCR.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from extract.types import ExtractedDocument
from riskreg.errors import OcrUnavailable, RegisterError, UnreadableInput


def sniff(path: str) -> str:
    """'pdf' or 'text' from the file's first bytes, or UnreadableInput saying what it is."""
    p = Path(path)
    if not p.exists():
        raise UnreadableInput("no such file", path=path, hint="check the path")
    if p.is_dir():
        raise UnreadableInput("is a folder, not a file", path=path,
                              hint="pass the register files, or use `riskreg build FOLDER`")
    try:
        with open(p, "rb") as fh:
            head = fh.read(2048)
    except PermissionError:
        raise UnreadableInput("cannot be read (permission denied)", path=path,
                              hint="fix the file's permissions") from None
    except OSError as exc:
        raise UnreadableInput(f"cannot be read ({exc.strerror})", path=path,
                              hint="check the file") from None
    if not head:
        raise UnreadableInput("empty file (0 bytes)", path=path, hint="download it again")
    if b"%PDF-" in head[:1024]:
        return "pdf"
    what = _describe_bytes(head)
    if what is not None:
        raise UnreadableInput(f"not a register PDF or text ({what})", path=path,
                              hint=_hint_for(what))
    if p.suffix.lower() == ".pdf":
        raise UnreadableInput("not a PDF (no %PDF header; it is text)", path=path,
                              hint="the download probably failed: download it again")
    return "text"


def _describe_bytes(head: bytes) -> str | None:
    lower = head[:512].lstrip().lower()
    if lower.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in lower[:300]:
        return "an HTML page"
    if head.startswith(b"PK\x03\x04"):
        return "a zip file, such as a Word .docx or Excel .xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Microsoft Office file (.doc/.xls)"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "an image file"
    if b"\x00" in head:
        return "binary data"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut at the end of the sample
            bad = sum(1 for b in head if b < 9 or 13 < b < 32)
            if bad > len(head) // 50:
                return "binary data"
    return None


def _hint_for(what: str) -> str:
    if "HTML" in what:
        return "the website served an error or web page instead of the file: download it again"
    if "zip" in what or "Office" in what:
        return "open it and save or export it as PDF, then ingest the PDF"
    if "image" in what:
        return "wrap the image in a PDF (e.g. img2pdf) to have it OCRed"
    return "check that this is a register PDF or a text rendering of one"


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_document(path: str, *, password: str | None = None, max_pages: int | None = None,
                  cache_dir: str | None = None) -> ExtractedDocument:
    """Read any supported input into an ExtractedDocument (cached by content hash when asked)."""
    kind = sniff(path)
    # the file is read and hashed once, here; its reader takes the bytes and the hash
    data = read_bytes(path)
    sha = hashlib.sha256(data).hexdigest()
    cache = _cache_path(cache_dir, sha, password, max_pages) if cache_dir else None
    stale = None
    if cache is not None and cache.exists():
        try:
            with open(cache, "rb") as fh:
                doc = pickle.load(fh)
            doc.path = path
            return doc
        except RegisterError:  # a time limit ran out while reading the cache: not damage
            raise
        except Exception as exc:  # noqa: BLE001 - any damage to a cache entry: read the file again
            stale = f"extraction cache {cache} was unreadable ({type(exc).__name__}: {exc}); re-read"
    if kind == "pdf":
        doc = _read_pdf_with_ocr(path, password=password, max_pages=max_pages, data=data, sha256=sha)
    else:
        from extract.text import read_text

        doc = read_text(path, data=data, sha256=sha)
    if cache is not None:
        _write_cache(cache, doc)
    if stale:  # after writing, so the new cache entry does not carry it
        doc.warnings.append(stale)
    return doc


def read_bytes(path: str) -> bytes:
    """The whole file, or UnreadableInput saying why it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise UnreadableInput(f"cannot read file ({error.strerror})", path=path,
                              hint="check the path and permissions") from None


def _read_pdf_with_ocr(path: str, *, password, max_pages, data: bytes,
                       sha256: str) -> ExtractedDocument:
    """The PDF read page by page; pages without a usable text layer OCRed, from the same bytes."""
    from extract.pdf import read_pdf

    doc = read_pdf(path, password=password, max_pages=max_pages, data=data, sha256=sha256)
    needs = [p.number for p in doc.pages if p.method == "needs_ocr"]
    if not needs:
        return doc
    from extract import ocr

    if not ocr.ocr_available():
        raise OcrUnavailable(
            f"{len(needs)} page(s) have no text layer and need OCR, but tesseract is not installed",
            path=path, page=needs[0], hint=ocr.OCR_HINT)
    by_page = {p.number: p for p in doc.pages}
    ocr_tables, ocr_infos, ocr_warnings = ocr.ocr_pages(path, needs, password=password, data=data)
    by_page.update((info.number, info) for info in ocr_infos)
    tables = [t for t in doc.tables if t.page not in needs] + ocr_tables
    tables.sort(key=lambda t: (t.page or 0))
    doc.tables = tables
    doc.pages = [by_page[k] for k in sorted(by_page)]
    doc.warnings.extend(ocr_warnings)
    if needs and needs[0] == 1 and not doc.title:
        doc.title = by_page[1].text_head
    return doc


def _cache_path(cache_dir: str, sha: str, password, max_pages) -> Path:
    from riskreg.version import EXTRACT_VERSION

    key = f"{sha}-{EXTRACT_VERSION}-{'p' if password else 'n'}-{max_pages or 0}"
    return Path(cache_dir) / sha[:2] / f"{key}.pickle"


def _write_cache(cache: Path, doc: ExtractedDocument) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(doc, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, cache)
