"""Score cells -> Score: literal cells from real register layouts, and invariants."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise.scores import DEFAULT_SCALE, Scale, Score, parse_score, parse_triplet


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("16", Score(score=16), id="bare-number"),
        pytest.param("12 Major/possible", Score(12, 4, 3, label="Major/possible"), id="label"),
        pytest.param(
            "12\nMajor/\nPossible", Score(12, 4, 3, label="Major/Possible"), id="label-wrapped"
        ),
        pytest.param("Major/ Likely 16", Score(16, 4, 4, label="Major/Likely"), id="label-first"),
        pytest.param(
            "Possible/Major",
            Score(12, 4, 3, label="Possible/Major"),
            id="label-likelihood-first-no-number",
        ),
        pytest.param(
            "12 Major/Likely",
            Score(12, label="Major/Likely", note="label Major/Likely gives 4 x 4, not 12"),
            id="label-mismatch-noted",
        ),
        pytest.param("4 x 5 = 20", Score(score=20), id="product-order-unknown"),
        pytest.param("4x5=20", Score(score=20), id="product-tight"),
        pytest.param("5 × 4 = 20", Score(score=20), id="product-times-sign"),
        pytest.param("4 x 5 = 21", Score(score=21, note="4 x 5 is not 21"), id="product-mismatch"),
        pytest.param(
            "20 (following the attacks in May ...)",
            Score(score=20, note="(following the attacks in May ...)"),
            id="comment",
        ),
        pytest.param("TBC", Score(), id="tbc"),
        pytest.param("", Score(), id="blank"),
        pytest.param("N/A", Score(), id="not-applicable"),
        pytest.param("High", Score(rating="High"), id="rating-word"),
        pytest.param("Red", Score(rating="Red"), id="rag-red"),
        pytest.param("amber", Score(rating="Amber"), id="rag-amber"),
        pytest.param("16 High", Score(score=16, rating="High"), id="number-and-rating"),
        pytest.param("l6", Score(score=16), id="ocr-l-for-1"),
        pytest.param("2O", Score(score=20), id="ocr-O-for-0"),
        pytest.param("| 16 |", Score(score=16), id="rule-debris"),
        pytest.param("30", Score(note="score 30 outside 1-25"), id="over-matrix"),
        pytest.param("Possible", Score(label="Possible"), id="one-label-word"),
    ],
)
def test_parse_score(text, expected):
    assert parse_score(text) == expected


@pytest.mark.parametrize(
    "text, order, expected",
    [
        pytest.param("4 x 5 = 20", "li", Score(20, impact=5, likelihood=4), id="li"),
        pytest.param("4 x 5 = 20", "il", Score(20, impact=4, likelihood=5), id="il"),
        pytest.param("3 x 2", "il", Score(6, impact=3, likelihood=2), id="no-printed-total"),
        pytest.param(
            "High/Low",
            "il",
            Score(8, impact=4, likelihood=2, label="High/Low"),
            id="graded-words-need-order",
        ),
        pytest.param("High/Low", "auto", Score(label="High/Low"), id="graded-words-unknown-order"),
    ],
)
def test_parse_score_order(text, order, expected):
    assert parse_score(text, order=order) == expected


def test_order_settled_by_unequal_scale():
    six_by_four = Scale(DEFAULT_SCALE.impact, DEFAULT_SCALE.likelihood, size=(6, 4))
    assert parse_score("5 x 3", six_by_four) == Score(15, impact=5, likelihood=3)
    assert parse_score("24", six_by_four).score == 24
    assert parse_score("25", six_by_four).score is None


def test_smaller_scale_caps_score():
    four_by_four = Scale({"low": 1, "high": 4}, {"rare": 1, "likely": 4}, size=(4, 4))
    assert parse_score("20", four_by_four) == Score(note="score 20 outside 1-16")


def test_bad_order_is_refused():
    with pytest.raises(ValueError, match="order"):
        parse_score("16", order="sideways")


@pytest.mark.parametrize(
    "impact, likelihood, score, expected",
    [
        pytest.param("4", "4", "16", Score(16, 4, 4), id="numbers"),
        pytest.param("Major", "Likely", "16", Score(16, 4, 4), id="words"),
        pytest.param("Major", "3", "", Score(12, 4, 3), id="score-blank-computed"),
        pytest.param(
            "4",
            "4",
            "12",
            Score(12, None, None, note="impact 4 x likelihood 4 is not the printed score 12"),
            id="mismatch-noted",
        ),
        pytest.param(
            "7", "2", "14", Score(14, None, 2, note="impact 7 outside 1-5"), id="impact-off-scale"
        ),
        pytest.param("", "", "TBC", Score(), id="all-blank"),
        pytest.param(
            "Huge",
            "2",
            "10",
            Score(10, None, 2, note="impact 'Huge' not on the scale"),
            id="unknown-word",
        ),
    ],
)
def test_parse_triplet(impact, likelihood, score, expected):
    assert parse_triplet(impact, likelihood, score) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.sampled_from(["auto", "il", "li"]))
def test_any_text_gives_a_score_within_the_matrix(text, order):
    result = parse_score(text, order=order)
    assert result.score is None or 1 <= result.score <= 25
    if None not in (result.score, result.impact, result.likelihood):
        assert result.impact * result.likelihood == result.score


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.sampled_from(["il", "li"]))
def test_product_round_trip(impact, likelihood, order):
    first, second = (impact, likelihood) if order == "il" else (likelihood, impact)
    result = parse_score(f"{first} x {second} = {impact * likelihood}", order=order)
    assert (result.score, result.impact, result.likelihood) == (
        impact * likelihood,
        impact,
        likelihood,
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20), st.text(max_size=20), st.text(max_size=20))
def test_triplet_never_raises(impact, likelihood, score):
    result = parse_triplet(impact, likelihood, score)
    assert result.impact is None or 1 <= result.impact <= 5
    assert result.likelihood is None or 1 <= result.likelihood <= 5
    if None not in (result.score, result.impact, result.likelihood):
        assert result.impact * result.likelihood == result.score  # as the dataset requires


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("20\nCatastrophi\nc/Likely", (20, 5, 4), id="label-broken-before-slash"),
        pytest.param("16\nMajor/Likel\ny", (16, 4, 4), id="label-broken-after-slash"),
        pytest.param("Very\nhigh", (None, None, None), id="two-words-stay-apart"),
    ],
)
def test_parse_score_rejoins_label_words_a_column_broke(text, expected):
    score = parse_score(text)
    assert (score.score, score.impact, score.likelihood) == expected


@pytest.mark.parametrize(
    "text, score, impact, likelihood",
    [
        pytest.param("I4 L3", 12, 4, 3, id="letters-name-the-axes"),
        pytest.param("Impact 4 Likelihood 3", 12, 4, 3, id="words-name-the-axes"),
        pytest.param("L4 x I5 = 20", 20, 5, 4, id="likelihood-first-with-total"),
        pytest.param("5 (I) x 4 (L)", 20, 5, 4, id="axis-in-brackets"),
        pytest.param("L: 2 I: 5 = 11", 11, None, None, id="total-disagrees-keeps-printed"),
        pytest.param("High (16)", 16, None, None, id="bracketed-score-beside-rating"),
        pytest.param("C4", None, None, None, id="grid-cell-not-a-score"),
    ],
)
def test_axis_named_factors(text, score, impact, likelihood):
    got = parse_score(text)
    assert (got.score, got.impact, got.likelihood) == (score, impact, likelihood)
