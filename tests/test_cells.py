"""Cell text repair: items, wrapped lines, broken words, hyphens."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise.cells import (
    clean_cell,
    clean_inline,
    document_vocabulary,
    is_broken_word,
    join_items,
    rejoin_broken_words,
    split_items,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param(
            "• First item that wraps\nonto a second line\n• Second item",
            ["First item that wraps onto a second line", "Second item"],
            id="dot-bullets",
        ),
        pytest.param("● one\n▪ two\n◦ three", ["one", "two", "three"], id="other-glyphs"),
        pytest.param(
            "\uf0b7 symbol font item\n\uf0b7 another",
            ["symbol font item", "another"],
            id="private-use-glyph",
        ),
        pytest.param(
            "This has:\no Improved speed\no Streamlined processes",
            ["This has:", "Improved speed", "Streamlined processes"],
            id="o-bullets",
        ),
        pytest.param("- first\n- second", ["first", "second"], id="dash-bullets"),
        pytest.param(
            "e Improved speed\ne Better flexibility",
            ["Improved speed", "Better flexibility"],
            id="ocr-e-bullets",
        ),
        pytest.param(
            "¢ Improved speed\n¢ Better", ["Improved speed", "Better"], id="ocr-cent-bullets"
        ),
        pytest.param(
            "the council\ne mails are sent",
            ["the council e mails are sent"],
            id="e-before-lower-case-is-text",
        ),
        pytest.param("1. First\n2. Second", ["First", "Second"], id="numbered"),
        pytest.param("a) First\nb) Second", ["First", "Second"], id="lettered"),
        pytest.param(
            "• Parent\no child one\no child two",
            ["Parent", "child one", "child two"],
            id="sub-bullets",
        ),
        pytest.param(
            "Children's service transformation\n– pilot programme",
            ["Children's service transformation – pilot programme"],
            id="lone-dash-mid-sentence-is-prose",
        ),
        pytest.param(
            "Paragraph one.\n\nParagraph two.",
            ["Paragraph one.", "Paragraph two."],
            id="blank-line",
        ),
        pytest.param(
            "Sentence one.\nSentence two.", ["Sentence one. Sentence two."], id="no-widths-no-break"
        ),
        pytest.param("a • b • c", ["a", "b", "c"], id="inline-glyphs"),
        pytest.param("•\nText after a lone bullet", ["Text after a lone bullet"], id="lone-glyph"),
        pytest.param("", [], id="empty"),
    ],
)
def test_split_items(text, expected):
    assert split_items(text) == expected


@pytest.mark.parametrize(
    "widths, expected",
    [
        pytest.param(
            [40.0, 100.0],
            ["Short sentence.", "Next sentence starts here"],
            id="ended-early-new-item",
        ),
        pytest.param(
            [99.0, 60.0], ["Short sentence. Next sentence starts here"], id="reached-edge-wrap"
        ),
    ],
)
def test_split_items_with_widths(widths, expected):
    text = "Short sentence.\nNext sentence starts here"
    assert split_items(text, line_widths=widths, column_width=100.0) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("Organisation\nal development", "Organisational development", id="al"),
        pytest.param("Identifica\ntion of risks", "Identification of risks", id="tion"),
        pytest.param("Managem |\nent Team", "Management Team", id="ent-with-rule-debris"),
        pytest.param("Lack of buy-\nin/engagement", "Lack of buy-in/engagement", id="buy-in"),
        pytest.param(
            "resulting in in-\nyear overspends", "resulting in in-year overspends", id="in-year"
        ),
        pytest.param("multi-\nagency and bi-\nannual", "multi-agency and bi-annual", id="multi-bi"),
        pytest.param("the council\nwill act", "the council will act", id="plain-wrap"),
        pytest.param("use\nless energy", "use less energy", id="two-words-stay-apart"),
        pytest.param(
            "risk of\nCouncil failing", "risk of Council failing", id="capital-not-joined"
        ),
        pytest.param("line one |\n| line two", "line one line two", id="pipes"),
        pytest.param("  spaced\t\tout  ", "spaced out", id="whitespace"),
    ],
)
def test_clean_cell(text, expected):
    assert clean_cell(text) == expected


def test_vocabulary_teaches_document_words():
    # neither fragment nor the joined word is ordinary English
    assert clean_cell("the Flurbex\nzorg team") == "the Flurbex zorg team"
    assert (
        clean_cell("the Flurbex\nzorg team", vocabulary={"flurbexzorg"}) == "the Flurbexzorg team"
    )
    assert (
        clean_cell("the Flurbex\nzorg team", vocabulary=lambda word: word == "flurbexzorg")
        == "the Flurbexzorg team"
    )


def test_edge_decides_between_two_words():
    assert not is_broken_word("for", "ward planning")
    assert is_broken_word("for", "ward planning", reached_edge=True)
    assert not is_broken_word("for", "ward planning", reached_edge=False)


def test_a_fragment_no_word_ends_with_is_joined_wherever_its_line_ended():
    # a fixed-width rendering (pdftotext -layout) of a proportional font moves the column's
    # edge: "Partnershi" ends short of it, yet no word ends a line so
    assert is_broken_word("Partnershi", "ps", reached_edge=False)
    assert is_broken_word("Identifica", "tion", reached_edge=False)
    assert not is_broken_word("Regulator", "y", reached_edge=False)  # two words: the edge decides
    assert not is_broken_word("Partnershi", "Board", reached_edge=False)  # a capital starts anew


def test_rejoin_broken_words_merges_lines():
    lines = ["Organisation", "al change", "the", "council"]
    assert rejoin_broken_words(lines) == ["Organisational change", "the", "council"]


def test_join_items_drops_glyphs_and_blank_items():
    assert join_items(["• one  two", "", "▪ three"]) == "one two\nthree"


def test_clean_inline_never_splits():
    assert (
        clean_inline("• Reshaping the\nCounty Council\n\nbudget")
        == "Reshaping the County Council budget"
    )


def test_document_vocabulary_skips_line_edges():
    assert document_vocabulary(["alpha beta gamma\ndelta"]) == {"beta"}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_clean_cell_any_text(text):
    cleaned = clean_cell(text)
    assert cleaned == cleaned.strip()
    assert "\n\n" not in cleaned
    assert clean_inline(text).count("\n") == 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.from_regex(r"[A-Za-z][a-z]{0,8}( [a-z]{1,8}){0,4}", fullmatch=True),
        min_size=1,
        max_size=5,
    )
)
def test_bulleted_items_come_back_one_per_line(items):
    text = "\n".join(f"• {item}" for item in items)
    assert clean_cell(text).split("\n") == items


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=80),
    st.lists(st.floats(0, 200), max_size=6),
    st.one_of(st.none(), st.floats(1, 200)),
)
def test_widths_never_break_anything(text, widths, column_width):
    split_items(text, line_widths=widths, column_width=column_width)


def test_pdfium_line_end_hyphen_marker_is_a_real_hyphen():
    from normalise.cells import clean_cell

    assert clean_cell("• taking account of the in\x02\nyear changes") == (
        "taking account of the in-year changes"
    )


def test_word_broken_after_a_slash_is_rejoined():
    from normalise.cells import clean_inline

    assert clean_inline("Economic/\nPolitical/Soci\nal") == "Economic/ Political/Social"


def test_bulleted_title_keeps_items_without_glyphs():
    from normalise.cells import clean_inline

    text = "• Failure to recruit and retain\nexperienced staff\n• Failure to recruit reviewing officers."
    assert clean_inline(text) == ("Failure to recruit and retain experienced staff\n"
                                  "Failure to recruit reviewing officers.")
