"""Scanned pages -> raw tables: render, deskew, find the ruled grid with OpenCV, OCR with tesseract.

The flow for one page (`ocr_page`):

    render (pypdfium2, grey)  -> estimate skew (projection profile) -> rotate
    -> rule masks (morphological opening with long thin kernels)
    -> rule segments, plus the edges of shaded bands (a header fill with no rule under it)
    -> lattice of row/column edges, closed where the column rules run on past the last (first)
       horizontal rule (a row cut by the page foot) -> cells (spanning cells merged where a
       rule is missing between two elementary cells)
    -> erase the rules, specks and dust; bullets (solid dots starting a line) erased and kept
       as '•' words; OCR the page once (tesseract, image_to_data)
    -> cells left empty despite holding glyphs, and short cells read with low confidence, are
       read again alone (--psm 6), as they are and despeckled; the surest reading is kept
    -> words placed in cells by their centre; lines in a cell top-to-bottom, words left-to-right.

Chosen settings (bench/bench_ocr.py): 300 dpi, --psm 11, whole page once. On the 14-page sample
this is ~4 CPU s/page with word F1 0.97 against the born-digital twin; 200 dpi is ~25% cheaper
with the same F1 on that sample but reads small invented text worse; per-cell OCR costs 3x.

A page with no ruled grid becomes one `layout="flow"` RawTable: one single-cell row per visual
text line, in reading order (normalise reads flow tables by references, scores and header
vocabulary). Nothing here knows about registers: no words, sizes or positions of any sample.

The only repair done here is mechanical: "|" debris left by rules at cell edges. Bullets too
small or faint to be found in the image and read as letters, and digit/letter confusions in references and scores are left as read, for
normalise.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import time
from dataclasses import dataclass

import numpy as np

from extract.geometry import UnionFind, cluster_1d
from extract.geometry import coverage as _span_coverage
from extract.pages import page_needs_ocr, text_is_garbage  # noqa: F401 - the OCR trigger
from extract.types import BBox, Cell, ExtractedDocument, PageInfo, RawTable
from riskreg.errors import OcrUnavailable

DEFAULT_DPI = 300
# psm 11 ("sparse text") treats the page as scattered words, which suits a page cut into many
# narrow cells: it neither joins words across a column rule nor drops short cells (a lone "25").
DEFAULT_PSM = 11
OCR_HINT = "install the Debian package tesseract-ocr (apt-get install tesseract-ocr) or pass a PDF with a text layer"

# Geometry is set in inches and turned into pixels at the render resolution, so it holds for any dpi.
_RULE_MIN_INCH = 0.35  # a rule is a straight run at least this long (longer than any glyph stroke)
_RULE_JOIN_INCH = 0.04  # rule pieces this close across are one rule (scan breaks, thickness)
_MIN_CELL_INCH = 0.08  # two rules closer than this are one (double rules)
_COVER_MIN = 0.5  # a cell edge exists if rules cover at least this share of it


# ---------------------------------------------------------------------------------------------
# Detection: does a page need OCR?


# ---------------------------------------------------------------------------------------------
# Tesseract


def ocr_available() -> bool:
    """True when the tesseract binary that pytesseract will call can be found."""
    try:
        import pytesseract
    except ImportError:
        return False
    cmd = pytesseract.pytesseract.tesseract_cmd
    return bool(shutil.which(cmd) or (os.path.isfile(cmd) and os.access(cmd, os.X_OK)))


def _require_ocr(path: str, page: int | None) -> None:
    if not ocr_available():
        raise OcrUnavailable(
            "page needs OCR but tesseract is not installed", path=path, page=page, hint=OCR_HINT
        )


@dataclass(frozen=True)
class Word:
    """One word tesseract read, in pixels of the deskewed page image."""

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float  # 0-100

    @property
    def cx(self) -> float:
        return self.left + self.width / 2

    @property
    def cy(self) -> float:
        return self.top + self.height / 2


def ocr_words(
    image: np.ndarray,
    *,
    psm: int = DEFAULT_PSM,
    dpi: int = DEFAULT_DPI,
    offset: tuple[int, int] = (0, 0),
) -> list[Word]:
    """Words tesseract reads in a grey image (one call), with boxes shifted by `offset`."""
    import pytesseract
    from PIL import Image

    data = pytesseract.image_to_data(
        Image.fromarray(image),
        lang="eng",
        config=f"--psm {psm} --dpi {dpi}",
        output_type=pytesseract.Output.DICT,
    )
    dx, dy = offset
    words = []
    for text, left, top, width, height, conf in zip(
        data["text"],
        data["left"],
        data["top"],
        data["width"],
        data["height"],
        data["conf"],
        strict=True,
    ):
        text = text.strip()
        if not text or float(conf) < 0:
            continue
        words.append(
            Word(text, int(left) + dx, int(top) + dy, int(width), int(height), float(conf))
        )
    return words


# ---------------------------------------------------------------------------------------------
# Image: render, deskew, rules


def _open_pdf(path: str, password=None, data: bytes | None = None):
    """The PDF opened from `data` (the file's bytes) where given, as every PDF is
    (`pdf.open_document`), else by path (pdfium loads only what a page needs); UnreadableInput
    with the same words as for any PDF. Opened once per document."""
    import pypdfium2 as pdfium

    from extract.pdf import open_document, unreadable_pdf

    if data is not None:
        return open_document(path, data, password)
    try:
        return pdfium.PdfDocument(path, password=password)
    except pdfium.PdfiumError as error:
        raise unreadable_pdf(path, password, error) from None


def render_page(pdf, page_number: int, *, dpi: int) -> tuple[np.ndarray, float, float]:
    """Page `page_number` (1-based) of an open PDF as a grey uint8 image at `dpi`, and its
    width and height in points."""
    page = pdf[page_number - 1]
    try:
        width_pt, height_pt = page.get_size()
        bitmap = page.render(scale=dpi / 72.0, grayscale=True)
        image = bitmap.to_numpy().copy()
    finally:
        page.close()
    if image.ndim == 3:
        image = image[:, :, 0]
    return image, width_pt, height_pt


def binarise(grey: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0, tolerant of uneven scan brightness and grey cell fills."""
    import cv2

    block = max(15, (min(grey.shape) // 40) | 1)
    return cv2.adaptiveThreshold(
        grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15
    )


def estimate_skew(ink: np.ndarray, *, max_angle: float = 5.0) -> float:
    """The angle in degrees the content is turned by; `rotate(image, -skew)` levels it.

    Found as the turn that gives the sharpest row profile.

    Rules and text lines both give sharp row-sum peaks when level, so this works for ruled and
    unruled pages alike. Searched coarse then fine on a reduced image.
    """
    import cv2

    scale = min(1.0, 1400.0 / max(ink.shape))
    small = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    h, w = small.shape
    centre = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rotated = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        rows = rotated.sum(axis=1, dtype=np.float64)
        return float(np.sum(np.diff(rows) ** 2))

    best = max(np.arange(-max_angle, max_angle + 1e-9, 0.5), key=sharpness)
    best = max(np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05), key=sharpness)
    best = max(np.arange(best - 0.05, best + 0.05 + 1e-9, 0.01), key=sharpness)
    return round(-float(best), 2)


def rotate(image: np.ndarray, angle: float, *, fill: int = 255) -> np.ndarray:
    """The image turned by `angle` degrees about its centre, same size, corners filled."""
    import cv2

    if abs(angle) < 0.01:
        return image
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill)


def rule_masks(ink: np.ndarray, dpi: int) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the horizontal and vertical rules: long thin runs of ink."""
    import cv2

    run = max(10, int(_RULE_MIN_INCH * dpi))
    join = max(2, int(_RULE_JOIN_INCH * dpi))
    # a rule is a long run of ink; a scanned rule wavers by a pixel, so thicken across first.
    # Only then are small breaks along the rule bridged (closing before would join words).
    thick_h = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    thick_v = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    horizontal = cv2.morphologyEx(
        thick_h, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1))
    )
    vertical = cv2.morphologyEx(
        thick_v, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, run))
    )
    horizontal = cv2.morphologyEx(
        horizontal, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (join, 1))
    )
    vertical = cv2.morphologyEx(
        vertical, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, join))
    )
    return horizontal, vertical


def speck_mask(ink: np.ndarray, dpi: int) -> np.ndarray:
    """Scanner specks: tiny blobs of ink far from any glyph or rule (a full stop sits by a word).

    Specks by a word are left: dropping every dust-sized blob also drops pieces of thin glyphs
    the threshold broke off ('Register' read 'Reaister' in a noisy 200 dpi scan)."""
    import cv2

    small = max(2, int(0.025 * dpi))
    reach = max(3, int(0.06 * dpi))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    is_small = (stats[:, cv2.CC_STAT_WIDTH] <= small) & (stats[:, cv2.CC_STAT_HEIGHT] <= small)
    is_small[0] = False
    big = (~is_small)[labels] & (labels > 0)
    near_big = cv2.dilate(
        big.astype(np.uint8),
        cv2.getStructuringElement(cv2.MORPH_RECT, (2 * reach + 1, 2 * reach + 1)),
    )
    specks = is_small[labels] & (near_big == 0)
    return specks


def find_bullets(
    ink: np.ndarray, dpi: int, walls: np.ndarray | None = None
) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) of bullet glyphs: solid round dots starting a line of text.

    Page OCR reads a bullet as 'e', '©', '*' or not at all, so items run together. A bullet is
    a filled blob about as wide as it is tall, bigger than a full stop and smaller than a
    capital, with no ink just before it on its line (a full stop sits right after a letter);
    `walls` (the vertical rules) end the look back at a column's edge.
    """
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    lo, hi = 0.035 * dpi, 0.09 * dpi
    gap = max(2, int(0.1 * dpi))
    # the looks before and under a dot see glyphs, not dust (blobs under 0.011 inch across)
    dust = max(1, int(0.011 * dpi))
    is_dust = (stats[:, cv2.CC_STAT_WIDTH] <= dust) & (stats[:, cv2.CC_STAT_HEIGHT] <= dust)
    is_dust[0] = True
    solid = ~is_dust[labels]
    bullets = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if not (lo <= w <= hi and lo <= h <= hi) or abs(w - h) > 0.2 * max(w, h):
            continue
        if area < 0.6 * w * h:  # a filled disc covers pi/4 of its box (less when small)
            continue
        # nothing just before it on its line (up to a column rule), nor just under it (the
        # stem under an i's dot)
        start = max(0, x - gap)
        if walls is not None:
            ruled = np.flatnonzero(walls[y : y + h, start:x].any(axis=0))
            start += int(ruled[-1]) + 1 if ruled.size else 0
        if solid[y : y + h, start:x].any() or solid[y + h : y + h + h // 2, x : x + w].any():
            continue
        blob = (labels[y : y + h, x : x + w] == i).astype(np.uint8)
        contours, hierarchy = cv2.findContours(blob, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
        if len(contours) != 1:  # a hole: a letter's counter
            continue
        perimeter = cv2.arcLength(contours[0], True)
        roundness = 4 * np.pi * cv2.contourArea(contours[0]) / max(perimeter, 1.0) ** 2
        if roundness < 0.75:
            continue
        bullets.append((x, y, w, h))
    return bullets


def glyph_ink(ink: np.ndarray, dpi: int) -> bool:
    """True when a cell's ink (rules and specks already gone) holds something glyph-sized."""
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights, widths = stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_WIDTH]
    # as tall as a small digit, not a whole cell high, and not a sliver of a rule
    glyphs = (heights >= 0.05 * dpi) & (heights <= 1.0 * dpi) & (widths >= 0.015 * dpi)
    return bool(glyphs.any())


@dataclass(frozen=True)
class Segment:
    """A piece of rule: its position across (y for horizontal) and its extent along."""

    at: float
    start: int
    end: int


def rule_segments(mask: np.ndarray, *, horizontal: bool) -> list[Segment]:
    """Connected pieces of a rule mask as segments."""
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    segments = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if horizontal:
            segments.append(Segment(y + h / 2, int(x), int(x + w)))
        else:
            segments.append(Segment(x + w / 2, int(y), int(y + h)))
    return segments


def cluster_positions(segments: list[Segment], tolerance: float) -> list[list[Segment]]:
    """Segments grouped into rules: pieces whose positions lie within `tolerance` of the mean
    position of the rule so far."""
    groups = cluster_1d([s.at for s in segments], tolerance, from_mean=True)
    return [[segments[i] for i in group] for group in groups]


def coverage(group: list[Segment], start: float, end: float) -> float:
    """Share of [start, end] that a rule's pieces cover."""
    return _span_coverage([(s.start, s.end) for s in group], start, end)


# ---------------------------------------------------------------------------------------------
# Grid: rules -> cells


@dataclass
class GridCell:
    """A cell of the found grid, in pixels, with its place and span in the lattice."""

    row: int
    col: int
    rowspan: int
    colspan: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1


@dataclass
class Grid:
    """One ruled table found in the image."""

    rows: list[float]  # y of each horizontal edge
    cols: list[float]  # x of each vertical edge
    cells: list[GridCell]

    @property
    def box(self) -> tuple[int, int, int, int]:
        return int(self.cols[0]), int(self.rows[0]), int(self.cols[-1]), int(self.rows[-1])


def table_regions(
    horizontal: np.ndarray, vertical: np.ndarray, dpi: int
) -> list[tuple[int, int, int, int]]:
    """Boxes of connected rule networks big enough to be a table (x0, y0, x1, y1)."""
    import cv2

    join = max(2, int(_RULE_JOIN_INCH * dpi))
    network = cv2.dilate(
        horizontal | vertical,
        cv2.getStructuringElement(cv2.MORPH_RECT, (2 * join + 1, 2 * join + 1)),
    )
    n, _, stats, _ = cv2.connectedComponentsWithStats(network, connectivity=8)
    regions = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w >= dpi * 1.0 and h >= dpi * 0.3:
            regions.append((int(x), int(y), int(x + w), int(y + h)))
    return sorted(regions, key=lambda r: (r[1], r[0]))


def close_open_ends(
    h_rules: list[list[Segment]], v_rules: list[list[Segment]], tolerance: float
) -> list[list[Segment]]:
    """The horizontal rules, with an edge added where the table's rows are open at an end.

    A row cut by the page foot (or begun at the page head) has no rule below (above) it, but the
    column rules run on past the last (first) horizontal rule to where the ruling stops. When
    most column rules do, that end of the ruling closes the open row.
    """
    if len(v_rules) < 2:
        return h_rules
    x0 = min(statistics.fmean(s.at for s in g) for g in v_rules)
    x1 = max(statistics.fmean(s.at for s in g) for g in v_rules)
    first = statistics.fmean(s.at for s in h_rules[0])
    last = statistics.fmean(s.at for s in h_rules[-1])
    ends = [max(s.end for s in g) for g in v_rules]
    starts = [min(s.start for s in g) for g in v_rules]
    rules = list(h_rules)
    below = [e for e in ends if e > last + tolerance]
    if len(below) * 2 > len(v_rules):
        rules.append([Segment(float(statistics.median(below)), int(x0), int(x1) + 1)])
    above = [t for t in starts if t < first - tolerance]
    if len(above) * 2 > len(v_rules):
        rules.insert(0, [Segment(float(statistics.median(above)), int(x0), int(x1) + 1)])
    return rules


def build_grid(h_segments: list[Segment], v_segments: list[Segment], dpi: int) -> Grid | None:
    """The lattice of one table's rules, with elementary cells merged where a rule is missing."""
    tolerance = max(2.0, _MIN_CELL_INCH * dpi)
    h_rules = cluster_positions(h_segments, tolerance)
    v_rules = cluster_positions(v_segments, tolerance)
    if not h_rules or len(v_rules) < 2:
        return None
    h_rules = close_open_ends(h_rules, v_rules, tolerance)
    if len(h_rules) < 2:
        return None
    ys = [statistics.fmean(s.at for s in g) for g in h_rules]
    xs = [statistics.fmean(s.at for s in g) for g in v_rules]
    n_rows, n_cols = len(ys) - 1, len(xs) - 1

    # union-find over elementary cells: join neighbours where the rule between them is absent
    sets = UnionFind(n_rows * n_cols)
    for r in range(n_rows):
        for c in range(n_cols):
            here = r * n_cols + c
            if c + 1 < n_cols and coverage(v_rules[c + 1], ys[r], ys[r + 1]) < _COVER_MIN:
                sets.union(here, here + 1)
            if r + 1 < n_rows and coverage(h_rules[r + 1], xs[c], xs[c + 1]) < _COVER_MIN:
                sets.union(here, here + n_cols)

    members: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            members.setdefault(sets.find(r * n_cols + c), []).append((r, c))
    cells = []
    for group in members.values():
        r0, r1 = min(r for r, _ in group), max(r for r, _ in group)
        c0, c1 = min(c for _, c in group), max(c for _, c in group)
        box = (int(xs[c0]), int(ys[r0]), int(xs[c1 + 1]), int(ys[r1 + 1]))
        cells.append(GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, box))
    cells.sort(key=lambda g: (g.row, g.col))
    return Grid(ys, xs, cells)


def fill_edges(grey: np.ndarray, region: tuple[int, int, int, int], dpi: int) -> list[Segment]:
    """The top and bottom edges of shaded bands (a header's fill) across a table, as rules.

    A band is a run of rows most of whose width is tint: lighter than ink, clearly darker than
    the paper. A header row drawn as a fill with no rule under it is closed by its fill's edge.
    """
    import cv2

    x0, y0, x1, y1 = region
    crop = grey[y0:y1, x0:x1]
    if crop.size == 0:
        return []
    crop = cv2.medianBlur(crop, 5)  # scan noise and specks off; glyph strokes stay dark
    paper = float(np.percentile(crop, 90))
    tint = (crop > 128) & (crop < paper - 18)
    band = tint.mean(axis=1) >= 0.5
    min_run = max(2, int(_MIN_CELL_INCH * dpi))
    edges = []
    padded = np.concatenate(([False], band, [False]))
    changes = np.flatnonzero(padded[1:] != padded[:-1])
    for start, end in zip(changes[::2], changes[1::2], strict=True):
        if end - start < min_run:
            continue
        across = np.flatnonzero(tint[start:end].mean(axis=0) >= 0.5)
        if across.size == 0:
            continue
        left, right = x0 + int(across[0]), x0 + int(across[-1]) + 1
        edges.append(Segment(float(y0 + start), left, right))
        edges.append(Segment(float(y0 + end), left, right))
    return edges


def find_grids(
    horizontal: np.ndarray, vertical: np.ndarray, dpi: int, grey: np.ndarray | None = None
) -> list[Grid]:
    """Every ruled table on the page, top to bottom (with `grey`, fill edges count as rules)."""
    h_all = rule_segments(horizontal, horizontal=True)
    v_all = rule_segments(vertical, horizontal=False)
    pad = max(2, int(_RULE_JOIN_INCH * dpi)) * 2
    grids = []
    for x0, y0, x1, y1 in table_regions(horizontal, vertical, dpi):
        h_in = [
            s
            for s in h_all
            if y0 - pad <= s.at <= y1 + pad and s.start >= x0 - pad and s.end <= x1 + pad
        ]
        v_in = [
            s
            for s in v_all
            if x0 - pad <= s.at <= x1 + pad and s.start >= y0 - pad and s.end <= y1 + pad
        ]
        if grey is not None:
            h_in += fill_edges(grey, (x0, y0, x1, y1), dpi)
        grid = build_grid(h_in, v_in, dpi)
        if grid and len(grid.cells) >= 2:
            grids.append(grid)
    return grids


# ---------------------------------------------------------------------------------------------
# Words -> lines -> cell text


_RULE_DEBRIS = re.compile(r"^[|¦]+$")


def strip_rule_debris(words: list[Word], box: tuple[int, int, int, int], dpi: int) -> list[Word]:
    """Words without the '|' debris that rules leave at a cell's left or right edge.

    A token made only of bars is dropped; a bar stuck to the start or end of a word is cut off
    only when that end of the word touches the cell's side (where a vertical rule was).
    """
    x0, _, x1, _ = box
    near = max(2, int(0.08 * dpi))
    kept = []
    for word in words:
        text = word.text
        if _RULE_DEBRIS.match(text):
            continue
        if text[0] in "|¦" and word.left - x0 <= near:
            text = text.lstrip("|¦")
        if text and text[-1] in "|¦" and x1 - (word.left + word.width) <= near:
            text = text.rstrip("|¦")
        if text:
            kept.append(Word(text, word.left, word.top, word.width, word.height, word.conf))
    return kept


def words_to_lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into visual lines (by vertical overlap), top to bottom, each left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.cy, w.left)):
        if lines:
            last = lines[-1]
            top = statistics.median(w.top for w in last)
            bottom = statistics.median(w.top + w.height for w in last)
            # same line when the word's centre falls inside the line's middle band
            if top + 0.15 * (bottom - top) <= word.cy <= bottom - 0.15 * (bottom - top) or (
                abs(word.cy - statistics.fmean(w.cy for w in last)) < 0.35 * max(bottom - top, 1)
            ):
                last.append(word)
                continue
        lines.append([word])
    return [sorted(line, key=lambda w: w.left) for line in lines]


