"""Space-aligned text (`pdftotext -layout` and fixed-width exports): columns by runs of spaces,
read by the unruled table finder and the normalise path every PDF goes through.

The two fixture texts are `pdftotext -layout` (poppler 22.12) of the ruled and unruled PDFs
beside them; gold.json holds the register's hand-checked records.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.text import is_space_aligned, read_text
from normalise.headers import ColumnMap, HeaderMap
from normalise.rows import _folded_columns, _stray_columns
from riskreg.pipeline import IngestRequest, ingest_one, outcome_tables
from tests.registers.flowtext import word_f1

FIXTURES = Path(__file__).parent / "fixtures"
LANCS = FIXTURES / "lancashire-2017q2"
# gold.json's field -> the record's column
FIELDS = {"title": "title", "type": "category", "consequences": "consequences",
          "controls": "controls", "actions": "actions", "owner": "owner",
          "direction": "direction_text"}


@pytest.fixture(scope="module", params=["ruled-layout.txt", "unruled-layout.txt"])
def read_back(request):
    outcome = ingest_one(IngestRequest(path=str(LANCS / request.param),
                                       organisation="Lancashire County Council"))
    assert outcome.ok, outcome.error
    records = outcome_tables(outcome)[0].to_pylist()
    gold = json.loads((LANCS / "gold.json").read_text(encoding="utf-8"))["records"]
    return records, gold


def test_space_aligned_detection():
    lines = (LANCS / "unruled-layout.txt").read_text(encoding="utf-8").split("\n")
    assert is_space_aligned(lines)
    ocr = (FIXTURES / "seeds" / "000_f2dc45808fc41ba6.txt").read_text(encoding="utf-8")
    assert not is_space_aligned(ocr.split("\n"))  # OCR text, single spaces: the flow reader's


def test_space_aligned_text_is_read_as_grid_tables_page_by_page():
    doc = read_text(str(LANCS / "ruled-layout.txt"))
    *grids, lines = doc.tables  # and the lines, for entries the tables miss
    assert grids and all(t.layout == "grid" and t.method == "text" for t in grids)
    assert {t.page for t in grids} >= set(range(1, 14))  # form feeds part the pages
    assert lines.layout == "flow"


def test_every_entry_found_once_with_its_scores(read_back):
    records, gold = read_back
    by_ref = {(r["kind"], r["ref"]): r for r in records}
    assert len(by_ref) == len(records)
    for g in gold:
        got = by_ref[(g["kind"], g["id"])]
        assert (got["inherent_score"], got["residual_score"]) == (
            g["inherent_score"], g["residual_score"]), g["id"]
        assert got["method"] == "text" and got["page_start"] is not None
    assert len(records) - len(gold) <= 1  # the ruled text's legend may leave one stray row


def test_text_fields_match_the_hand_checked_records(read_back):
    records, gold = read_back
    by_ref = {(r["kind"], r["ref"]): r for r in records}
    scores = {c: [word_f1(g[f], by_ref[(g["kind"], g["id"])][c]) for g in gold if g.get(f)]
              for f, c in FIELDS.items()}
    means = {f: sum(v) / len(v) for f, v in scores.items()}
    assert all(m >= 0.95 for m in means.values()), means


def _header(*columns: tuple[str, str | None]) -> HeaderMap:
    return HeaderMap(columns=tuple(ColumnMap(i, h, f) for i, (h, f) in enumerate(columns)),
                     header_rows=1, kind="risk", confidence=1.0)


KNOWN = _header(("Ref", "ref"), ("Risk", "title"), ("Owner", "owner"))


def test_a_column_of_stray_words_folds_into_its_left_neighbour():
    found = _header(("Ref", "ref"), ("Risk", "title"), ("", None), ("Owner", "owner"))
    texts = [["Ref", "Risk", "", "Owner"], ["R1", "Loss of data held", "of", "Chief Executive"]]
    assert _stray_columns(found, texts) == {2}
    wordy = [texts[0], ["R1", "Loss of data", "held by the council", "Chief Executive"]]
    assert _stray_columns(found, wordy) == set()  # a column of its own


def test_a_header_read_in_part_is_the_known_header():
    partial = _header(("Ref", "ref"), ("", None), ("Owner", "owner"))
    assert _folded_columns(partial, KNOWN) == [0, 1, 2]
    other = _header(("Ref", "ref"), ("Owner", "owner"), ("", None))
    assert _folded_columns(other, KNOWN) is None  # fields in another order: another table
    extra = _header(("Ref", "ref"), ("Risk", "title"), ("Date", None), ("Owner", "owner"))
    assert _folded_columns(extra, KNOWN) == [0, 1, 1, 2]


@pytest.mark.parametrize("layout", ["two_level_impact_first", "cards"])
def test_entries_the_table_reader_misses_are_read_from_the_lines(layout):
    # `pdftotext -layout` of invented registers (tests/registers/layouts.py) whose two-level
    # header or one-space "Risk Ref Risk Title" the unruled table finder cannot part
    gold = json.loads((Path(__file__).parent / "golden" / f"{layout}.json").read_text())
    outcome = ingest_one(IngestRequest(path=str(FIXTURES / "layout-text" / f"{layout}.txt"),
                                       organisation=gold["organisation"]))
    assert outcome.ok, outcome.error
    records = outcome_tables(outcome)[0].to_pylist()
    assert sorted(r["ref"] for r in records) == sorted(g["ref"] for g in gold["records"])
    (note,) = [w for w in outcome.warnings if "read from the text's lines" in w]
    by_ref = {r["ref"]: r for r in records}
    from_tables = [g for g in gold["records"] if f"{g['ref']}," not in note.replace(")", ",")]
    for g in from_tables:  # read from the tables: scores and titles as printed
        got = by_ref[g["ref"]]
        assert (got["residual_score"], got["title"]) == (g["residual_score"], g["title"])
