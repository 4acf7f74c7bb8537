"""Unruled tables: columns from whitespace gutters, rows from where cells start.

Columns: an x-range that no text line of the table crosses is a gutter; the columns lie between
gutters. Lines that cross the gutters most lines respect (titles, headings, footers, a legend
drawn to other columns) are not part of that table.

Rows: cells are top-aligned, so a new row starts on a line where the cells of several columns
start together (after a gap in each of those columns), or where the reference column (the
first) starts a new block. One printed line is not a row: long cells wrap over many lines.
"""

from __future__ import annotations

import re
from bisect import bisect_left

import numpy as np

from extract.lattice import SNAP, Grid, Rule, grid_to_table, merge_rules
from extract.pages import Line, PageContent, Word, page_lines
from extract.types import RawTable

RESOLUTION = 0.5  # points per coverage bin
OVERLAP = 1.0  # a word crosses a gutter when it reaches more than this into it
BLOCK_GAP = 1.5  # a column starts a new block after a gap of this many line pitches
TABLE_GAP = 3.0  # a vertical gap of this many line pitches ends a table (footer, notes)
MIN_ROWS = 2
NARROW_GUTTER = 0.3  # font sizes: the narrowest gap taken for a gutter where a column edge backs it


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


def find_gutters(lines: list[Line], allowed: int, min_width: float,
                 narrow_width: float | None = None, word_space: float = 0.0) -> list[tuple[float, float]]:
    """Inner x-ranges at least min_width wide crossed by at most `allowed` lines.

    A narrower range (down to narrow_width) is a gutter too where a column edge backs it:
    tightly packed tables (small cell padding, words broken to the column width) leave gaps
    hardly wider than a space, but their columns' text starts (or ends) on one x line by line,
    which the spaces between words of running text never do for long.

    word_space: on a page set on a character grid (a text rendering), the gap one space leaves
    between words; a gutter's least-crossed core no wider than that is a space between two words
    of a line that crosses the gutter (a title), and the whole range is the gutter.
    """
    if not lines:
        return []
    lo = min(line.x0 for line in lines)
    hi = max(line.x1 for line in lines)
    counts = _coverage(lines, lo, hi)
    low = counts <= allowed
    gutters: list[tuple[float, float]] = []
    i, n = 0, len(low)
    while i < n:
        if low[i]:
            j = i
            while j < n and low[j]:
                j += 1
            a, b = lo + i * RESOLUTION, lo + (j - 1) * RESOLUTION
            if i > 0 and j < n and _is_gutter(lines, a, b, min_width, narrow_width):
                # keep only the least-crossed core: the sparse edge of a column is not gutter
                a0, b0 = _longest_run(counts[i:j] == counts[i:j].min())
                if (b0 - a0) * RESOLUTION <= word_space:
                    a0, b0 = 0, j - 1 - i
                gutters.append((lo + (i + a0) * RESOLUTION, lo + (i + b0) * RESOLUTION))
            i = j
        else:
            i += 1
    return gutters


EDGE_TOLERANCE = 1.5  # points: words of one aligned column edge start (or end) this close together
EDGE_SHARE = 0.2  # of the lines with words next to a narrow gap, the share that must start (end) on its edge


def _column_edge(lines: list[Line], a: float, b: float) -> bool:
    """Whether the gap a..b is backed by a column edge: words of many lines start right after it,
    or end right before it."""
    starts = ends = near_right = near_left = 0
    for line in lines:
        x0, x1 = line.word_x0, line.word_x1
        reach = 2 * (line.bottom - line.top)
        starts += bool(np.any((x0 >= b - 0.5) & (x0 <= b + EDGE_TOLERANCE)))
        ends += bool(np.any((x1 >= a - EDGE_TOLERANCE) & (x1 <= a + 0.5)))
        near_right += bool(np.any((x0 >= b - 0.5) & (x0 <= b + reach)))
        near_left += bool(np.any((x1 >= a - reach) & (x1 <= a + 0.5)))
    # a sparse column (one short entry under its header) still starts on one x; the gaps
    # between words of running text line up by chance on few of the lines near them
    return starts >= max(2, EDGE_SHARE * near_right) or ends >= max(2, EDGE_SHARE * near_left)


def _is_gutter(lines: list[Line], a: float, b: float, min_width: float,
               narrow_width: float | None) -> bool:
    """Whether the inner gap a..b is a gutter (`find_gutters`): wide enough, or narrow but backed
    by a column edge and not just after bullets; never just after the numbers of lists."""
    narrow = b - a < min_width
    if narrow and (narrow_width is None or b - a < narrow_width or not _column_edge(lines, a, b)):
        return False
    near = _ending_at(lines, a)
    return not (narrow and _bullets_only(near)) and not _numbered_lists(near)