def lines_text(lines: list[list[Word]]) -> str:
    return "\n".join(" ".join(w.text for w in line) for line in lines)


def mean_confidence(words: list[Word]) -> float | None:
    return round(statistics.fmean(w.conf for w in words) / 100.0, 3) if words else None


def to_points(box: tuple[float, float, float, float], dpi: int) -> BBox:
    k = 72.0 / dpi
    return (round(box[0] * k, 2), round(box[1] * k, 2), round(box[2] * k, 2), round(box[3] * k, 2))


def inside(word: Word, box: tuple[int, int, int, int]) -> bool:
    x0, y0, x1, y1 = box
    return x0 <= word.cx < x1 and y0 <= word.cy < y1


def grid_to_table(
    grid: Grid, words: list[Word], page: int, dpi: int
) -> tuple[RawTable, list[Word]]:
    """The grid as a RawTable with the words placed in it; and the words it did not take.

    A spanning cell's text sits in its top-left slot; the slots it covers hold empty cells with
    the spanning cell's box (as camelot lattice leaves them).
    """
    n_rows, n_cols = len(grid.rows) - 1, len(grid.cols) - 1
    slots: list[list[Cell | None]] = [[None] * n_cols for _ in range(n_rows)]
    remaining = list(words)
    confs = []
    spans = []
    for gcell in grid.cells:
        mine = [w for w in remaining if inside(w, gcell.box)]
        taken = set(map(id, mine))
        remaining = [w for w in remaining if id(w) not in taken]
        mine = strip_rule_debris(mine, gcell.box, dpi)
        bbox = to_points(gcell.box, dpi)
        conf = mean_confidence(mine)
        confs.extend(w.conf for w in mine)
        slots[gcell.row][gcell.col] = Cell(lines_text(words_to_lines(mine)), page, bbox, conf)
        if gcell.rowspan > 1 or gcell.colspan > 1:
            spans.append((gcell.row, gcell.col, gcell.rowspan, gcell.colspan))
        for r in range(gcell.row, gcell.row + gcell.rowspan):
            for c in range(gcell.col, gcell.col + gcell.colspan):
                if slots[r][c] is None:
                    slots[r][c] = Cell("", page, bbox, None)
    rows = [[c if c is not None else Cell("", page) for c in row] for row in slots]
    table = RawTable(
        rows=rows, page=page, method="ocr", layout="grid", bbox=to_points(grid.box, dpi)
    )
    table.report = {
        "grid_found": True,
        "shape": table.shape,
        "spans": spans,
        "mean_confidence": round(statistics.fmean(confs) / 100.0, 3) if confs else None,
        "words": len(confs),
    }
    return table, remaining


