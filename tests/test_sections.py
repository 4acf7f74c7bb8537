"""Labelled sections inside one cell ("Risk:- ..." / "Effects:- ...") split into their fields."""

from __future__ import annotations

import pytest

from extract.types import Cell
from normalise.cells import split_sections
from normalise.fields import entry_to_record
from normalise.headers import ColumnMap, HeaderMap
from normalise.profiles import load_profile
from normalise.rows import Entry

SECTIONS = load_profile("default").sections


@pytest.mark.parametrize(
    ("text", "combined", "expected"),
    [
        pytest.param("Risk:- Fraud\nEffects:-\n• Loss of data\n• Fines", False,
                     [("title", "Fraud"), ("consequences", "• Loss of data\n• Fines")],
                     id="risk-effects"),
        pytest.param("Risk Description: Cyber attack\nCause: phishing\nImpact - outage", False,
                     [("title", "Cyber attack"), ("cause", "phishing"),
                      ("consequences", "outage")], id="three-labels-three-separators"),
        pytest.param("Risk:- Not able to govern\nthe companies", False,
                     [(None, "Risk:- Not able to govern\nthe companies")],
                     id="one-label-not-combined-kept"),
        pytest.param("Risk:- Not able to govern\nthe companies", True,
                     [("title", "Not able to govern\nthe companies")], id="one-label-combined"),
        pytest.param("Lead-in text\nRisk: Fraud\nConsequence: fines", False,
                     [(None, "Lead-in text"), ("title", "Fraud"), ("consequences", "fines")],
                     id="text-before-labels"),
        pytest.param("Risk-based audit plan\nImpact-led review", False,
                     [(None, "Risk-based audit plan\nImpact-led review")],
                     id="hyphenated-words-are-not-labels"),
        pytest.param("The risk: data\nloss: of effects", False,
                     [(None, "The risk: data\nloss: of effects")], id="one-field-only"),
    ],
)
def test_split_sections(text, combined, expected):
    assert split_sections(text, SECTIONS, combined=combined) == expected


def _record(headers: list[tuple[str, str | None]], row: list[str]):
    columns = tuple(ColumnMap(i, h, f) for i, (h, f) in enumerate(headers))
    header = HeaderMap(columns=columns, header_rows=1, kind="risk", confidence=1.0)
    entry = Entry(header=header, columns=[[Cell(t, page=1)] if t else [] for t in row],
                  method="lattice")
    return entry_to_record(entry, load_profile("default"), position=1)


def test_risk_and_effects_column_fills_title_and_consequences():
    rec = _record([("Ref", "ref"), ("Risk and effects", "title")],
                  ["3", "Risk:- Fraud in\npayments\nEffects:-\n• Loss of data\n• Fines"])
    assert rec.title == "Fraud in payments"
    assert rec.consequences == "Loss of data\nFines"


def test_a_combined_column_with_only_its_own_label():
    rec = _record([("Ref", "ref"), ("Risk and effects", "title")],
                  ["5", "Risk:- Not being able to govern\nthe companies"])
    assert rec.title == "Not being able to govern the companies"
    assert rec.consequences is None


def test_a_field_with_its_own_column_keeps_it():
    """'Effects:-' lines stay in the title cell's text when a Consequences column exists."""
    rec = _record([("Ref", "ref"), ("Risk", "title"), ("Consequences", "consequences")],
                  ["7", "Risk:- Fraud\nEffects:- loss", "• Fines"])
    assert rec.consequences == "Fines"
    assert rec.title == "Risk:- Fraud Effects:- loss"


def test_labels_of_two_fields_split_an_ordinary_column():
    rec = _record([("Ref", "ref"), ("Description", "title")],
                  ["8", "Risk: Flooding of the depot\nCause: River levels\nImpact: Service loss"])
    assert (rec.title, rec.cause, rec.consequences) == (
        "Flooding of the depot", "River levels", "Service loss")
