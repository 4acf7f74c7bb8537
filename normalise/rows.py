"""Grid tables (cells per page) into register entries: headers found, rows joined across pages.

A register table arrives as one RawTable per page. Each page may repeat the header; a row that
breaks across a page continues on the next page with an empty reference cell; band headings
and spacer rows sit between entries; legends ("Key to Scores") are not register rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from extract.types import Cell, RawTable
from normalise.direction import parse_direction
from normalise.headers import (
    STOPWORDS,
    ColumnMap,
    HeaderMap,
    compact,
    find_header,
    header_from_labels,
    is_header_row,
    is_legend,
    is_legend_title,
    label_reading,
)
from normalise.profiles import Profile
from normalise.refs import is_ref_like, looks_like_ref, ref_prefixes
from normalise.scores import label_words

Extent = tuple[float, float]  # a column's text area: left and right edge, in points


@dataclass
class Entry:
    """One register entry's cells, column by column, gathered over rows and pages."""

    header: HeaderMap
    columns: list[list[Cell]]
    method: str
    # per column, per cell: the (left, right) of the text area of the column the cell was read
    # in, where the table finder reported it; lets normalise tell a line that ran to the edge
    extents: list[list[Extent | None]] = field(default_factory=list)
    started_on: int | None = None  # a page where its row began with no text (split at the foot)
    continues: Entry | None = None  # the entry of the page before this one's rows go on with

    def add_row(self, row: list[Cell], extents: list[Extent | None] | None = None) -> None:
        if not self.extents:
            self.extents = [[] for _ in self.columns]
        for i, cell in enumerate(row[: len(self.columns)]):
            if cell.text.strip() or cell.fill:  # a fill alone may be a rating (fills.py)
                self.columns[i].append(cell)
                self.extents[i].append(extents[i] if extents and i < len(extents) else None)

    @property
    def pages(self) -> list[int]:
        pages = {c.page for col in self.columns for c in col if c.page is not None}
        if self.started_on is not None and pages:
            pages.add(self.started_on)
        return sorted(pages)


def column_extents(table: RawTable) -> list[Extent | None]:
    """Each column's text area from the table's parse report: the cell bounds less the padding
    seen on the left (cells pad both sides alike), never narrower than the text seen."""
    bounds = table.report.get("col_bounds") or []
    text = table.report.get("text_bounds") or []
    out: list[Extent | None] = []
    for i, col in enumerate(bounds):
        seen = text[i] if i < len(text) else None
        if not col or not seen:
            out.append(tuple(seen) if seen else None)
            continue
        pad = max(0.0, seen[0] - col[0])
        out.append((seen[0], max(seen[1], col[1] - pad)))
    return out


@dataclass
class TableWalk:
    """The state carried from one table to the next: the header in force and the open entry."""

    header: HeaderMap | None = None
    open_entry: Entry | None = None
    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    header_reports: list[dict] = field(default_factory=list)
    ref_prefixes: set[str] = field(default_factory=set)  # the document's reference prefixes
    extents: list[Extent | None] = field(default_factory=list)  # the current table's columns
    form: Form | None = None  # the open entry of a label/value form, not yet mapped
    form_header: HeaderMap | None = None  # the last form header reported
    empty_row_page: int | None = None  # the last table ended in an empty row split off this page
    # the entry open when a page's header was read differently (columns merged by the finder):
    # the page's first rows without a reference still continue it (`_carry_row`)
    carried: Entry | None = None
    last_page: int | None = None  # the page of the last table walked


def document_ref_prefixes(tables: list[RawTable]) -> set[str]:
    """The letter prefixes of every clean reference the document prints (CR, CO, SR, ...)."""
    firsts = (c.text.strip().split("\n")[0] for t in tables for row in t.rows for c in row[:3]
              if c.text.strip())
    return ref_prefixes(t for t in firsts if len(t) <= 16 and looks_like_ref(t))


