"""Bullet glyphs OCR reads as characters ("*", "+", "«", "¢", "e", "©", "o") in scanned cells."""

from __future__ import annotations

import pytest

from extract.types import Cell
from normalise.cells import clean_cell, clean_inline
from normalise.fields import entry_to_record, read_by_ocr
from normalise.headers import ColumnMap, HeaderMap
from normalise.profiles import load_profile
from normalise.rows import Entry


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("« Budget monitoring\n« Audit plan", "Budget monitoring\nAudit plan",
                     id="guillemet"),
        pytest.param("e budget monitoring\ne audit plan", "budget monitoring\naudit plan",
                     id="e-before-lower-case"),
        pytest.param("¢ Budget\n+ Audit\n* Training", "Budget\nAudit\nTraining", id="mixed"),
        pytest.param("o Reserves policy agreed\nby full Council\n© Workforce plan",
                     "Reserves policy agreed by full Council\nWorkforce plan", id="o-and-copyright"),
        pytest.param("Reserves policy agreed\nby Council", "Reserves policy agreed by Council",
                     id="no-bullets-wraps-join"),
    ],
)
def test_ocr_bullets(text, expected):
    assert clean_cell(text, ocr=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Impact on the service and\ne budget plans", "Impact on the service and\ne "
                     "budget plans", id="e-stays-text"),
        pytest.param("Training for staff who\no versee the plan", "Training for staff who o versee "
                     "the plan", id="o-stays-text"),
    ],
)
def test_born_digital_keeps_o_and_e_as_text(text, expected):
    assert clean_cell(text).replace("\n", " ") == expected.replace("\n", " ")


def test_ocr_title_bullet_dropped():
    assert clean_inline("« Data breach", ocr=True) == "Data breach"
    assert clean_inline("o Data breach") == "o Data breach"


def _entry(method: str, confidence: float | None, header: str = "Controls",
           field: str = "controls", text: str = "e budget\ne audit") -> Entry:
    """An entry of CR1 with one more column, read by `method` (cells with OCR confidences)."""
    columns = (ColumnMap(0, "Ref", "ref"), ColumnMap(1, header, field))
    return Entry(header=HeaderMap(columns=columns, header_rows=1, kind="risk", confidence=1.0),
                 columns=[[Cell("CR1", 1, confidence=confidence)],
                          [Cell(text, 1, confidence=confidence)]],
                 method=method)


@pytest.mark.parametrize(
    ("method", "confidence", "ocr"),
    [
        pytest.param("ocr", 0.9, True, id="ocr-table"),
        pytest.param("lattice", 0.9, True, id="cells-with-confidence"),
        pytest.param("lattice", None, False, id="born-digital"),
    ],
)
def test_the_ocr_flag_reaches_the_cells(method, confidence, ocr):
    """OCR'd cells, of an OCR table or with word confidences: bullets read as 'e' go, and so
    does arrow debris before a direction of travel; born-digital text keeps both as printed."""
    entry = _entry(method, confidence)
    assert read_by_ocr(entry) is ocr
    record = entry_to_record(entry, load_profile("default"), position=1)
    assert record.controls == ("budget\naudit" if ocr else "e budget e audit")
    entry = _entry(method, confidence, "Direction of Travel", "direction_text", "1 Level")
    record = entry_to_record(entry, load_profile("default"), position=1)
    assert (record.direction_text, record.direction) == ("Level" if ocr else "1 Level", "level")
