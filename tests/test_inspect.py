"""riskreg inspect: page pictures with the grid and each record's cells, and the HTML report."""

import base64
import html
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from extract import read_document
from extract.types import Cell
from normalise.headers import ColumnMap, HeaderMap
from normalise.record import Record
from normalise.rows import Entry
from riskreg.cli import main
from riskreg.inspect import (
    FIELD_COLOURS,
    GRID_COLOUR,
    UNMAPPED_COLOUR,
    Mark,
    draw_marks,
    entry_marks,
    inspect_document,
    page_groups,
    report_html,
    run_inspect,
)

RULED = Path(__file__).parent / "fixtures" / "lancashire-2017q2" / "ruled.pdf"
PAGE_POINTS = (841.89, 595.3)  # the ruled sample's landscape A4 page


def rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def pixels_of(image: Image.Image, colour: str, tolerance: int = 0) -> int:
    """How many pixels are the colour (each channel within tolerance)."""
    target = rgb(colour)
    return sum(n for n, px in image.convert("RGB").getcolors(1 << 24)
               if all(abs(a - b) <= tolerance for a, b in zip(px, target, strict=True)))


@pytest.fixture(scope="module")
def ruled_doc():
    return read_document(str(RULED))


@pytest.fixture(scope="module")
def ruled_inspection(ruled_doc):
    return inspect_document(ruled_doc)


@pytest.fixture(scope="module")
def page_one(tmp_path_factory):
    out = tmp_path_factory.mktemp("inspect")
    code = run_inspect(str(RULED), out=str(out), page=1)
    return code, out


def test_page_png_has_the_page_shape_and_the_field_colours(page_one):
    code, out = page_one
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["page-001.png", "report.html"]
    image = Image.open(out / "page-001.png")
    image.load()
    assert image.format == "PNG"
    width, height = image.size
    assert width > 1000  # ~100-120 dpi of an 842-point page
    assert width / height == pytest.approx(PAGE_POINTS[0] / PAGE_POINTS[1], rel=0.01)
    for field in ("ref", "title", "category", "controls", "inherent_score", "residual_score",
                  "owner", "direction_text"):
        assert pixels_of(image, FIELD_COLOURS[field]) > 50, field
    assert pixels_of(image, GRID_COLOUR) > 500  # the detected grid
    assert pixels_of(image, UNMAPPED_COLOUR) == 0  # every column of page 1 maps to a field


def test_title_outlines_sit_on_the_title_column(page_one):
    """The title colour is drawn where the title cells are (x 73.7-158.7 pt), nowhere else."""
    _, out = page_one
    image = Image.open(out / "page-001.png").convert("RGB")
    scale = image.size[0] / PAGE_POINTS[0]
    target = rgb(FIELD_COLOURS["title"])
    xs = [x for x in range(0, image.size[0], 2) for y in range(0, image.size[1], 8)
          if image.getpixel((x, y)) == target]
    assert xs
    assert min(xs) >= 70 * scale and max(xs) <= 162 * scale + 120  # the label may run right


def test_html_report_lists_the_records_of_the_page_and_the_header_mapping(page_one, ruled_inspection):
    _, out = page_one
    text = (out / "report.html").read_text()
    assert text.startswith("<!doctype html>")
    on_page = [r for r in ruled_inspection.records if r.page_start <= 1 <= r.page_end]
    assert [r.ref for r in on_page] == ["CR1", "CR2"]
    for rec in on_page:
        assert f"<td class=ref>{rec.ref}</td>" in text
        assert html.escape(rec.title) in text
    assert "CR4" not in re.sub(r"base64,[^)]+", "", text)  # not on page 1
    # the header mapping: which printed header went to which field
    assert "<td>Risk Description</td><td>title</td>" in text
    assert "<td>Residual Score</td><td>residual_score</td>" in text
    assert "<td>Risk Score</td><td>inherent_score</td>" in text
    # self-contained: the page image is embedded, nothing is fetched
    embedded = re.search(r"\.pg-1\{background-image:url\(data:image/png;base64,([^)]+)\)", text)
    assert embedded and base64.b64decode(embedded.group(1)) == (out / "page-001.png").read_bytes()
    assert "src='http" not in text and 'src="http' not in text


def test_full_report_lists_every_record_with_method_and_confidence(ruled_inspection):
    records = ruled_inspection.records
    assert len(records) == 22
    text = report_html(ruled_inspection, {}, None)
    for rec in records:
        assert f"<tr id='{rec.kind}-{rec.ref}'><td class=ref>{rec.ref}</td>" in text
        assert html.escape(rec.title) in text
    assert len(re.findall(r"<td>lattice</td><td>[01]\.\d\d</td>", text)) == 22  # method, confidence


def test_marks_cover_every_record_and_the_legend(ruled_inspection):
    marks = ruled_inspection.marks
    keyed = {m.record for m in marks if m.kind == "field"}
    assert keyed == {f"{r.kind} {r.ref}" for r in ruled_inspection.records}
    titles = [m for m in marks if m.kind == "field" and m.label.startswith("title")]
    assert {m.record for m in titles} == keyed  # every record's title cell is outlined
    legends = [m for m in marks if m.kind == "legend"]
    assert [(m.page, m.label) for m in legends] == [(14, "legend")]
    # a cell carried over to the next page names the entry it belongs to
    carried = [m for m in marks if m.page == 2 and m.label == "consequences (CR2)"]
    assert carried


