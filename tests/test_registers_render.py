"""The invented-register generator: every layout renders, says truly what it drew, and is stable."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pdfplumber
import pypdfium2 as pdfium
import pytest

from tests.registers.invent import TEXT_LIST_FIELDS, invent_entries
from tests.registers.layouts import LAYOUTS
from tests.registers.render import (
    GOLDEN_DIR,
    RECORD_FIELDS,
    golden_records,
    layout_entries,
    layout_notes,
    render_layout,
)
from tests.registers.scan import scan_pdf

LAYOUT_NAMES = sorted(LAYOUTS)


def _pdfium_text(path) -> str:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Each layout rendered once: name -> (RenderInfo, text of every page).

    The whole text comes from pdfium (fast); pdfplumber, which riskreg reads with, is
    checked on the first page only (test_pdfplumber_reads_the_first_page). A scanned layout
    is checked as printed, before its scan (test_a_scanned_layout_has_no_text_layer)."""
    out = tmp_path_factory.mktemp("registers")
    result = {}
    for name in LAYOUT_NAMES:
        info = render_layout(replace(LAYOUTS[name], scanned=False), out / f"{name}.pdf")
        info.golden["notes"] = layout_notes(LAYOUTS[name])  # a scanned layout's, too
        result[name] = (info, _pdfium_text(info.path))
    return result


def test_a_scanned_layout_has_no_text_layer(tmp_path):
    name = next(n for n in LAYOUT_NAMES if LAYOUTS[n].scanned)
    info = render_layout(name, tmp_path / f"{name}.pdf")
    assert not _pdfium_text(info.path).strip()
    assert len(pdfium.PdfDocument(str(info.path))) == info.pages


def test_there_are_at_least_seven_layouts():
    assert len(LAYOUTS) >= 7


@pytest.mark.parametrize("name", LAYOUT_NAMES)
def test_every_entry_becomes_one_record(rendered, name):
    info, _ = rendered[name]
    layout = LAYOUTS[name]
    records = info.golden["records"]
    assert len(records) == layout.n_entries + layout.n_opportunities
    keys = [(r["kind"], r["ref"] or r["title"]) for r in records]
    assert len(set(keys)) == len(keys), "every record is found exactly once"
    assert all(list(r) == list(RECORD_FIELDS) for r in records)


@pytest.mark.parametrize("name", LAYOUT_NAMES)
def test_pages_are_where_rows_were_drawn(rendered, name):
    info, _ = rendered[name]
    layout = LAYOUTS[name]
    starts = []
    for r in info.golden["records"]:
        assert 1 <= r["page_start"] <= r["page_end"] <= info.pages, r
        starts.append(r["page_start"])
    assert starts == sorted(starts), "records are in document order"
    if layout.form == "per_page":
        assert len(set(starts)) == len(starts)
        assert info.pages >= layout.n_entries
    if layout.name == "word_ruled":
        assert any(r["page_end"] > r["page_start"] for r in info.golden["records"]), (
            "at least one row breaks across pages"
        )


@pytest.mark.parametrize("name", LAYOUT_NAMES)
def test_pdf_text_holds_refs_titles_and_period(rendered, name):
    info, text = rendered[name]
    words = set(text.split())
    flat = " ".join(text.split())
    assert LAYOUTS[name].period_text in flat
    for r in info.golden["records"]:
        if r["ref_raw"]:  # "SR 4" prints as two words
            assert set(r["ref_raw"].split()) <= words, r["ref_raw"]
        missing = [w for w in r["title"].split() if w not in flat]
        assert not missing, (r["title"], missing)


@pytest.mark.parametrize("name", LAYOUT_NAMES)
def test_pdfplumber_reads_the_first_page(rendered, name):
    info, _ = rendered[name]
    with pdfplumber.open(info.path) as pdf:
        assert len(pdf.pages) == info.pages
        text = pdf.pages[0].extract_text()
    assert "(cid:" not in text, "every glyph extracts as text"
    assert " ".join(info.golden["title"].split()[:3]) in text
    for r in info.golden["records"]:
        if r["page_start"] == 1 and r["ref_raw"]:
            assert set(r["ref_raw"].split()) <= set(text.split())


def test_layout_features_are_drawn(rendered):
    assert "Key to Scores" in rendered["word_ruled"][1]
    assert "High Risk (15 to 25)" in rendered["bands_no_ref"][1]
    assert "Risk:-" in rendered["risk_and_effects"][1]
    assert "Effects:-" in rendered["risk_and_effects"][1]
    assert re.search(r"\d x \d = \d+", rendered["lxi_rag"][1])
    assert "Risk if no action" in rendered["two_level_impact_first"][1]
    assert "\u2022" in rendered["word_ruled"][1]
    assert "Possible Benefits" in rendered["word_ruled"][1]  # the opportunity table
    assert re.search(r"^1\. ", rendered["portrait_cause_effect"][1], re.M)  # numbered items
    assert re.search(r"^a\) ", rendered["portrait_cause_effect"][1], re.M)  # sub-items
    assert "Cause:" in rendered["portrait_cause_effect"][1]
    assert "COR-2019-" in rendered["portrait_cause_effect"][1]
    # the title is the grid's first row: above the header on every page
    title_rows = rendered["title_row_rag_fill"][1].count("Strategic Risk Register \u2014 Q2")
    assert title_rows >= 2 * rendered["title_row_rag_fill"][0].pages  # and in the footer
    assert rendered["cards"][1].count("Risk Ref") >= len(rendered["cards"][0].golden["records"])


