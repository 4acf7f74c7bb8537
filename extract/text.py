"""Text renderings of a register -> raw tables.

Two kinds of text are read:

- tab-separated rows (a spreadsheet or web-table export), possibly with HTML markup inside
  cells: one RawTable(layout="grid") per table, a new table at each header row;
- layout or OCR text without cell boundaries: one RawTable(layout="flow") whose rows are the
  text lines, which normalise reads by references, scores and header vocabulary.

extract knows nothing of records: continuation rows (an empty first cell) are kept as rows and
joined by normalise.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser

from extract import read_bytes
from extract.types import Cell, ExtractedDocument, RawTable
from riskreg.errors import NoRegisterFound, UnreadableInput

TAB_ROW_MIN_TABS = 3  # a line with fewer tabs is not a table row
SPACE_ALIGNED_SHARE = 0.25  # this share of lines with a run of spaces inside: columns by spaces
_COLUMN_GAP = re.compile(r"\S {2,}\S")
_COLUMN_RUN = re.compile(r" {2,}")
# fixed-width text set as a page: points per character and per line, the size of its "font"
CHAR_WIDTH, LINE_PITCH, FONT_SIZE = 3.5, 12.0, 10.0
BLANK_LINE_PITCH = 2.0  # a blank line counts as two lines of space: pdftotext keeps one between tables
BULLET = "• "
BULLET_GLYPHS = "•●▪◦■‣⁃∙"  # inline bullets start a new item line
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "ul",
    "ol",
    "li",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dd",
    "dt",
    "blockquote",
}
_TAG_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
_ENTITY_RE = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_WORD_RE = re.compile(r"[^\W\d_]{3,}")
_CODE_LINE_RE = re.compile(r"^\s*[A-Za-z]{1,4}[ .\-]?\d{1,3}\b")
_REGISTER_WORDS = re.compile(
    r"\b(risk|opportunit|likelihood|impact|owner|control|mitigat)", re.IGNORECASE
)


def read_text(path: str, *, data: bytes | None = None, sha256: str | None = None) -> ExtractedDocument:
    """Read a text rendering of a register into raw tables (kind="text").

    data, sha256: the file's bytes (as `read_bytes` gives them) and their hash where the caller
    has them already (the file is then not read or hashed again).
    """
    if data is None:
        data = read_bytes(path)
    if not data.strip():
        raise UnreadableInput("the file is empty", path=path, hint="re-export the register text")
    text = decode_text(data, path)
    lines = text.split("\n")
    if is_tab_separated(lines):
        tables = tab_lines_to_tables(lines)
        title = title_lines(lines, stop_at_tabs=True)
    elif is_space_aligned(lines) and (tables := space_aligned_tables(text)):
        # the lines as well, for the entries the table finder misses (normalise fills gaps)
        # runs of spaces are where columns part: the "|" the flow reader cuts at
        lines_table = lines_to_flow_table([_COLUMN_RUN.sub(" | ", ln.strip()) for ln in lines])
        lines_table.report["beside_tables"] = True
        tables.append(lines_table)
        title = title_lines(lines, stop_at_tabs=False)
    elif looks_like_register_text(lines):
        tables = [lines_to_flow_table(lines)]
        title = title_lines(lines, stop_at_tabs=False)
    else:
        raise NoRegisterFound(
            "no table and no register entries found in the text",
            path=path,
            hint="if this is a register, export it with tab-separated cells, or ingest the PDF",
        )
    if not tables:
        raise NoRegisterFound(
            "no table rows found in the text",
            path=path,
            hint="check that the file is a risk register",
        )
    return ExtractedDocument(
        path=path,
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        kind="text",
        tables=tables,
        title=title,
    )


# --- bytes and characters ------------------------------------------------------------------


def decode_text(data: bytes, path: str = "") -> str:
    """Bytes -> text: UTF-8 (with or without BOM), else cp1252, else latin-1; newlines as '\\n'."""
    if b"\x00" in data[:4096] or _control_share(data[:8192]) > 0.05:
        raise UnreadableInput(
            "the file is binary, not text",
            path=path,
            hint="ingest PDFs as PDFs; text inputs must be plain text",
        )
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _control_share(sample: bytes) -> float:
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / max(len(sample), 1)


def title_lines(lines: list[str], *, stop_at_tabs: bool, limit: int = 2) -> str:
    """The document's first non-empty lines (before any table row), as its title."""
    found: list[str] = []
    for line in lines:
        if stop_at_tabs and line.count("\t") >= TAB_ROW_MIN_TABS:
            break
        stripped = " ".join(line.split())
        if stripped:
            found.append(stripped)
        if len(found) >= limit:
            break
    return "\n".join(found)