def flow_table(words: list[Word], page: int, dpi: int) -> RawTable:
    """A page without a ruled grid as one column of its text lines, top to bottom."""
    rows = []
    for line in words_to_lines(words):
        x0 = min(w.left for w in line)
        y0 = min(w.top for w in line)
        x1 = max(w.left + w.width for w in line)
        y1 = max(w.top + w.height for w in line)
        rows.append(
            [
                Cell(
                    " ".join(w.text for w in line),
                    page,
                    to_points((x0, y0, x1, y1), dpi),
                    mean_confidence(line),
                )
            ]
        )
    table = RawTable(rows=rows, page=page, method="ocr", layout="flow")
    if rows:
        boxes = [r[0].bbox for r in rows]
        table.bbox = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
    table.report = {
        "grid_found": False,
        "shape": table.shape,
        "mean_confidence": mean_confidence(words),
        "words": len(words),
    }
    return table


def split_lines_outside(
    words: list[Word],
    tables_top: float | None,
    tables_bottom: float | None,
    head_lines: int = 5,
    foot_lines: int = 3,
) -> tuple[str, str]:
    """The page's heading (lines above its tables) and footer (lines below them)."""
    if tables_top is None or tables_bottom is None:
        lines = words_to_lines(words)
        foot = lines[head_lines:][-foot_lines:]
        return lines_text(lines[:head_lines]), lines_text(foot)
    above = words_to_lines([w for w in words if w.cy < tables_top])
    below = words_to_lines([w for w in words if w.cy > tables_bottom])
    return lines_text(above[-head_lines:]), lines_text(below[:foot_lines])