def tables_to_entries(tables: list[RawTable], profile: Profile) -> TableWalk:
    """Walk every grid table in document order, gathering entries."""
    walk = TableWalk(ref_prefixes=document_ref_prefixes(tables))
    for table in tables:
        if table.layout != "grid" or not table.rows:
            continue
        walk.extents = column_extents(table)
        readings = form_readings(table, profile, continuing=walk.form is not None)
        if readings is not None:
            _take_form(table, readings, walk, profile)
            continue
        _close_form(walk, profile)
        texts = table.texts()
        if is_legend(texts, profile):
            walk.open_entry = None
            continue
        found = find_header(texts, profile)
        body_start = 0
        if found is not None and (strays := _stray_columns(found, table, profile)):
            # words that strayed into a gutter, split off as columns with no header of their own
            folds = [i - sum(s <= i for s in strays) for i in range(len(found.columns))]
            table = _fold(table, walk, folds)
            kept = [c for i, c in enumerate(found.columns) if i not in strays]
            found = replace(found, columns=tuple(replace(c, index=n) for n, c in enumerate(kept)))
            texts = table.texts()
        if found is not None and walk.header is not None and (
            folds := _folded_columns(found, walk.header, table, profile)
        ):
            # the known header, read in part or with a stray column split off
            table = _fold(table, walk, folds)
            found = replace(found, columns=walk.header.columns, kind=walk.header.kind)
            texts = table.texts()
        if found is not None:
            body_start = found.header_rows
            if walk.header is None or not _same_header(found, walk.header):
                # only a row broken by a page break continues an entry of the same kind
                broken = None not in (table.page, walk.last_page) and table.page > walk.last_page
                same_kind = walk.header is not None and found.kind == walk.header.kind
                walk.carried = walk.open_entry if broken and same_kind else None
                walk.header = found
                walk.open_entry = None  # a new table (e.g. opportunities) closes the last entry
                walk.header_reports.append({"page": table.page, "method": table.method,
                                            "kind": found.kind, "columns": found.report()})
            else:
                # A repeated header is as tall as the first one: rows the block finder took
                # beyond that (a continuation row with one filled cell) are body rows.
                height = walk.header.header_rows - walk.header.first_row
                body_start = min(body_start, found.first_row + max(height, 1))
            _recover_glued_fragment(table.rows[:body_start], walk, table.method, profile)
        elif walk.header is None:
            continue  # no header yet: not a register table
        body = table.rows[body_start:]
        legend_at = _legend_start(texts[body_start:], profile)
        if legend_at is not None:  # a legend printed close under the table was read into it
            body = body[:legend_at]
            title = next(t for t in texts[body_start + legend_at] if t.strip())
            walk.warnings.append(f"page {table.page}: a legend under the table left out "
                                 f"({title[:40]!r} and below)")
        for i, row in enumerate(body):
            before = len(walk.entries)
            _take_row(row, walk, table.method, profile)
            if i == 0 and walk.empty_row_page is not None and len(walk.entries) > before:
                walk.entries[-1].started_on = walk.empty_row_page  # its row began on that page
        walk.empty_row_page = table.page if table.report.get("empty_last_row") else None
        walk.last_page = table.page
    _close_form(walk, profile)
    return walk


# ---------------------------------------------------------------- label/value forms

FORM_MIN_FIELDS = 3  # distinct fields a form's first column must name
FORM_LABEL_SHARE = 0.6  # of the first column's filled cells that must be labels


@dataclass
class Form:
    """One entry of a label/value form, gathered over pages: label -> its value cells."""

    labels: list[str] = field(default_factory=list)
    values: dict[str, list[Cell]] = field(default_factory=dict)
    extents: dict[str, list[Extent | None]] = field(default_factory=dict)
    method: str = "lattice"

    def add(self, label: str, cell: Cell, extent: Extent | None) -> None:
        key = " ".join(label.split())
        if key not in self.values:
            self.labels.append(key)
            self.values[key], self.extents[key] = [], []
        if cell.text.strip():
            self.values[key].append(cell)
            self.extents[key].append(extent)


