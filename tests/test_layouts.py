"""Invented registers in every layout, read by the real pipeline, compared with their goldens.

Each layout of tests/registers/layouts.py is rendered to a PDF, ingested with
`riskreg.pipeline.ingest_one`, and its records compared with tests/golden/<layout>.json field
by field. A failure names the layout, the record (its ref, or its title where the layout has no
reference column) and the field, with what was expected and what was read.

Text fields hold items joined by "\\n": they are compared as lists of items, each with its
whitespace collapsed. Numbers are compared exactly; `extra` only on the keys the golden gives.
Cases a known bug breaks (extraction, or normalise not built yet) are marked
xfail(strict=True) in KNOWN_FAILURES, naming
the cause, so they turn into failures the day the cause is fixed.
"""

from __future__ import annotations

import json

import pytest

from riskreg.errors import NoRegisterFound
from riskreg.pipeline import IngestRequest, ingest_one
from tests.registers.bench_corpus import many_entries
from tests.registers.layouts import LAYOUTS
from tests.registers.render import GOLDEN_DIR, render_layout, render_register

LAYOUT_NAMES = sorted(LAYOUTS)
TEXT_FIELDS = ("title", "category", "cause", "consequences", "controls", "actions", "progress",
               "owner", "direction_text")
NUMBER_FIELDS = ("inherent_score", "inherent_impact", "inherent_likelihood", "residual_score",
                 "residual_impact", "residual_likelihood", "target_score")
OTHER_FIELDS = ("kind", "ref", "ref_raw", "direction", "extra", "page_start", "page_end")
COMPARED = TEXT_FIELDS + NUMBER_FIELDS + OTHER_FIELDS

# Test id -> why it fails today: strict xfails, so each turns into a failure once fixed.
_SCAN = "scanned_word_ruled (OCR, extract/ocr.py): "
KNOWN_FAILURES: dict[str, str] = {
    # specks by a word are still read as punctuation: dropping every dust-sized blob also drops
    # pieces of thin glyphs, and a page-wide median filter loses letters of small print
    "scanned_word_ruled-title": _SCAN + "CR2 title read 'commitment: within' (a speck as ':')",
    "scanned_word_ruled-owner": _SCAN + "CR2 owner read 'Director.of Adult Social Care'",
    "scanned_word_ruled-controls": _SCAN + "CR3: specks read into words ('a.co-ordinated', "
    "'to.all', '\u201c\u2018Multi-agency Safeguarding:', 'sets - out')",
    "scanned_word_ruled-consequences": _SCAN + "CR1: damaged words ('moraie', 'year-and', "
    "'penaity')",
    "scanned_word_ruled-actions": _SCAN + "CR3: a trailing speck read as '_.'",
}


def _known(test_id: str) -> list:
    """The marks of one test: its known failure, and `slow` for a scanned layout (OCR)."""
    reason = KNOWN_FAILURES.get(test_id)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    name = next((n for n in LAYOUTS if test_id.startswith(f"{n}-") or test_id.endswith(f"-{n}")),
                None)
    if name and LAYOUTS[name].scanned:
        marks.append(pytest.mark.slow)
    return marks


def golden(name: str) -> dict:
    return json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """Each layout rendered and ingested once, on first use: name -> IngestOutcome."""
    out = tmp_path_factory.mktemp("layouts")
    cache: dict = {}

    def get(name: str):
        if name not in cache:
            info = render_layout(name, out / f"{name}.pdf")
            cache[name] = ingest_one(
                IngestRequest(path=str(info.path), organisation=golden(name)["organisation"])
            )
        return cache[name]

    return get


def records_of(outcome) -> list[dict]:
    assert outcome.ok, outcome.error
    return outcome.records


def key_of(record: dict, keyed_by: str) -> tuple[str, str]:
    """Records are matched by (kind, ref), or by (kind, title) where there is no reference."""
    if keyed_by == "title":
        return record["kind"], " ".join((record["title"] or "").split())
    return record["kind"], record["ref"]


def label(record: dict, keyed_by: str) -> str:
    return (record["ref"] if keyed_by == "ref" else repr(record["title"])) or "?"


