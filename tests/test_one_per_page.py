"""One risk per page as a label/value form: labels down the first column, values beside them."""

from __future__ import annotations

from extract.types import Cell, RawTable
from normalise.fields import entry_to_record
from normalise.profiles import load_profile
from normalise.rows import form_readings, tables_to_entries

PROFILE = load_profile("default")


def _table(rows: list[list[str]], page: int) -> RawTable:
    return RawTable(rows=[[Cell(t, page=page) for t in row] for row in rows], page=page,
                    method="lattice")


def _records(tables: list[RawTable]):
    walk = tables_to_entries(tables, PROFILE)
    return [entry_to_record(e, PROFILE, position=i + 1) for i, e in enumerate(walk.entries)]


FA1 = [
    ["Risk Ref", "FA1"],
    ["Risk Title", "Loss of the control room"],
    ["Cause", "• Power failure\n• Flooding"],
    ["Consequence", "• Calls not answered"],
    ["Inherent Risk Score", "20\nCatastrophic/Likely"],
    ["Residual Impact", "4"],
    ["Residual Likelihood", "2"],
    ["Residual Risk Score", "8"],
    ["Risk Owner", "Chief Fire Officer"],
]


def test_one_form_per_page_is_one_record_each():
    fa2 = [["Risk Ref", "FA2"], ["Risk Title", "Fleet failure"], ["Cause", "• Ageing fleet"],
           ["Residual Risk Score", "6"], ["Risk Owner", "Head of Fleet"]]
    records = _records([_table(FA1, 1), _table(fa2, 2)])
    assert [r.ref for r in records] == ["FA1", "FA2"]
    first = records[0]
    assert first.title == "Loss of the control room"
    assert first.cause == "Power failure\nFlooding"
    assert first.consequences == "Calls not answered"
    assert (first.inherent_score, first.inherent_impact, first.inherent_likelihood) == (20, 5, 4)
    assert (first.residual_score, first.residual_impact, first.residual_likelihood) == (8, 4, 2)
    assert first.owner == "Chief Fire Officer"
    assert (first.page_start, first.page_end) == (1, 1)
    assert records[1].residual_score == 6


def test_a_page_without_a_reference_continues_the_form():
    page1 = _table(FA1[:4] + [["Controls", "• Standby generator"]], 1)
    page2 = _table([["", "• Backup site"], ["Actions", "• Test the backup site"],
                    ["Residual Risk Score", "8"], ["Date Reviewed", "09/05/2022"]], 2)
    (record,) = _records([page1, page2])
    assert record.ref == "FA1"
    assert record.controls == "Standby generator\nBackup site"
    assert record.actions == "Test the backup site"
    assert record.residual_score == 8
    assert record.extra["Date Reviewed"] == "09/05/2022"
    assert (record.page_start, record.page_end) == (1, 2)


def test_a_heading_across_the_form_is_not_a_value():
    rows = [["Risk 1 of 12", ""], *FA1]
    (record,) = _records([_table(rows, 1)])
    assert record.ref == "FA1" and record.title == "Loss of the control room"


def test_an_ordinary_register_table_is_not_a_form():
    rows = [["Ref", "Risk", "Cause", "Owner", "Score"],
            ["CR1", "Data breach", "• Phishing", "CFO", "12"],
            ["CR2", "Pandemic response", "• New variant", "CEO", "16"]]
    assert form_readings(_table(rows, 1), PROFILE, continuing=False) is None
    titles = [["Risk", "Cause", "Score"], ["Risk of flooding", "Storms", "9"],
              ["Data breach", "Phishing", "12"], ["Fraud", "Weak controls", "8"]]
    assert form_readings(_table(titles, 1), PROFILE, continuing=True) is None


def test_a_form_set_tight_without_rules_gives_one_row_per_label():
    """Labels on consecutive lines (no padding, no rules) each start a row; a label that goes
    on from the line above ("Existing Mitigations &" / "Control", "Risk treatment" / "plan")
    does not."""
    from extract.stream import read_stream
    from extract.text import text_page

    page = "\n".join([
        "Risk Reference           FA1",
        "Risk Title               Loss of the control room",
        "Potential Causes         • Power failure",
        "                         • Flooding",
        "Potential Impacts        • Calls not answered",
        "Existing Mitigations &   • Standby generator",
        "Control                  • Backup site",
        "Risk treatment           • Test the backup site",
        "plan",
        "Risk Owner               Chief Fire Officer",
    ])
    (table,) = read_stream(text_page(page, 1))
    assert [[c.text for c in row] for row in table.rows] == [
        ["Risk Reference", "FA1"],
        ["Risk Title", "Loss of the control room"],
        ["Potential Causes", "• Power failure\n• Flooding"],
        ["Potential Impacts", "• Calls not answered"],
        ["Existing Mitigations &\nControl", "• Standby generator\n• Backup site"],
        ["Risk treatment\nplan", "• Test the backup site"],
        ["Risk Owner", "Chief Fire Officer"],
    ]