# ---------------------------------------------------------------------------------------------
# Orchestrators


def ocr_crop(
    clean: np.ndarray, box: tuple[int, int, int, int], dpi: int, *, despeckle: bool = False
) -> list[Word]:
    """Words of one cell, OCRed alone as a uniform block (--psm 6), in page pixels.

    despeckle: read the cell after a 3x3 median filter: scan noise on and around the glyphs
    gone (it turns a '6' into an 'E'), at the cost of thin strokes, so only ever a second
    opinion on a cell (a median over the whole page loses letters of small, thin print).
    """
    x0, y0, x1, y1 = box
    crop = clean[y0:y1, x0:x1]
    if crop.size == 0 or (crop < 128).sum() <= 10:
        return []
    if despeckle:
        import cv2

        crop = cv2.medianBlur(crop, 3)
    return ocr_words(crop, psm=6, dpi=dpi, offset=(x0, y0))


# A short cell read with less confidence than this is read again on its own (see reread_cells)
_REREAD_BELOW = 0.85
_SHORT_CELL_CHARS = 12


def reread_cells(
    clean: np.ndarray, grids: list[Grid], words: list[Word], dpi: int
) -> tuple[list[Word], int]:
    """The page's words, with cells the page pass read badly read again alone (--psm 6).

    Sparse-text page OCR reads each word without its neighbours, so a lone short token (a
    reference "CO4", a score "6") has no line to size its letters by: it comes out in the wrong
    case, doubled ("Cco4") or not at all. Such cells are empty cells holding glyphs, and short
    cells read with low confidence. The second reading replaces the first only when tesseract
    is surer of it. Returns the words and how many cells were read again.
    """
    words = list(words)
    reread = 0
    for grid in grids:
        for gcell in grid.cells:
            mine = [w for w in words if inside(w, gcell.box)]
            if mine:
                short = sum(len(w.text) for w in mine) <= _SHORT_CELL_CHARS
                if not short or mean_confidence(mine) >= _REREAD_BELOW:
                    continue
            else:
                x0, y0, x1, y1 = gcell.box
                inset = max(1, int(_RULE_JOIN_INCH * dpi))  # clear of what is left of the rules
                ink = clean[y0 + inset : y1 - inset, x0 + inset : x1 - inset] < 128
                if not ink.size or not glyph_ink(ink.astype(np.uint8) * 255, dpi):
                    continue
            reread += 1
            best = mine
            for despeckle in (False, True):
                again = ocr_crop(clean, gcell.box, dpi, despeckle=despeckle)
                if again and (not best or mean_confidence(again) > mean_confidence(best)):
                    best = again
                if best and mean_confidence(best) >= _REREAD_BELOW:
                    break
            if best is not mine:
                taken = set(map(id, mine))
                words = [w for w in words if id(w) not in taken] + best
    return words, reread


