"""extract.pdf: born-digital registers -> RawTables (lattice for ruled pages, stream for unruled)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extract.pdf import read_pdf
from riskreg.errors import ResourceLimit, UnreadableInput

FIXTURES = Path(__file__).parent / "fixtures" / "lancashire-2017q2"
RULED = FIXTURES / "ruled.pdf"
UNRULED = FIXTURES / "unruled.pdf"


@pytest.fixture(scope="module")
def ruled():
    return read_pdf(str(RULED))


@pytest.fixture(scope="module")
def unruled():
    return read_pdf(str(UNRULED))


def flat(text: str) -> str:
    return " ".join(text.split())


def header_text(table) -> str:
    return flat(" ".join(c.text for c in table.rows[0]))


# ---------------------------------------------------------------- the sample register


@pytest.mark.parametrize("name, method", [("ruled", "lattice"), ("unruled", "stream")])
def test_sample_pages_and_methods(request, name, method):
    doc = request.getfixturevalue(name)
    assert doc.kind == "pdf" and doc.page_count == 14 and len(doc.pages) == 14
    assert [p.method for p in doc.pages] == [method] * 14
    assert {t.method for t in doc.tables} == {method}
    assert re.fullmatch(r"[0-9a-f]{64}", doc.sha256)
    assert doc.title.startswith("Corporate Risk & Opportunity Register 2017/18 Q2")
    assert doc.pages[0].text_head.startswith("Corporate Risk & Opportunity Register")
    assert all(p.text_foot for p in doc.pages)
    assert {t.page for t in doc.tables} == set(range(1, 15))


@pytest.mark.parametrize("name", ["ruled", "unruled"])
def test_sample_first_table_header_and_first_entry(request, name):
    doc = request.getfixturevalue(name)
    first = doc.tables[0]
    assert first.page == 1 and first.shape[1] == 10
    header = header_text(first)
    for words in ["Risk Description", "Risk Type", "Possible Consequences", "Current Controls",
                  "Mitigating Actions", "Residual Score", "Risk Owner", "Direction of Travel"]:
        assert words in header
    cr1 = first.rows[1]
    assert cr1[0].text == "CR1"
    assert cr1[5].text == "25" and cr1[7].text == "16"  # risk score, residual score
    assert cr1[1].text.startswith("Failure to implement\nfully the councils")  # line structure kept
    assert all(c.page == 1 and c.bbox for c in cr1)
    assert cr1[1].lines_x1 is not None and len(cr1[1].lines_x1) == cr1[1].text.count("\n") + 1
    bounds = first.report["col_bounds"]
    assert len(bounds) == 10 and all(a < b for a, b in bounds)
    for key in ("accuracy", "whitespace", "rows", "cols", "grid"):
        assert key in first.report


@pytest.mark.parametrize("name", ["ruled", "unruled"])
def test_sample_every_page_starts_with_the_repeated_header(request, name):
    doc = request.getfixturevalue(name)
    register = [t for t in doc.tables if t.shape[1] == 10]
    for table in register:
        assert "Description" in header_text(table), table.page
        # body rows come after the header: no body row repeats the header's first cell
        assert all("Identifica" not in r[0].text for r in table.rows[1:] if "Opportun" not in r[0].text)


@pytest.mark.parametrize("name", ["ruled", "unruled"])
def test_sample_legend_is_its_own_table(request, name):
    doc = request.getfixturevalue(name)
    last_page = [t for t in doc.tables if t.page == 14]
    assert len(last_page) == 2
    legend = flat(" ".join(c.text for r in last_page[1].rows for c in r))
    for word in ["CATASTROPHIC", "MAJOR", "RARE", "CERTAIN", "25"]:
        assert word in legend
    assert "Key to Scores" not in flat(" ".join(c.text for r in last_page[0].rows for c in r))


def test_ruled_header_fill_colour(ruled):
    assert {c.fill for c in ruled.tables[0].rows[0]} == {"#d9d9d9"}
    assert ruled.tables[0].rows[1][0].fill is None


def test_ruled_and_unruled_read_the_same_first_entry(ruled, unruled):
    assert ruled.tables[0].texts()[1] == unruled.tables[0].texts()[1]


def test_pages_and_limit():
    doc = read_pdf(str(RULED), pages=[14])
    assert [p.number for p in doc.pages] == [14] and {t.page for t in doc.tables} == {14}
    with pytest.raises(ResourceLimit):
        read_pdf(str(RULED), max_pages=5)


# ---------------------------------------------------------------- unreadable inputs


def test_empty_file(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(UnreadableInput, match="empty file"):
        read_pdf(str(path))


def test_html_instead_of_pdf(tmp_path):
    path = tmp_path / "register.pdf"
    path.write_bytes(b"<html><body>Login</body></html>")
    with pytest.raises(UnreadableInput, match=r"not a PDF \(starts with '<html"):
        read_pdf(str(path))


def test_truncated_pdf(tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(RULED.read_bytes()[:3000])
    with pytest.raises(UnreadableInput, match="truncated or damaged"):
        read_pdf(str(path))


def test_encrypted_pdf(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, encrypt="sesame")
    c.drawString(72, 720, "Risk register")
    c.save()
    with pytest.raises(UnreadableInput, match="encrypted: pass --password"):
        read_pdf(str(path))
    assert read_pdf(str(path), password="sesame").page_count == 1


def test_page_without_text_needs_ocr(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.rect(50, 50, 400, 600, fill=1)
    c.save()
    doc = read_pdf(str(path))
    assert doc.pages[0].method == "needs_ocr" and doc.tables == []


# ---------------------------------------------------------------- round trips through reportlab

ENTRIES = [
    ("R01", "Loss of key staff in the finance team during the budget round",
     "• Succession plans\n• Cross training of officers in treasury work", "20", "12", "Director of Finance"),
    ("R02", "Cyber attack disrupts council services",
     "• Firewalls and patching\n• Staff phishing training\n• Offline backups tested quarterly", "16", "9",
     "Head of ICT"),
    ("R03", "Flooding of the depot", "Business continuity plan", "12", "8", "Head of Highways"),
    ("R04", "Failure to deliver the capital programme on time and within the approved budget",
     "Monthly programme board reviews progress against milestones and escalates slippage to "
     "cabinet members. " * 30, "15", "10", "Director of Growth"),
    ("R05", "Care market fragility", "• Provider forums\n• Market position statement", "25", "16",
     "Director of Adult Services"),
]
HEADER = ("Ref", "Risk Description", "Current Controls", "Risk Score", "Residual Score", "Risk Owner")
WIDTHS = (40, 170, 290, 50, 55, 120)


def _make_register(path: Path, ruled: bool) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    style = ParagraphStyle("cell", fontName="Helvetica", fontSize=8, leading=10)

    def para(text: str) -> Paragraph:
        return Paragraph(text.replace("\n", "<br/>"), style)

    data = [[para(h) for h in HEADER]] + [[para(v) for v in entry] for entry in ENTRIES]
    table = Table(data, colWidths=WIDTHS, repeatRows=1, splitInRow=1)
    commands = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (3, 1), (3, 1), colors.red)]
    if ruled:
        commands.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
        # reportlab leaves out the rule under a repeated header above a split row; real registers draw it
        commands.append(("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black))
    table.setStyle(TableStyle(commands))
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), topMargin=40, bottomMargin=40)
    doc.build([Paragraph("Strategic Risk Register Q3 2021/22", style), table])


def _entries_read_back(doc) -> dict[str, list[str]]:
    """Rows of all pages keyed by reference, continuation rows (empty first cell) appended."""
    entries: dict[str, list[str]] = {}
    last = None
    for table in doc.tables:
        for row in table.rows[1:]:
            texts = [c.text for c in row]
            if [flat(t) for t in texts] == list(HEADER):
                continue  # reportlab repeats the header above a split row even mid-page
            if texts[0]:
                last = texts[0]
                entries[last] = texts
            elif last:
                entries[last] = [f"{a}\n{b}".strip("\n") for a, b in zip(entries[last], texts, strict=False)]
    return entries


@pytest.mark.parametrize("ruled_table, method", [(True, "lattice"), (False, "stream")])
def test_round_trip_reportlab_register(tmp_path, ruled_table, method):
    path = tmp_path / "register.pdf"
    _make_register(path, ruled_table)
    doc = read_pdf(str(path))
    assert doc.page_count >= 2  # R04's long controls break across the page
    assert {p.method for p in doc.pages} == {method}
    for table in doc.tables:
        assert [flat(c.text) for c in table.rows[0]] == list(HEADER)  # header repeated per page
    read = _entries_read_back(doc)
    assert list(read) == [e[0] for e in ENTRIES]
    for entry in ENTRIES:
        got = read[entry[0]]
        assert [flat(t) for t in got] == [flat(t) for t in entry], entry[0]
    # line structure survives: bullets stay at the start of their own line
    assert read["R02"][2].split("\n")[:3] == ["• Firewalls and patching", "• Staff phishing training",
                                            "• Offline backups tested quarterly"]
    if ruled_table:
        r01 = next(r for t in doc.tables for r in t.rows if r[0].text == "R01")
        assert r01[3].fill == "#ff0000"


def test_landscape_register_on_rotated_portrait_page(tmp_path):
    """A landscape table drawn sideways on a portrait page with /Rotate 90 reads upright."""
    import pypdfium2 as pdfium
    from reportlab.pdfgen import canvas

    drawn, rotated = tmp_path / "drawn.pdf", tmp_path / "rotated.pdf"
    c = canvas.Canvas(str(drawn), pagesize=(595, 842))
    c.translate(595, 0)
    c.rotate(90)  # landscape drawing space, 842 wide
    for x in (50, 200, 400):
        c.line(x, 400, x, 500)
    for y in (400, 450, 500):
        c.line(50, y, 400, y)
    for x, y, text in [(60, 480, "Ref"), (210, 480, "Risk title"), (60, 430, "CR1"), (210, 430, "Flooding")]:
        c.drawString(x, y, text)
    c.save()
    document = pdfium.PdfDocument(str(drawn))
    document[0].set_rotation(90)
    document.save(str(rotated))
    doc = read_pdf(str(rotated))
    assert (doc.pages[0].width, doc.pages[0].height) == (842.0, 595.0)
    assert doc.tables[0].texts() == [["Ref", "Risk title"], ["CR1", "Flooding"]]


def test_vertical_header_text_reads_upwards(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "vertical.pdf"
    c = canvas.Canvas(str(path))
    for x in (90, 200, 240):
        c.line(x, 600, x, 720)
    for y in (600, 660, 720):
        c.line(90, y, 240, y)
    c.drawString(100, 700, "Ref")
    c.saveState()
    c.translate(215, 665)
    c.rotate(90)  # reads bottom to top
    c.drawString(0, 0, "Likelihood")
    c.drawString(0, -10, "(1-5)")
    c.restoreState()
    c.drawString(100, 630, "CR1")
    c.drawString(215, 630, "4")
    c.save()
    table = read_pdf(str(path)).tables[0]
    assert table.texts() == [["Ref", "Likelihood\n(1-5)"], ["CR1", "4"]]


# ---------------------------------------------------------------- unruled tables: regressions


def test_unruled_new_header_block_starts_a_new_table(unruled):
    """Page 12: the opportunities table's own header under the risks table's last row starts a
    second table (as the ruled file's two grids), not a row inside the first."""
    page = [t for t in unruled.tables if t.page == 12]
    assert len(page) == 2
    assert "Risk Description" in header_text(page[0])
    assert all("Opportun" not in c.text for r in page[0].rows for c in r)
    assert "Opportunity Description" in header_text(page[1])
    assert page[1].rows[1][0].text == "CO1"


def test_unruled_tight_columns_keep_their_narrow_gutters(tmp_path):
    """Columns a few points apart (small cell padding, words broken to the column width) are
    still columns: every row has its category, consequences and score in their own cells, and
    the header's bottom-aligned cells make one header row."""
    from tests.registers.render import render_layout

    info = render_layout("word_unruled", tmp_path / "word_unruled.pdf")
    doc = read_pdf(str(info.path))
    register = [t for t in doc.tables if t.method == "stream"]
    assert register and all(t.shape[1] == 10 for t in register)
    first = register[0]
    assert flat(first.rows[0][0].text) == "Risk Identific ation Number (RIN)"
    assert flat(first.rows[0][1].text) == "Risk Description"
    body = [r for t in register for r in t.rows[1:] if re.fullmatch(r"C[RO]\d+", r[0].text)]
    assert len(body) >= 5
    for row in body:
        assert row[2].text and row[3].text.startswith("•"), row[0].text
        assert re.match(r"\d+\n", row[5].text), (row[0].text, row[5].text)
        assert re.fullmatch(r"\d+", row[7].text), (row[0].text, row[7].text)


def _heading_then_next_header_register(path: Path) -> None:
    """Two pages of an unruled risks table; on the second, under its last row, the heading of an
    opportunities table whose columns sit a little to the left of the risks table's, and whose
    header cells are aligned to the bottom: its first column's header wraps over three lines,
    the others sit on the last one (as word_unruled draws it with other entries)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    width, height = landscape(A4)
    risk_cols, opportunity_cols = (40, 100, 330, 560, 620), (40, 70, 300, 530, 590)
    c = canvas.Canvas(str(path), pagesize=(width, height))

    def row(y: float, cols, cells) -> float:  # cells top-aligned; the y under the row
        for x, lines in zip(cols, cells, strict=True):
            for k, line in enumerate(lines):
                c.drawString(x, height - y - 10 * k, line)
        return y + 10 * max(len(lines) for lines in cells) + 8

    header = [["Ref"], ["Risk description"], ["Current controls"], ["Score"], ["Owner"]]

    def risk(n: int) -> list[list[str]]:
        return [[f"R{n}"], ["Failure of a key supplier", "to deliver the service"],
                ["Contract monitoring meetings", "held every month with", "the supplier"], [str(8 + n)],
                ["Head of", "Procurement"]]

    c.setFont("Helvetica", 8)
    c.drawString(40, height - 30, "Strategic Risk Register")
    y = row(60, risk_cols, header)
    for n in range(1, 6):
        y = row(y, risk_cols, risk(n))
    c.showPage()
    c.setFont("Helvetica", 8)
    y = row(40, risk_cols, header)
    for n in (6, 7):
        y = row(y, risk_cols, risk(n))
    c.drawString(40, height - y - 14, "Corporate Opportunities")
    y = row(y + 34, opportunity_cols, [["Opp.", "Ref.", "No."], ["", "", "Opportunity description"],
                                       ["", "", "Progress to date"], ["", "", "Score"], ["", "", "Lead officer"]])
    for n in (1, 2, 3):
        y = row(y, opportunity_cols, [[f"O{n}"], ["Shared service with a", "neighbouring council"],
                                      ["Business case approved", "by cabinet in the", "spring"], [str(n + 3)],
                                      ["Chief", "Executive"]])
    c.showPage()
    c.save()


def test_unruled_next_tables_heading_and_header_start_are_not_rows(tmp_path):
    """The risks table's lines run on over the next table's heading and the first lines of its
    header (they fit the risks table's columns; the header's last line does not): a heading with
    only header lines under it at the end of a table belongs to the next table, not to the last
    risk. (stream.split_header_blocks, the end-of-block case.)"""
    path = tmp_path / "heading_then_header.pdf"
    _heading_then_next_header_register(path)
    doc = read_pdf(str(path))
    assert [p.method for p in doc.pages] == ["stream", "stream"]
    risks = [t for t in doc.tables if flat(t.rows[0][0].text) == "Ref"]
    assert [t.page for t in risks] == [1, 2]
    assert [flat(r[0].text) for r in risks[1].rows] == ["Ref", "R6", "R7"]
    assert not any("Opp" in c.text for t in risks for r in t.rows for c in r)
    opportunities = [t for t in doc.tables if t not in risks]
    assert [[flat(c.text) for c in r] for t in opportunities for r in t.rows[1:]] == [
        [f"O{n}", "Shared service with a neighbouring council", "Business case approved by cabinet in the spring",
         str(n + 3), "Chief Executive"] for n in (1, 2, 3)]


def test_unruled_one_row_table_under_a_tall_header(tmp_path):
    """word_unruled, seed 4, 8 risks: page 4 ends with the opportunities table's header and one
    row, CO2, whose progress cell is a single bullet. The header lines are columns of the table
    (not a title crossing them), and the gap after the lone bullet is no gutter: one table of
    ten columns, header and CO2."""
    import dataclasses

    from tests.registers.layouts import LAYOUTS
    from tests.registers.render import render_layout

    layout = dataclasses.replace(LAYOUTS["word_unruled"], seed=4, n_entries=8)
    info = render_layout(layout, tmp_path / "word_unruled-4-8.pdf")
    doc = read_pdf(str(info.path))
    page = [t for t in doc.tables if t.page == 4 and "Opportunity Description" in header_text(t)]
    assert len(page) == 1
    table = page[0]
    assert table.shape == (2, 10)
    assert [flat(c.text) for c in table.rows[0][:2]] == ["Number (ORN)", "Opportunity Description"]
    assert flat(table.rows[0][4].text) == "Progress to date"
    assert table.rows[1][0].text == "CO2"
    assert table.rows[1][4].text.startswith("• Firewall")


def test_line_end_hyphen_reads_as_hyphen(tmp_path):
    """pdfium reports a hyphen that ends a text line as '\\x02'; extraction gives '-'."""
    from reportlab.pdfgen import canvas

    path = tmp_path / "hyphen.pdf"
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "Risk register of the multi-")
    c.drawString(72, 706, "agency partnership")
    c.save()
    import pypdfium2 as pdfium

    from extract.pages import page_lines, read_page

    page = read_page(pdfium.PdfDocument(str(path)), 0)
    assert "\x02" not in "".join(page.glyphs.text)
    assert [line.text for line in page_lines(page)] == ["Risk register of the multi-", "agency partnership"]


# ---------------------------------------------------------------- ruled tables: regressions


def test_ruled_header_fill_edge_splits_a_row_continued_without_a_rule(tmp_path):
    """reportlab (like Word) draws no rule under a header repeated above a row continued from
    the previous page, and when that row breaks before any of its text the next page holds the
    whole row under the header. The change from the shaded header band to the white body is a
    row boundary: the header stays the header, the row is a row; the empty part of the row at
    the foot of the earlier page is no row at all."""
    from tests.registers.bench_corpus import many_entries
    from tests.registers.layouts import LAYOUTS
    from tests.registers.render import render_register

    info = render_register(many_entries(30, seed=30), LAYOUTS["word_ruled"], tmp_path / "r.pdf")
    doc = read_pdf(str(info.path))
    register = [t for t in doc.tables if t.shape[1] == 10 and "Risk Description" in header_text(t)]
    assert len(register) >= 10
    for table in register:
        assert flat(table.rows[0][0].text) == "Risk Identific ation Number (RIN)", table.page
        assert flat(table.rows[0][1].text) == "Risk Description", table.page
        assert {c.fill for c in table.rows[0]} == {"#d9d9d9"}, table.page
        assert all(any(c.text for c in row) for row in table.rows), table.page
    refs = [r[0].text for t in register for r in t.rows[1:] if r[0].text]
    assert refs == [f"CR{n}" for n in range(1, 31)]
    # the row that broke before any text: dropped on its first page, read whole on the next
    assert any(t.report["empty_last_row"] for t in register)


def _ruled_page(path: Path, draw) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    for x in (90, 200, 400):
        c.line(x, 480, x, 720)
    for y in (480, 560, 640, 720):
        c.line(90, y, 400, y)
    draw(c)
    c.save()


def test_ruled_blank_row_is_dropped(tmp_path):
    path = tmp_path / "blank.pdf"

    def draw(c):
        c.drawString(100, 700, "Ref")
        c.drawString(210, 700, "Risk title")
        c.drawString(100, 540, "CR1")
        c.drawString(210, 540, "Flooding")

    _ruled_page(path, draw)
    table = read_pdf(str(path)).tables[0]
    assert table.texts() == [["Ref", "Risk title"], ["CR1", "Flooding"]]
    assert table.report["empty_rows_dropped"] == 1 and not table.report["empty_last_row"]
    assert len(table.report["row_bounds"]) == 2


def test_ruled_highlight_inside_a_cell_is_no_row_boundary(tmp_path):
    """A coloured box behind some lines of one cell, or across one column, splits nothing; a
    band shaded across the table's width with no rule under it does."""
    path = tmp_path / "highlight.pdf"

    def draw(c):
        c.setFillColorRGB(1, 1, 0)
        c.rect(205, 590, 150, 25, stroke=0, fill=1)  # highlight behind two lines of one cell
        c.setFillColorRGB(0.85, 0.85, 0.85)
        c.rect(90, 500, 310, 20, stroke=0, fill=1)  # band across the table, no rule under it
        c.setFillColorRGB(0, 0, 0)
        c.drawString(100, 700, "Ref")
        c.drawString(210, 700, "Risk title")
        c.drawString(100, 620, "CR1")
        for k, text in enumerate(["Flooding of", "the depot", "and the yard"]):
            c.drawString(210, 620 - 12 * k, text)
        c.drawString(100, 540, "CR2")
        c.drawString(210, 540, "Fraud")
        c.drawString(100, 508, "Total")
        c.drawString(100, 488, "CR3")

    _ruled_page(path, draw)
    table = read_pdf(str(path)).tables[0]
    assert table.texts() == [["Ref", "Risk title"], ["CR1", "Flooding of\nthe depot\nand the yard"],
                             ["CR2", "Fraud"], ["Total", ""], ["CR3", ""]]


# ---------------------------------------------------------------- tables ruled only horizontally


def _horizontal_register(path: Path, every_row: bool) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    style = ParagraphStyle("cell", fontName="Helvetica", fontSize=8, leading=10)
    centred = ParagraphStyle("centred", parent=style, alignment=1)

    def para(text: str, st=style) -> Paragraph:
        return Paragraph(text, st)

    data = [[para("Ref"), para("Risk Title"), para("Residual", centred), "", "", para("Owner")],
            ["", "", para("Likelihood"), para("Impact"), para("Score"), ""]]
    for ref, title, lk, im, owner in ENTRIES_H:
        data.append([para(ref), para(title), para(lk), para(im), para(str(int(lk) * int(im))), para(owner)])
    commands = [("SPAN", (2, 0), (4, 0)), ("SPAN", (0, 0), (0, 1)), ("SPAN", (1, 0), (1, 1)),
                ("SPAN", (5, 0), (5, 1)), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, colors.black),
                ("LINEBELOW", (2, 0), (4, 0), 0.5, colors.black),
                ("LINEBELOW", (0, 1), (-1, 1), 0.5, colors.black),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.black)]
    if every_row:
        commands.append(("LINEBELOW", (0, 2), (-1, -1), 0.5, colors.black))
    table = Table(data, colWidths=(40, 220, 55, 45, 40, 120))
    table.setStyle(TableStyle(commands))
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4))
    doc.build([Paragraph("Strategic Risk Register Q3 2021/22", style), table])


