"""Analyst corrections (`data/raw/corrections.csv`) applied to the dataset after every write.

Corrections are a dataset-level pass, not part of reading a file: after ingest or build writes
records, `apply_to_dataset` first restores every value an earlier pass corrected (from the
`corrections` column, JSON {field: value before}) and then applies the CSV afresh. The result is
a function of the records as read and the CSV alone, so the pass is idempotent, keeps the
original before-value, re-applies corrections to editions that were not re-read, and undoes a
correction removed from the CSV. A correction that cannot be applied is reported, never dropped.

Entries are named by organisation, period, kind and ref as riskreg read them (before any
correction of kind or ref).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from normalise.refs import normalise_ref
from riskreg.changes import name_key, period_label
from riskreg.dataset import Dataset
from riskreg.errors import RegisterError, ValidationError
from riskreg.pipeline import CORRECTIONS_NAME
from riskreg.schema import RECORDS, SCORE_COLUMNS, conform, to_arrow, validate

REQUIRED_COLUMNS = ("organisation", "period", "kind", "ref", "field", "value")
COLUMNS = (*REQUIRED_COLUMNS, "note")
TEXT_FIELDS = ("title", "category", "cause", "consequences", "controls", "actions", "progress",
               "owner", "direction", "direction_text")
# What an analyst may correct: what was read. Provenance (source, pages, method), the edition's
# identity (use --org/--period) and risk_uid (use link-overrides.csv) are not corrections.
CORRECTABLE = ("kind", "ref", *TEXT_FIELDS, *SCORE_COLUMNS)
LOWERCASE_FIELDS = ("kind", "direction")


class CorrectionsError(RegisterError, ValueError):
    """The corrections file cannot be read at all (missing, or missing a column)."""


# ---- reading ------------------------------------------------------------------------------

def empty_corrections() -> pd.DataFrame:
    return pd.DataFrame(columns=["file", "line", *COLUMNS])


def read_corrections(path: str | Path) -> pd.DataFrame:
    """The corrections CSV as a DataFrame (one row per correction, with its file and line number).

    Blank lines and lines starting with '#' are skipped. CorrectionsError when the file cannot
    be read or lacks a required column.
    """
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(_numbered_rows(csv.reader(fh)))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CorrectionsError(f"cannot read the corrections file ({exc})", path=str(path),
                               hint="fix the file, or remove it to apply no corrections") from exc
    if not rows:
        return empty_corrections()
    (_, header), body = rows[0], rows[1:]
    header = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CorrectionsError(f"missing column(s) {', '.join(missing)}", path=str(path),
                               hint=f"the first line must be {','.join(COLUMNS)}")
    records = []
    for line, cells in body:
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        records.append({"file": path.name, "line": line, **{c: row.get(c, "") for c in COLUMNS}})
    return pd.DataFrame(records, columns=["file", "line", *COLUMNS])


def _numbered_rows(reader):
    """(first physical line, cells) of every non-blank, non-comment CSV row."""
    end = 0
    for cells in reader:
        start, end = end + 1, reader.line_num
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        yield start, cells


# ---- one correction -----------------------------------------------------------------------

@dataclass(frozen=True)
class Correction:
    """One line of the CSV, its value cast to the field's type."""

    where: str  # "corrections.csv line 4"
    organisation: str
    period: str
    kind: str
    ref: str
    field: str
    value: object


def cast_value(field: str, text: str):
    """The CSV's text as the column's value (empty -> null); ValueError saying why not."""
    if text == "":
        return None
    if field in SCORE_COLUMNS:
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{field} value {text!r} is not a whole number") from None
        if not number.is_integer() or not -128 <= number <= 127:
            raise ValueError(f"{field} value {text!r} is not a whole number on the matrix")
        return int(number)
    return text.lower() if field in LOWERCASE_FIELDS else text


