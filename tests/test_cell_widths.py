"""Line right edges (Cell.lines_x1) and column extents settle words broken by a narrow column."""

from __future__ import annotations

import pytest

from extract.types import Cell, RawTable
from normalise.cells import clean_cell, clean_inline
from normalise.fields import column_lines
from normalise.rows import column_extents

# 'Legal and' / 'Regulator' / 'y' in a column whose text area runs 168.4 -> 209.4 points
EXTENT = (168.44, 209.44)
X1 = (205.13, 205.04, 172.88)


def _shares(x1s, extent=EXTENT):
    left, right = extent
    return [(x - left) / (right - left) for x in x1s]


@pytest.mark.parametrize(
    ("text", "widths", "expected"),
    [
        pytest.param("Legal and\nRegulator\ny", _shares(X1), "Legal and Regulatory",
                     id="fragment-after-a-full-line-joins"),
        pytest.param("Legal and\nRegulator\ny", None, "Legal and Regulator y",
                     id="no-widths-both-words-kept-apart"),
        pytest.param("Legal and\nRegulator\ny", [0.9, 0.5, 0.1], "Legal and Regulator y",
                     id="room-left-on-the-line-kept-apart"),
        pytest.param("Multi-\nagency", [0.95, 0.5], "Multi-agency", id="real-hyphen-kept"),
        pytest.param("Chief\nExecutive", [0.3, 0.6], "Chief Executive", id="short-line-two-words"),
    ],
)
def test_clean_inline_with_line_widths(text, widths, expected):
    column_width = 1.0 if widths else None
    assert clean_inline(text, line_widths=widths, column_width=column_width) == expected


def test_clean_cell_with_line_widths_and_leading_blank_line():
    """Widths stay with their lines when blank lines around the cell are dropped."""
    text = "\n• Legal and\nRegulator\ny duties\n"
    widths = [None, *_shares(X1), None]
    assert clean_cell(text, line_widths=widths, column_width=1.0) == "Legal and Regulatory duties"


def test_column_extents_from_the_parse_report():
    table = RawTable(rows=[], page=1, method="lattice",
                     report={"col_bounds": [(165.94, 211.94), (211.94, 300.0)],
                             "text_bounds": [(168.44, 209.29), None]})
    assert column_extents(table) == [(168.44, 209.44), None]


def test_a_word_broken_across_a_page_break():
    """The fragment ends page 2's cell at the edge; the rest opens page 3's cell."""
    cells = [Cell("Legal and\nRegulator", page=2, lines_x1=X1[:2]),
             Cell("y", page=3, lines_x1=(150.0,))]
    lines = column_lines(cells, [EXTENT, (146.0, 190.0)])
    text = "\n".join(t for t, _ in lines)
    widths = [w for _, w in lines]
    assert clean_inline(text, line_widths=widths, column_width=1.0) == "Legal and Regulatory"
