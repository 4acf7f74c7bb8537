"""Direction-of-travel text -> up / down / level / new / None."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise.direction import parse_direction


@pytest.mark.parametrize(
    "text, expected",
    [
        *[
            pytest.param(word, "level", id=f"level-{word}")
            for word in (
                "Level",
                "Static",
                "Stable",
                "Unchanged",
                "No change",
                "Same",
                "Steady",
                "Maintained",
            )
        ],
        *[
            pytest.param(word, "up", id=f"up-{word}")
            for word in ("Upwards", "Increasing", "Increased", "Escalated", "Worsening", "Up", "↑")
        ],
        *[
            pytest.param(word, "down", id=f"down-{word}")
            for word in ("Reducing", "Reduced", "Decreasing", "Downwards", "Improving", "Down", "↓")
        ],
        pytest.param("New", "new", id="new"),
        pytest.param("New risk", "new", id="new-risk"),
        pytest.param("Closed", None, id="closed-is-no-direction"),
        pytest.param("", None, id="blank"),
        pytest.param("→", "level", id="sideways-arrow"),
        pytest.param("é", None, id="symbol-font-letter"),
        pytest.param("▲▼", None, id="arrows-disagree"),
        pytest.param(
            "The risk is being managed and continues to reduce",
            "down",
            id="sentence-continues-to-reduce",
        ),
        pytest.param(
            "As time progresses the risk to some extent reduces. However, the risk "
            "cannot be fully mitigated until all decisions have been taken.",
            "down",
            id="sentence-reduces-however",
        ),
        pytest.param("Risk score remains the same this quarter", "level", id="sentence-same"),
        pytest.param("Actions are in place to reduce the risk", None, id="purpose-not-movement"),
        pytest.param(
            "The risk has increased but actions will reduce it over time",
            None,
            id="sentence-both-ways",
        ),
        pytest.param("Risk has not reduced this quarter", None, id="negated"),
        pytest.param("Progress reported to the board each month", None, id="sentence-no-verb"),
    ],
)
def test_parse_direction(text, expected):
    assert parse_direction(text) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_any_text_gives_a_known_direction(text):
    assert parse_direction(text) in {"up", "down", "level", "new", None}


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("1 Downwards.", "Downwards.", id="arrow-read-as-one"),
        pytest.param("| Level", "Level", id="arrow-read-as-bar"),
        pytest.param("1 officer appointed", "1 officer appointed", id="no-direction-word-kept"),
        pytest.param("Upwards", "Upwards", id="clean-untouched"),
    ],
)
def test_strip_arrow_debris(text, expected):
    from normalise.direction import strip_arrow_debris

    assert strip_arrow_debris(text) == expected