def form_readings(table: RawTable, profile: Profile, *, continuing: bool
                  ) -> list[tuple[str, str | None, str | None] | None] | None:
    """What each row's first cell names, when the table is a label/value form (one entry,
    labels down its first column: "Risk Ref" | "CR1", "Risk Title" | "...", scores in rows);
    None for any other table. A form names at least FORM_MIN_FIELDS fields, or one when it
    continues the form of the page before."""
    if table.shape[1] < 2:
        return None
    firsts = [row[0].text.strip() if row else "" for row in table.rows]
    readings = [label_reading(t, profile) if t else None for t in firsts]
    filled = sum(1 for t in firsts if t)
    labels = [r for r in readings if r is not None]
    named = {r for r in labels if r[0] != "extra"}
    if not filled or len(labels) < FORM_LABEL_SHARE * filled:
        return None
    if len(named) < (1 if continuing else FORM_MIN_FIELDS):
        return None
    return readings


def _form_value(row: list[Cell]) -> Cell:
    """A form row's value: the text right of the label (cells a finder split, joined)."""
    cells = [c for c in row[1:] if c.text.strip()]
    if len(cells) <= 1:
        return cells[0] if cells else Cell("", row[0].page)
    text = "\n".join(dict.fromkeys(c.text for c in cells))
    return Cell(text, cells[0].page, cells[0].bbox, cells[0].confidence, cells[0].fill)


def _take_form(table: RawTable, readings, walk: TableWalk, profile: Profile) -> None:
    """One page of a form: a new entry where it prints a reference (or, with no reference
    label, a title), else the rest of the open one; a row with no label continues the value
    above, and a row whose label is no known header word keeps its label (to `extra`)."""
    keys = {r[0] for r, row in zip(readings, table.rows, strict=True)
            if r is not None and _form_value(row).text.strip()}
    keyed = "ref" in keys or ("title" in keys and "ref" not in {r[0] for r in readings if r})
    if walk.form is None or keyed:
        _close_form(walk, profile)
        walk.form = Form(method=table.method)
    form = walk.form
    value_extent = walk.extents[1] if len(walk.extents) > 1 else None
    label = form.labels[-1] if form.labels else None
    for reading, row in zip(readings, table.rows, strict=True):
        first = row[0].text.strip()
        value = _form_value(row)
        if first and (reading is not None or value.text.strip()):
            label = first
        elif first:  # a heading across the form ("Risk 3 of 12"): not a value
            walk.warnings.append(f"page {table.page}: form heading skipped: {first[:60]!r}")
            continue
        if label is not None:
            form.add(_same_label(label, form.labels), value, value_extent)


def _same_label(label: str, known: list[str]) -> str:
    """A label printed again on a later page ("Progress (cont.)") is the one seen before."""
    letters = compact(label)[0]
    for seen in known:
        if compact(seen)[0] == letters:
            return seen
    return label


def _close_form(walk: TableWalk, profile: Profile) -> None:
    """The open form, mapped through its labels as a header row, into an entry."""
    form, walk.form = walk.form, None
    if form is None or not form.labels:
        return
    values = [["\n".join(c.text for c in form.values[k]) for k in form.labels]]
    header = header_from_labels(form.labels, values, profile)
    if header is None:
        walk.warnings.append(f"a label/value form with labels {form.labels[:4]} named no "
                             "reference or title: skipped")
        return
    if walk.form_header is None or not _same_header(header, walk.form_header):
        walk.form_header = header
        page = next((c.page for k in form.labels for c in form.values[k]), None)
        walk.header_reports.append({"page": page, "method": form.method, "kind": header.kind,
                                    "columns": header.report(), "form": True})
    entry = Entry(header=header, columns=[list(form.values[k]) for k in form.labels],
                  method=form.method,
                  extents=[list(form.extents[k]) for k in form.labels])
    walk.entries.append(entry)
    walk.open_entry = None