def items(text: str | None) -> list[str] | None:
    """A text field as its list of items, whitespace collapsed (None for no text)."""
    if text is None:
        return None
    found = [" ".join(part.split()) for part in text.split("\n")]
    return [part for part in found if part] or None


def field_value(record: dict, field: str, expected_extra: dict | None = None):
    value = record.get(field)
    if field in TEXT_FIELDS:
        return items(value)
    if field == "extra":
        extra = value or {}
        return {k: " ".join(str(extra[k]).split()) if k in extra else None
                for k in (expected_extra or {})}
    return value


def mismatches(name: str, records: list[dict], field: str) -> list[str]:
    """'<layout> <record>: <field>: expected ..., got ...' for each golden record that differs."""
    gold = golden(name)
    keyed_by = gold["keyed_by"]
    got = {key_of(r, keyed_by): r for r in records}
    problems = []
    for expected in gold["records"]:
        key = key_of(expected, keyed_by)
        if key not in got:
            continue  # reported by test_every_entry_found_once
        if field == "ref" and keyed_by == "title":
            continue  # no reference printed: the pipeline numbers entries by position
        record = got[key]
        want = field_value(expected, field)
        have = field_value(record, field, expected.get("extra"))
        if field == "extra":
            want = {k: " ".join(v.split()) for k, v in (expected["extra"] or {}).items()}
        if want != have:
            problems.append(f"{name} {label(expected, keyed_by)}: {field}: "
                            f"expected {want!r}, got {have!r}")
    return problems


def _param(name: str, field: str):
    return pytest.param(name, field, id=f"{name}-{field}", marks=_known(f"{name}-{field}"))


def _layouts(prefix: str) -> list:
    return [pytest.param(n, id=n, marks=_known(f"{prefix}-{n}")) for n in LAYOUT_NAMES]


@pytest.mark.parametrize(("name", "field"), [_param(n, f) for n in LAYOUT_NAMES for f in COMPARED])
def test_field_matches_golden(ingested, name, field):
    problems = mismatches(name, records_of(ingested(name)), field)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", _layouts("found"))
def test_every_entry_found_once(ingested, name):
    gold = golden(name)
    keyed_by = gold["keyed_by"]
    records = records_of(ingested(name))
    keys = [key_of(r, keyed_by) for r in records]
    expected = [key_of(r, keyed_by) for r in gold["records"]]
    missing = [k for k in expected if k not in keys]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    spurious = [k for k in keys if k not in expected]
    assert not (missing or twice or spurious), (
        f"{name}: missing {missing}, found more than once {twice}, spurious {spurious}")
    refs = [(r["kind"], r["ref"]) for r in records]
    assert len(set(refs)) == len(refs), f"{name}: refs not unique: {refs}"


@pytest.mark.parametrize("name", _layouts("period"))
def test_period_and_organisation(ingested, name):
    gold = golden(name)
    records = records_of(ingested(name))
    assert {r["period"] for r in records} == {gold["period"]}, name
    assert {r["organisation"] for r in records} == {gold["organisation"]}, name


@pytest.mark.parametrize("name", _layouts("scale"))
def test_scores_within_the_scale(ingested, name):
    scale = golden(name)["scale"]
    problems = []
    for r in records_of(ingested(name)):
        for stage in ("inherent", "residual"):
            score = r[f"{stage}_score"]
            impact, likelihood = r[f"{stage}_impact"], r[f"{stage}_likelihood"]
            if score is not None and not 1 <= score <= scale * scale:
                problems.append(f"{r['ref']}: {stage}_score {score} outside 1-{scale * scale}")
            for part, value in (("impact", impact), ("likelihood", likelihood)):
                if value is not None and not 1 <= value <= scale:
                    problems.append(f"{r['ref']}: {stage}_{part} {value} outside 1-{scale}")
            if None not in (score, impact, likelihood) and impact * likelihood != score:
                problems.append(f"{r['ref']}: {stage} {impact} x {likelihood} != {score}")
        if r["target_score"] is not None and not 1 <= r["target_score"] <= scale * scale:
            problems.append(f"{r['ref']}: target_score {r['target_score']} outside the scale")
    assert not problems, f"{name}: " + "; ".join(problems)


# ---------------------------------------------------------------- round trips: 1, 7, 30 entries