ENTRIES_H = [("R1", "Loss of key staff in the finance team during the budget round", "4", "3", "Director of Finance"),
             ("R2", "Cyber attack disrupts council services and the contact centre for several days",
              "3", "5", "Head of ICT"),
             ("R3", "Flooding of the depot and the loss of the gritting fleet during the winter months",
              "2", "4", "Head of Highways")]


def test_horizontal_rules_only_rows_between_rules_group_row_kept(tmp_path):
    """Rules across the table but none down it: rows are the bands between the rules and the
    group label over three sub-columns stays in the header, in the first column it spans."""
    path = tmp_path / "horizontal.pdf"
    _horizontal_register(path, every_row=True)
    doc = read_pdf(str(path))
    assert [p.method for p in doc.pages] == ["stream"]
    (table,) = doc.tables
    assert table.report["grid"].startswith("horizontal rules")
    texts = [[flat(t) for t in row] for row in table.texts()]
    assert texts[0] == ["Ref", "Risk Title", "Residual", "", "", "Owner"]
    assert texts[1] == ["", "", "Likelihood", "Impact", "Score", ""]
    assert texts[2:] == [[ref, title, lk, im, str(int(lk) * int(im)), owner]
                         for ref, title, lk, im, owner in ENTRIES_H]
    assert (0, 2, 1, 3) in table.report["spans"]  # 'Residual' over its three sub-columns