def test_page_fourteen_marks_the_legend_in_dashed_red(tmp_path):
    result = CliRunner().invoke(main, ["inspect", str(RULED), "--page", "14", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    image = Image.open(tmp_path / "page-014.png")
    red = pixels_of(image, UNMAPPED_COLOUR)
    assert red > 200
    text = (tmp_path / "report.html").read_text()
    assert "CO5" in text  # the opportunity on page 14


def test_text_input_writes_html_only(tmp_path):
    source = tmp_path / "register.txt"
    source.write_text("Corporate Risk Register Q1 2023/24\n\n"
                      "Ref\tRisk Description\tResidual Score\tRisk Owner\n"
                      "CR1\tFleet replacement delayed\t12\tChief Fire Officer\n"
                      "CR2\tCyber attack on the control room\t9\tDirector of IT\n")
    out = tmp_path / "inspect"
    assert run_inspect(str(source), out=str(out)) == 0
    assert [p.name for p in out.iterdir()] == ["report.html"]
    text = (out / "report.html").read_text()
    assert "Fleet replacement delayed" in text and "Cyber attack on the control room" in text
    assert "<td>text</td>" in text
    assert "base64" not in text


def test_bad_page_and_missing_file_fail_with_one_line(tmp_path, capsys):
    assert run_inspect(str(RULED), out=str(tmp_path / "a"), page=99) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no page 99" in err[0] and "14 pages" in err[0]
    assert run_inspect(str(tmp_path / "nope.pdf"), out=str(tmp_path / "b")) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope.pdf" in err[0] and "no such file" in err[0]
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


# --------------------------------------------------------------------------- small functions


def _entry() -> Entry:
    header = HeaderMap(columns=(ColumnMap(0, "Ref", "ref"), ColumnMap(1, "Risk", "title"),
                                ColumnMap(2, "Risk Score", "score", stage="residual", part="score"),
                                ColumnMap(3, "Lead Member", None)),
                       header_rows=1, kind="risk", confidence=1.0)
    cells = [[Cell("CR1", 1, (10, 20, 40, 60))], [Cell("Fire", 1, (40, 20, 120, 60)),
                                                  Cell("more", 2, (40, 10, 120, 30))],
             [Cell("12", 1, (120, 20, 150, 60))], [Cell("Cllr A", 1, (150, 20, 200, 60))]]
    return Entry(header=header, columns=cells, method="lattice")


def test_entry_marks_label_fields_extras_and_carried_cells():
    marks = entry_marks(_entry(), "risk CR1")
    assert [(m.page, m.kind, m.label, m.colour) for m in marks] == [
        (1, "field", "ref CR1", FIELD_COLOURS["ref"]),
        (1, "field", "title", FIELD_COLOURS["title"]),
        (2, "field", "title (CR1)", FIELD_COLOURS["title"]),
        (1, "field", "residual_score", FIELD_COLOURS["residual_score"]),
        (1, "extra", "extra: Lead Member", UNMAPPED_COLOUR),
    ]
    assert {m.record for m in marks} == {"risk CR1"}


def test_draw_marks_outlines_fields_solid_and_unmapped_dashed():
    page = Image.new("RGB", (400, 200), "white")
    field = Mark(1, (10, 40, 90, 90), "field", "title", FIELD_COLOURS["title"])
    dashed = Mark(1, (100, 40, 180, 90), "extra", "extra: Notes", UNMAPPED_COLOUR)
    drawn = draw_marks(page, [field, dashed], scale=2.0)
    assert drawn.size == page.size
    solid_edge = [drawn.getpixel((x, 177)) for x in range(24, 176)]  # bottom edge of the field box
    assert solid_edge.count(rgb(FIELD_COLOURS["title"])) == len(solid_edge)
    dashed_edge = [drawn.getpixel((x, 178)) for x in range(210, 350)]  # bottom edge of extra
    red = dashed_edge.count(rgb(UNMAPPED_COLOUR))
    assert 0.4 * len(dashed_edge) < red < 0.8 * len(dashed_edge)  # dashes and gaps


@pytest.mark.parametrize("records, imaged, expected", [
    pytest.param([Record("risk", "A", page_start=1, page_end=2), Record("risk", "B", page_start=2, page_end=2)],
                 [1, 2, 3], [([1, 2], ["A"]), ([2], ["B"]), ([3], [])], id="spanning-and-empty-page"),
    pytest.param([Record("risk", "A", page_start=5, page_end=6)], [6],
                 [([6], ["A"])], id="only-one-page-imaged"),
    pytest.param([Record("risk", "1"), Record("risk", "2")], [],
                 [([], ["1", "2"])], id="text-input"),
])
def test_page_groups(records, imaged, expected, ruled_doc):
    groups = page_groups(records, imaged, ruled_doc)
    assert [(pages, [r.ref for r in recs]) for pages, recs in groups] == expected
