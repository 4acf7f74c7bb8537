"""`riskreg changes`: what changed between two editions of one organisation's register.

Entries are paired by `risk_uid` (set by `link`); an entry without one is paired by (kind, ref)
with an entry that also lacks one or whose pair was not found by uid. Paired entries are then
compared field by field; unpaired ones are new (later edition only) or closed (earlier only).
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from riskreg.dataset import Dataset
from riskreg.schema import RECORDS

# The order the report lists its change kinds in, with each kind's field of interest.
CHANGE_KINDS = (
    ("new", "residual_score"),
    ("closed", "residual_score"),
    ("escalated", "residual_score"),
    ("de-escalated", "residual_score"),
    ("target re-scored", "target_score"),
    ("reworded", "title"),
    ("renumbered", "ref"),
    ("re-owned", "owner"),
)
ROW_COLUMNS = ("change", "kind", "risk_uid", "ref_from", "ref_to", "title_from", "title_to",
               "field", "old", "new")
FORMATS = ("md", "html", "csv")


@dataclass(frozen=True)
class Edition:
    """One edition of the organisation's register: its id, period label and entries."""

    edition: str
    period: str
    entries: list[dict]


@dataclass
class ChangeReport:
    """The changes from one edition to the next: one row per change, plus the pairs unchanged."""

    organisation: str
    from_period: str
    to_period: str
    from_edition: str
    to_edition: str
    rows: list[dict] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        counts = {name: 0 for name, _ in CHANGE_KINDS}
        for row in self.rows:
            counts[row["change"]] += 1
        return counts

    @property
    def summary(self) -> str:
        """'3 new, 1 closed, 2 escalated, ... (40 unchanged)'."""
        parts = ", ".join(f"{n} {name}" for name, n in self.counts().items())
        return f"{parts} ({self.unchanged} unchanged)"


# ---- choosing the two editions ------------------------------------------------------------

def name_key(text: str) -> str:
    """'Lancashire County Council' and 'lancashire-county-council' -> the same key."""
    return re.sub(r"[^a-z0-9]+", "", str(text).lower())


def choose_organisation(records: pd.DataFrame, organisation: str | None) -> str:
    """The organisation's name as the dataset spells it; ValueError when none or several fit."""
    names = sorted(set(records["organisation"].dropna()))
    if not names:
        raise ValueError("the dataset has no records: run `riskreg ingest` or `riskreg build` first")
    if organisation is None:
        if len(names) > 1:
            raise ValueError(f"the dataset holds {len(names)} organisations: choose one with --org "
                             f"({', '.join(names)})")
        return names[0]
    wanted = name_key(organisation)
    exact = [n for n in names if name_key(n) == wanted]
    partial = [n for n in names if wanted and wanted in name_key(n)]
    found = exact or partial
    if len(found) != 1:
        what = "matches several organisations" if found else "matches no organisation"
        raise ValueError(f"--org {organisation!r} {what}; the dataset holds: "
                         f"{', '.join(found or names)}")
    return found[0]


def editions_of(records: pd.DataFrame, organisation: str) -> list[Edition]:
    """The organisation's editions, earliest first, in the order linking uses."""
    from match.link import edition_order

    mine = records[records["organisation"] == organisation]
    groups = {str(e): g for e, g in mine.groupby("edition", sort=False)}
    return [Edition(edition=e, period=str(groups[e]["period"].iloc[0]),
                    entries=groups[e].to_dict("records")) for e in edition_order(mine)]


def period_label(text: str) -> str:
    """The dataset's label for a period as a person types it ('Q3 2019/20' -> '2019/20 Q3')."""
    from normalise.periods import period_from_text

    try:
        return period_from_text(text).label
    except ValueError:
        return text.strip()


def find_edition(editions: list[Edition], text: str, organisation: str) -> int:
    """Index of the edition whose period the text names; ValueError listing the periods."""
    for wanted in (text.strip().lower(), period_label(text).lower()):
        for i, e in enumerate(editions):
            if e.period.lower() == wanted:
                return i
    raise ValueError(f"{organisation} has no edition for period {text!r}; its editions are "
                     f"{', '.join(e.period for e in editions)}")


def choose_editions(editions: list[Edition], organisation: str, from_period: str | None,
                    to_period: str | None) -> tuple[Edition, Edition]:
    """The two editions to compare: as given, else the latest two; `--to` alone compares with the
    edition before it, `--from` alone with the latest."""
    if len(editions) < 2:
        have = f"only one edition ({editions[0].period})" if editions else "no editions"
        raise ValueError(f"{organisation} has {have} in the dataset: changes need two editions")
    to_i = find_edition(editions, to_period, organisation) if to_period else len(editions) - 1
    if from_period:
        from_i = find_edition(editions, from_period, organisation)
    else:
        from_i = to_i - 1 if to_i > 0 else None
    if from_i is None or from_i == to_i:
        raise ValueError(f"{organisation}: no earlier edition to compare {editions[to_i].period} "
                         "with; give --from")
    return editions[from_i], editions[to_i]


