"""extract/ocr.py: scanned pages -> raw tables.

The round trip renders an invented ruled table with reportlab, rasterises it, tilts it and adds
noise, wraps the picture in an image-only PDF and reads it back through tesseract.
"""

from __future__ import annotations

import io
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from extract import ocr
from extract.ocr import (
    Segment,
    Word,
    build_grid,
    estimate_skew,
    fill_edges,
    find_bullets,
    ocr_available,
    ocr_page,
    page_needs_ocr,
    read_scanned_pdf,
    strip_rule_debris,
    words_to_lines,
)
from riskreg.errors import OcrUnavailable

FIXTURE = Path(__file__).parent / "fixtures" / "lancashire-2017q2"
needs_tesseract = pytest.mark.skipif(not ocr_available(), reason="tesseract is not installed")


def word_f1(truth: list[str], read: list[str]) -> float:
    t, r = Counter(truth), Counter(read)
    hit = sum((t & r).values())
    if hit == 0:
        return 0.0
    precision, recall = hit / sum(r.values()), hit / sum(t.values())
    return 2 * precision * recall / (precision + recall)


# ---------------------------------------------------------------------------------------------
# Small functions


@pytest.mark.parametrize(
    ("chars", "text", "area", "expected"),
    [
        pytest.param(0, "", 842 * 595, True, id="no-text-layer"),
        pytest.param(3, "12 ", 842 * 595, True, id="page-number-only"),
        pytest.param(
            900,
            "Failure to deliver the medium term financial strategy " * 16,
            842 * 595,
            False,
            id="born-digital",
        ),
        pytest.param(400, "~}|{ ;:' ,.. ~~ }{ " * 20, 842 * 595, True, id="symbol-garbage"),
        pytest.param(
            400,
            "xzq bcdf ghj klm npqr stv wxz qrt pls mnb vcx " * 8,
            842 * 595,
            True,
            id="consonant-garbage",
        ),
        pytest.param(600, "(cid:3)(cid:4)(cid:5)" * 30, 842 * 595, True, id="unmapped-glyphs"),
    ],
)
def test_page_needs_ocr(chars, text, area, expected):
    assert page_needs_ocr(chars, text, area) is expected


def _word(text, left, top, width=40, height=20, conf=90.0):
    return Word(text, left, top, width, height, conf)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        pytest.param(["|"], [], id="bar-token-dropped"),
        pytest.param(["|Owner"], ["Owner"], id="bar-stuck-at-left-edge"),
        pytest.param(["Owner|"], ["Owner|"], id="bar-away-from-right-edge-kept"),
        pytest.param(["a|b"], ["a|b"], id="bar-inside-word-kept"),
    ],
)
def test_strip_rule_debris(texts, expected):
    words = [_word(t, 102, 10) for t in texts]
    kept = strip_rule_debris(words, (100, 0, 400, 100), dpi=200)
    assert [w.text for w in kept] == expected


def test_words_to_lines_orders_top_to_bottom_left_to_right():
    words = [
        _word("second", 150, 52),
        _word("line", 200, 50),
        _word("one", 150, 12),
        _word("Line", 100, 10),
        _word("Two", 100, 51),
    ]
    lines = words_to_lines(words)
    assert [[w.text for w in line] for line in lines] == [
        ["Line", "one"],
        ["Two", "second", "line"],
    ]


def test_build_grid_merges_cells_where_a_rule_is_missing():
    # 3 columns x 2 rows; the first row's middle rule at x=100 is absent -> a 2-column header
    h = [Segment(0, 0, 300), Segment(50, 0, 300), Segment(100, 0, 300)]
    v = [Segment(0, 0, 100), Segment(100, 50, 100), Segment(200, 0, 100), Segment(300, 0, 100)]
    grid = build_grid(h, v, dpi=200)
    assert grid is not None
    spans = {(c.row, c.col): (c.rowspan, c.colspan) for c in grid.cells}
    assert spans == {(0, 0): (1, 2), (0, 2): (1, 1), (1, 0): (1, 1), (1, 1): (1, 1), (1, 2): (1, 1)}


def test_build_grid_closes_a_row_open_at_the_page_foot():
    # header rule, one row rule, then the column rules run on to y=400 with no rule below
    h = [Segment(0, 0, 300), Segment(50, 0, 300), Segment(200, 0, 300)]
    v = [Segment(x, 0, 400) for x in (0, 100, 200, 300)]
    grid = build_grid(h, v, dpi=200)
    assert grid is not None
    assert [round(y) for y in grid.rows] == [0, 50, 200, 400]
    assert len(grid.cells) == 9


