"""The analysts' overrides file (CSV) -> pairs to force or forbid, which always win.

Columns: organisation, from_period or from_edition, from_ref, to_period or to_edition, to_ref,
action (`force` or `forbid`), note. Optional: from_kind, to_kind (needed only when a ref is
used by both a risk and an opportunity of one edition), relation (`same`, the default, or
`related`, for a forced link).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from riskreg.errors import RegisterError

ACTIONS = ("force", "forbid")
COLUMNS = (
    "organisation",
    "from_period",
    "from_edition",
    "from_ref",
    "from_kind",
    "to_period",
    "to_edition",
    "to_ref",
    "to_kind",
    "action",
    "relation",
    "note",
)

EntryKey = tuple[str, str, str]  # (edition, kind, ref): the records table's key


class OverridesError(RegisterError):
    """The overrides file cannot be read or a row of it is malformed."""


@dataclass(frozen=True)
class Override:
    """One resolved row: two entries of one organisation and what to do about them."""

    from_entry: EntryKey
    to_entry: EntryKey
    action: str
    relation: str
    note: str


def empty_overrides() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})


def read_overrides(path) -> pd.DataFrame:
    """Overrides CSV -> DataFrame with every column of COLUMNS (missing ones empty)."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, comment=None)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise OverridesError(
            f"cannot read overrides: {exc}", path=str(path), hint="fix the CSV or remove it"
        ) from exc
    except pd.errors.EmptyDataError:
        return empty_overrides()
    frame.columns = [c.strip().lower() for c in frame.columns]
    for c in COLUMNS:
        if c not in frame.columns:
            frame[c] = ""
    frame = frame[list(COLUMNS)].apply(lambda col: col.str.strip())
    frame = frame[(frame != "").any(axis=1)].reset_index(drop=True)
    check_overrides(frame, str(path))
    return frame


def check_overrides(frame: pd.DataFrame, where: str = "overrides") -> None:
    """Raise OverridesError naming the row when a row cannot be understood."""
    for i, row in enumerate(frame.to_dict("records"), start=2):  # row 1 is the header

        def fail(what: str, row_number: int = i) -> None:
            raise OverridesError(
                f"row {row_number}: {what}",
                path=where,
                hint="see match/overrides.py for the columns",
            )

        action = _clean(row.get("action")).lower()
        if action not in ACTIONS:
            fail(f"action {row.get('action')!r} is not one of {list(ACTIONS)}")
        if not _clean(row.get("organisation")):
            fail("organisation is empty")
        for side in ("from", "to"):
            if not (_clean(row.get(f"{side}_period")) or _clean(row.get(f"{side}_edition"))):
                fail(f"{side}_period or {side}_edition is needed")
            if not _clean(row.get(f"{side}_ref")):
                fail(f"{side}_ref is empty")
        relation = _clean(row.get("relation")).lower() or "same"
        if relation not in ("same", "related"):
            fail(f"relation {row.get('relation')!r} is not 'same' or 'related'")


def _clean(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _norm_ref(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def resolve_overrides(
    overrides: pd.DataFrame | None, organisation: str, entries: list[dict]
) -> tuple[list[Override], list[str]]:
    """Rows of one organisation -> Overrides on its entries, and a message per row that names
    an entry not found (a typo, or an edition not ingested yet)."""
    if overrides is None or overrides.empty:
        return [], []
    slug = entries[0]["edition"].split("/")[0].lower() if entries else ""
    wanted = {_norm(organisation), slug}
    resolved, unmatched = [], []
    for row in overrides.to_dict("records"):
        if _norm(_clean(row.get("organisation"))) not in wanted:
            continue
        ends = [_find(entries, row, side) for side in ("from", "to")]
        described = _describe(row)
        if any(isinstance(e, str) for e in ends):
            unmatched.append(
                f"override {described}: " + "; ".join(e for e in ends if isinstance(e, str))
            )
            continue
        a, b = ends
        if a[0] == b[0]:
            unmatched.append(
                f"override {described}: both entries are in edition {a[0]}; "
                "entries of one edition are never linked"
            )
            continue
        resolved.append(
            Override(
                a,
                b,
                _clean(row.get("action")).lower(),
                _clean(row.get("relation")).lower() or "same",
                _clean(row.get("note")),
            )
        )
    return resolved, unmatched


def _find(entries: list[dict], row: dict, side: str) -> EntryKey | str:
    edition = _norm(_clean(row.get(f"{side}_edition")))
    period = _norm(_clean(row.get(f"{side}_period")))
    ref = _norm_ref(_clean(row.get(f"{side}_ref")))
    kind = _clean(row.get(f"{side}_kind")).lower()
    found = [
        e
        for e in entries
        if (_norm(e["edition"]) == edition if edition else _norm(e["period"]) == period)
        and _norm_ref(e["ref"]) == ref
        and (not kind or e["kind"] == kind)
    ]
    if not found:
        return f"no entry {ref} in {edition or period}"
    if len(found) > 1:
        return f"{ref} in {edition or period} is both a risk and an opportunity: add {side}_kind"
    e = found[0]
    return (e["edition"], e["kind"], e["ref"])


def _describe(row: dict) -> str:
    def end(side):
        where = _clean(row.get(f"{side}_edition")) or _clean(row.get(f"{side}_period"))
        return f"{where} {_clean(row.get(f'{side}_ref'))}"

    return f"{_clean(row.get('action'))} {end('from')} -> {end('to')}"
