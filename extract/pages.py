"""One PDF page as plain arrays: glyphs, ruling segments and filled areas, read with pdfium.

pdfium is used rather than pdfplumber/pdfminer because parsing a page's objects with pdfminer
costs more than the whole table search we do here (about 0.27 s against 0.02 s per page).
All coordinates are in PDF points with a top-left origin on the page as displayed (page
rotation and crop box applied), the same convention as `extract.types.BBox`.
"""

from __future__ import annotations

import ctypes
import math
import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

RULE_MAX_WIDTH = 2.5  # a filled or stroked rectangle thinner than this is a ruling line
MIN_RULE_LENGTH = 2.0


@dataclass
class Glyphs:
    """The page's characters as parallel arrays (one entry per character, spaces included)."""

    text: list[str]
    x0: np.ndarray
    top: np.ndarray
    x1: np.ndarray
    bottom: np.ndarray
    size: np.ndarray  # font size in points (or box height when the font reports none)
    direction: np.ndarray  # 0 upright, 1 rotated 90 deg clockwise (reads top->bottom), 2 upside down, 3 reads bottom->top

    def __len__(self) -> int:
        return len(self.text)

    @property
    def cx(self) -> np.ndarray:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> np.ndarray:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Fill:
    """A filled area drawn on the page: a cell background, a highlight box."""

    bbox: tuple[float, float, float, float]
    colour: str  # '#rrggbb'


@dataclass
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    glyphs: Glyphs
    horizontals: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1)
    verticals: list[tuple[float, float, float]] = field(default_factory=list)  # (x, top, bottom)
    fills: list[Fill] = field(default_factory=list)  # in drawing order
    # a page set on a character grid (a text rendering): the gap a space leaves between words
    word_space: float = 0.0
    _lines: list | None = field(default=None, repr=False)


def page_lines(page: PageContent) -> list[Line]:
    """The page's upright text lines, top to bottom (computed once per page)."""
    if page._lines is None:
        page._lines = build_lines(page.glyphs, np.nonzero(page.glyphs.direction == 0)[0])
    return page._lines


@dataclass
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    direction: int = 0


@dataclass
class Line:
    """A text line: its words in reading order. Its bounds and text are computed once (the
    words of a line are not changed after it is built)."""

    words: list[Word]
    direction: int = 0

    @cached_property
    def word_x0(self) -> np.ndarray:
        return np.array([w.x0 for w in self.words])

    @cached_property
    def word_x1(self) -> np.ndarray:
        return np.array([w.x1 for w in self.words])

    @cached_property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @cached_property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @cached_property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @cached_property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @cached_property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)


# ---------------------------------------------------------------- page geometry


def _display_transform(page: pdfium.PdfPage) -> tuple[np.ndarray, float, float]:
    """The affine map (2x3) from PDF user space to top-left display space, and the display size.

    Applies the crop box origin and the page's /Rotate (clockwise), so a landscape register stored
    as a rotated portrait page reads upright.
    """
    left, bottom, right, top = page.get_cropbox()
    w, h = right - left, top - bottom
    rotation = page.get_rotation() % 360
    if rotation == 90:  # X = y - bottom, Y = x - left
        m = [[0, 1, -bottom], [1, 0, -left]]
        size = (h, w)
    elif rotation == 180:  # X = right - x, Y = y - bottom
        m = [[-1, 0, right], [0, 1, -bottom]]
        size = (w, h)
    elif rotation == 270:  # X = top - y, Y = right - x
        m = [[0, -1, top], [-1, 0, right]]
        size = (h, w)
    else:  # X = x - left, Y = top - y
        m = [[1, 0, -left], [0, -1, top]]
        size = (w, h)
    return np.array(m, dtype=float), float(size[0]), float(size[1])