def to_correction(row: dict) -> Correction:
    """A CSV row as a Correction; ValueError naming the line when its field or value is bad."""
    where = f"{row['file']} line {row['line']}"
    field = str(row["field"]).strip()
    if field not in CORRECTABLE:
        raise ValueError(f"{where}: field {field!r} cannot be corrected; use one of "
                         f"{', '.join(CORRECTABLE)}")
    try:
        value = cast_value(field, str(row["value"]))
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    return Correction(where, str(row["organisation"]), str(row["period"]),
                      str(row["kind"]).lower(), str(row["ref"]), field, value)


# ---- finding the entry --------------------------------------------------------------------

def editions_index(rows: list[dict]) -> dict[tuple[str, str], str]:
    """(organisation key, period label lower-cased) -> edition, for both spellings of the name."""
    index = {}
    for r in rows:
        for name in (r["organisation"], r["edition"].split("/", 1)[0]):
            index[(name_key(name), r["period"].lower())] = r["edition"]
    return index


def find_entry(c: Correction, editions: dict, entries: dict) -> int:
    """Index of the record the correction names; ValueError saying what is missing."""
    org = name_key(c.organisation)
    edition = (editions.get((org, c.period.strip().lower()))
               or editions.get((org, period_label(c.period).lower())))
    if edition is None:
        have = sorted({e.split("/", 1)[1] for (o, _), e in editions.items() if o == org})
        known = f" (it has {', '.join(have)})" if have else ""
        raise ValueError(f"{c.where}: no edition of {c.organisation} for {c.period} in the "
                         f"dataset{known}")
    kinds = [c.kind] if c.kind else ["risk", "opportunity"]
    refs = dict.fromkeys([c.ref.strip(), normalise_ref(c.ref)])  # as typed, then "CR07" -> CR7
    found = next(([entries[(edition, k, r)] for k in kinds if (edition, k, r) in entries]
                  for r in refs if any((edition, k, r) in entries for k in kinds)), [])
    if len(found) != 1:
        what = f"{c.ref} ({c.kind})" if c.kind else c.ref
        reason = ("give its kind" if found
                  else "the register may have renumbered it")
        raise ValueError(f"{c.where}: no {'single ' if found else ''}entry {what} in {edition}; "
                         f"{reason}")
    return found[0]


# ---- applying -----------------------------------------------------------------------------

def restore_original(row: dict) -> dict:
    """The record as read: every field an earlier pass corrected set back to its before-value."""
    marks = row.get("corrections")
    if not marks:
        return row
    before = json.loads(marks)
    return {**row, **before, "corrections": None}


def corrected_row(row: dict, group: list[Correction]) -> dict:
    """The record with the corrections set and marked {field: value before}; a value that is
    already right is not marked."""
    marks = json.loads(row["corrections"]) if row.get("corrections") else {}
    new = dict(row)
    for c in group:
        if new[c.field] != c.value:
            marks.setdefault(c.field, row[c.field])
            new[c.field] = c.value
    new["corrections"] = json.dumps(marks, ensure_ascii=False, sort_keys=True) if marks else None
    return new


def check_row(row: dict, rows: list[dict], i: int) -> None:
    """ValidationError when the corrected record breaks a rule of the schema or its key."""
    validate(RECORDS, to_arrow(RECORDS, [row]))
    key = (row["edition"], row["kind"], row["ref"])
    if any((r["edition"], r["kind"], r["ref"]) == key for j, r in enumerate(rows) if j != i):
        raise ValidationError(f"{row['edition']} already has an entry {row['ref']} ({row['kind']})")


def apply_group(rows: list[dict], i: int, group: list[Correction]) -> list[str]:
    """Apply one entry's corrections to rows[i] together (so a score and its impact can be fixed
    as a pair); when together they break a rule, apply those that can stand one by one."""
    try:
        candidate = corrected_row(rows[i], group)
        check_row(candidate, rows, i)
        rows[i] = candidate
        return []
    except ValidationError:
        pass
    report = []
    for c in group:
        candidate = corrected_row(rows[i], [c])
        try:
            check_row(candidate, rows, i)
        except ValidationError as exc:
            report.append(f"{c.where}: not applied, {c.field}={c.value!r} would break a rule: {exc}")
            continue
        rows[i] = candidate
    return report


