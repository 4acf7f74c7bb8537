"""A rating shown only as a cell's colour, and numbered lists with sub-items, in cells."""

from __future__ import annotations

import pytest

from normalise.cells import clean_cell
from normalise.fills import fill_name, fills_as_text
from normalise.profiles import ProfileError, load_profile, profile_from_dict

NAMES = load_profile().fill_names


@pytest.mark.parametrize(
    ("fill", "word"),
    [
        ("#ff0000", "Red"),
        ("#fe0101", "Red"),
        ("#ffc000", "Amber"),
        ("#00b050", "Green"),
        ("#92d050", "Green"),
        ("#ffff00", "Yellow"),
        ("#7030a0", "#7030a0"),  # a strong colour with no name is kept as printed
        ("#f2f2f2", None),  # zebra shading
        ("#d9e1f2", None),  # pale header blue
        ("#ffffff", None),
        (None, None),
        ("not a colour", None),
    ],
)
def test_fill_names(fill, word):
    assert fill_name(fill, NAMES) == word


def test_a_row_continued_on_the_next_page_names_its_colour_once():
    assert fills_as_text(["#ff0000", None, "#ff0000"], NAMES) == "Red"
    assert fills_as_text([None, "#f2f2f2"], NAMES) == ""


def test_a_profile_names_its_own_shades():
    own = profile_from_dict({"name": "own", "fill_names": {"Yellow": ["#FFD966"]}})
    assert fill_name("#ffd966", own.fill_names) == "Yellow"
    with pytest.raises(ProfileError, match="fill_names"):
        profile_from_dict({"name": "bad", "fill_names": {"Red": ["red"]}})


def test_numbered_items_and_lettered_sub_items_are_one_list():
    cell = "1. Reduced Safeguarding oversight\na) Delay to the delivery of corporate\npriorities"
    assert clean_cell(cell) == ("Reduced Safeguarding oversight\n"
                                "Delay to the delivery of corporate priorities")


def test_a_lone_number_after_a_wrapped_line_stays_text():
    cell = "Report to Cabinet as set out in paragraph\n3. Budget agreed"
    assert clean_cell(cell) == "Report to Cabinet as set out in paragraph 3. Budget agreed"


def test_a_bullet_on_a_line_of_its_own_opens_the_next_line_as_an_item():
    assert clean_cell("\u2022\nCarry out a test\n\u2022\nMonthly budget") == (
        "Carry out a test\nMonthly budget")
    assert clean_cell("*\nCarry out a test\n.\nMonthly budget", ocr=True) == (
        "Carry out a test\nMonthly budget")
    assert clean_cell("\u00b0\u00ae Reduced oversight", ocr=True) == "Reduced oversight"


def test_a_row_with_an_unreadable_reference_a_title_and_a_score_is_a_new_entry():
    from extract.types import Cell, RawTable
    from normalise.profiles import load_profile
    from normalise.rows import tables_to_entries

    rows = [["Ref", "Risk", "Controls", "Residual Score"],
            ["CR2", "Failure to achieve net zero", "\u2022 Monthly monitoring", "8"],
            ["", "", "\u2022 Annual review", ""],
            ["CRE", "Not being able to recruit", "\u2022 Workforce strategy", "12"]]
    table = RawTable(rows=[[Cell(t, page=1) for t in row] for row in rows], page=1,
                     method="ocr")
    walk = tables_to_entries([table], load_profile())
    assert [e.columns[0][0].text for e in walk.entries] == ["CR2", "CRE"]
    assert len(walk.entries[0].columns[2]) == 2  # the continuation row stays with CR2