def _apply(m: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return m[0, 0] * xs + m[0, 1] * ys + m[0, 2], m[1, 0] * xs + m[1, 1] * ys + m[1, 2]


# ---------------------------------------------------------------- glyphs


def _unicode_all(raw, n: int) -> list[int]:
    """The UTF-16 code of each of the text page's n characters, in one call where pdfium gives
    one code unit per character (it does: a character outside the BMP is two characters)."""
    if n <= 0:
        return []
    buffer = (ctypes.c_ushort * (n + 1))()
    written = pdfium_c.FPDFText_GetText(raw, 0, n, buffer)
    if written == n + 1:
        codes = list(buffer[:n])
        # GetText writes the line-end hyphen mark (0x02) as 0xFFFE: ask for those one by one
        return [pdfium_c.FPDFText_GetUnicode(raw, i) if code == 0xFFFE else code
                for i, code in enumerate(codes)]
    return [pdfium_c.FPDFText_GetUnicode(raw, i) for i in range(n)]


def read_glyphs(page: pdfium.PdfPage, transform: np.ndarray) -> Glyphs:
    """Every character of the page's text layer with its box, size and reading direction."""
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        n = pdfium_c.FPDFText_CountChars(raw)
        codes = _unicode_all(raw, n)
        is_generated, loose_box = pdfium_c.FPDFText_IsGenerated, pdfium_c.FPDFText_GetLooseCharBox
        font_size, char_angle = pdfium_c.FPDFText_GetFontSize, pdfium_c.FPDFText_GetCharAngle
        texts: list[str] = []
        box_list: list[tuple[float, float, float, float]] = []
        size_list: list[float] = []
        angle_list: list[float] = []
        rect = pdfium_c.FS_RECTF()
        skip = (0, 0x0D, 0x0A, 0xFFFE, 0xFEFF)
        for i, code in enumerate(codes):
            if code in skip or 0xD800 <= code <= 0xDFFF:
                continue  # control, or half of a surrogate pair (rare outside emoji)
            # pdfium generates only spaces (and the line-end hyphen mark): ask for those alone
            if (code in (0x20, 0x02) and is_generated(raw, i) == 1) or not loose_box(raw, i, rect):
                continue
            texts.append("-" if code == 0x02 else chr(code))  # pdfium's mark for a hyphen at a line end
            box_list.append((rect.left, rect.top, rect.right, rect.bottom))
            size_list.append(font_size(raw, i))
            angle_list.append(-char_angle(raw, i))  # pdfium measures clockwise
    finally:
        textpage.close()
    boxes = np.array(box_list, dtype=float).reshape(-1, 4)
    sizes, angles = np.array(size_list, dtype=float), np.array(angle_list, dtype=float)
    ax, ay = _apply(transform, boxes[:, 0], boxes[:, 1])
    bx, by = _apply(transform, boxes[:, 2], boxes[:, 3])
    x0, x1 = np.minimum(ax, bx), np.maximum(ax, bx)
    top, bottom = np.minimum(ay, by), np.maximum(ay, by)
    # Reading direction on the displayed page: the char's angle (now counter-clockwise, PDF space)
    # mapped through the display transform, then rounded to a quarter turn.
    dx = transform[0, 0] * np.cos(angles) + transform[0, 1] * np.sin(angles)
    dy = transform[1, 0] * np.cos(angles) + transform[1, 1] * np.sin(angles)
    quarter = np.round(np.arctan2(dy, dx) / (math.pi / 2)).astype(int) % 4
    box_size = np.where(quarter % 2 == 0, bottom - top, x1 - x0)
    sizes = np.where(sizes > 0.5, sizes, np.maximum(box_size, 1.0))
    return Glyphs(texts, x0, top, x1, bottom, sizes, quarter)


def text_usable(glyphs: Glyphs, page_area: float) -> bool:
    """Whether the text layer holds real text (not absent, too thin, or glyph garbage)."""
    visible = [t for t in glyphs.text if not t.isspace()]
    return not page_needs_ocr(len(visible), "".join(glyphs.text), page_area)


def page_needs_ocr(page_chars_count: int, page_text: str, page_area: float) -> bool:
    """True when a page's text layer is missing, too thin for its size, or only OCR garbage.

    `page_area` is in square points. A printed register page carries thousands of characters;
    fewer than one per ~20 square inches means the text is a stamp or a page number at most.
    """
    if page_chars_count <= 0 or not page_text.strip():
        return True
    area_sq_inch = max(page_area, 1.0) / (72.0 * 72.0)
    if page_chars_count < max(20, 0.05 * area_sq_inch):
        return True
    return text_is_garbage(page_text)


GARBAGE_SAMPLE = 4000  # characters judged: enough to tell language from glyph garbage


def text_is_garbage(text: str) -> bool:
    """True when a text layer looks like a failed OCR layer or unmapped glyphs, not language."""
    text = text[:GARBAGE_SAMPLE]
    stripped = re.sub(r"\s+", "", text)
    if not stripped:
        return True
    if (
        stripped.count("(cid:") * 6 > len(stripped) * 0.3
        or stripped.count("\ufffd") > len(stripped) * 0.1
    ):
        return True
    alnum = sum(ch.isalnum() for ch in stripped)
    if alnum < 0.6 * len(stripped):
        return True
    tokens = re.findall(r"[^\W\d_]+", text)
    if len(tokens) < 5:
        return False  # too few words to judge: a short but real text layer
    wordlike = sum(1 for t in tokens if len(t) >= 2 and re.search(r"[aeiouyAEIOUY]", t))
    return wordlike < 0.5 * len(tokens)


# ---------------------------------------------------------------- vector graphics


def _colour(r: int, g: int, b: int) -> str:
    return f"#{r:02x}{g:02x}{b:02x}"


def _walk_objects(parent, matrix: np.ndarray, is_form: bool, depth: int = 0):
    """Yield (path object handle, object-to-page 2x3 matrix), descending into form XObjects."""
    count = pdfium_c.FPDFFormObj_CountObjects(parent) if is_form else pdfium_c.FPDFPage_CountObjects(parent)
    fm = pdfium_c.FS_MATRIX()
    for i in range(count):
        obj = pdfium_c.FPDFFormObj_GetObject(parent, i) if is_form else pdfium_c.FPDFPage_GetObject(parent, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM):
            continue
        pdfium_c.FPDFPageObj_GetMatrix(obj, fm)
        own = np.array([[fm.a, fm.c, fm.e], [fm.b, fm.d, fm.f], [0, 0, 1]])
        full = matrix @ own
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield obj, full
        elif depth < 8:
            yield from _walk_objects(obj, full, True, depth + 1)


def _path_polylines(obj) -> list[list[tuple[float, float]]]:
    """The path's subpaths as point lists in object space (curves kept only as their end points)."""
    subpaths: list[list[tuple[float, float]]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([(x.value, y.value)])
        else:
            subpaths[-1].append((x.value, y.value))
        if pdfium_c.FPDFPathSegment_GetClose(seg) and subpaths[-1]:
            subpaths[-1].append(subpaths[-1][0])
    return subpaths


def read_graphics(page: pdfium.PdfPage, transform: np.ndarray):
    """Ruling segments (thin rects and stroked straight lines) and filled areas (wide filled rects)."""
    horizontals: list[tuple[float, float, float]] = []
    verticals: list[tuple[float, float, float]] = []
    fills: list[Fill] = []
    base = np.vstack([transform, [0, 0, 1]])
    fillmode, stroke = ctypes.c_int(), ctypes.c_int()
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    for obj, m in _walk_objects(page.raw, base, False):
        pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fillmode), ctypes.byref(stroke))
        filled = fillmode.value != 0
        stroked = bool(stroke.value)
        if not filled and not stroked:
            continue
        fill_colour = None
        if filled and pdfium_c.FPDFPageObj_GetFillColor(obj, *(ctypes.byref(c) for c in (r, g, b, a))):
            fill_colour = _colour(r.value, g.value, b.value) if a.value > 0 else None
        stroke_colour = None
        if stroked and pdfium_c.FPDFPageObj_GetStrokeColor(obj, *(ctypes.byref(c) for c in (r, g, b, a))):
            stroke_colour = _colour(r.value, g.value, b.value) if a.value > 0 else None
        for points in _path_polylines(obj):
            if len(points) < 2:
                continue
            pts = np.array(points)
            xs, ys = _apply(m, pts[:, 0], pts[:, 1])
            x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
            w, h = x1 - x0, y1 - y0
            rect_like = _is_rectangle(xs, ys)
            if rect_like and min(w, h) <= RULE_MAX_WIDTH and max(w, h) >= MIN_RULE_LENGTH:
                # a thin box is a rule whatever its paint (Word draws borders as filled slivers)
                if w >= h:
                    horizontals.append((float(y0 + y1) / 2, float(x0), float(x1)))
                else:
                    verticals.append((float(x0 + x1) / 2, float(y0), float(y1)))
                continue
            if rect_like and filled and fill_colour and w > RULE_MAX_WIDTH and h > RULE_MAX_WIDTH:
                fills.append(Fill((float(x0), float(y0), float(x1), float(y1)), fill_colour))
                if not stroked or stroke_colour == fill_colour:
                    continue  # a coloured background is not a rule
            if stroked and stroke_colour is not None:
                for (ax, ay, bx, by) in zip(xs[:-1], ys[:-1], xs[1:], ys[1:], strict=False):
                    if abs(ay - by) <= 0.5 and abs(bx - ax) >= MIN_RULE_LENGTH:
                        horizontals.append(((ay + by) / 2, min(ax, bx), max(ax, bx)))
                    elif abs(ax - bx) <= 0.5 and abs(by - ay) >= MIN_RULE_LENGTH:
                        verticals.append(((ax + bx) / 2, min(ay, by), max(ay, by)))
    return horizontals, verticals, fills