@pytest.mark.parametrize("name", LAYOUT_NAMES)
def test_golden_records_obey_the_contract(rendered, name):
    info, _ = rendered[name]
    scale = LAYOUTS[name].scale
    for r in info.golden["records"]:
        assert r["kind"] in ("risk", "opportunity")
        assert r["direction"] in (None, "up", "down", "level", "new")
        assert (r["direction"] is None) == (r["direction_text"] is None)
        for prefix in ("inherent", "residual"):
            score = r[f"{prefix}_score"]
            impact, likelihood = r[f"{prefix}_impact"], r[f"{prefix}_likelihood"]
            assert score is None or 1 <= score <= scale * scale
            if impact is not None and likelihood is not None:
                assert impact * likelihood == score
                assert 1 <= impact <= scale and 1 <= likelihood <= scale
        if r["residual_score"] and r["inherent_score"]:
            assert r["residual_score"] <= r["inherent_score"]
        for field in TEXT_LIST_FIELDS:
            if r[field] is not None:
                assert "\u2022" not in r[field] and not r[field].startswith("- ")
                assert 1 <= len(r[field].split("\n")) <= 8


def test_score_expectations_follow_the_layout(rendered):
    def records(name):
        return rendered[name][0].golden["records"]

    for r in records("word_ruled"):  # "12 / Major/Possible" and a bare residual number
        assert r["inherent_impact"] and r["inherent_likelihood"]
        assert r["residual_score"] and r["residual_impact"] is None
    for r in records("lxi_rag"):  # L x I = S, and a RAG-only current rating
        assert r["inherent_impact"] and r["inherent_likelihood"]
        assert r["residual_score"] is None
        assert r["extra"]["Current Rating"] in ("Red", "Amber", "Green")
    for r in records("two_level_impact_first"):
        assert r["residual_impact"] and r["inherent_likelihood"]
        assert "Corporate Priority" in r["extra"]
        assert ("Target Impact" in r["extra"]) == (r["target_score"] is not None)
    for r in records("bands_no_ref"):
        assert r["ref"] is None and r["ref_raw"] is None
    for r in records("four_by_four_rotated"):
        assert r["residual_impact"] <= 4 and r["residual_likelihood"] <= 4
    for r in records("risk_and_effects"):
        assert r["title"] and r["consequences"] and not r["title"].startswith("Risk:-")
    bands = [r["residual_score"] for r in records("bands_no_ref")]
    assert bands == sorted(bands, reverse=True)


@pytest.mark.parametrize("name", LAYOUT_NAMES)
def test_golden_records_is_the_rendered_golden_without_pages(rendered, name):
    layout = LAYOUTS[name]
    pure = golden_records(layout_entries(layout), layout)
    drawn = [dict(r, page_start=None, page_end=None) for r in rendered[name][0].golden["records"]]
    assert pure == drawn


@pytest.mark.parametrize("name", LAYOUT_NAMES)
def test_committed_golden_matches_the_generator(rendered, name):
    path = GOLDEN_DIR / f"{name}.json"
    committed = json.loads(path.read_text(encoding="utf-8"))
    fresh = json.loads(json.dumps(rendered[name][0].golden))
    for i, (want, got) in enumerate(zip(committed["records"], fresh["records"], strict=True)):
        for field in want:
            assert want[field] == got[field], (
                f"{name} record {i} ({want['ref'] or want['title']}) field {field}: the "
                f"generator changed; run `python -m tests.registers.render --write-goldens` "
                f"and read the diff"
            )
    assert committed == fresh


def test_rendering_is_deterministic(tmp_path):
    first = render_layout("two_level_impact_first", tmp_path / "a.pdf")
    second = render_layout("two_level_impact_first", tmp_path / "b.pdf")
    assert first.golden == second.golden
    assert first.path.read_bytes() == second.path.read_bytes()


def test_invent_entries_is_seeded_and_varied():
    entries = invent_entries(3, 12)
    assert entries == invent_entries(3, 12)
    assert entries != invent_entries(4, 12)
    refs = [int(e["ref"][2:]) for e in entries]
    assert refs == sorted(refs) and refs[-1] > len(refs) - 1
    words = " ".join(
        " ".join(e[f])
        for seed in range(4)
        for e in invent_entries(seed, 20)
        for f in TEXT_LIST_FIELDS
    )
    for word in (
        "Organisational",
        "Accountabilities",
        "Safeguarding",
        "Infrastructure",
        "multi-agency",
        "bi-annual",
        "in-year",
    ):
        assert word in words
    for e in invent_entries(6, 20, scale=4):
        assert e["inherent_score"] == e["inherent_impact"] * e["inherent_likelihood"] <= 16
        assert e["target_score"] is None or e["target_score"] <= e["residual_score"]


def test_scanned_pdf_has_no_text_layer(rendered, tmp_path):
    info, _ = rendered["risk_and_effects"]
    scanned = scan_pdf(info.path, tmp_path / "scanned.pdf", dpi=80)
    with pdfplumber.open(scanned) as pdf:
        assert len(pdf.pages) == info.pages
        assert all(not page.chars and not (page.extract_text() or "").strip() for page in pdf.pages)
        assert pdf.pages[0].images