ROUND_TRIP_LAYOUTS = ("word_ruled", "word_unruled", "two_level_impact_first")


@pytest.mark.parametrize(
    ("name", "n"),
    [pytest.param(name, n, id=f"{name}-{n}", marks=_known(f"{name}-{n}"))
     for name in ROUND_TRIP_LAYOUTS for n in (1, 7, 30)],
)
def test_round_trip_counts_and_refs(tmp_path, name, n):
    layout = LAYOUTS[name]
    entries = many_entries(n, seed=n)
    info = render_register(entries, layout, tmp_path / f"{name}-{n}.pdf")
    outcome = ingest_one(IngestRequest(path=str(info.path), organisation=layout.organisation))
    records = records_of(outcome)
    assert [r["ref"] for r in records] == [e["ref"] for e in entries], name
    assert [items(r["title"]) for r in records] == [[e["title"]] for e in entries], name
    assert [r["residual_score"] for r in records] == [e["residual_score"] for e in entries]
    pages = [(r["page_start"], r["page_end"]) for r in records]
    expected = [(g["page_start"], g["page_end"]) for g in info.golden["records"]]
    if layout.ruled == "none":
        # Without rules, a row split at a page's foot before any of its text leaves nothing
        # on that page to see: the entry then starts on the next page, where its text does.
        expected = [(s + 1, e) if got == (s + 1, e) and e > s else (s, e)
                    for (s, e), got in zip(expected, pages, strict=False)]
    assert pages == expected, name


@pytest.mark.parametrize(("seed", "n"), [(4, 8), (5, 9)])
def test_unruled_table_of_one_row_keeps_its_header(tmp_path, seed, n):
    """word_unruled with other entries: a page holds an opportunities table of one or two rows
    under its multi-line header (CO2 alone on page 4 for seed 4, 8 risks). The header's longer
    words cross gutters widened over the few body values; every entry must still be found, by
    its own reference, with its title (before stream.find_column_gutters took back the header
    lines it had set aside, the header was lost and the entry with it, or its ref)."""
    import dataclasses

    layout = dataclasses.replace(LAYOUTS["word_unruled"], seed=seed, n_entries=n)
    info = render_layout(layout, tmp_path / f"word_unruled-{seed}-{n}.pdf")
    outcome = ingest_one(IngestRequest(path=str(info.path), organisation=layout.organisation))
    got = [(r["kind"], r["ref"], items(r["title"])) for r in records_of(outcome)]
    expected = [(g["kind"], g["ref"], items(g["title"])) for g in info.golden["records"]]
    assert got == expected


# ---------------------------------------------------------------- nothing to map: a clear failure


def test_unmappable_tables_fail_with_the_headers_seen(tmp_path):
    """A table whose headers give neither a reference nor a title is not a register: ingest
    fails that file with NoRegisterFound naming the headers, and writes no records."""
    from extract.types import Cell, ExtractedDocument, RawTable
    from normalise import normalise_document

    rows = [["Budget line", "Owner", "Q1 spend", "Q2 spend"],
            ["Libraries", "Head of Culture", "12,000", "13,500"],
            ["Parks", "Director of Place", "8,000", "7,250"]]
    table = RawTable(rows=[[Cell(t, page=1) for t in row] for row in rows], page=1,
                     method="lattice")
    doc = ExtractedDocument(path=str(tmp_path / "budget.pdf"), sha256="0", kind="pdf",
                            tables=[table])
    with pytest.raises(NoRegisterFound) as caught:
        normalise_document(doc)
    message = str(caught.value)
    assert "budget.pdf" in message
    assert "Budget line" in message and "Q1 spend" in message


