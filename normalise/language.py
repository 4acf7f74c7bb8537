"""How strongly two English words go together: the flow reader's evidence, where a line of text
read across holds several columns, for whether two neighbouring words were printed side by side
in one column ("the basis" / "from") or belong to two columns ("basis" | "lead").

The counts are symspellpy's English frequency dictionaries (Google Books n-grams: 82,765 words,
242,342 word pairs), read once per process when first asked.
"""

from __future__ import annotations

import functools
import math
from importlib import resources

# Pointwise mutual information log(P(a b) / (P(a) P(b))) of the listed pairs spans about -3 to 18
# (median 5; the pair counts come from a larger corpus than the word counts, which shifts it up).
# Pairs above _NEUTRAL go together, below it they go together less than their words' frequencies
# predict; _SPREAD is the distance from _NEUTRAL at which the evidence is full.
_NEUTRAL = 2.0
_SPREAD = 4.0
_WORDS = "frequency_dictionary_en_82_765.txt"
_PAIRS = "frequency_bigramdictionary_en_243_342.txt"


def pair_strength(first: str, second: str) -> float:
    """-1..1: how much more (or less) often `first second` is printed together in English than
    the two words' frequencies predict; 0 for a pair not listed (rare words, names, OCR damage)."""
    return _pair_table().get((first.lower(), second.lower()), 0.0)


@functools.cache
def _pair_table() -> dict[tuple[str, str], float]:
    package = resources.files("symspellpy")  # a declared dependency: its absence is an error
    words = (package / _WORDS).read_text(encoding="utf-8")
    pairs = (package / _PAIRS).read_text(encoding="utf-8")
    counts: dict[str, int] = {}
    for line in words.splitlines():
        word, _, count = line.partition(" ")
        if count:
            counts[word] = int(count)
    total = sum(counts.values())
    table: dict[tuple[str, str], float] = {}
    for line in pairs.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] not in counts or parts[1] not in counts:
            continue
        first, second, count = parts
        pmi = math.log(int(count) * total / (counts[first] * counts[second]))
        table[(first, second)] = max(-1.0, min(1.0, (pmi - _NEUTRAL) / _SPREAD))
    return table
