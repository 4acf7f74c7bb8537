"""Ruled tables: build the cell grid from the page's vector rules, then drop characters into cells.

The grid is made directly from line segments (snapped, merged, grouped into connected
components), so no page is rasterised and no per-cell crop is done; characters are assigned
to cells in one vectorised pass.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from extract.geometry import UnionFind, cluster_1d, spans_length
from extract.pages import Fill, Line, PageContent, Word, build_lines, lines_text
from extract.types import Cell, RawTable

SNAP = 2.0  # rules closer than this are one rule (double borders, outer-edge overshoot)
JOIN = 2.5  # collinear pieces with a gap smaller than this are one rule
COVER = 0.6  # a rule separates two cells when it covers this share of their common edge
MIN_BAND = 1.5  # rows or columns thinner than this are drawing slop, not cells


@dataclass
class Rule:
    pos: float  # y of a horizontal rule, x of a vertical one
    start: float
    end: float


@dataclass
class Grid:
    """A table's rules: sorted column edges xs, row edges ys, and the rules themselves."""

    xs: list[float]
    ys: list[float]
    horizontals: list[Rule]
    verticals: list[Rule]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


# ---------------------------------------------------------------- rules -> grids


def merge_rules(segments: list[tuple[float, float, float]]) -> list[Rule]:
    """Snap segments (pos, start, end) to common positions and join collinear pieces."""
    rules: list[Rule] = []
    for group in cluster_1d([s[0] for s in segments], SNAP):
        pos = float(np.mean([segments[i][0] for i in group]))
        spans = sorted((segments[i][1], segments[i][2]) for i in group)
        start, end = spans[0]
        for a, b in spans[1:]:
            if a <= end + JOIN:
                end = max(end, b)
            else:
                rules.append(Rule(pos, float(start), float(end)))
                start, end = a, b
        rules.append(Rule(pos, float(start), float(end)))
    return rules


