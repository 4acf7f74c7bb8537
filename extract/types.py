"""Plain values that extract/ hands to normalise/: cells with page and position, tables, documents.

extract knows nothing of records: a RawTable is a grid of cell texts exactly as read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points, top-left origin


@dataclass(frozen=True)
class Cell:
    """One table cell as read: its text (lines joined with '\\n'), page and position."""

    text: str
    page: int | None = None  # 1-based; None for text inputs
    bbox: BBox | None = None
    confidence: float | None = None  # 0-1, OCR only
    fill: str | None = None  # background colour as '#rrggbb' where the PDF drew one
    # right edge (x1, points) of each text line, in the order of text.split('\n'); lets normalise
    # tell a line that wrapped at the column edge from one the author ended. None where unknown.
    lines_x1: tuple[float, ...] | None = None


@dataclass
class RawTable:
    """One table found on one page (or one text block): rows of cells, and how it was read.

    `layout` says what the rows mean:
      - "grid": rows and columns of a table (a table finder's output, or tab-separated text);
      - "flow": one column of text lines with no cell boundaries (OCR text of a register),
        which normalise reads by references, scores and header vocabulary.
    """

    rows: list[list[Cell]]
    page: int | None
    method: str  # lattice | stream | ocr | text
    layout: str = "grid"
    bbox: BBox | None = None
    report: dict = field(default_factory=dict)  # parse report: accuracy, whitespace, shape, ...

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), max((len(r) for r in self.rows), default=0)

    def texts(self) -> list[list[str]]:
        return [[c.text for c in r] for r in self.rows]


@dataclass
class PageInfo:
    """What a page holds apart from tables: its text lines (for titles, footers, periods)."""

    number: int  # 1-based
    width: float | None = None
    height: float | None = None
    method: str | None = None  # how its tables were read
    text_head: str = ""  # the page's first lines of text (title, heading)
    text_foot: str = ""  # the page's last lines of text (footer)


@dataclass
class ExtractedDocument:
    """Everything extract read from one input file."""

    path: str
    sha256: str
    kind: str  # "pdf" | "text"
    tables: list[RawTable]
    pages: list[PageInfo] = field(default_factory=list)
    page_count: int | None = None
    title: str = ""  # the document's own title text, where found (first page heading, first lines)
    warnings: list[str] = field(default_factory=list)
