"""Unruled tables: columns from whitespace gutters, rows from where cells start.

Columns: an x-range that no text line of the table crosses is a gutter; the columns lie between
gutters. Lines that cross the gutters most lines respect (titles, headings, footers, a legend
drawn to other columns) are not part of that table.

Rows: cells are top-aligned, so a new row starts on a line where the cells of several columns
start together (after a gap in each of those columns), or where the reference column (the
first) starts a new block. One printed line is not a row: long cells wrap over many lines.
"""

from __future__ import annotations

import numpy as np

from extract.lattice import Grid, grid_to_table
from extract.pages import Line, PageContent, page_lines
from extract.types import RawTable

RESOLUTION = 0.5  # points per coverage bin
OVERLAP = 1.0  # a word crosses a gutter when it reaches more than this into it
BLOCK_GAP = 1.5  # a column starts a new block after a gap of this many line pitches
TABLE_GAP = 3.0  # a vertical gap of this many line pitches ends a table (footer, notes)
MIN_ROWS = 2


def _coverage(lines: list[Line], lo: float, hi: float) -> np.ndarray:
    """How many lines have a word over each x bin between lo and hi."""
    n = int(np.ceil((hi - lo) / RESOLUTION)) + 1
    counts = np.zeros(n, dtype=int)
    for line in lines:
        mark = np.zeros(n, dtype=bool)
        for w in line.words:
            mark[int((w.x0 - lo) / RESOLUTION): int(np.ceil((w.x1 - lo) / RESOLUTION)) + 1] = True
        counts += mark
    return counts


def find_gutters(lines: list[Line], allowed: int, min_width: float) -> list[tuple[float, float]]:
    """Inner x-ranges at least min_width wide crossed by at most `allowed` lines."""
    if not lines:
        return []
    lo = min(line.x0 for line in lines)
    hi = max(line.x1 for line in lines)
    counts = _coverage(lines, lo, hi)
    low = counts <= allowed
    gutters = []
    i, n = 0, len(low)
    while i < n:
        if low[i]:
            j = i
            while j < n and low[j]:
                j += 1
            a, b = lo + i * RESOLUTION, lo + (j - 1) * RESOLUTION
            if i > 0 and j < n and b - a >= min_width:
                # keep only the least-crossed core: the sparse edge of a column is not gutter
                a0, b0 = _longest_run(counts[i:j] == counts[i:j].min())
                gutters.append((lo + (i + a0) * RESOLUTION, lo + (i + b0) * RESOLUTION))
            i = j
        else:
            i += 1
    return gutters


def _longest_run(mask: np.ndarray) -> tuple[int, int]:
    """First and last index of the longest run of True."""
    best, start = (0, -1), None
    for k, value in enumerate(list(mask) + [False]):
        if value and start is None:
            start = k
        elif not value and start is not None:
            if k - 1 - start > best[1] - best[0]:
                best = (start, k - 1)
            start = None
    return best


def crosses(line: Line, gutters: list[tuple[float, float]]) -> bool:
    """Whether a word of the line spans the middle of one of the gutters.

    Reaching into a gutter is allowed (a long word overflowing its column's usual right edge);
    spanning its middle is not (a title, a heading, a legend drawn to other columns).
    """
    if not gutters:
        return False
    mids = np.asarray([(a + b) / 2 for a, b in gutters])[None, :]
    x0, x1 = line.word_x0[:, None], line.word_x1[:, None]
    return bool(np.any((x0 < mids - OVERLAP / 2) & (x1 > mids + OVERLAP / 2)))


def _column_of(x: float, edges: list[float]) -> int:
    return int(np.searchsorted(edges, x)) - 1


def _chunks(line: Line, size: float) -> int:
    """Runs of words separated by more than a wide space: 1 for a title, several for a table row."""
    x0, x1 = line.word_x0, line.word_x1
    return 1 + int(np.sum(x0[1:] - x1[:-1] > 1.2 * size))


def _line_pitch(lines: list[Line], size: float) -> float:
    tops = sorted(line.top for line in lines)
    diffs = [b - a for a, b in zip(tops, tops[1:], strict=False) if b - a > 0.3 * size]
    return float(np.median(diffs)) if diffs else 1.2 * size


Gutters = list[tuple[float, float]]