def _same_header(a: HeaderMap, b: HeaderMap) -> bool:
    """A header repeated on a later page maps the same fields in the same order."""
    return (a.kind == b.kind and len(a.columns) == len(b.columns)
            and all(x.field == y.field and x.stage == y.stage and x.part == y.part
                    for x, y in zip(a.columns, b.columns, strict=True)))


def _legend_start(rows: list[list[str]], profile: Profile) -> int | None:
    """Where a legend ("Key to Scores" and its matrix) starts among a table's body rows: a row
    whose one cell is a legend's title, from which on the rows read as a legend."""
    for k, row in enumerate(rows):
        filled = [t for t in row if t.strip()]
        if (k and len(filled) == 1 and is_legend_title(filled[0], profile)
                and is_legend(rows[k:], profile)):
            return k
    return None


STRAY_MAX_WORDS = 3  # words a cell of a stray column holds at most
_HEADER_FILLERS = STOPWORDS | {"&", "/"}


# table finders that draw columns from gaps in the text (no rules): they may split words that
# strayed into a gutter off as a column; a ruled table's columns are the rules'
GAP_METHODS = ("stream", "text")


def _strayish(table: RawTable, found: HeaderMap, i: int, profile: Profile) -> bool:
    """Column i's cells below the header hold a few stray words at most: no fill, no number,
    no scale or rating word (an unlabelled RAG or score column is a column of its own)."""
    for row in table.rows[found.header_rows:]:
        cell = row[i] if i < len(row) else None
        if cell is not None and (cell.fill or _rating_like(cell.text.strip(), profile)
                                 or len(cell.text.split()) > STRAY_MAX_WORDS):
            return False
    return True


def _rating_like(text: str, profile: Profile) -> bool:
    """A number, scale or rating words ("Amber/Red"), a RAG letter, or a direction of travel."""
    words = [w for w in re.split(r"[\s/]+", text.lower()) if w]
    return bool(words) and (
        bool(re.search(r"\d", text))
        or all(w in label_words(profile.scale) for w in words)
        or bool(re.fullmatch(r"[A-Z]", text))
        or parse_direction(text) is not None
    )


def _is_stray(found: HeaderMap, table: RawTable, i: int, profile: Profile) -> bool:
    """Column i is words a gap-based finder split off from their column: mapped to nothing, no
    header text but filler words ("of" left over from "Direction of Travel"), and a few words
    at most below (`_strayish`)."""
    col = found.columns[i]
    return (col.field is None and all(w.lower() in _HEADER_FILLERS for w in col.header.split())
            and _strayish(table, found, i, profile))


def _stray_columns(found: HeaderMap, table: RawTable, profile: Profile) -> set[int]:
    """Columns a gap-based table finder split off from their left neighbour: no header text of
    their own (or only "of" left over from a header such as "Direction of Travel"), mapped to
    nothing, and stray words at most below, in a header every other column of which has text."""
    if table.method not in GAP_METHODS:
        return set()
    strays = {i for i in range(1, len(found.columns)) if _is_stray(found, table, i, profile)}
    if any(not c.header.strip() for i, c in enumerate(found.columns) if i not in strays):
        return set()  # a header read in part (its first lines cut off): not strays
    return strays