def _ending_at(lines: list[Line], a: float) -> list[tuple[float, str]]:
    """(line top, text) of the words ending just before the gap at a."""
    return [(line.top, w.text) for line in lines for w in line.words
            if a - 0.6 * (line.bottom - line.top) <= w.x1 <= a + 0.5]


def _bullets_only(near: list[tuple[float, str]]) -> bool:
    """Whether the words ending just before a gap (`_ending_at`) are mostly bullet glyphs: the
    gap between a bullet and its hanging-indented text is no column gutter."""
    bullets = sum(1 for _, t in near if len(t) == 1 and not t.isalnum())
    # one bullet is enough where nothing else ends there (a table of one row, one bulleted cell)
    return bullets >= max(1, 0.5 * len(near))


_ENUMERATOR = re.compile(r"^\(?(\d{1,2}|[a-z]|[ivx]{1,4})[.)]$")


def _numbered_lists(near: list[tuple[float, str]]) -> bool:
    """Whether the words ending just before a gap (`_ending_at`) are the numbers of lists set
    with a hanging indent ("1." / "2." / "1." ...): the gap between a number and its item is no
    column gutter. A list's numbers start again at each cell, which a column of row numbers
    never does."""
    if len(near) < 3 or not all(_ENUMERATOR.match(t) for _, t in near):
        return False
    values = [t.strip("().") for _, t in sorted(near)]
    return any(b == values[0] for b in values[1:])  # a list starting again


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
    return bisect_left(edges, x) - 1


def _chunks(line: Line, size: float) -> int:
    """Runs of words separated by more than a wide space: 1 for a title, several for a table row."""
    x0, x1 = line.word_x0, line.word_x1
    return 1 + int(np.sum(x0[1:] - x1[:-1] > 1.2 * size))


def _line_pitch(lines: list[Line], size: float) -> float:
    tops = sorted(line.top for line in lines)
    diffs = [b - a for a, b in zip(tops, tops[1:], strict=False) if b - a > 0.3 * size]
    return float(np.median(diffs)) if diffs else 1.2 * size


Gutters = list[tuple[float, float]]