def find_grids(page: PageContent) -> list[Grid]:
    """Connected sets of crossing rules that enclose at least two cells, top to bottom."""
    hs = merge_rules(page.horizontals)
    vs = merge_rules(page.verticals)
    if not hs or not vs:
        return []
    sets = UnionFind(len(hs) + len(vs))
    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.start - SNAP <= v.pos <= h.end + SNAP and v.start - SNAP <= h.pos <= v.end + SNAP:
                sets.union(i, len(hs) + j)
    components: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, h in enumerate(hs):
        components.setdefault(sets.find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        components.setdefault(sets.find(len(hs) + j), ([], []))[1].append(v)
    grids = []
    for hsub, vsub in components.values():
        if not hsub or not vsub:
            continue
        grid = _grid_from_rules(hsub, vsub)
        if grid:
            grid = _with_fill_edges(grid, page)
        if grid and (len(grid.xs) - 1) * (len(grid.ys) - 1) >= 2:
            grids.append(grid)
    grids.sort(key=lambda g: (g.ys[0], g.xs[0]))
    return grids


def _bands(edges: list[float]) -> list[float]:
    edges = sorted(edges)
    out = [edges[0]]
    for e in edges[1:]:
        if e - out[-1] >= MIN_BAND:
            out.append(e)
    return out


def _grid_from_rules(hs: list[Rule], vs: list[Rule]) -> Grid | None:
    # Tables drawn without outer verticals (or top/bottom rules) still end where their rules end.
    xs = _bands([v.pos for v in vs] + [min(h.start for h in hs), max(h.end for h in hs)])
    ys = _bands([h.pos for h in hs] + [min(v.start for v in vs), max(v.end for v in vs)])
    if len(xs) < 2 or len(ys) < 2:
        return None
    return Grid(xs, ys, hs, vs)


def _with_fill_edges(grid: Grid, page: PageContent) -> Grid:
    """The grid with a row boundary where the cell fill changes colour across the table.

    A header band shaded one colour over a white body is a row boundary even where no rule is
    drawn under it (Word and reportlab leave out the rule under a header repeated above a row
    that continues from the previous page). Only an edge across most of the table's width
    counts, and only where the colour on its other side differs and it cuts through no text:
    per-line highlight boxes and coloured score cells are not rows.
    """
    x0, top, x1, bottom = grid.bbox
    width = x1 - x0
    if not page.fills or width <= 0:
        return grid
    inside = [f for f in page.fills
              if f.bbox[0] >= x0 - SNAP and f.bbox[2] <= x1 + SNAP and f.bbox[1] < bottom and f.bbox[3] > top]
    edges: list[tuple[float, float, float]] = []  # (y, x0, x1) of a colour change
    for f in inside:
        fx0, ftop, fx1, fbottom = f.bbox
        for y, other_side in ((ftop, lambda o, y=ftop: abs(o.bbox[3] - y) <= SNAP),
                              (fbottom, lambda o, y=fbottom: abs(o.bbox[1] - y) <= SNAP)):
            if not top + MIN_BAND < y < bottom - MIN_BAND:
                continue
            same = [(max(fx0, o.bbox[0]), min(fx1, o.bbox[2])) for o in inside
                    if o is not f and o.colour == f.colour and other_side(o)]
            if spans_length([s for s in same if s[1] > s[0]]) >= 0.5 * (fx1 - fx0):
                continue  # the same colour goes on across the edge: not a boundary
            edges.append((y, max(fx0, x0), min(fx1, x1)))
    if not edges:
        return grid
    g = page.glyphs
    added: list[Rule] = []
    for group in cluster_1d([e[0] for e in edges], SNAP):
        y = float(np.mean([edges[i][0] for i in group]))
        if any(abs(y - e) < MIN_BAND for e in grid.ys):
            continue  # a rule is drawn there already
        if spans_length([(edges[i][1], edges[i][2]) for i in group]) < COVER * width:
            continue
        cut = (g.top < y - 1) & (g.bottom > y + 1) & (g.x1 > x0) & (g.x0 < x1)
        if cut.any():
            continue  # a boundary never runs through a line of text
        added.append(Rule(y, x0, x1))
    if not added:
        return grid
    return Grid(grid.xs, sorted(grid.ys + [r.pos for r in added]), grid.horizontals + added, grid.verticals)


# ---------------------------------------------------------------- grid -> cells


def _covered(rules: list[Rule], pos: float, a: float, b: float) -> bool:
    """Whether rules at `pos` cover the span a..b enough to separate the cells either side."""
    covered = 0.0
    for r in rules:
        if abs(r.pos - pos) <= SNAP:
            covered += max(0.0, min(b, r.end) - max(a, r.start))
    return covered >= COVER * (b - a)


def cell_groups(grid: Grid) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """Label each grid slot with its cell (merged slots share a label); each cell's slot span.

    Returns the slot -> cell label matrix and, per label, (row0, col0, row1, col1) inclusive.
    """
    nr, nc = len(grid.ys) - 1, len(grid.xs) - 1
    sets = UnionFind(nr * nc)
    for i in range(nr):
        for j in range(nc):
            if j + 1 < nc and not _covered(grid.verticals, grid.xs[j + 1], grid.ys[i], grid.ys[i + 1]):
                sets.union(i * nc + j, i * nc + j + 1)
            if i + 1 < nr and not _covered(grid.horizontals, grid.ys[i + 1], grid.xs[j], grid.xs[j + 1]):
                sets.union(i * nc + j, (i + 1) * nc + j)
    labels = np.zeros((nr, nc), dtype=int)
    spans: list[tuple[int, int, int, int]] = []
    index: dict[int, int] = {}
    for i in range(nr):
        for j in range(nc):
            root = sets.find(i * nc + j)
            if root not in index:
                index[root] = len(spans)
                spans.append((i, j, i, j))
            k = index[root]
            r0, c0, r1, c1 = spans[k]
            spans[k] = (min(r0, i), min(c0, j), max(r1, i), max(c1, j))
            labels[i, j] = k
    return labels, spans


def _fill_for(bbox, text_bbox, fills: list[Fill]) -> str | None:
    """The colour of the topmost filled area behind a cell (or behind its text), white as none."""
    x0, top, x1, bottom = bbox
    area = max((x1 - x0) * (bottom - top), 1e-6)
    colour = None
    for fill in fills:
        fx0, ft, fx1, fb = fill.bbox
        overlap = max(0.0, min(x1, fx1) - max(x0, fx0)) * max(0.0, min(bottom, fb) - max(top, ft))
        behind = overlap >= 0.5 * area
        if not behind and text_bbox is not None:
            tx0, tt, tx1, tb = text_bbox
            t_area = max((tx1 - tx0) * (tb - tt), 1e-6)
            t_overlap = max(0.0, min(tx1, fx1) - max(tx0, fx0)) * max(0.0, min(tb, fb) - max(tt, ft))
            behind = t_overlap >= 0.5 * t_area and fx0 >= x0 - SNAP and fx1 <= x1 + SNAP
        if behind:
            colour = fill.colour
    return None if colour == "#ffffff" else colour


def _cells_from_lines(lines: list[Line], xs: np.ndarray, ys: np.ndarray, labels: np.ndarray,
                      n_cells: int) -> list[list[Line] | None]:
    """Each cell's text lines: the words of the page's lines whose centre falls in the cell, a
    line per page line, in page order; None for a cell to read from its characters."""
    nr, nc = labels.shape
    out: list[list[Line] | None] = [[] for _ in range(n_cells)]
    x_lo, x_hi, y_lo, y_hi = float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1])
    xl, yl = xs.tolist(), ys.tolist()
    lab = labels.tolist()
    for line in lines:
        if line.bottom <= y_lo or line.top >= y_hi:
            continue
        parts: dict[int, list[Word]] = {}
        for w in line.words:
            cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
            if not (x_lo < cx < x_hi and y_lo < cy < y_hi):
                continue
            col = min(max(bisect_left(xl, cx) - 1, 0), nc - 1)
            row = min(max(bisect_left(yl, cy) - 1, 0), nr - 1)
            parts.setdefault(lab[row][col], []).append(w)
        for k, words in parts.items():
            out[k].append(Line(words, 0))
    for k, cell in enumerate(out):
        # the page's lines are clustered across all columns: a neighbour column's line a little
        # higher can split a cell's line (descenders, a taller bullet glyph). Lines of one cell
        # that overlap in height are such a split: that cell is read again from its characters.
        for a, b in zip(cell, cell[1:], strict=False):
            overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
            if overlap > 0.5 * min(a.bottom - a.top, b.bottom - b.top):
                out[k] = None
                break
    return out