def test_build_grid_keeps_rows_when_column_rules_stop_at_the_last_rule():
    h = [Segment(0, 0, 300), Segment(50, 0, 300), Segment(200, 0, 300)]
    v = [Segment(x, 0, 201) for x in (0, 100, 200, 300)]
    grid = build_grid(h, v, dpi=200)
    assert [round(y) for y in grid.rows] == [0, 50, 200]


def test_fill_edges_find_the_bottom_of_a_shaded_header_with_no_rule():
    rng = np.random.default_rng(1)
    grey = np.full((400, 600), 250, np.uint8)
    grey[40:110, 20:580] = 215  # the header's fill, no rule under it
    grey[70:80, 60:90] = 30  # a glyph in the header
    grey = np.clip(grey + rng.normal(0, 4, grey.shape), 0, 255).astype(np.uint8)
    edges = fill_edges(grey, (10, 30, 590, 390), dpi=200)
    assert sorted(round(e.at) for e in edges) == [40, 110]
    assert all(e.start <= 25 and e.end >= 575 for e in edges)
    assert fill_edges(np.full((400, 600), 250, np.uint8), (10, 30, 590, 390), dpi=200) == []


def test_find_bullets_takes_a_dot_starting_a_line_not_letters_or_full_stops():
    import cv2

    ink = np.zeros((200, 600), np.uint8)
    cv2.circle(ink, (40, 50), 7, 255, -1)  # a bullet, then its text
    cv2.putText(ink, "Item one", (70, 60), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 255, 2)
    cv2.putText(ink, "Done", (70, 140), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 255, 2)
    cv2.circle(ink, (160, 133), 6, 255, -1)  # a heavy full stop right after a word
    cv2.circle(ink, (40, 133), 7, 255, 2)  # an 'o': a ring, not a disc
    found = find_bullets(ink, dpi=300)
    assert len(found) == 1
    x, y, w, h = found[0]
    assert abs(x + w / 2 - 40) <= 2 and abs(y + h / 2 - 50) <= 2


def test_estimate_skew_finds_the_tilt_of_ruled_lines():
    import cv2

    ink = np.zeros((800, 1200), np.uint8)
    for y in range(100, 700, 60):
        cv2.line(ink, (100, y), (1100, y), 255, 2)
    m = cv2.getRotationMatrix2D((600, 400), 1.2, 1.0)
    tilted = cv2.warpAffine(ink, m, (1200, 800), flags=cv2.INTER_NEAREST)
    skew = estimate_skew(tilted)
    assert abs(abs(skew) - 1.2) <= 0.1
    levelled = ocr.rotate(tilted, -skew, fill=0)
    assert abs(estimate_skew(levelled)) <= 0.1


# ---------------------------------------------------------------------------------------------
# Round trip: an invented register, printed, scanned with a tilt and noise, read back

INVENTED_HEADER = ["Ref", "Hazard", "Lead Officer", "Inherent", "Residual"]
INVENTED_ROWS = [
    ["HR7", "Flooding of the northern depot during winter storms", "Head of Estates", "20", "12"],
    ["HR12", "Loss of payroll supplier contract", "Finance Director", "16", "8"],
    ["HR31", "Cyber attack on the booking portal", "Chief Digital Officer", "25", "15"],
    ["HR40", "Shortage of qualified bridge inspectors", "Highways Manager", "9", "6"],
]


def _table_pdf() -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    style = getSampleStyleSheet()["BodyText"]
    style.fontName, style.fontSize, style.leading = "Helvetica", 10, 12
    data = [INVENTED_HEADER] + [
        [r[0], Paragraph(r[1], style), r[2], r[3], r[4]] for r in INVENTED_ROWS
    ]
    table = Table(data, colWidths=[60, 250, 140, 80, 80])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.85, 0.85, 0.85)),
                ("FONTNAME", (0, 0), (-1, -1), "Helvetica"),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=landscape(A4)).build(
        [Paragraph("Invented Risk Register", style), table]
    )
    return buffer.getvalue()