def ocr_image(
    grey: np.ndarray, page: int, dpi: int, *, psm: int = DEFAULT_PSM, mode: str = "page"
) -> tuple[list[RawTable], PageInfo, dict]:
    """Tables and page text from one rendered page image (grey, uint8) at `dpi`."""
    import cv2

    skew = estimate_skew(binarise(grey))
    level = rotate(grey, -skew)
    ink = binarise(level)
    horizontal, vertical = rule_masks(ink, dpi)
    grids = find_grids(horizontal, vertical, dpi, level)

    # erase the rules and the specks so tesseract reads no "|", "_" or stray marks from them
    clean = level.copy()
    rules = cv2.dilate(horizontal | vertical, np.ones((3, 3), np.uint8))
    clean[rules > 0] = 255
    specks = speck_mask(ink & ~rules, dpi)
    clean[specks] = 255
    # bullets are read from the image, not by tesseract: erased, then put back as '•' words
    bullets = find_bullets(ink & ~rules & ~(specks.astype(np.uint8) * 255), dpi, vertical)
    bullet_words = []
    for x, y, w, h in bullets:
        clean[y : y + h, x : x + w] = 255
        # boxed as tall as the text line the dot is centred in, so it joins that line
        bullet_words.append(Word("•", x, y - h // 2, w, 2 * h, 95.0))

    reread = 0
    if mode == "cell" and grids:
        words = []
        for grid in grids:
            for gcell in grid.cells:
                words.extend(ocr_crop(clean, gcell.box, dpi))
        # text outside the grids (title, footer) from one pass over the masked page
        outside = clean.copy()
        for grid in grids:
            gx0, gy0, gx1, gy1 = grid.box
            outside[gy0:gy1, gx0:gx1] = 255
        words.extend(ocr_words(outside, psm=psm, dpi=dpi))
    else:
        words, reread = reread_cells(clean, grids, ocr_words(clean, psm=psm, dpi=dpi), dpi)
    words = words + bullet_words

    tables = []
    remaining = words
    for grid in grids:
        table, remaining = grid_to_table(grid, remaining, page, dpi)
        tables.append(table)
    if not tables:
        flow = flow_table(words, page, dpi)
        if flow.rows:
            tables.append(flow)
        top = bottom = None
    else:
        top = min(g.rows[0] for g in grids)
        bottom = max(g.rows[-1] for g in grids)
    head, foot = split_lines_outside(remaining if grids else words, top, bottom)
    info = {
        "skew_degrees": skew,
        "dpi": dpi,
        "psm": psm,
        "mode": mode,
        "grids": len(grids),
        "cells_reread": reread,
    }
    for table in tables:
        table.report.update(info)
    page_info = PageInfo(
        number=page,
        width=grey.shape[1] * 72.0 / dpi,
        height=grey.shape[0] * 72.0 / dpi,
        method="ocr",
        text_head=head,
        text_foot=foot,
    )
    return tables, page_info, info


def ocr_page(
    pdf_path: str,
    page_number: int,
    *,
    dpi: int = DEFAULT_DPI,
    password=None,
    psm: int = DEFAULT_PSM,
    mode: str = "page",
) -> tuple[list[RawTable], PageInfo]:
    """OCR one page (1-based) of a PDF: its ruled tables (or its text as a flow table) and text.

    `mode="page"` OCRs the whole page once; `mode="cell"` OCRs each cell crop with --psm 6.
    (`ocr_pages` reads many pages of one PDF, opening it once.)
    """
    _require_ocr(pdf_path, page_number)
    pdf = _open_pdf(pdf_path, password)
    try:
        return _ocr_open_page(pdf, pdf_path, page_number, dpi=dpi, psm=psm, mode=mode)
    finally:
        pdf.close()


def _ocr_open_page(
    pdf, pdf_path: str, page_number: int, *, dpi: int, psm: int = DEFAULT_PSM, mode: str = "page"
) -> tuple[list[RawTable], PageInfo]:
    """`ocr_page` on a PDF already open (tesseract already checked for)."""
    started = time.perf_counter()
    grey, width_pt, height_pt = render_page(pdf, page_number, dpi=dpi)
    try:
        tables, info, _ = ocr_image(grey, page_number, dpi, psm=psm, mode=mode)
    except Exception as err:
        if type(err).__name__ == "TesseractNotFoundError":
            raise OcrUnavailable(
                "page needs OCR but tesseract is not installed",
                path=pdf_path,
                page=page_number,
                hint=OCR_HINT,
            ) from err
        raise
    info.width, info.height = width_pt, height_pt
    seconds = round(time.perf_counter() - started, 2)
    for table in tables:
        table.report["seconds"] = seconds
    return tables, info


def ocr_pages(
    path: str,
    numbers: list[int],
    *,
    password=None,
    dpi: int = DEFAULT_DPI,
    data: bytes | None = None,
) -> tuple[list[RawTable], list[PageInfo], list[str]]:
    """The given pages (1-based) through `ocr_page`: their tables, their PageInfos, and a
    warning for each page OCR found no text or no ruled grid on.

    Tesseract is looked for once and the PDF opened once (from `data`, the file's bytes, where
    given) for all the pages.
    """
    if not numbers:
        return [], [], []
    _require_ocr(path, numbers[0])
    pdf = _open_pdf(path, password, data)
    try:
        return _ocr_open_pages(pdf, path, numbers, dpi=dpi)
    finally:
        pdf.close()


def _ocr_open_pages(
    pdf, path: str, numbers: list[int], *, dpi: int
) -> tuple[list[RawTable], list[PageInfo], list[str]]:
    tables: list[RawTable] = []
    infos: list[PageInfo] = []
    warnings: list[str] = []
    for n in numbers:
        page_tables, info = _ocr_open_page(pdf, path, n, dpi=dpi)
        tables.extend(page_tables)
        infos.append(info)
        if not page_tables:
            warnings.append(f"page {n}: OCR found no text")
        elif not any(t.report.get("grid_found") for t in page_tables):
            warnings.append(f"page {n}: no ruled grid found; text kept as flow lines")
    return tables, infos, warnings


def read_scanned_pdf(
    path: str, *, password=None, pages=None, dpi: int = DEFAULT_DPI
) -> ExtractedDocument:
    """Every page (or the 1-based `pages` given) of a scanned PDF through `ocr_page`."""
    import hashlib

    from extract import read_bytes

    _require_ocr(path, None)
    data = read_bytes(path)  # read once: opened from these bytes, hashed from them
    pdf = _open_pdf(path, password, data)
    try:
        page_count = len(pdf)
        numbers = list(pages) if pages is not None else list(range(1, page_count + 1))
        tables, infos, warnings = _ocr_open_pages(pdf, path, numbers, dpi=dpi)
    finally:
        pdf.close()
    title = infos[0].text_head.split("\n")[0] if infos and infos[0].text_head else ""
    return ExtractedDocument(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        kind="pdf",
        tables=tables,
        pages=infos,
        page_count=page_count,
        title=title,
        warnings=warnings,
    )