def _is_rectangle(xs: np.ndarray, ys: np.ndarray) -> bool:
    """Whether a closed point list traces an axis-aligned rectangle (also a degenerate one)."""
    keep = np.ones(len(xs), dtype=bool)
    keep[1:] = (np.abs(np.diff(xs)) > 0.01) | (np.abs(np.diff(ys)) > 0.01)
    xs, ys = xs[keep], ys[keep]
    if len(xs) not in (2, 4, 5):
        return False
    if len(xs) == 2:
        return abs(xs[0] - xs[1]) < 0.5 or abs(ys[0] - ys[1]) < 0.5
    dx, dy = np.abs(np.diff(xs)), np.abs(np.diff(ys))
    return bool(np.all((dx < 0.5) | (dy < 0.5)))


def read_page(document: pdfium.PdfDocument, index: int) -> PageContent:
    """Read one page (0-based index) into plain arrays and close it."""
    page = document[index]
    try:
        transform, width, height = _display_transform(page)
        glyphs = read_glyphs(page, transform)
        horizontals, verticals, fills = read_graphics(page, transform)
    finally:
        page.close()
    return PageContent(index + 1, width, height, glyphs, horizontals, verticals, fills)


# ---------------------------------------------------------------- glyphs -> words and lines


def build_lines(glyphs: Glyphs, index: np.ndarray | list[int]) -> list[Line]:
    """Group the given characters into text lines of words, in reading order.

    Lines are clustered along the axis across the reading direction, so rotated header text
    (reading bottom-to-top) comes out as the words it spells. Upright lines come first, top to
    bottom; lines of other directions follow in the order they start on the page.
    """
    index = np.asarray(index, dtype=int)
    if index.size == 0:
        return []
    lines: list[Line] = []
    for direction in np.unique(glyphs.direction[index]):
        sub = index[glyphs.direction[index] == direction]
        lines.extend(_lines_one_direction(glyphs, sub, int(direction)))
    if len(lines) > 1 and any(line.direction for line in lines):
        lines.sort(key=lambda line: (line.direction != 0, line.top if line.direction == 0 else line.x0))
    return lines