def test_an_unruled_form_pdf_reads_every_entry(tmp_path):
    """one_per_page drawn without rules: rows set tight and the page's title and footer
    crossing its one gutter (before: no table found on the first page, no rows parted on the
    others; no entry read)."""
    import dataclasses

    from tests.registers.layouts import LAYOUTS
    from tests.registers.render import assert_read_exactly, render_layout

    layout = dataclasses.replace(LAYOUTS["one_per_page"], ruled="none")
    info = render_layout(layout, tmp_path / "one_per_page_unruled.pdf")
    assert_read_exactly(info, layout.organisation,
                        ("title", "category", "cause", "consequences", "controls", "actions",
                         "owner", "direction_text", "inherent_score", "residual_score",
                         "residual_impact", "residual_likelihood"))


def _page(rows: list[list[str]], page: int) -> RawTable:
    return RawTable(rows=[[Cell(t, page=page) for t in row] for row in rows], page=page,
                    method="stream")


def test_a_row_broken_by_the_page_under_a_header_read_differently_joins_its_entry():
    """Page 2's header is read with two columns merged (an unruled page whose gutter closed):
    a new header, yet its first row, with no reference, is the rest of CR2's row from page 1;
    it is joined to CR2, not made an entry of its own. A row without a reference under a
    header read differently on the same page (a footer caught by a card's table) is not."""
    from extract.types import ExtractedDocument
    from normalise import normalise_document

    header1 = ["Ref", "Risk Title", "Category", "Cause", "Residual Score", "Risk Owner"]
    header2 = ["Ref", "Risk Title", "Category Cause", "Residual Score", "Risk Owner"]
    page1 = _page([header1, ["CR1", "Fraud", "Finance", "• Weak checks", "12", "Head of Audit"],
                   ["CR2", "Loss of the data centre", "ICT", "• Flooding", "16", "Head of"]], 1)
    page2 = _page([header2, ["", "", "• Power failure", "", "ICT"],
                   ["CR3", "Supply chain failure", "Operational • Sole supplier", "9",
                    "Director"]], 2)
    doc = ExtractedDocument(path="register.pdf", sha256="0", kind="pdf", tables=[page1, page2])
    records = normalise_document(doc, "default").records
    assert [r.ref for r in records] == ["CR1", "CR2", "CR3"]
    cr2 = records[1]
    assert cr2.owner == "Head of ICT"  # its cells join CR2's columns of the same meaning
    assert "Power failure" in cr2.category  # read into the merged column's first meaning
    assert (cr2.page_start, cr2.page_end) == (1, 2)
    assert records[2].residual_score == 9

    # a cell with no column of its meaning on page 1: the row's record is joined to CR2's
    header3 = header2 + ["Further Actions"]
    page2 = _page([header3, ["", "", "• Power failure", "", "ICT", "• Install a UPS"],
                   ["CR3", "Supply chain failure", "Operational", "9", "Director", ""]], 2)
    doc = ExtractedDocument(path="register.pdf", sha256="0", kind="pdf", tables=[page1, page2])
    records = normalise_document(doc, "default").records
    assert [r.ref for r in records] == ["CR1", "CR2", "CR3"]
    assert records[1].actions == "Install a UPS"
    assert records[1].owner.split() == ["Head", "of", "ICT"]
    assert (records[1].page_start, records[1].page_end) == (1, 2)

    footer = _page([header2, ["", "Rushmere Council", "Page 1 of 2", "", ""]], 1)
    doc = ExtractedDocument(path="register.pdf", sha256="0", kind="pdf", tables=[page1, footer])
    records = normalise_document(doc, "default").records
    assert [r.ref for r in records][:2] == ["CR1", "CR2"]
    assert "Rushmere" not in (records[1].title or "")
