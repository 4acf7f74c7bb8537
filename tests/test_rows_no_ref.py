"""Entries of a register with no reference column: where one entry ends and the next starts."""

from __future__ import annotations

import pytest

from extract.types import Cell, RawTable
from normalise.headers import find_header
from normalise.profiles import load_profile
from normalise.rows import continues_sentence, tables_to_entries

GLUED = "Failure to maintain critical ICT\nInfrastructure during an outage"
HEADER = ["Risk", "Potential Causes", "Consequences", "Current Risk Score", "Owner"]


def _table(rows: list[list[str]], page: int = 1) -> RawTable:
    return RawTable(rows=[[Cell(t, page=page) for t in row] for row in rows], page=page,
                    method="lattice")


def _titles(tables: list[RawTable]) -> list[str]:
    walk = tables_to_entries(tables, load_profile("default"))
    return [" ".join(c.text for c in e.columns[0]) for e in walk.entries]


def test_band_heading_under_the_header_is_not_a_header_line():
    rows = [HEADER, ["High Risk (15 to 25)", "", "", "", ""],
            ["Data breach", "• Phishing", "• Fines", "20", "CEO"]]
    header = find_header(rows, load_profile("default"))
    assert header is not None and header.header_rows == 1
    assert header.columns[0].header == "Risk"


def test_a_titled_row_without_a_score_starts_an_entry_when_the_open_one_has_a_title():
    """The row of 'Failure to maintain ...' came glued into the next page's repeated header,
    without its score: still an entry of its own."""
    page1 = _table([HEADER, ["Data breach", "• Phishing", "• Fines", "20", "CEO"]])
    page2 = _table([[f"{HEADER[0]}\n{GLUED}", *HEADER[1:]],
                    ["Supply chain failure", "• Single supplier", "• Delay", "9", "CFO"]], page=2)
    assert _titles([page1, page2]) == ["Data breach", GLUED, "Supply chain failure"]


def test_a_title_cut_mid_sentence_continues_the_open_entry():
    page1 = _table([HEADER, ["Failure to keep the highway network in a", "• Storms", "", "15", ""]])
    page2 = _table([HEADER, ["Safe condition", "• Budget", "• Claims", "", "Director"]], page=2)
    page3 = _table([HEADER, ["Failure of ICT", "", "• Outage", "", ""]], page=3)
    assert _titles([page1, page2, page3]) == [
        "Failure to keep the highway network in a Safe condition", "Failure of ICT"]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param("Failure to keep the highway", "network in a safe condition", True,
                     id="lower-case-start"),
        pytest.param("Failure to agree clear", "Accountabilities", False, id="capital-new"),
        pytest.param("Risk that we are unable to", "Deliver", True, id="ends-on-connective"),
        pytest.param("Loss of data,", "Systems and records", True, id="ends-on-comma"),
        pytest.param("Data breach", "Pandemic response", False, id="two-titles"),
    ],
)
def test_continues_sentence(before, after, expected):
    assert continues_sentence(before, after) is expected
