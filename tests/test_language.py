"""English word-pair evidence for the flow reader (normalise.language), on symspellpy's counts."""

import pytest

from normalise import flow
from normalise.flow import segment_line
from normalise.language import pair_strength


@pytest.mark.parametrize(
    "first, second, low, high",
    [
        pytest.param("the", "basis", 0.9, 1.0, id="collocation"),
        pytest.param("Human", "Resources", 0.9, 1.0, id="case-blind"),
        pytest.param("the", "of", -1.0, -0.9, id="never-side-by-side"),
        pytest.param("basis", "lead", 0.0, 0.0, id="unlisted"),
        pytest.param("thereis", "a", 0.0, 0.0, id="ocr-joined-word"),
    ],
)
def test_pair_strength(first, second, low, high):
    assert low <= pair_strength(first, second) <= high


def test_a_cut_falls_between_words_english_keeps_apart(monkeypatch):
    """'young people' / 'police and partners': widths let either column take 'police'; English
    prints 'young people' and 'police and' together, not 'people police'."""
    widths = {"consequences": 22, "controls": 30}
    previous = {"consequences": "Harm to children and", "controls": "Weekly meetings with the"}
    tokens = "young people police and partners".split()
    got = segment_line(tokens, list(widths), widths, previous=previous)
    assert got == [("consequences", "young people"), ("controls", "police and partners")]
    monkeypatch.setattr(flow, "pair_strength", lambda first, second: 0.0)
    blind = segment_line(tokens, list(widths), widths, previous=previous)
    assert blind != got  # the widths alone cut elsewhere