def test_unmappable_pdf_fails_the_ingest(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table

    path = tmp_path / "budget Q1 2021-22.pdf"
    rows = [["Budget line", "Owner", "Q1 spend", "Q2 spend"],
            ["Libraries", "Head of Culture", "12,000", "13,500"],
            ["Parks", "Director of Place", "8,000", "7,250"],
            ["Leisure", "Director of Place", "4,100", "3,900"]]
    SimpleDocTemplate(str(path), pagesize=A4).build(
        [Table(rows, style=[("GRID", (0, 0), (-1, -1), 0.5, "black")])])
    outcome = ingest_one(IngestRequest(path=str(path), organisation="Nowhere Council"))
    assert not outcome.ok and not outcome.records
    assert "Budget line" in outcome.error, outcome.error



def test_a_table_with_no_reference_or_title_is_not_a_register(tmp_path):
    """Owner, category and scores map, but nothing keys the entries: fail, naming the headers."""
    from extract.types import Cell, ExtractedDocument, RawTable
    from normalise import normalise_document

    rows = [["Service", "Owner", "Current Score", "Target Score"],
            ["Libraries", "Head of Culture", "12", "6"],
            ["Parks", "Director of Place", "8", "4"]]
    table = RawTable(rows=[[Cell(t, page=1) for t in row] for row in rows], page=1,
                     method="lattice")
    doc = ExtractedDocument(path="scores.pdf", sha256="0", kind="pdf", tables=[table])
    with pytest.raises(NoRegisterFound, match="Current Score"):
        normalise_document(doc)


def test_fill_only_rating_survives_without_rules(tmp_path):
    """A rating printed only as a cell colour reaches `extra` from an unruled table too."""
    import dataclasses

    from tests.registers.render import layout_entries, render_register

    ruled = LAYOUTS["title_row_rag_fill"]
    unruled = dataclasses.replace(ruled, ruled="none", name="title_row_rag_fill_unruled")
    info = render_register(layout_entries(ruled), unruled, tmp_path / "rag-unruled.pdf")
    records = records_of(ingest_one(IngestRequest(path=str(info.path), organisation=ruled.organisation)))
    got = [(r["ref"], (r["extra"] or {}).get("Current Rating")) for r in records]
    want = [(g["ref"], g["extra"].get("Current Rating")) for g in info.golden["records"]]
    assert got == want


def test_a_printed_arithmetic_slip_keeps_the_file_and_the_printed_score(tmp_path):
    """A triplet whose product is not its printed score (4 x 4 printed as 12): the file is read,
    the printed score kept, the factors that do not make it kept as printed in `extra` (the
    dataset requires impact x likelihood = score wherever all three are filled)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import SimpleDocTemplate, Table

    from riskreg.pipeline import outcome_tables

    path = tmp_path / "register Q1 2022-23.pdf"
    rows = [["Risk Ref", "Risk Title", "Risk Owner", "Impact", "Likelihood", "Residual Score"],
            ["CR1", "Loss of the data centre", "Head of ICT", "4", "4", "12"],
            ["CR2", "Failure to recruit social workers", "Director of People", "3", "2", "6"],
            ["CR3", "Budget overspend", "Director of Finance", "5", "4", "20"]]
    SimpleDocTemplate(str(path), pagesize=landscape(A4)).build(
        [Table(rows, style=[("GRID", (0, 0), (-1, -1), 0.5, "black")])])
    outcome = ingest_one(IngestRequest(path=str(path), organisation="Nowhere Council"))
    assert outcome.ok, outcome.error
    by = {r["ref"]: r for r in outcome_tables(outcome)[0].to_pylist()}
    slip = by["CR1"]
    assert (slip["residual_score"], slip["residual_impact"], slip["residual_likelihood"]) == (
        12, None, None)
    assert dict(slip["extra"])["Impact"] == "4" and dict(slip["extra"])["Likelihood"] == "4"
    assert (by["CR2"]["residual_score"], by["CR2"]["residual_impact"]) == (6, 3)
    assert by["CR3"]["residual_likelihood"] == 4


def test_numbered_lists_with_a_hanging_indent_are_no_column(tmp_path):
    """portrait_cause_effect with horizontal rules only (read by gaps): each control is
    numbered ("1." ... "3.", then "1." again in the next row) with its text hanging to the right.
    The gap after the numbers is no gutter: before, the numbers were a column of their own, the
    header shifted and every score was lost."""
    import dataclasses

    from tests.registers.render import assert_read_exactly

    layout = dataclasses.replace(LAYOUTS["portrait_cause_effect"], ruled="horizontal")
    info = render_register(many_entries(12, 2), layout, tmp_path / "numbered.pdf")
    assert_read_exactly(info, layout.organisation,
                        ("controls", "inherent_score", "residual_score", "owner"))