# --- detection ---------------------------------------------------------------------------


def is_tab_separated(lines: list[str]) -> bool:
    """Many lines with >= 3 tabs, most of them with the same cell count."""
    counts = [line.count("\t") + 1 for line in lines if line.count("\t") >= TAB_ROW_MIN_TABS]
    if len(counts) < 2:
        return False
    text_lines = [line for line in lines if line.strip()]
    _, dominant = Counter(counts).most_common(1)[0]
    return dominant / len(counts) >= 0.6 and len(counts) / len(text_lines) >= 0.3


def looks_like_register_text(lines: list[str]) -> bool:
    """Enough text with entry codes (CR1, R12, SR3) or register words to be worth reading."""
    text_lines = [line for line in lines if line.strip()]
    if len(text_lines) < 5:
        return False
    printable = sum(ch.isprintable() or ch == "\t" for line in text_lines for ch in line)
    if printable / max(sum(len(line) for line in text_lines), 1) < 0.95:
        return False
    code_lines = sum(1 for line in text_lines if _CODE_LINE_RE.match(line))
    register_words = sum(len(_REGISTER_WORDS.findall(line)) for line in text_lines)
    return code_lines >= 2 or register_words >= 3


def is_space_aligned(lines: list[str]) -> bool:
    """Columns kept apart by runs of spaces (`pdftotext -layout`, fixed-width exports): many
    lines with a gap of two spaces or more between words."""
    text_lines = [line for line in lines if line.strip()]
    if len(text_lines) < 5:
        return False
    gapped = sum(1 for line in text_lines if _COLUMN_GAP.search(line.expandtabs(8)))
    return gapped / len(text_lines) >= SPACE_ALIGNED_SHARE


# --- space-aligned text --------------------------------------------------------------------


def space_aligned_tables(text: str) -> list[RawTable]:
    """Text whose columns are aligned with spaces -> grid tables, read by the same unruled
    table finder as PDF pages (`extract.stream`): each character is set on a fixed grid, so
    the columns' gutters are the runs of spaces every line of a table leaves open. Pages are
    split at form feeds, as `pdftotext` writes them."""
    from extract.stream import read_stream, remember_gutters

    tables: list[RawTable] = []
    known: list = []  # columns of tables met so far, most recent first (as for PDF pages)
    shared = column_starts([line.expandtabs(8) for line in text.split("\n")])
    for number, page_text in enumerate(text.split("\f"), start=1):
        page = text_page(page_text, number, shared)
        if page is None:
            continue
        found = read_stream(page, known)
        remember_gutters(known, found)
        for table in found:
            table.method = "text"
            table.report["how"] = "space-aligned text: " + str(table.report.get("how", ""))
            # a text has no pages of its own (form feeds are a renderer's)
            table.rows = [[replace(cell, page=None) for cell in row] for row in table.rows]
        tables.extend(found)
    return tables


def text_page(page_text: str, number: int, shared: list[int] = ()):
    """A page of fixed-width text as a PDF-like page: each visible character a glyph in its
    character cell (CHAR_WIDTH wide, lines LINE_PITCH apart, a blank line BLANK_LINE_PITCH
    lines of space), columns set apart at their starts (`column_starts`, `_spread`), or None
    when the page has no text."""
    import numpy as np

    from extract.pages import Glyphs, PageContent

    chars: list[str] = []
    x0: list[float] = []
    top: list[float] = []
    lines = [line.expandtabs(8) for line in page_text.split("\n")]
    starts = column_starts(lines, shared)
    y = 0.0
    for line in lines:
        if not line.strip():
            y += BLANK_LINE_PITCH * LINE_PITCH
            continue
        for col, word in _spread(line, starts):
            for k, ch in enumerate(word):
                chars.append(ch)
                x0.append((col + k) * CHAR_WIDTH)
                top.append(y)
        y += LINE_PITCH
    if not chars:
        return None
    x0_arr, top_arr = np.array(x0), np.array(top)
    glyphs = Glyphs(
        text=chars,
        x0=x0_arr,
        top=top_arr,
        x1=x0_arr + CHAR_WIDTH,
        bottom=top_arr + FONT_SIZE,
        size=np.full(len(chars), FONT_SIZE),
        direction=np.zeros(len(chars), dtype=int),
    )
    width = max(x0) + 2 * CHAR_WIDTH
    return PageContent(number=number, width=width, height=y + LINE_PITCH,
                       glyphs=glyphs, word_space=CHAR_WIDTH)


START_SHARE = 0.04  # of a page's text lines, the share starting a word on one column's left edge
MIN_STARTS = 3
START_MERGE = 3  # characters: starts this close are one column's (a bullet and its hanging text)
SPREAD = 4  # characters put between columns that a text set only one space apart
_WORD = re.compile(r"\S+")