def _axes(glyphs: Glyphs, sub: np.ndarray, direction: int):
    """(start, end) along the reading direction and the across-line coordinate of each char."""
    x0, x1, top, bottom = glyphs.x0[sub], glyphs.x1[sub], glyphs.top[sub], glyphs.bottom[sub]
    if direction == 0:
        return x0, x1, (top + bottom) / 2
    if direction == 2:
        return -x1, -x0, -(top + bottom) / 2
    if direction == 1:  # reads downwards, next line to the left
        return top, bottom, -(x0 + x1) / 2
    return -bottom, -top, (x0 + x1) / 2  # reads upwards, next line to the right


def _lines_one_direction(glyphs: Glyphs, sub: np.ndarray, direction: int) -> list[Line]:
    start, end, across = _axes(glyphs, sub, direction)
    order = np.argsort(across, kind="stable")
    # plain Python lists from here: per-character numpy scalar access is slow
    start, end, across = start.tolist(), end.tolist(), across.tolist()
    sizes = glyphs.size[sub].tolist()
    gx0, gtop = glyphs.x0[sub].tolist(), glyphs.top[sub].tolist()
    gx1, gbottom = glyphs.x1[sub].tolist(), glyphs.bottom[sub].tolist()
    texts = [glyphs.text[i] for i in sub.tolist()]
    groups: list[list[int]] = []
    ref = None
    for k in order.tolist():
        if ref is None or across[k] - ref > 0.45 * sizes[k]:
            groups.append([k])
            ref = across[k]
        else:
            groups[-1].append(k)
    lines = []
    for group in groups:
        group.sort(key=start.__getitem__)
        words: list[Word] = []
        chars: list[str] = []  # the word being read: its characters and box
        wx0 = wtop = wx1 = wbottom = 0.0
        last_end = last_start = last_text = None
        for k in group:
            text = texts[k]
            if text.isspace():
                if chars:
                    words.append(Word("".join(chars), wx0, wtop, wx1, wbottom, direction))
                    chars = []
                last_end = None
                continue
            if last_end is not None and start[k] - last_end > 0.15 * sizes[k]:
                if chars:
                    words.append(Word("".join(chars), wx0, wtop, wx1, wbottom, direction))
                    chars = []
            elif last_text == text and last_start is not None and abs(start[k] - last_start) < 0.5:
                continue  # the same glyph drawn twice (fake bold)
            if chars:
                chars.append(text)
                wx0, wtop = min(wx0, gx0[k]), min(wtop, gtop[k])
                wx1, wbottom = max(wx1, gx1[k]), max(wbottom, gbottom[k])
                last_end = max(last_end, end[k])
            else:
                chars = [text]
                wx0, wtop, wx1, wbottom = gx0[k], gtop[k], gx1[k], gbottom[k]
                last_end = end[k]
            last_start, last_text = start[k], text
        if chars:
            words.append(Word("".join(chars), wx0, wtop, wx1, wbottom, direction))
        if words:
            lines.append(Line(words, direction))
    return lines


def lines_text(lines: list[Line]) -> str:
    return "\n".join(line.text for line in lines)