def find_column_gutters(lines: list[Line], size: float) -> Gutters:
    """The gutters most lines respect, found again without the lines that cross them."""
    min_width = max(3.0, 0.6 * size)
    allowed = max(1, len(lines) // 25)
    gutters = find_gutters(lines, allowed, min_width)
    fitting = [line for line in lines if not crosses(line, gutters)]
    for _ in range(3):  # without the crossing lines the true gutters widen; re-check against them
        if len(fitting) < 2:
            return []
        gutters = find_gutters(fitting, 0, min_width)
        still = [line for line in lines if not crosses(line, gutters)]
        if len(still) == len(fitting):
            break
        fitting = still
    return gutters


def column_edges(gutters: Gutters, lines: list[Line]) -> list[float]:
    """Column edges: the text's left end, the middle of each gutter, the text's right end."""
    mids = [(a + b) / 2 for a, b in gutters]
    lo = min(line.x0 for line in lines) - 1
    hi = max(line.x1 for line in lines) + 1
    if mids:
        lo, hi = min(lo, mids[0] - 1), max(hi, mids[-1] + 1)
    return [lo, *mids, hi]


def table_run(region: list[Line], gutters: Gutters, size: float) -> tuple[int, int] | None:
    """Where the table fitting these gutters starts and ends in the region (line indexes)."""
    if not gutters:
        return None
    fits = [not crosses(line, gutters) for line in region]
    edges = column_edges(gutters, region)
    start = next((k for k, line in enumerate(region)
                  if fits[k] and len({_column_of((w.x0 + w.x1) / 2, edges) for w in line.words}) >= 2), None)
    if start is None:
        return None
    pitch = _line_pitch([line for line, ok in zip(region, fits, strict=False) if ok], size)
    end = start + 1
    while end < len(region):
        if region[end].top - region[end - 1].bottom > TABLE_GAP * pitch:
            break  # a footer or note well below the table
        if not fits[end] and (end + 1 >= len(region) or not fits[end + 1]):
            break  # one crossing line between fitting ones stays (a long word); two end the table
        end += 1
    return start, end


def split_tables(lines: list[Line], size: float, known: list[Gutters] = ()) -> list[tuple[Gutters, list[Line]]]:
    """Blocks of lines sharing one set of columns, top to bottom, each with its gutters.

    `known` are the gutters of tables on earlier pages: a register keeps its columns from page to
    page, so a page whose lines fit them is read with them (and a legend below does not disturb).
    """
    found = []
    region = sorted(lines, key=lambda line: line.top)
    while len(region) >= 2:
        chosen = None
        for gutters in known:
            run = table_run(region, gutters, size)
            # reuse only from the top of the region (a title may come first), for several lines
            if run and run[1] - run[0] >= 3 and all(_chunks(line, size) <= 1 for line in region[:run[0]]):
                chosen = (gutters, run)
                break
        if chosen is None:
            gutters = find_column_gutters(region, size)
            run = table_run(region, gutters, size)
            if run is None:
                break
            block = region[run[0]:run[1]]
            if len(block) >= 2:  # the gutters of the table alone, now its extent is known
                gutters = find_column_gutters(block, size) or gutters
            chosen = (gutters, run)
        gutters, (start, end) = chosen
        found.append((gutters, region[start:end]))
        region = region[end:]
    return found


def row_starts(block: list[Line], edges: list[float], size: float) -> list[int]:
    """Indexes of the lines of a block on which a new table row starts."""
    pitch = _line_pitch(block, size)
    last_top: dict[int, float] = {}
    starts: list[int] = []
    for k, line in enumerate(block):
        cols = {_column_of((w.x0 + w.x1) / 2, edges) for w in line.words}
        starting = {c for c in cols if c not in last_top or line.top - last_top[c] > BLOCK_GAP * pitch}
        first_col = 0 in starting
        if not starts:
            starts.append(k)
        elif len(starting) >= 2 and len(starting) >= 0.5 * len(cols):
            starts.append(k)
        elif first_col and len(starting) >= 0.5 * len(cols):
            starts.append(k)
        elif len(starts) == 1 and cols and starting == cols:
            starts.append(k)  # first body line under a header, even when only one cell continues
        for c in cols:
            last_top[c] = line.top
    return starts


def read_stream(page: PageContent, known: list[Gutters] = ()) -> list[RawTable]:
    """All unruled tables on a page, top to bottom; `known` are gutters of earlier pages' tables.

    Each table's report holds its `gutters`, to pass on as `known` for the next page.
    """
    g = page.glyphs
    upright = np.nonzero(g.direction == 0)[0]
    lines = page_lines(page)
    if len(lines) < 2:
        return []
    size = float(np.median(g.size[upright])) if upright.size else 10.0
    tables = []
    for gutters, block in split_tables(lines, size, known):
        edges = column_edges(gutters, block)
        starts = row_starts(block, edges, size)
        if len(starts) < MIN_ROWS or len(edges) < 3:
            continue
        ys = [block[k].top - 0.5 for k in starts] + [max(line.bottom for line in block) + 0.5]
        # rows meet halfway between the last line of one and the first line of the next
        for r in range(1, len(starts)):
            prev_bottom = max(line.bottom for line in block[starts[r - 1]:starts[r]])
            ys[r] = (prev_bottom + block[starts[r]].top) / 2
        grid = Grid(list(edges), ys, [], [])
        how = (f"text gutters: {len(edges) - 2} gutters over {len(block)} lines"
               f"{' (columns of an earlier page)' if gutters in known else ''}; rows from cell starts")
        table = grid_to_table(grid, page, method="stream", merge_cells=False, how=how)
        table.report["order"] = len(tables) + 1
        table.report["gutters"] = [(round(a, 2), round(b, 2)) for a, b in gutters]
        tables.append(table)
    return tables