def column_starts(lines: list[str], shared: list[int] = ()) -> list[int]:
    """The character positions where a page's left-aligned columns start: many lines start a
    word there after a run of spaces (or at the line's start). pdftotext places each word at
    its x, rounded to characters, and runs a word on one space after its neighbour where the
    two would collide: a column's left edge survives in the lines whose text did not collide.

    shared: the starts of the whole document; two lines of the page starting on one of them
    (give or take a character) are enough."""
    counts: Counter[int] = Counter()
    numbers: Counter[int] = Counter()
    text_lines = 0
    for line in lines:
        if not line.strip():
            continue
        text_lines += 1
        for m in _WORD.finditer(line):
            if m.start() == 0 or line[max(0, m.start() - 2) : m.start()] == "  ":
                counts[m.start()] += 1
                numbers[m.start()] += m.group().isdigit()
    need = max(MIN_STARTS, START_SHARE * text_lines)
    starts: list[int] = []
    # a column with few lines on this page (a score, a category) is known from the others
    backed = {p for p, n in counts.items() if n >= 2 and any(abs(p - q) <= 1 for q in shared)}
    # a column of numbers (a score) prints one line a row: a few numbers alone are enough
    scores = {p for p, n in counts.items() if n >= MIN_STARTS and numbers[p] == n}
    # starts a character apart (rounding) count together
    near = {p: counts[p - 1] + n + counts[p + 1] for p, n in counts.items()}
    known = backed | scores
    for p in sorted(p for p in counts if near[p] >= need or p in known):
        # a column starts at the leftmost start near its peak: a bullet before its text, a
        # start moved a character by rounding
        left = min(q for q in range(p - START_MERGE, p + 1) if counts[q] >= 2 or q == p)
        if starts and left - starts[-1] <= START_MERGE:
            continue
        starts.append(left)
    return starts


def _spread(line: str, starts: list[int]) -> list[tuple[int, str]]:
    """The line's words at their positions, each moved right by SPREAD characters for every
    column start it is at or past: columns a collision left one space apart part widely."""
    words = list(_WORD.finditer(line))
    # one run of words (a title, a heading) moves as a whole, so it still crosses the gutters
    whole = not _COLUMN_GAP.search(line.strip())
    out = []
    for m in words:
        at = words[0].start() if whole else m.start()
        past = sum(1 for s in starts[1:] if s <= at + 1)
        out.append((m.start() + past * SPREAD, m.group()))
    return out


# --- layout / OCR text ------------------------------------------------------------------


def lines_to_flow_table(lines: list[str]) -> RawTable:
    """Text lines -> one flow table: each line one row of one cell (blank lines kept as '')."""
    rows = [[Cell(line.rstrip())] for line in lines]
    while rows and not rows[-1][0].text.strip():
        rows.pop()
    return RawTable(
        rows=rows,
        page=None,
        method="text",
        layout="flow",
        report={"lines": len(rows), "source_first_line": 1},
    )


# --- tab-separated text -----------------------------------------------------------------


def tab_lines_to_tables(lines: list[str]) -> list[RawTable]:
    """Tab-separated lines -> grid tables: a new table at each header row, at a change of
    column count, and after a line of plain text (a heading such as 'Key to Scores')."""
    tables: list[RawTable] = []
    current: list[tuple[int, list[str], list[str]]] = []  # (source line number, raw cells, their text)
    header: list[str] | None = None
    heading = ""

    def close() -> None:
        nonlocal current, heading
        if current:
            tables.append(_grid_table(current, heading))
            heading = ""
        current = []

    for number, cells in split_tab_rows(lines):
        if cells is None:  # a plain text line between tables
            close()
            heading = lines[number - 1].strip()
            header = None
            continue
        width = len(current[0][1]) if current else None
        if current and len(cells) != width:
            close()
            header = None
        plain = [html_to_text(c) for c in cells]  # once per cell: the table takes these too
        # once a table has rows, only a row echoing its header starts a new one
        if (not current or header is not None) and is_header_row(
            plain, header if current else None
        ):
            close()
            header = plain
        current.append((number, cells, plain))
    close()
    return tables


