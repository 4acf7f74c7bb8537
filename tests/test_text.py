"""extract.text: text renderings of registers into raw tables."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from extract.text import decode_text, html_to_text, is_header_row, read_text
from riskreg.errors import NoRegisterFound, UnreadableInput

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
TSV_SEED = SEEDS / "003_73294c1a6bff02e4.txt"
OCR_SEED = SEEDS / "000_f2dc45808fc41ba6.txt"


@pytest.fixture(scope="module")
def tsv_doc():
    return read_text(str(TSV_SEED))


def test_tsv_seed_is_read_as_grid_tables(tsv_doc):
    assert tsv_doc.kind == "text"
    assert tsv_doc.sha256 == hashlib.sha256(TSV_SEED.read_bytes()).hexdigest()
    assert "Q2 2017/18" in tsv_doc.title
    grids = [t for t in tsv_doc.tables if t.layout == "grid"]
    assert len(grids) == len(tsv_doc.tables) >= 2
    assert all(t.method == "text" and t.page is None for t in grids)


def test_tsv_seed_header_rows_start_tables(tsv_doc):
    risks, opportunities = tsv_doc.tables[0], tsv_doc.tables[1]
    header = [c.text for c in risks.rows[0]]
    assert len(header) == 10
    assert header[0].startswith("Risk Identification Number")
    assert header[-1] == "Direction of Travel"
    assert opportunities.rows[0][0].text.startswith("Opportunity Identification Number")
    # every source row kept: a header, 16 risks and 8 continuation rows; 4 opportunities
    assert risks.shape == (25, 10)
    assert opportunities.shape == (5, 10)
    assert risks.report["header_rows"] == [0]


def test_tsv_seed_continuation_rows_kept_with_empty_first_cell(tsv_doc):
    table = tsv_doc.tables[0]
    continuations = table.report["continuation_rows"]
    assert len(continuations) == 6
    for index in continuations:
        row = table.rows[index]
        assert row[0].text == ""
        assert any(c.text for c in row[1:])
    # the first continuation row carries the end of the sentence cut in the row above
    assert table.rows[continuations[0]][3].text.startswith("set a balanced")


def test_tsv_seed_html_stripped_items_on_lines(tsv_doc):
    texts = [c.text for t in tsv_doc.tables for r in t.rows for c in r]
    assert not any("<" in t and ">" in t for t in texts)
    # <p> paragraphs are separate lines; inline bullets start a line with "• "
    multi = [t for t in texts if "\n" in t]
    assert multi
    bulleted = [line for t in texts for line in t.split("\n") if line.startswith("• ")]
    assert bulleted
    assert not any(" • " in line for t in texts for line in t.split("\n"))


def test_tsv_legend_is_its_own_table(tsv_doc):
    legend = tsv_doc.tables[-1]
    assert legend.report["legend"] is True
    assert not tsv_doc.tables[0].report["legend"]


def test_ocr_seed_is_one_flow_table():
    doc = read_text(str(OCR_SEED))
    assert [t.layout for t in doc.tables] == ["flow"]
    assert doc.title.startswith("Corporate Risk & Opportunity Register Q3 2019/20")
    table = doc.tables[0]
    assert all(len(row) == 1 for row in table.rows)
    assert table.rows[0][0].text.startswith("Corporate Risk")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param("<p>One.</p> <p>Two.</p>", "One.\nTwo.", id="paragraphs"),
        pytest.param("<ul><li>a</li><li>b</li></ul>", "• a\n• b", id="list-items"),
        pytest.param('<ul style="x"> plain run</ul>', "plain run", id="list-without-items"),
        pytest.param("x • y • z", "x\n• y\n• z", id="inline-bullets"),
        pytest.param("A &amp; B<br>C", "A & B\nC", id="entity-and-break"),
        pytest.param("H&S checks", "H&S checks", id="ampersand-kept"),
        pytest.param("  many   spaces ", "many spaces", id="spaces"),
    ],
)
def test_html_to_text(cell, expected):
    assert html_to_text(cell) == expected


def test_header_row_needs_words_and_echo():
    first = ["Ref", "Risk", "Owner", "Score"]
    assert is_header_row(first, None)
    assert is_header_row(["Opp Ref", "Opportunity", "Opportunity Owner", "Score"], first)
    assert not is_header_row(["CR1", "Flooding of depots", "J Smith", "12"], first)
    assert not is_header_row(["R1", "x" * 80, "Owner", "Lead"], None)


def test_broken_row_rejoined_and_quoted_cells(tmp_path):
    path = tmp_path / "reg.txt"
    path.write_text(
        "Ref\tRisk\tControls\tOwner\n"
        "R1\tFlood\tSandbags\tJ Smith\n"
        'R2\tFire\t"alarms, ""tested"""\tA Jones\n'
        "R3\tIT failure\tBackups\n taken nightly\tB Brown\n",
        encoding="utf-8",
    )
    table = read_text(str(path)).tables[0]
    assert table.texts() == [
        ["Ref", "Risk", "Controls", "Owner"],
        ["R1", "Flood", "Sandbags", "J Smith"],
        ["R2", "Fire", 'alarms, "tested"', "A Jones"],
        ["R3", "IT failure", "Backups\ntaken nightly", "B Brown"],
    ]


def test_cp1252_text_decoded(tmp_path):
    path = tmp_path / "reg.txt"
    path.write_bytes("Ref\tRisk\tOwner\tScore\nR1\tCost \u2013 rise\tCFO\t12\n".encode("cp1252"))
    doc = read_text(str(path))
    assert doc.tables[0].rows[1][1].text == "Cost \u2013 rise"
    assert decode_text(b"caf\xe9") == "caf\xe9"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        pytest.param(b"", UnreadableInput, id="empty"),
        pytest.param(b"   \n\n", UnreadableInput, id="blank"),
        pytest.param(bytes(range(256)) * 4, UnreadableInput, id="binary"),
        pytest.param(b"Dear reader,\nthank you for your letter.\n", NoRegisterFound, id="prose"),
    ],
)
def test_unusable_text_raises_with_file_named(tmp_path, content, error):
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    with pytest.raises(error) as caught:
        read_text(str(path))
    assert str(path) in str(caught.value)


def test_missing_file_is_unreadable(tmp_path):
    with pytest.raises(UnreadableInput):
        read_text(str(tmp_path / "nope.txt"))