def _folded_columns(found: HeaderMap, known: HeaderMap, table: RawTable, profile: Profile,
                    ) -> list[int] | None:
    """When `found` is the header `known` again, read in part (a header block split from its
    first lines maps fewer columns) or with extra unmapped columns of stray words (a gap-based
    table finder split them off): for each of its columns, the column of `known` it belongs
    to, an extra one to its left neighbour."""
    if found.kind not in (known.kind, None) or _same_header(found, known):
        return None

    def same(x: ColumnMap, y: ColumnMap) -> bool:
        return x.field == y.field and x.stage == y.stage and x.part == y.part

    if len(found.columns) == len(known.columns):
        mapped = [x for x in found.columns if x.field is not None]
        if len(mapped) >= 2 and all(
            x.field is None or same(x, y) for x, y in zip(found.columns, known.columns, strict=True)
        ):
            return list(range(len(known.columns)))
        return None
    if table.method not in GAP_METHODS:
        return None
    folds, k = [], 0
    for i, col in enumerate(found.columns):
        if k < len(known.columns) and same(col, known.columns[k]):
            folds.append(k)
            k += 1
        elif k > 0 and _is_stray(found, table, i, profile):
            folds.append(k - 1)
        else:
            return None
    return folds if k == len(known.columns) else None


def _fold(table: RawTable, walk: TableWalk, folds: list[int]) -> RawTable:
    """The table with column i's cells joined to column folds[i]'s (the walk's column
    extents alike)."""
    width = max(folds) + 1
    walk.extents = _fold_extents(walk.extents, folds, width)
    return _fold_table(table, folds, width)


def _fold_table(table: RawTable, folds: list[int], width: int) -> RawTable:
    """The table's rows with folded columns' cells joined to the cells they belong to."""
    rows = []
    for row in table.rows:
        merged: list[list[Cell]] = [[] for _ in range(width)]
        for i, cell in enumerate(row):
            merged[folds[min(i, len(folds) - 1)]].append(cell)
        rows.append([_join_cells(cells) for cells in merged])
    return replace(table, rows=rows)


def _join_cells(cells: list[Cell]) -> Cell:
    filled = [c for c in cells if c.text.strip()]
    if len(filled) <= 1:
        return filled[0] if filled else (cells[0] if cells else Cell(""))
    first = filled[0]  # line edges are dropped: the stray words' lines are not the column's
    return Cell("\n".join(c.text for c in filled), first.page, first.bbox, first.confidence,
                first.fill)


def _fold_extents(extents: list[Extent | None], folds: list[int], width: int,
                  ) -> list[Extent | None]:
    out: list[Extent | None] = [None] * width
    for i, extent in enumerate(extents):
        k = folds[min(i, len(folds) - 1)]
        if extent is None:
            continue
        held = out[k]
        out[k] = extent if held is None else (min(held[0], extent[0]), max(held[1], extent[1]))
    return out


def _recover_glued_fragment(header_rows: list[list[Cell]], walk: TableWalk, method: str,
                            profile: Profile) -> None:
    """Text a table finder glued under a repeated header's words is a row of its own: the
    open entry's continuation, or (with a reference of its own) the next entry."""
    if walk.header is None:
        return
    for row in header_rows:
        fragments = []
        for i, cell in enumerate(row[: len(walk.header.columns)]):
            rest = _text_after_header(cell.text, walk.header.columns[i].header)
            # the fill behind it is the header's, not a rating of the row (fills.py)
            fragments.append(Cell(rest, cell.page, cell.bbox, cell.confidence, None,
                                  _tail_widths(cell, rest)))
        if any(c.text for c in fragments):
            _take_row(fragments, walk, method, profile)
            walk.warnings.append(
                f"page {row[0].page}: text under a repeated header was read as a row")


def _tail_widths(cell: Cell, rest: str) -> tuple[float, ...] | None:
    """The line right edges of the lines of `cell` that make `rest` (its last lines)."""
    lines = cell.text.split("\n")
    if not rest or not cell.lines_x1 or len(cell.lines_x1) != len(lines):
        return None
    for k in range(len(lines)):
        if "\n".join(lines[k:]).strip() == rest:
            return tuple(cell.lines_x1[k:k + rest.count("\n") + 1])
    return None