def find_column_gutters(lines: list[Line], size: float, word_space: float = 0.0,
                        crossing: int = 1) -> Gutters:
    """The gutters most lines respect, found again without the lines that cross them
    (`find_gutters` for word_space); `crossing` lines (a title, a footer) may cross them, or one
    in 25 of the lines."""
    min_width = max(3.0, 0.6 * size)
    narrow = max(1.5, NARROW_GUTTER * size)
    allowed = max(crossing, len(lines) // 25)
    first = find_gutters(lines, allowed, min_width, narrow, word_space)
    fitting = [line for line in lines if not crosses(line, first)]
    for _ in range(3):  # without the crossing lines the true gutters widen; re-check against them
        if len(fitting) < 2:
            return []
        gutters = find_gutters(fitting, 0, min_width, narrow, word_space)
        still = [line for line in lines if not crosses(line, gutters)]
        if len(still) == len(fitting):
            break
        fitting = still
    gutters = _readmitted(lines, fitting, first, gutters, min_width, narrow, word_space)
    return _narrowed_to_intruders(lines, gutters, min_width)


def _open_band(line: Line, gutter: tuple[float, float]) -> tuple[float, float]:
    """The widest part of the gutter the line's words leave open."""
    a, b = gutter
    inside = sorted((max(a, x0), min(b, x1)) for x0, x1 in zip(line.word_x0, line.word_x1, strict=True)
                    if x0 < b and x1 > a)
    best, edge = (a, a), a
    for x0, x1 in inside:
        if x0 - edge > best[1] - best[0]:
            best = (edge, x0)
        edge = max(edge, x1)
    return (edge, b) if b - edge > best[1] - best[0] else best


def _narrowed_to_intruders(lines: list[Line], gutters: Gutters, min_width: float) -> Gutters:
    """The gutters narrowed for the lines that cross one only by reaching into it and leave
    min_width of it open: a column of short values ("People", "Health &") leaves a wide gutter
    whose middle its one long value ("Organisation") spans, and that line is still a row."""
    out = list(gutters)
    fitting = [line for line in lines if not crosses(line, out)]
    for line in lines:
        if not crosses(line, out):
            continue
        trial = _narrowed_for(line, out, min_width)
        if trial is not None and not any(crosses(other, trial) for other in fitting):
            out = trial
            fitting = [other for other in lines if not crosses(other, out)]
    return out


def _narrowed_for(line: Line, gutters: Gutters, min_width: float) -> Gutters | None:
    """The gutters with each one the line crosses narrowed to the part it leaves open, or None
    where that part is narrower than min_width or the line still crosses."""
    trial = list(gutters)
    for k, gutter in enumerate(gutters):
        if crosses(line, [gutter]):
            a, b = _open_band(line, gutter)
            if b - a < min_width:
                return None
            trial[k] = (a, b)
    return None if crosses(line, trial) else trial


def _overlaps(g: tuple[float, float], gutters: Gutters) -> bool:
    return any(g[0] <= b and a <= g[1] for a, b in gutters)


def _readmitted(lines: list[Line], fitting: list[Line], first: Gutters, gutters: Gutters,
                min_width: float, narrow: float, word_space: float) -> Gutters:
    """The gutters again with the lines set aside only for a first-pass gutter the fitting lines
    do not bear out.

    The first pass tolerates a crossing line or two (a title, a footer), so a gap crossed by one
    line alone passes for a gutter there: the part of a header cell beyond the body's text (a
    footer wider than the table makes it an inner gap). The header line crossing it is set
    aside, and without it the gutters widen over the header's longer words, which it then
    crosses for good: a table of one or two rows under a multi-line header loses its header.
    A line that fits every first-pass gutter the fitting lines confirm goes back in, and the
    gutters are narrowed to it, so long as none is lost.
    """
    kept = [g for g in first if _overlaps(g, gutters)]
    if len(kept) == len(first):
        return gutters
    fit = {id(line) for line in fitting}
    back = [line for line in lines
            if id(line) not in fit and crosses(line, first) and not crosses(line, kept)]
    if not back:
        return gutters
    narrowed = find_gutters(fitting + back, 0, min_width, narrow, word_space)
    if len(narrowed) < len(gutters) or any(crosses(line, narrowed) for line in fitting):
        return gutters
    return narrowed


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
    # lines of one cell just above (a header cell wrapping over more lines than its neighbours)
    while start > 0 and fits[start - 1] and _line_top(region[start]) - _line_top(region[start - 1]) <= 1.2 * pitch:
        start -= 1
    end = start + 1
    while end < len(region):
        if region[end].top - region[end - 1].bottom > TABLE_GAP * pitch:
            break  # a footer or note well below the table
        if not fits[end] and (end + 1 >= len(region) or not fits[end + 1]):
            break  # one crossing line between fitting ones stays (a long word); two end the table
        end += 1
    return start, end


def split_tables(lines: list[Line], size: float, known: list[Gutters] = (),
                 word_space: float = 0.0) -> list[tuple[Gutters, list[Line]]]:
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
            # a page's title and its footer both crossing (a short page): one more may cross
            gutters = (find_column_gutters(region, size, word_space)
                       or find_column_gutters(region, size, word_space, crossing=2))
            run = table_run(region, gutters, size)
            if run is None:
                break
            block = region[run[0]:run[1]]
            if len(block) >= 2:  # the gutters of the table alone, now its extent is known
                gutters = find_column_gutters(block, size, word_space) or gutters
            chosen = (gutters, run)
        gutters, (start, end) = chosen
        found.append((gutters, region[start:end]))
        region = region[end:]
    return found


def _line_top(line: Line) -> float:
    """The top of a line's ordinary words: a bullet or symbol glyph's taller box does not count."""
    tops = sorted(w.top for w in line.words)
    return tops[len(tops) // 2]


def row_starts(block: list[Line], edges: list[float], size: float) -> list[int]:
    """Indexes of the lines of a block on which a new table row starts.

    Within the first row (the header, as a rule) a column's first words do not start a row:
    header cells are often aligned to the bottom or middle, so their words begin on different
    lines; the row ends where the columns start again after a gap (the first body row).
    """
    pitch = _line_pitch(block, size)
    last_top: dict[int, float] = {}
    starts: list[int] = []
    labels = _label_column(block, edges)
    previous_label: list = []
    head_numbered = False  # the first row's first column has held a number
    for k, line in enumerate(block):
        top = _line_top(line)
        word_cols = [_column_of((w.x0 + w.x1) / 2, edges) for w in line.words]
        cols = set(word_cols)
        numbered = any(c == 0 and any(ch.isdigit() for ch in w.text)
                       for w, c in zip(line.words, word_cols, strict=True))
        if len(starts) == 1 and numbered and not head_numbered and len(cols) >= 2:
            # a header's first cell ("Risk No.") holds no number; a row's reference does: the
            # first body row, set close under its header with no gap (pdftotext drops it)
            starts.append(k)
            head_numbered = True
            for c in cols:
                last_top[c] = top
            continue
        head_numbered |= numbered
        starting = {c for c in cols if c in last_top and top - last_top[c] > BLOCK_GAP * pitch}
        if labels:
            label = [w for w in line.words if _column_of((w.x0 + w.x1) / 2, edges) == 0]
            if label and previous_label and _new_label(previous_label, label):
                starting.add(0)
            previous_label = label
        if len(starts) > 1:
            starting |= {c for c in cols if c not in last_top}
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
            last_top[c] = top
    return starts


LABEL_WORDS = 6  # a form's label (the first of two columns) holds no more words on a line
_LABEL_GOES_ON = {"&", "and", "of", "for", "to", "the", "or", "/", "-", "in", "on", "by"}


def _label_column(block: list[Line], edges: list[float]) -> bool:
    """Whether the block is a two-column label/value form: short labels down the first column."""
    if len(edges) != 3:
        return False
    label_lines = [[w for w in line.words if _column_of((w.x0 + w.x1) / 2, edges) == 0]
                   for line in block]
    label_lines = [ws for ws in label_lines if ws]
    return len(label_lines) >= 3 and all(len(ws) <= LABEL_WORDS for ws in label_lines)


def _new_label(previous: list[Word], label: list[Word]) -> bool:
    """A form's rows may be set tight, labels on consecutive lines: a label line starts a new
    label unless it goes on from the line above ("Existing Mitigations &" / "Controls", "Risk
    treatment" / "plan"). A wrapped label in title case ("Risk Treatment" / "Plan") is read as
    two labels; normalise reads each."""
    first, last = label[0].text, previous[-1].text
    return not first[:1].islower() and first[:1] not in "&/-(" and (
        last.lower() not in _LABEL_GOES_ON and not last.endswith((",", "&", "/", "-"))
    )


HEADER_CELL_WORDS = 8  # a header cell holds few words; more is a data cell
NUMBER = re.compile(r"^[\d.,/%+-]+$")


def _cells_of(lines: list[Line], edges: list[float]) -> dict[int, list[str]]:
    cells: dict[int, list[str]] = {}
    for line in lines:
        for w in line.words:
            cells.setdefault(_column_of((w.x0 + w.x1) / 2, edges), []).append(w.text)
    return cells


def _wordy(cells: dict[int, list[str]]) -> bool:
    """Short cells of words, no numbers: what a header cell holds (or a fragment of one)."""
    words = [w for ws in cells.values() for w in ws]
    if not words or any(len(ws) > HEADER_CELL_WORDS for ws in cells.values()):
        return False
    if any(NUMBER.match(w) for w in words):
        return False
    return sum(1 for w in words if any(ch.isdigit() for ch in w)) <= 0.15 * len(words)


def _shared_words(a: dict[int, list[str]], b: dict[int, list[str]]) -> int:
    """Columns whose cells share a word of four letters or more (a repeated or sibling header)."""
    def norm(ws):
        return {w.strip("()/:.,").lower() for w in ws if len(w.strip("()/:.,")) >= 4}
    return sum(1 for c in a if c in b and norm(a[c]) & norm(b[c]))


def split_header_blocks(block: list[Line], edges: list[float], gutters: Gutters, size: float) -> list[list[Line]]:
    """The block cut where a new header block starts inside it (the opportunities table's own
    header under the risks table, a header repeated mid-page): each part is one table.

    A new header is a row of short word-only cells across most columns, after the table's first
    row, that shares header words with the first row, or follows a heading line or a wide gap.
    Header rows above it that hold only some of its cells (cells aligned to the bottom begin
    lower) go with it; a heading line just above it belongs to neither table.
    """
    if _label_column(block, edges):
        return [block]  # a form's rows are all short word cells: none is a header
    starts = row_starts(block, edges, size)
    if len(starts) < 3:
        return [block]
    pitch = _line_pitch(block, size)
    bounds = starts + [len(block)]
    rows = [block[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    cells = [_cells_of(r, edges) for r in rows]
    ncols = len(edges) - 1

    def heading(r: int) -> bool:
        return len(rows[r]) == 1 and (crosses(rows[r][0], gutters) or _chunks(rows[r][0], size) == 1)

    parts, first = [], 0  # first: row index where the current table starts
    cut_rows: list[tuple[int, int]] = []  # (end of previous table, start of next) as row indexes
    for r in range(1, len(rows)):
        if r <= first or not _wordy(cells[r]) or len(cells[r]) < max(2, 0.6 * ncols):
            continue
        q = r
        while q - 1 > first and _wordy(cells[q - 1]) and not heading(q - 1) and all(
            c in cells[r] and _line_top(rows[r][0]) - max(_line_top(ln) for ln in rows[q - 1]) <= 1.3 * pitch
            * max(1, r - q + 1) for c in cells[q - 1]):
            q -= 1
        if q - 1 <= first and all(_wordy(cells[k]) for k in range(first, q)):
            continue  # the table's own header, over several rows
        gap = _line_top(rows[q][0]) - max(ln.bottom for ln in rows[q - 1])
        if not (_shared_words(cells[r], cells[first]) >= 2 or heading(q - 1) or gap > 1.5 * pitch):
            continue
        end = q - 1 if heading(q - 1) and q - 1 > first else q
        cut_rows.append((end, q))
        first = q
    # a heading with only header lines under it at the block's end: the start of the next
    # table's header, cut off from the rest at the page foot or where its own columns begin (a
    # bottom-aligned header's first lines fit this table's gutters; the loop above needs a
    # header row across most columns). Test: test_unruled_next_tables_heading_and_header_*
    for k in range(len(rows) - 2, first, -1):
        if heading(k) and all(_wordy(cells[j]) for j in range(k + 1, len(rows))):
            cut_rows.append((k, len(rows)))
            break
    if not cut_rows:
        return [block]
    begin = 0
    for end, nxt in cut_rows:
        parts.append(block[bounds[begin]:bounds[end]])
        begin = nxt
    if begin < len(rows):
        parts.append(block[bounds[begin]:])
    return [part for part in parts if part]


FULL_RULE = 0.9  # a rule this share of the longest rule's length runs across the whole table
MIN_RULED_ROWS = 2


def _rule_tables(page: PageContent) -> list[tuple[list[Rule], float, float, float, float]]:
    """Tables ruled only horizontally: (rules, x0, top, x1, bottom) for each run of rules across
    one width. Rules across the table's full width bound it; shorter rules inside it (under a
    group label over its sub-columns) separate rows over their own span."""
    if not page.horizontals or page.verticals:
        return []
    rules = merge_rules(page.horizontals)
    longest = max(r.end - r.start for r in rules)
    full = sorted((r for r in rules if r.end - r.start >= FULL_RULE * longest), key=lambda r: r.pos)
    tables: list[list[Rule]] = []
    for r in full:  # consecutive full rules of one width make one table
        if tables and abs(tables[-1][-1].start - r.start) <= SNAP and abs(tables[-1][-1].end - r.end) <= SNAP:
            tables[-1].append(r)
        else:
            tables.append([r])
    out = []
    for run in tables:
        if len(run) < MIN_RULED_ROWS + 1:
            continue
        x0, x1 = min(r.start for r in run), max(r.end for r in run)
        top, bottom = run[0].pos, run[-1].pos
        inner = [r for r in rules if top - SNAP <= r.pos <= bottom + SNAP
                 and r.start >= x0 - SNAP and r.end <= x1 + SNAP]
        out.append((inner, x0, top, x1, bottom))
    return out


def _joined_gutters(band: list[Line], bottom: float, rules: list[Rule], edges: list[float],
                    width: float) -> set[int]:
    """Gutters (indexes) a cell of this band spans: a rule under the band over only part of the
    table's width is the bottom border of one cell ('Residual' over Likelihood | Impact | Score),
    where the band holds text in only one of the columns the rule covers."""
    joined: set[int] = set()
    mids = [(a + b) / 2 for a, b in zip(edges, edges[1:], strict=False)]
    for r in rules:
        if abs(r.pos - bottom) > SNAP or r.end - r.start >= FULL_RULE * width:
            continue
        cols = [j for j, m in enumerate(mids) if r.start - SNAP <= m <= r.end + SNAP]
        if len(cols) < 2:
            continue
        used = {_column_of((w.x0 + w.x1) / 2, edges) for line in band for w in line.words} & set(cols)
        if len(used) <= 1:
            joined.update(range(cols[0], cols[-1]))  # gutter k lies between columns k and k + 1
    return joined


def _read_ruled_rows(page: PageContent, lines: list[Line], size: float,
                     known: list[Gutters]) -> tuple[list[RawTable], list[tuple[float, float]]]:
    """Tables ruled only horizontally: rows are the bands between the rules, columns the text
    gutters. A line that crosses gutters (a group label over its sub-columns: 'Inherent' over
    Likelihood | Impact | Score) joins the columns it crosses into one cell within its band, held
    by the first of them, as a spanning cell of a ruled table is.

    Returns the tables, and the (top, bottom) of runs of rules that do not separate the rows (a
    rule over and under the header and under the table only): each is an unruled table whose
    extent the rules give.
    """
    tables: list[RawTable] = []
    unruled: list[tuple[float, float]] = []
    for rules, x0, top, x1, bottom in _rule_tables(page):
        inside = [line for line in lines if top < (line.top + line.bottom) / 2 < bottom
                  and line.x1 > x0 and line.x0 < x1]
        if len(inside) < 2:
            continue
        gutters = None
        for candidate in known:  # a register keeps its columns from page to page
            if sum(not crosses(line, candidate) for line in inside) >= 0.9 * len(inside):
                gutters = candidate
                break
        if gutters is None:
            gutters = find_column_gutters(inside, size)
        if not gutters:
            unruled.append((top, bottom))
            continue
        edges = column_edges(gutters, inside)
        edges[0], edges[-1] = min(edges[0], x0), max(edges[-1], x1)
        ys = sorted({round(r.pos, 2) for r in rules})
        ys = [y for k, y in enumerate(ys) if k == 0 or y - ys[k - 1] > SNAP]
        bands = [[line for line in inside if a < (line.top + line.bottom) / 2 < b]
                 for a, b in zip(ys, ys[1:], strict=False)]
        filled = [band for band in bands if band]
        if len(filled) < MIN_ROWS or any(len(row_starts(band, edges, size)) > 1 for band in filled[1:]):
            unruled.append((top, bottom))  # rules round the header and the table only, not between rows
            continue
        verticals = []
        for a, b, band in zip(ys, ys[1:], bands, strict=False):
            joined = _joined_gutters(band, b, rules, edges, x1 - x0)
            for k, ((ga, gb), x) in enumerate(zip(gutters, edges[1:-1], strict=False)):
                if k not in joined and not any(crosses(line, [(ga, gb)]) for line in band):
                    verticals.append(Rule(x, a, b))
        grid = Grid(list(edges), ys, rules, verticals)
        how = (f"horizontal rules: {len(ys) - 1} rows; text gutters: {len(gutters)} gutters"
               f"{' (columns of an earlier page)' if gutters in known else ''}")
        table = grid_to_table(grid, page, method="stream", how=how, page_lines=page_lines(page))
        table.report["gutters"] = [(round(a, 2), round(b, 2)) for a, b in gutters]
        tables.append(table)
    return tables, unruled


KNOWN_TABLES = 3  # the column gutters of this many recent unruled tables are tried on a page


def remember_gutters(known: list[Gutters], tables: list[RawTable]) -> None:
    """Keep the column gutters of a page's unruled tables, most recent first, for the pages
    after it (`read_stream`'s `known`)."""
    for table in tables:
        gutters = table.report.get("gutters")
        if gutters and gutters not in known:
            known.insert(0, gutters)
    del known[KNOWN_TABLES:]


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
    tables, regions = _read_ruled_rows(page, lines, size, list(known))
    # lines outside the rows of ruled tables: unruled tables between rules (read each on its own),
    # then the rest (a legend under the table)
    taken = [(t.bbox[1], t.bbox[3]) for t in tables] + regions
    groups = [[line for line in lines if a < (line.top + line.bottom) / 2 < b] for a, b in regions]
    groups.append([line for line in lines
                   if not any(a < (line.top + line.bottom) / 2 < b for a, b in taken)])
    parts = []
    for group in groups:
        for gutters, block in split_tables(group, size, known, page.word_space):
            edges = column_edges(gutters, block)
            parts.extend((gutters, edges, part) for part in split_header_blocks(block, edges, gutters, size))
    for gutters, edges, block in parts:
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
        table = grid_to_table(grid, page, method="stream", merge_cells=False, how=how,
                              page_lines=page_lines(page))
        table.report["gutters"] = [(round(a, 2), round(b, 2)) for a, b in gutters]
        tables.append(table)
    tables.sort(key=lambda t: t.bbox[1])
    for k, table in enumerate(tables):
        table.report["order"] = k + 1
    return tables