# ---- pairing and comparing entries --------------------------------------------------------

def _uid(entry: dict) -> str | None:
    u = entry.get("risk_uid")
    return u if isinstance(u, str) and u else None


def pair_entries(earlier: list[dict], later: list[dict]
                 ) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """(pairs, closed, new): entries paired by risk_uid, then by (kind, ref) where a uid is missing."""
    pairs: list[tuple[dict, dict]] = []
    left, right = list(earlier), list(later)
    for a in list(left):
        if _uid(a) is None:
            continue
        same = [b for b in right if _uid(b) == _uid(a)]
        if same:
            b = next((b for b in same if b["ref"] == a["ref"]), same[0])
            pairs.append((a, b))
            left.remove(a)
            right.remove(b)
    for a in list(left):
        b = next((b for b in right if (b["kind"], b["ref"]) == (a["kind"], a["ref"])
                  and (_uid(a) is None or _uid(b) is None)), None)
        if b is not None:
            pairs.append((a, b))
            left.remove(a)
            right.remove(b)
    return pairs, left, right


def _score(value) -> int | None:
    if value is None or pd.isna(value):
        return None
    return int(value)


def _text(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value


def _same_text(a: str | None, b: str | None) -> bool:
    """Equal once whitespace and case are normalised; a missing value is no change."""
    if a is None or b is None:
        return True
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def change_row(change: str, a: dict | None, b: dict | None, field_name: str | None,
               old, new) -> dict:
    """One row of the report, old and new side by side."""
    either = b or a
    return {
        "change": change,
        "kind": either["kind"],
        "risk_uid": _uid(b or {}) or _uid(a or {}),
        "ref_from": a["ref"] if a else None,
        "ref_to": b["ref"] if b else None,
        "title_from": _text(a.get("title")) if a else None,
        "title_to": _text(b.get("title")) if b else None,
        "field": field_name,
        "old": old,
        "new": new,
    }


def compare_pair(a: dict, b: dict) -> list[dict]:
    """The changes between one entry in the earlier edition and the same entry in the later."""
    rows = []
    old, new = _score(a.get("residual_score")), _score(b.get("residual_score"))
    if old is not None and new is not None and old != new:
        rows.append(change_row("escalated" if new > old else "de-escalated", a, b,
                               "residual_score", old, new))
    old, new = _score(a.get("target_score")), _score(b.get("target_score"))
    if old is not None and new is not None and old != new:
        rows.append(change_row("target re-scored", a, b, "target_score", old, new))
    if a["ref"] != b["ref"]:
        rows.append(change_row("renumbered", a, b, "ref", a["ref"], b["ref"]))
    for change, name in (("reworded", "title"), ("re-owned", "owner")):
        old, new = _text(a.get(name)), _text(b.get(name))
        if not _same_text(old, new):
            rows.append(change_row(change, a, b, name, old, new))
    return rows


def _sort_key(row: dict):
    order = [name for name, _ in CHANGE_KINDS].index(row["change"])
    ref = row["ref_to"] or row["ref_from"] or ""
    digits = re.findall(r"\d+", ref)
    return (order, row["kind"], re.sub(r"\d+", "", ref), int(digits[0]) if digits else -1, ref)


def compare_editions(organisation: str, earlier: Edition, later: Edition) -> ChangeReport:
    """The report of every change from `earlier` to `later`."""
    pairs, closed, new = pair_entries(earlier.entries, later.entries)
    rows = [change_row("new", None, b, "residual_score", None, _score(b.get("residual_score")))
            for b in new]
    rows += [change_row("closed", a, None, "residual_score", _score(a.get("residual_score")), None)
             for a in closed]
    unchanged = 0
    for a, b in pairs:
        found = compare_pair(a, b)
        rows += found
        unchanged += not found
    return ChangeReport(organisation, earlier.period, later.period, earlier.edition,
                        later.edition, sorted(rows, key=_sort_key), unchanged)


def changes_between(records: pd.DataFrame, organisation: str | None = None,
                    from_period: str | None = None, to_period: str | None = None) -> ChangeReport:
    """Compare two editions of one organisation (default: its latest two)."""
    name = choose_organisation(records, organisation)
    editions = editions_of(records, name)
    earlier, later = choose_editions(editions, name, from_period, to_period)
    return compare_editions(name, earlier, later)


# ---- rendering ----------------------------------------------------------------------------

def _title(row: dict) -> str | None:
    return row["title_to"] if row["title_to"] is not None else row["title_from"]


def _ref(row: dict) -> str | None:
    return row["ref_to"] or row["ref_from"]


def table_of(change: str, rows: list[dict], before: str, after: str,
             with_kind: bool) -> tuple[list[str], list[list]]:
    """The header and cells of one change kind's table, old and new side by side under the
    two periods' labels."""
    if change in ("new", "closed"):
        header = ["ref", "title", "residual score"]
        cells = [[_ref(r), _title(r), r["new"] if change == "new" else r["old"]] for r in rows]
    elif change == "reworded":
        header = ["ref", f"title {before}", f"title {after}"]
        cells = [[_ref(r), r["old"], r["new"]] for r in rows]
    elif change == "renumbered":
        header = [f"ref {before}", f"ref {after}", "title"]
        cells = [[r["old"], r["new"], _title(r)] for r in rows]
    else:
        what = {"re-owned": "owner", "target re-scored": "target"}.get(change, "residual")
        header = ["ref", "title", f"{what} {before}", f"{what} {after}"]
        cells = [[_ref(r), _title(r), r["old"], r["new"]] for r in rows]
    if with_kind:
        header = ["kind", *header]
        cells = [[r["kind"], *c] for r, c in zip(rows, cells, strict=True)]
    return header, cells


def _grouped(report: ChangeReport):
    with_kind = len({r["kind"] for r in report.rows}) > 1
    for change, _ in CHANGE_KINDS:
        rows = [r for r in report.rows if r["change"] == change]
        if rows:
            yield change, table_of(change, rows, report.from_period, report.to_period, with_kind)


def _heading(report: ChangeReport) -> str:
    return (f"Changes to the {report.organisation} risk register: "
            f"{report.from_period} to {report.to_period}")


def _md_cell(value) -> str:
    if value is None:
        return ""
    text = str(value).replace("|", "\\|")
    return "<br>".join(line.strip() for line in text.splitlines())


def to_markdown(report: ChangeReport) -> str:
    """A heading, the summary line and one table per change kind, for a committee report."""
    parts = [f"## {_heading(report)}", "", report.summary, ""]
    for change, (header, cells) in _grouped(report):
        parts += [f"### {change.capitalize()} ({len(cells)})", ""]
        parts.append("| " + " | ".join(header) + " |")
        parts.append("|" + "|".join(" --- " for _ in header) + "|")
        parts += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in cells]
        parts.append("")
    if not report.rows:
        parts += ["No changes.", ""]
    return "\n".join(parts)