def locate(corrections: pd.DataFrame, rows: list[dict]) -> tuple[dict[int, list[Correction]], list[str]]:
    """Each correction's record index (grouped, in file order) and a line for each not found."""
    editions = editions_index(rows)
    entries = {(r["edition"], r["kind"], r["ref"]): i for i, r in enumerate(rows)}
    groups: dict[int, list[Correction]] = {}
    seen: dict[tuple[int, str], str] = {}
    report = []
    for row in corrections.to_dict("records"):
        try:
            c = to_correction(row)
            i = find_entry(c, editions, entries)
        except ValueError as exc:
            report.append(str(exc))
            continue
        if (i, c.field) in seen:
            report.append(f"{c.where}: {c.field} of {c.ref} is also corrected at "
                          f"{seen[(i, c.field)]}; the later line wins")
        seen[(i, c.field)] = c.where
        groups.setdefault(i, []).append(c)
    return groups, report


def apply_corrections(records: pa.Table, corrections: pd.DataFrame) -> tuple[pa.Table, list[str]]:
    """The records with the corrections applied and marked, and one line per correction that
    could not be applied (its entry, edition or field is gone, its value is bad, or it would
    break a rule of the schema)."""
    records = conform(RECORDS, records)
    marked = records.column("corrections").null_count < records.num_rows
    if corrections.empty and not marked:
        return records, []
    rows = [restore_original(r) for r in records.to_pylist()]
    groups, report = locate(corrections, rows)
    for i, group in groups.items():
        report += apply_group(rows, i, group)
    result = pa.Table.from_pylist(rows, schema=RECORDS.arrow_schema())
    validate(RECORDS, result)
    return result, report


def correct_dataset(dataset: Dataset, corrections: pd.DataFrame) -> tuple[list[str], set[str]]:
    """Apply the corrections to the dataset's records (the caller holds the lock): one line
    per correction not applied, and the organisations whose records changed."""
    records = dataset.read(RECORDS)
    corrected, report = apply_corrections(records, corrections)
    changed: set[str] = set()
    if not corrected.equals(records):
        # only rows marked before or after can differ (the others are restored as they were)
        marked = pc.or_(pc.is_valid(records.column("corrections")),
                        pc.is_valid(corrected.column("corrections")))
        changed = {a["organisation"] for a, b in zip(records.filter(marked).to_pylist(),
                                                     corrected.filter(marked).to_pylist(),
                                                     strict=True) if a != b}
        dataset.write(RECORDS, corrected, rows_validated=True)  # apply_corrections validated
    return report, changed


def apply_to_dataset(out: str, corrections_path: str | None) -> list[str]:
    """Re-apply the corrections file (absent: none, undoing any earlier) to the dataset at `out`
    under its lock; returns one line per correction not applied. CorrectionsError when the file
    cannot be read."""
    return _apply(out, corrections_path)[0]


def _apply(out: str, corrections_path: str | None) -> tuple[list[str], set[str]]:
    path = Path(corrections_path) if corrections_path else None
    corrections = read_corrections(path) if path and path.exists() else empty_corrections()
    dataset = Dataset(out)
    with dataset.locked():
        return correct_dataset(dataset, corrections)


def reapply_corrections(out: str, raw_root: str | None) -> tuple[list[str], set[str]]:
    """Re-apply RAW/corrections.csv to the dataset at `out` after a write (the file gone from
    an existing RAW folder: undo the corrections applied earlier): one line per correction not
    applied, or why the file could not be read, and the organisations whose records changed.
    Without a RAW folder there is no corrections file to go by, and nothing is undone."""
    if not raw_root or not Path(raw_root).is_dir():
        return [], set()
    try:
        return _apply(out, str(Path(raw_root) / CORRECTIONS_NAME))
    except CorrectionsError as exc:
        return [exc.one_line()], set()