def split_tab_rows(lines: list[str]) -> list[tuple[int, list[str] | None]]:
    """Lines -> (1-based line number, cells); None for a non-empty line without tabs; blank
    lines dropped. A row broken by a raw newline inside a cell is joined again when its
    pieces add up to the table's column count exactly."""
    widths = Counter(line.count("\t") + 1 for line in lines if line.count("\t") >= TAB_ROW_MIN_TABS)
    dominant = widths.most_common(1)[0][0] if widths else 0
    out: list[tuple[int, list[str] | None]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if line.count("\t") < TAB_ROW_MIN_TABS and "\t" not in line:
            out.append((index + 1, None))
            index += 1
            continue
        cells = line.split("\t")
        joined, used = _join_broken_row(lines, index, dominant)
        if joined is not None:
            cells = joined
        out.append((index + 1, [unquote_cell(c) for c in cells]))
        index += used
    return out


def _join_broken_row(
    lines: list[str], start: int, width: int, max_lines: int = 30
) -> tuple[list[str] | None, int]:
    """Join lines[start:] while their cells (pieces sharing one cell across each break) are
    fewer than `width`; a join counts only when they add up to `width` exactly."""
    cells = lines[start].split("\t")
    if len(cells) >= width or not width:
        return None, 1
    for offset in range(1, max_lines):
        if start + offset >= len(lines):
            break
        more = lines[start + offset].split("\t")
        cells = cells[:-1] + [cells[-1] + "\n" + more[0]] + more[1:]
        if len(cells) == width:
            return cells, offset + 1
        if len(cells) > width:
            break
    return None, 1


def unquote_cell(cell: str) -> str:
    """Spreadsheet quoting ("a ""b"" c") removed where the whole cell is quoted."""
    if len(cell) >= 2 and cell.startswith('"') and cell.endswith('"'):
        inner = cell[1:-1]
        if '"' not in inner.replace('""', ""):
            return inner.replace('""', '"')
    return cell


def _grid_table(rows: list[tuple[int, list[str], list[str]]], heading: str) -> RawTable:
    width = max(len(cells) for _, cells, _ in rows)
    grid = [
        [Cell(text) for text in plain] + [Cell("")] * (width - len(plain))
        for _, _, plain in rows
    ]
    texts = [[c.text for c in r] for r in grid]
    report = {
        "source_lines": [number for number, _, _ in rows],
        "header_rows": [0] if is_header_row(texts[0], None) else [],
        "continuation_rows": [
            i
            for i, r in enumerate(texts)
            if i and not r[0].strip() and any(t.strip() for t in r[1:])
        ],
        "html_cells": sum(1 for _, cells, _ in rows for c in cells if _TAG_RE.search(c)),
        "heading": heading,
        "legend": is_legend(texts, heading),
    }
    return RawTable(rows=grid, page=None, method="text", layout="grid", report=report)


def is_header_row(cells: list[str], previous_header: list[str] | None) -> bool:
    """A row of short word labels (no numbers, no long text); after the first header, it must
    also share words with the previous header cell by cell (a repeated or parallel header)."""
    filled = [c.strip() for c in cells if c.strip()]
    if len(filled) < 2 or len(filled) < 0.5 * len(cells):
        return False
    for cell in filled:
        if len(cell) > 60 or "\n" in cell or re.fullmatch(r"[\d\s.,%/()-]+", cell):
            return False
        if not _WORD_RE.search(cell):
            return False
    if previous_header is None:
        return True
    shared = 0
    for cell, before in zip(cells, previous_header, strict=False):
        words = {w.lower() for w in _WORD_RE.findall(cell)}
        if words & {w.lower() for w in _WORD_RE.findall(before)}:
            shared += 1
    return shared >= 0.5 * len(filled)


def is_legend(rows: list[list[str]], heading: str) -> bool:
    """A score key: headed 'Key'/'Legend', or a matrix of products (1 2 3 4 5 / 2 4 6 8 10)."""
    if re.search(r"\b(key|legend)\b", heading, re.IGNORECASE):
        return True
    progressions = 0
    for row in rows:
        numbers = [int(c) for c in row if c.strip().isdigit()]
        if len(numbers) >= 4:
            step = numbers[1] - numbers[0]
            if step > 0 and all(b - a == step for a, b in zip(numbers, numbers[1:], strict=False)):
                progressions += 1
    return progressions >= 3


# --- HTML inside cells ------------------------------------------------------------------


class _CellHTML(HTMLParser):
    """Collects a cell's text: block tags break lines, <li> starts a '• ' item line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "li":
            self.parts.append("\n" + BULLET)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS and tag != "br":
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(cell: str) -> str:
    """A cell's text with HTML removed: one paragraph or list item per line, bullets as '• ',
    spaces collapsed. Text without markup is only tidied."""
    if _TAG_RE.search(cell) or _ENTITY_RE.search(cell):
        parser = _CellHTML()
        parser.feed(cell)
        parser.close()
        text = "".join(parser.parts)
    else:
        text = cell
    text = re.sub(rf"(^|\s)[{BULLET_GLYPHS}]\s*", "\n" + BULLET, text)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line and line != BULLET.strip())