_STYLE = ("body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}"
          "table{border-collapse:collapse;margin-bottom:1.5em;width:100%}"
          "th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top;"
          "white-space:pre-line}th{background:#eee}")


def _html_cell(value) -> str:
    return "" if value is None else html.escape(str(value))


def to_html(report: ChangeReport) -> str:
    """One self-contained HTML page: the summary and one table per change kind."""
    heading = html.escape(_heading(report))
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{heading}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{heading}</h1>", f"<p>{html.escape(report.summary)}</p>"]
    for change, (header, cells) in _grouped(report):
        parts.append(f"<h2>{html.escape(change.capitalize())} ({len(cells)})</h2>")
        parts.append("<table><thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header)
                     + "</tr></thead><tbody>")
        parts += ["<tr>" + "".join(f"<td>{_html_cell(v)}</td>" for v in row) + "</tr>"
                  for row in cells]
        parts.append("</tbody></table>")
    if not report.rows:
        parts.append("<p>No changes.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def to_csv(report: ChangeReport) -> str:
    """Every change as a CSV row, with the organisation and both periods on each row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["organisation", "from_period", "to_period", *ROW_COLUMNS])
    for row in report.rows:
        writer.writerow([report.organisation, report.from_period, report.to_period,
                         *("" if row[c] is None else row[c] for c in ROW_COLUMNS)])
    return buffer.getvalue()


RENDERERS = {"md": to_markdown, "html": to_html, "csv": to_csv}


def run_changes(out: str, org: str | None = None, from_period: str | None = None,
                to_period: str | None = None, fmt: str = "md", dest: str | None = None) -> str:
    """Read the dataset at `out`, compare two editions and return the rendered report (also
    written to `dest` when given). ValueError with a one-line reason when it cannot."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    dataset = Dataset(out)
    if not dataset.path(RECORDS).exists():
        raise ValueError(f"no records.parquet in {out}: run `riskreg ingest` or `riskreg build` first")
    records = dataset.read(RECORDS).to_pandas()
    text = RENDERERS[fmt](changes_between(records, org, from_period, to_period))
    if dest:
        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        Path(dest).write_text(text, encoding="utf-8")
    return text