def _text_after_header(cell_text: str, header_text: str) -> str:
    """The part of a header cell that is not the header's own words ('' when none). The
    header is tried whole ("Cause / Trigger"), then as the sub-header of a two-level one."""
    for words in dict.fromkeys((header_text, header_text.split(" / ")[-1])):
        rest = _after_words(cell_text, words)
        if rest:
            return rest
    return ""


def _after_words(cell_text: str, header_text: str) -> str:
    """The lines after a header's words, which may be broken anywhere ('Identific' / 'ation')."""
    header_letters = "".join(_words(header_text))
    if not header_letters:
        return ""
    lines = cell_text.split("\n")
    seen = ""
    for n, line in enumerate(lines):
        if seen == header_letters:
            return "\n".join(lines[n:]).strip()
        letters = "".join(_words(line))
        if not header_letters.startswith(seen + letters):
            return ""  # not the header's words in order: leave the cell alone
        seen += letters
    return ""


def _words(text: str) -> list[str]:
    return "".join(ch.lower() if ch.isalnum() else " " for ch in text).split()


def index_of(header: HeaderMap, field_name: str) -> int | None:
    """The column index mapped to a field, or None."""
    for i, c in enumerate(header.columns):
        if c.field == field_name:
            return i
    return None


def _take_row(row: list[Cell], walk: TableWalk, method: str, profile: Profile) -> None:
    header = walk.header
    assert header is not None
    texts = [c.text.strip() for c in row]
    if not any(texts):
        return  # spacer
    if is_header_row(texts, header, profile):
        return  # a header repeated inside the table
    row = _fit_row(row, len(header.columns))
    ref_i = index_of(header, "ref")
    title_i = index_of(header, "title")
    if _is_band_heading(texts, header, ref_i):
        walk.open_entry = None
        walk.warnings.append(f"page {row[0].page}: band heading skipped: {texts[0][:60]!r}"
                             if texts[0] else f"page {row[0].page}: heading row skipped")
        return
    starts_entry = False
    if ref_i is not None:
        ref_text = row[ref_i].text.strip()
        starts_entry = bool(ref_text) and is_ref_like(ref_text.split("\n")[0], walk.ref_prefixes)
        if ref_text and not starts_entry and _damaged_ref_opens_entry(row, header, title_i,
                                                                       walk.open_entry):
            starts_entry = True
            walk.warnings.append(f"page {row[0].page}: reference {ref_text[:20]!r} unreadable; "
                                 f"its row has a title and a score of its own, so a new entry")
        if ref_text and not starts_entry and walk.open_entry is None:
            walk.warnings.append(f"page {row[0].page}: row without a recognisable reference "
                                 f"skipped: {ref_text[:40]!r}")
            return
        if not ref_text and walk.open_entry is None and _carry_row(row, header, walk, method):
            return
    else:
        starts_entry = _starts_entry_without_ref(row, header, title_i, walk.open_entry)
    walk.carried = None  # only a page's first rows continue the entry of the page before
    if starts_entry or walk.open_entry is None:
        entry = Entry(header=header, columns=[[] for _ in header.columns], method=method)
        entry.add_row(row, walk.extents)
        walk.entries.append(entry)
        walk.open_entry = entry
    else:
        walk.open_entry.add_row(row, walk.extents)


def _carry_row(row: list[Cell], header: HeaderMap, walk: TableWalk, method: str) -> bool:
    """A row without a reference at the top of a page whose header reads differently from the
    last page's (the finder merged or split a column there) continues the entry the last page
    left open. Its cells join that entry's columns of the same meaning; where a filled cell has
    none there (or shares one), the row opens an entry that `continues` it, under this page's
    header, whose record normalise joins to the other's. False when no entry was left open."""
    carried = walk.carried
    if carried is None:
        return False
    walk.warnings.append(f"page {row[0].page}: a row without a reference under a header read "
                         "differently continues the entry of the page before")
    target = {(c.field, c.stage, c.part): c.index for c in carried.header.columns if c.field}
    moved = [Cell("", row[0].page) for _ in carried.header.columns]
    for col, cell in zip(header.columns, row, strict=False):
        at = target.get((col.field, col.stage, col.part)) if col.field else None
        if cell.text.strip() and (at is None or moved[at].text):
            entry = Entry(header=header, columns=[[] for _ in header.columns], method=method,
                          continues=carried)
            entry.add_row(row, walk.extents)
            walk.entries.append(entry)
            walk.open_entry = entry
            return True
        if cell.text.strip():
            moved[at] = cell
    carried.add_row(moved)
    walk.open_entry = carried
    return True