def test_rules_round_the_header_only_read_as_unruled(tmp_path):
    """Rules over and under the header and under the table, none between the rows: the rows
    come from where the cells start, not from the one band between the rules."""
    path = tmp_path / "booktabs.pdf"
    _horizontal_register(path, every_row=False)
    (table,) = read_pdf(str(path)).tables
    assert not table.report["grid"].startswith("horizontal rules")
    refs = [flat(row[0].text) for row in table.rows]
    assert [r for r in refs if r.startswith("R") and r != "Ref"] == ["R1", "R2", "R3"]


# ---------------------------------------------------------------- speed: no repeated work per cell


def test_stream_cells_reuse_the_page_lines(monkeypatch):
    """Unruled cells take the words of the page's lines (built once per page) rather than
    building lines from their characters again, cell by cell; the text read is the same."""
    import extract.lattice as lattice

    calls = []
    real = lattice.build_lines

    def counting(glyphs, index):
        calls.append(len(index))
        return real(glyphs, index)

    monkeypatch.setattr(lattice, "build_lines", counting)
    doc = read_pdf(str(UNRULED))
    cells = sum(len(r) for t in doc.tables for r in t.rows)
    assert len(calls) < 0.05 * cells  # only cells whose line the page's lines split
    monkeypatch.setattr(lattice, "_cells_from_lines", lambda *a: [None] * a[-1])  # per cell, from chars
    by_chars = read_pdf(str(UNRULED))
    assert [t.texts() for t in doc.tables] == [t.texts() for t in by_chars.tables]
