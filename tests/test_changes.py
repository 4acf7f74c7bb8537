"""`riskreg changes`: every change kind between two invented editions, in md, csv and html."""

import csv
import datetime as dt
import io

import pandas as pd
import pytest

from riskreg.changes import (
    changes_between,
    pair_entries,
    run_changes,
    to_csv,
    to_html,
    to_markdown,
)
from riskreg.dataset import Dataset
from riskreg.schema import RECORDS, to_arrow

ORG = "Borsetshire County Council"
PERIODS = {"2019/20 Q1": dt.date(2019, 4, 1), "2019/20 Q2": dt.date(2019, 7, 1),
           "2019/20 Q3": dt.date(2019, 10, 1)}


def rec(period, ref, uid=None, org=ORG, **over):
    row = {"organisation": org, "period": period, "period_start": PERIODS[period],
           "edition": f"{org.lower().replace(' ', '-')}/{period}", "source_file": f"{period}.txt",
           "source_sha256": "h", "kind": "risk", "ref": ref, "method": "text",
           "title": f"Risk {ref}", "risk_uid": uid, "owner": "Director of Finance",
           "residual_score": 9, "target_score": 4}
    row.update(over)
    return row


EARLIER = [
    rec("2019/20 Q2", "CR1", "u1", title="Budget pressure"),
    rec("2019/20 Q2", "CR2", "u2", title="Staff shortages", residual_score=12),
    rec("2019/20 Q2", "CR3", "u3", title="Cyber attack", residual_score=20, target_score=8),
    rec("2019/20 Q2", "CR4", "u4", title="Failure to recruit staff"),
    rec("2019/20 Q2", "CR5", "u5", title="Flooding"),
    rec("2019/20 Q2", "CR6", "u6", title="Pension liabilities"),
    rec("2019/20 Q2", "CR7", "u7", title="Brexit", residual_score=16),
    rec("2019/20 Q2", "CO1", None, kind="opportunity", title="Shared services", residual_score=6),
]
LATER = [
    rec("2019/20 Q3", "CR1", "u1", title="budget  Pressure"),  # case and spacing only: unchanged
    rec("2019/20 Q3", "CR2", "u2", title="Staff shortages", residual_score=16),
    rec("2019/20 Q3", "CR3", "u3", title="Cyber attack", residual_score=15, target_score=6),
    rec("2019/20 Q3", "CR4", "u4", title="Failure to retain staff"),
    rec("2019/20 Q3", "CR9", "u5", title="Flooding"),
    rec("2019/20 Q3", "CR6", "u6", title="Pension liabilities", owner="Chief Executive"),
    rec("2019/20 Q3", "CR8", "u8", title="Care market | provider failure", residual_score=25),
    rec("2019/20 Q3", "CO1", None, kind="opportunity", title="Shared services", residual_score=9),
]
FIRST = [rec("2019/20 Q1", "CR1", "u1", title="Budget pressure"),
         rec("2019/20 Q1", "CR2", "u2", title="Staff shortages", residual_score=6)]


def frame(rows):
    return to_arrow(RECORDS, rows).to_pandas()


@pytest.fixture
def report():
    return changes_between(frame(FIRST + EARLIER + LATER), None, None, None)


def by_change(report):
    found = {}
    for row in report.rows:
        found.setdefault(row["change"], []).append(row)
    return found


def test_latest_two_editions_are_compared_by_default(report):
    assert (report.organisation, report.from_period, report.to_period) == (
        ORG, "2019/20 Q2", "2019/20 Q3")