def _damaged_ref_opens_entry(row: list[Cell], header: HeaderMap, title_i: int | None,
                             open_entry: Entry | None) -> bool:
    """A reference OCR damaged past repair ("CRE") still opens an entry when its row brings a
    title that does not continue the open entry's, and a score: a row broken by a page
    carries neither a reference nor a fresh title."""
    if open_entry is None or title_i is None:
        return False
    ref_text = row[index_of(header, "ref")].text.strip()
    if "\n" in ref_text or len(ref_text) > 12:
        return False
    title = row[title_i].text.strip()
    has_score = any(re.search(r"\d", row[i].text) for i, c in enumerate(header.columns)
                    if c.field == "score" and i < len(row))
    open_title = "\n".join(c.text for c in open_entry.columns[title_i]).strip()
    return bool(title and has_score and not (open_title and continues_sentence(open_title, title)))


def _fit_row(row: list[Cell], width: int) -> list[Cell]:
    """Pad a short row with empty cells; fold cells beyond the header into the last column."""
    if len(row) < width:
        page = row[0].page if row else None
        return list(row) + [Cell("", page) for _ in range(width - len(row))]
    if len(row) > width:
        tail = "\n".join(c.text for c in row[width - 1:] if c.text.strip())
        last = row[width - 1]
        return list(row[: width - 1]) + [Cell(tail, last.page, last.bbox, last.confidence, last.fill)]
    return list(row)


def _is_band_heading(texts: list[str], header: HeaderMap, ref_i: int | None) -> bool:
    """'High Risk (16 to 20)' across the table: one short text, everything else empty."""
    filled = [t for t in texts if t]
    if len(filled) != 1 or len(texts) < 3:
        return False
    only = filled[0]
    if ref_i is not None and texts[ref_i] and looks_like_ref(texts[ref_i].split("\n")[0]):
        return False
    return "\n" not in only.strip() and len(only) <= 80 and texts.index(only) == 0


def _starts_entry_without_ref(row: list[Cell], header: HeaderMap, title_i: int | None,
                              open_entry: Entry | None) -> bool:
    """With no reference column, a row starts an entry when it has a title and a score, or a
    title while the open entry already has one that this text does not continue: a row broken
    by a page (or glued under a repeated header) brings no title text, or the rest of a title
    cut mid-sentence."""
    if open_entry is None:
        return True
    if title_i is None:
        return False
    title = row[title_i].text.strip()
    if not title:
        return False
    has_score = any(row[i].text.strip() for i, c in enumerate(header.columns)
                    if c.field == "score" and i < len(row))
    if has_score:
        return True
    open_title = "\n".join(c.text for c in open_entry.columns[title_i]).strip()
    return bool(open_title) and not continues_sentence(open_title, title)


_CONNECTIVES = frozenset(
    "a an and as at by for from in into of on or the their to with within without".split())


def continues_sentence(before: str, after: str) -> bool:
    """True when `after` reads as the rest of a sentence `before` broke off: it opens in lower
    case, or `before` ends on a connective word, a comma or a hyphen."""
    first = after.lstrip()[:1]
    if first.islower():
        return True
    tail = before.rstrip()
    if tail.endswith((",", "-", "&", "/")):
        return True
    words = tail.split()
    return bool(words) and words[-1].lower() in _CONNECTIVES