def grid_to_table(grid: Grid, page: PageContent, *, method: str = "lattice", merge_cells: bool = True,
                  how: str | None = None, page_lines: list[Line] | None = None) -> RawTable:
    """Read one grid: every cell's text lines, box, fill colour; and a parse report.

    With merge_cells=False every slot is its own cell (stream tables, whose grid has no rules).
    page_lines: the page's upright text lines where already built (stream): cells take their
    words instead of building lines from the characters again, cell by cell.
    """
    g = page.glyphs
    if merge_cells:
        labels, spans = cell_groups(grid)
    else:
        nr, nc = len(grid.ys) - 1, len(grid.xs) - 1
        labels = np.arange(nr * nc).reshape(nr, nc)
        spans = [(i, j, i, j) for i in range(nr) for j in range(nc)]
    nr, nc = labels.shape
    xs, ys = np.array(grid.xs), np.array(grid.ys)
    cx, cy = g.cx, g.cy
    inside = (cx > xs[0]) & (cx < xs[-1]) & (cy > ys[0]) & (cy < ys[-1])
    idx = np.nonzero(inside)[0]
    col = np.clip(np.searchsorted(xs, cx[idx]) - 1, 0, nc - 1)
    row = np.clip(np.searchsorted(ys, cy[idx]) - 1, 0, nr - 1)
    cell_of = labels[row, col]
    order = np.argsort(cell_of, kind="stable")
    bounds = np.searchsorted(cell_of[order], np.arange(len(spans) + 1))
    # chars that stick out of their cell by more than a point: camelot's "split text" error
    boxes = np.array([(xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]) for r0, c0, r1, c1 in spans])
    cb = boxes[cell_of]
    outside = ((g.x0[idx] < cb[:, 0] - 1) | (g.x1[idx] > cb[:, 2] + 1)
               | (g.top[idx] < cb[:, 1] - 1) | (g.bottom[idx] > cb[:, 3] + 1))
    visible = np.array([not g.text[i].isspace() for i in idx], dtype=bool) if idx.size else np.zeros(0, bool)

    cell_lines = _cells_from_lines(page_lines, xs, ys, labels, len(spans)) if page_lines is not None else None
    cells: list[Cell] = []
    for k in range(len(spans)):
        members = idx[order[bounds[k]:bounds[k + 1]]]
        if cell_lines is None or cell_lines[k] is None:
            lines = build_lines(g, members)
        else:  # the page's upright lines, cut per cell; other directions (rotated text) read here
            lines = cell_lines[k]
            rotated = members[g.direction[members] != 0]
            if rotated.size:
                lines = lines + build_lines(g, rotated)
        bbox = tuple(float(v) for v in boxes[k])
        text_bbox = None
        if lines:
            text_bbox = (min(ln.x0 for ln in lines), min(ln.top for ln in lines),
                         max(ln.x1 for ln in lines), max(ln.bottom for ln in lines))
        cells.append(Cell(
            text=lines_text(lines),
            page=page.number,
            bbox=bbox,
            fill=_fill_for(bbox, text_bbox, page.fills),
            lines_x1=tuple(round(line.x1, 2) for line in lines) if lines else None,
        ))
    rows: list[list[Cell]] = []
    for i in range(nr):
        row_cells = []
        for j in range(nc):
            k = labels[i, j]
            r0, c0, _, _ = spans[k]
            anchor = cells[k]
            # slots covered by a spanning cell repeat its box with empty text
            row_cells.append(anchor if (r0, c0) == (i, j) else Cell("", page.number, anchor.bbox, fill=anchor.fill))
        rows.append(row_cells)
    # a row with no text anywhere is no row of the register: the part of a row that breaks at a
    # page end before any of its text (the text follows on the next page), a blank spacer row
    kept = [i for i in range(nr) if any(c.text for c in rows[i])]
    new_index = {i: n for n, i in enumerate(kept)}
    rows = [rows[i] for i in kept]
    row_bounds = [(round(grid.ys[i], 2), round(grid.ys[i + 1], 2)) for i in kept]
    span_report = []
    for r0, c0, r1, c1 in spans:
        inside = [new_index[i] for i in range(r0, r1 + 1) if i in new_index]
        if inside and (len(inside) > 1 or c1 > c0):
            span_report.append((inside[0], c0, len(inside), c1 - c0 + 1))

    n_vis = int(visible.sum())
    split = int((outside & visible).sum())
    empty = sum(1 for c in cells if not c.text)
    col_text = []
    for j in range(nc):
        sel = (col == j) & visible
        col_text.append((round(float(g.x0[idx][sel].min()), 2), round(float(g.x1[idx][sel].max()), 2))
                        if sel.any() else None)
    report = {
        "accuracy": round(100.0 * (1 - split / n_vis), 2) if n_vis else 0.0,
        "whitespace": round(100.0 * empty / len(spans), 2),
        "rows": len(rows),
        "empty_rows_dropped": nr - len(rows),
        # the last row had no text: a row breaking at the page end before any of its text, which
        # then starts on the next page (normalise may date the entry from this page)
        "empty_last_row": bool(nr and kept and kept[-1] != nr - 1),
        "cols": nc,
        "order": None,  # filled by the caller: 1-based order of the table on its page
        "page": page.number,
        "grid": how or f"vector rules: {len(grid.horizontals)} horizontal, {len(grid.verticals)} vertical",
        "col_bounds": [(round(a, 2), round(b, 2)) for a, b in zip(grid.xs[:-1], grid.xs[1:], strict=False)],
        "row_bounds": row_bounds,
        "text_bounds": col_text,
        "spans": span_report,
        "chars": n_vis,
    }
    return RawTable(rows=rows, page=page.number, method=method,
                    bbox=tuple(float(v) for v in grid.bbox), report=report)


def read_lattice(page: PageContent) -> list[RawTable]:
    """All ruled tables on a page that hold any text, top to bottom."""
    tables = []
    for grid in find_grids(page):
        table = grid_to_table(grid, page)
        if table.report["chars"] == 0:
            continue
        table.report["order"] = len(tables) + 1
        tables.append(table)
    return tables


def glyphs_inside(page: PageContent, tables: list[RawTable]) -> np.ndarray:
    """Mask of the page's characters whose centre lies inside any of the tables' boxes."""
    g = page.glyphs
    mask = np.zeros(len(g), dtype=bool)
    for t in tables:
        x0, top, x1, bottom = t.bbox
        mask |= (g.cx > x0) & (g.cx < x1) & (g.cy > top) & (g.cy < bottom)
    return mask