@pytest.mark.parametrize(("change", "ref", "field", "old", "new"), [
    pytest.param("new", "CR8", "residual_score", None, 25, id="new"),
    pytest.param("closed", "CR7", "residual_score", 16, None, id="closed"),
    pytest.param("escalated", "CR2", "residual_score", 12, 16, id="escalated"),
    pytest.param("de-escalated", "CR3", "residual_score", 20, 15, id="de-escalated"),
    pytest.param("target re-scored", "CR3", "target_score", 8, 6, id="target"),
    pytest.param("reworded", "CR4", "title", "Failure to recruit staff", "Failure to retain staff",
                 id="reworded"),
    pytest.param("renumbered", "CR9", "ref", "CR5", "CR9", id="renumbered"),
    pytest.param("re-owned", "CR6", "owner", "Director of Finance", "Chief Executive",
                 id="re-owned"),
])
def test_every_change_kind_with_old_and_new(report, change, ref, field, old, new):
    rows = [r for r in by_change(report)[change] if (r["ref_to"] or r["ref_from"]) == ref]
    assert len(rows) == 1, by_change(report)[change]
    assert (rows[0]["field"], rows[0]["old"], rows[0]["new"]) == (field, old, new)


def test_summary_line_counts_every_kind(report):
    assert report.summary == ("1 new, 1 closed, 2 escalated, 1 de-escalated, 1 target re-scored, "
                              "1 reworded, 1 renumbered, 1 re-owned (1 unchanged)")


def test_entries_without_uid_pair_by_kind_and_ref(report):
    (row,) = [r for r in report.rows if r["kind"] == "opportunity"]
    assert (row["change"], row["ref_from"], row["ref_to"], row["old"], row["new"]) == (
        "escalated", "CO1", "CO1", 6, 9)


def test_whitespace_and_case_are_not_rewording(report):
    assert not [r for r in report.rows if "CR1" in (r["ref_from"], r["ref_to"])]


def test_a_uid_pair_wins_over_a_reused_ref():
    earlier = [rec("2019/20 Q2", "CR5", "u5"), rec("2019/20 Q2", "CR9", "u9")]
    later = [rec("2019/20 Q3", "CR9", "u5")]
    pairs, closed, new = pair_entries(earlier, later)
    assert [(a["ref"], b["ref"]) for a, b in pairs] == [("CR5", "CR9")]
    assert [a["ref"] for a in closed] == ["CR9"] and new == []


def test_markdown_has_heading_summary_and_a_table_per_kind(report):
    md = to_markdown(report)
    assert md.startswith(f"## Changes to the {ORG} risk register: 2019/20 Q2 to 2019/20 Q3\n")
    assert report.summary in md
    for heading in ("### New (1)", "### Closed (1)", "### Escalated (2)", "### De-escalated (1)",
                    "### Target re-scored (1)", "### Reworded (1)", "### Renumbered (1)",
                    "### Re-owned (1)"):
        assert heading in md
    for line in ("| risk | CR8 | Care market \\| provider failure | 25 |",
                 "| risk | CR7 | Brexit | 16 |",
                 "| risk | CR2 | Staff shortages | 12 | 16 |",
                 "| opportunity | CO1 | Shared services | 6 | 9 |",
                 "| risk | CR3 | Cyber attack | 20 | 15 |",
                 "| risk | CR3 | Cyber attack | 8 | 6 |",
                 "| risk | CR4 | Failure to recruit staff | Failure to retain staff |",
                 "| risk | CR5 | CR9 | Flooding |",
                 "| risk | CR6 | Pension liabilities | Director of Finance | Chief Executive |"):
        assert line in md.splitlines(), line


def test_markdown_without_mixed_kinds_has_no_kind_column():
    report = changes_between(frame([rec("2019/20 Q2", "CR1", residual_score=4),
                                    rec("2019/20 Q3", "CR1", residual_score=8)]))
    assert "| CR1 | Risk CR1 | 4 | 8 |" in to_markdown(report).splitlines()