def _scan(pdf_bytes: bytes, dpi: int, tilt: float, seed: int) -> np.ndarray:
    """The PDF's first page as a grey picture, tilted and speckled like a cheap scan."""
    import cv2
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_bytes)
    grey = pdf[0].render(scale=dpi / 72, grayscale=True).to_numpy().copy()
    pdf.close()
    if grey.ndim == 3:
        grey = grey[:, :, 0]
    h, w = grey.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), tilt, 1.0)
    grey = cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    rng = np.random.default_rng(seed)
    noisy = grey.astype(np.int16) + rng.normal(0, 12, grey.shape).astype(np.int16)
    speckles = rng.random(grey.shape) < 0.0004
    noisy[speckles] = 40
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _image_pdf(grey: np.ndarray, path: Path, dpi: int) -> None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    h, w = grey.shape
    width_pt, height_pt = w * 72 / dpi, h * 72 / dpi
    page = canvas.Canvas(str(path), pagesize=(width_pt, height_pt))
    page.drawImage(ImageReader(Image.fromarray(grey)), 0, 0, width_pt, height_pt)
    page.save()


@pytest.fixture(scope="module")
def invented_scan(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scan") / "invented-scan.pdf"
    _image_pdf(
        _scan(_table_pdf(), dpi=200, tilt=random.Random(4).choice([0.6, -0.8]), seed=7),
        path,
        dpi=200,
    )
    return path


@needs_tesseract
@pytest.mark.slow
def test_round_trip_invented_scan(invented_scan):
    document = read_scanned_pdf(str(invented_scan))
    assert document.kind == "pdf" and document.page_count == 1
    grids = [t for t in document.tables if t.layout == "grid"]
    assert len(grids) == 1, document.warnings
    table = grids[0]
    assert table.method == "ocr" and table.report["grid_found"]
    assert abs(abs(table.report["skew_degrees"]) - 0.7) <= 0.2
    assert table.shape == (len(INVENTED_ROWS) + 1, len(INVENTED_HEADER))
    texts = table.texts()

    expected = [INVENTED_HEADER] + INVENTED_ROWS
    truth_words = [w for row in expected for cell in row for w in cell.split()]
    read_words = [w for row in texts for cell in row for w in cell.split()]
    assert word_f1(truth_words, read_words) >= 0.9, texts
    for read_row, printed in zip(texts[1:], INVENTED_ROWS, strict=True):
        assert read_row[0] == printed[0]  # reference exact
        assert read_row[3:] == printed[3:]  # scores exact

    cell = table.rows[1][0]
    assert cell.page == 1 and 0.5 <= cell.confidence <= 1.0
    x0, top, x1, bottom = cell.bbox
    assert 0 <= x0 < x1 <= document.pages[0].width and 0 <= top < bottom <= document.pages[0].height
    assert "Invented Risk Register" in document.pages[0].text_head
    assert document.title == "Invented Risk Register"


@needs_tesseract
@pytest.mark.slow
def test_unruled_scan_becomes_flow_lines(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    lines = [
        "Corporate hazards summary",
        "HR7 Flooding of the depot 20",
        "HR12 Payroll supplier 16",
    ]
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("Helvetica", 12)
    for i, line in enumerate(lines):
        page.drawString(72, 760 - 24 * i, line)
    page.save()
    path = tmp_path / "unruled.pdf"
    _image_pdf(_scan(buffer.getvalue(), dpi=200, tilt=0.5, seed=3), path, dpi=200)

    tables, info = ocr_page(str(path), 1, dpi=200)
    assert [t.layout for t in tables] == ["flow"]
    assert [row[0].text for row in tables[0].rows] == lines
    assert tables[0].report["grid_found"] is False


# ---------------------------------------------------------------------------------------------
# The real scanned sample


@needs_tesseract
@pytest.mark.slow
def test_sample_scan_page_one():
    tables, info = ocr_page(str(FIXTURE / "scanned.pdf"), 1)
    grids = [t for t in tables if t.layout == "grid"]
    assert len(grids) == 1
    texts = grids[0].texts()
    assert grids[0].shape[1] == 10
    first = next(row for row in texts if row[0].strip().startswith("CR"))
    assert first[0] == "CR1"
    assert first[5] == "25" and first[7] == "16"
    assert info.text_head.strip() != ""


# ---------------------------------------------------------------------------------------------
# Without tesseract


def test_missing_tesseract_raises_ocr_unavailable(monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    assert ocr_available() is False
    sample = str(FIXTURE / "scanned.pdf")
    with pytest.raises(OcrUnavailable) as raised:
        ocr_page(sample, 1)
    assert raised.value.page == 1 and raised.value.path == sample
    assert "tesseract-ocr" in str(raised.value)
    with pytest.raises(OcrUnavailable):
        read_scanned_pdf(sample)