def test_csv_rows_carry_the_values(report):
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert len(rows) == len(report.rows) == 9
    got = {(r["change"], r["ref_from"], r["ref_to"]): (r["field"], r["old"], r["new"])
           for r in rows}
    assert got == {
        ("new", "", "CR8"): ("residual_score", "", "25"),
        ("closed", "CR7", ""): ("residual_score", "16", ""),
        ("escalated", "CR2", "CR2"): ("residual_score", "12", "16"),
        ("escalated", "CO1", "CO1"): ("residual_score", "6", "9"),
        ("de-escalated", "CR3", "CR3"): ("residual_score", "20", "15"),
        ("target re-scored", "CR3", "CR3"): ("target_score", "8", "6"),
        ("reworded", "CR4", "CR4"): ("title", "Failure to recruit staff", "Failure to retain staff"),
        ("renumbered", "CR5", "CR9"): ("ref", "CR5", "CR9"),
        ("re-owned", "CR6", "CR6"): ("owner", "Director of Finance", "Chief Executive"),
    }
    assert all(r["organisation"] == ORG and r["from_period"] == "2019/20 Q2" for r in rows)
    assert {r["risk_uid"] for r in rows if r["change"] == "renumbered"} == {"u5"}


def test_csv_values_match_rows(report):
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    for written, row in zip(rows, report.rows, strict=True):
        for key in ("change", "kind", "ref_from", "ref_to", "title_from", "title_to", "field",
                    "old", "new"):
            assert written[key] == ("" if row[key] is None else str(row[key])), key


def test_html_is_one_escaped_page():
    later = [rec("2019/20 Q3", "CR1", title="<script>alert(1)</script> & more")]
    page = to_html(changes_between(frame([rec("2019/20 Q2", "CR2")] + later)))
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert "<link" not in page and "src=" not in page


@pytest.mark.parametrize(("from_period", "to_period", "expected"), [
    pytest.param("Q1 2019/20", None, ("2019/20 Q1", "2019/20 Q3"), id="from-as-typed"),
    pytest.param("2019/20 Q1", "2019/20 Q2", ("2019/20 Q1", "2019/20 Q2"), id="both-labels"),
    pytest.param(None, "Quarter 2 2019/20", ("2019/20 Q1", "2019/20 Q2"), id="to-alone"),
])
def test_periods_as_typed(from_period, to_period, expected):
    report = changes_between(frame(FIRST + EARLIER + LATER), "borsetshire", from_period, to_period)
    assert (report.from_period, report.to_period) == expected


def test_fewer_than_two_editions_is_a_clear_error():
    with pytest.raises(ValueError, match=r"^Borsetshire County Council has only one edition "
                                         r"\(2019/20 Q1\) in the dataset: changes need two"):
        changes_between(frame(FIRST), None, None, None)


@pytest.mark.parametrize(("org", "from_period", "match"), [
    pytest.param(None, None, "holds 2 organisations: choose one with --org", id="several-orgs"),
    pytest.param("Nowhere", None, "matches no organisation", id="unknown-org"),
    pytest.param(ORG, "2015/16 Q1", "no edition for period '2015/16 Q1'; its editions are", id="period"),
])
def test_choice_errors_name_what_to_do(org, from_period, match):
    rows = FIRST + EARLIER + [rec("2019/20 Q1", "R1", org="Other Council")]
    with pytest.raises(ValueError, match=match):
        changes_between(frame(rows), org, from_period, None)


def test_run_changes_reads_the_dataset_and_writes_dest(tmp_path):
    Dataset(tmp_path / "clean").write(RECORDS, to_arrow(RECORDS, EARLIER + LATER))
    dest = tmp_path / "reports" / "changes.csv"
    text = run_changes(str(tmp_path / "clean"), None, None, None, "csv", str(dest))
    assert dest.read_text() == text
    assert len(pd.read_csv(dest)) == 9


def test_run_changes_without_a_dataset_says_what_to_do(tmp_path):
    with pytest.raises(ValueError, match="run `riskreg ingest`"):
        run_changes(str(tmp_path), None, None, None, "md", None)
    with pytest.raises(ValueError, match="unknown format"):
        run_changes(str(tmp_path), None, None, None, "pdf", None)
