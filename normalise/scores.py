"""Score cells -> numbers: one number, number with an impact/likelihood label, L x I = S, words."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

# Words that grade a score without giving its factors (RAG colours, bands).
RATING_WORDS = (
    "very high",
    "very low",
    "high",
    "medium",
    "low",
    "red",
    "amber",
    "green",
    "yellow",
    "black",
)
EMPTY_WORDS = frozenset(
    {
        "",
        "tbc",
        "tbd",
        "tba",
        "n/a",
        "na",
        "n.a.",
        "none",
        "nil",
        "-",
        "–",
        "—",
        "not assessed",
        "not applicable",
        "to be confirmed",
        "?",
    }
)


@dataclass(frozen=True)
class Scale:
    """A register's scoring matrix: label words (lower-case) to numbers, and its size.

    ``size`` is (impact_max, likelihood_max).
    """

    impact: dict[str, int] = field(default_factory=dict)
    likelihood: dict[str, int] = field(default_factory=dict)
    size: tuple[int, int] = (5, 5)

    def __hash__(self) -> int:  # dicts are not hashable; the scale is used read-only
        return hash(
            (tuple(sorted(self.impact.items())), tuple(sorted(self.likelihood.items())), self.size)
        )

    @property
    def max_score(self) -> int:
        """The largest score the matrix can give."""
        return self.size[0] * self.size[1]


def _default_scale() -> Scale:
    """The default profile's scale: its label words are the one list of them."""
    from normalise.profiles import load_profile

    profile = load_profile()
    return Scale(impact=dict(profile.impact_labels), likelihood=dict(profile.likelihood_labels),
                 size=profile.scale_size)


DEFAULT_SCALE = _default_scale()


@dataclass(frozen=True)
class Score:
    """What one score cell (or a row's three score cells) said."""

    score: int | None = None
    impact: int | None = None
    likelihood: int | None = None
    label: str | None = None
    note: str | None = None
    rating: str | None = None


_DIGITISH = "0-9OolI"
_NUMBER = re.compile(rf"(?<![A-Za-z0-9])[{_DIGITISH}]{{1,3}}(?![A-Za-z0-9])")
_PRODUCT = re.compile(
    rf"(?<![A-Za-z0-9])([{_DIGITISH}])\s*[xX×*]\s*([{_DIGITISH}])(?:\s*=\s*([{_DIGITISH}]{{1,3}}))?"
    rf"(?![A-Za-z0-9])"
)
_PAREN = re.compile(r"\([^()]*\)?")
_FILLER = re.compile(r"^[\s/\-–:=,;.]*$")


def ocr_int(token: str) -> int | None:
    """Read a digit token that OCR may have garbled (l/I for 1, O for 0); None if not a number."""
    if not re.search(r"[0-9]", token) or not re.fullmatch(f"[{_DIGITISH}]+", token):
        return None
    return int(token.translate(str.maketrans("OolI", "0011")))


def parse_score(text: str, scale: Scale = DEFAULT_SCALE, order: str = "auto") -> Score:
    """Read one score cell: "16", "12 Major/Possible", "4 x 5 = 20", "High", "20 (comment)".

    ``order`` says which factor an "a x b" product prints first: "il" impact, "li"
    likelihood, "auto" unknown (then only the score is filled, unless the scale's size
    makes one order impossible).
    """
    if order not in ("auto", "il", "li"):
        raise ValueError(f"order must be 'auto', 'il' or 'li', not {order!r}")
    flat = _flatten(rejoin_label_words(text, scale))
    if flat.lower() in EMPTY_WORDS:
        return Score()
    labelled = _labelled_factors(flat, scale)
    if labelled is not None:
        return labelled
    notes = [m.group(0).strip() for m in _PAREN.finditer(flat)]
    rest = _PAREN.sub(" ", flat)
    score, factors, rest, extra_notes = _take_numbers(rest)
    notes += extra_notes
    phrases, rest = _take_phrases(rest, scale)
    leftover = rest.strip(" /-–:=,;.")
    if leftover and not _FILLER.match(leftover):
        notes.append(leftover)
    found = _assemble(score, factors, phrases, notes, scale, order)
    if found.score is None and found.note:
        # "High (16)": a bare number in brackets beside a rating is the score
        bracketed = re.fullmatch(r"\((\d{1,3})\)", found.note.strip())
        if bracketed and int(bracketed.group(1)) <= scale.max_score:
            return Score(score=int(bracketed.group(1)), impact=found.impact,
                         likelihood=found.likelihood, label=found.label, rating=found.rating)
    return found


# Factors named by their axis: "I4 L3", "Impact 4 Likelihood 3", "L4 x I5 = 20", "5 (I) x 4 (L)"
_AXIS_NAMES = {
    "impact": r"impact|consequences?|severity|i|c|s",
    "likelihood": r"likelihood|probability|l|p",
}


def _axis_pattern(names: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![A-Za-z])(?:(?:{names})\s*[:=]?\s*(\d{{1,2}})(?!\d)"
        rf"|(\d{{1,2}})\s*\(\s*(?:{names})\s*\))",
        re.IGNORECASE,
    )


_AXIS_PATTERNS = {axis: _axis_pattern(names) for axis, names in _AXIS_NAMES.items()}


def _labelled_factors(flat: str, scale: Scale) -> Score | None:
    """A score whose factors are named by axis, or None when the cell does not name both."""
    found: dict[str, int] = {}
    rest = flat
    for axis, pattern in _AXIS_PATTERNS.items():
        matches = list(pattern.finditer(rest))
        if len(matches) != 1:
            return None
        m = matches[0]
        found[axis] = int(m.group(1) or m.group(2))
        rest = rest[: m.start()] + " " + rest[m.end():]
    impact, likelihood = found["impact"], found["likelihood"]
    if not (1 <= impact <= scale.size[0] and 1 <= likelihood <= scale.size[1]):
        return None
    totals = [int(t) for t in re.findall(r"(?<![A-Za-z0-9])(\d{1,3})(?![A-Za-z0-9])", rest)]
    rating = next((w for w in re.findall(r"[A-Za-z]+", rest) if w.lower() in RATING_WORDS), None)
    if len(totals) > 1:
        return None
    if totals and totals[0] != impact * likelihood:
        return Score(score=totals[0], rating=rating,
                     note=f"impact {impact} x likelihood {likelihood} is not the printed score {totals[0]}")
    return Score(score=impact * likelihood, impact=impact, likelihood=likelihood, rating=rating)


def parse_triplet(impact: str, likelihood: str, score: str, scale: Scale = DEFAULT_SCALE) -> Score:
    """Read a row's three score columns (impact, likelihood, score); each a number or a word."""
    notes: list[str] = []
    impact_value = _axis_value(impact, scale.impact, scale.size[0], "impact", notes)
    likelihood_value = _axis_value(likelihood, scale.likelihood, scale.size[1], "likelihood", notes)
    printed = parse_score(score, scale) if score and score.strip() else Score()
    if printed.note:
        notes.append(printed.note)
    total = printed.score
    if total is None and impact_value and likelihood_value and not _is_printed(score):
        total = impact_value * likelihood_value
    if (
        total is not None
        and impact_value
        and likelihood_value
        and impact_value * likelihood_value != total
    ):
        # a register's arithmetic slip: the printed score is kept, the factors that do not
        # make it are not taken for the record's (the caller keeps their cells as printed)
        notes.append(
            f"impact {impact_value} x likelihood {likelihood_value} "
            f"is not the printed score {total}"
        )
        impact_value = likelihood_value = None
    return Score(
        score=total,
        impact=impact_value,
        likelihood=likelihood_value,
        label=printed.label,
        rating=printed.rating,
        note=_join_notes(notes),
    )


def rejoin_label_words(text: str, scale: Scale = DEFAULT_SCALE) -> str:
    """Scale words a narrow column broke over two lines put back together
    ("20" / "Catastrophi" / "c/Likely", "Major/Likel" / "y"), so labels read whole."""
    words = label_words(scale)
    lines = (text or "").split("\n")
    out = lines[0]
    for line in lines[1:]:
        head = re.search(r"([A-Za-z]+)$", out.rstrip())
        tail = re.match(r"\s*([A-Za-z]+)", line)
        if head and tail:
            first, second = head.group(1).lower(), tail.group(1).lower()
            if first + second in words and not (first in words and second in words):
                out = out.rstrip() + line.lstrip()
                continue
        out += "\n" + line
    return out


@functools.lru_cache(maxsize=32)
def label_words(scale: Scale) -> frozenset[str]:
    """Every word of the scale's labels and of the rating words (RAG colours, bands)."""
    labels = (*scale.impact, *scale.likelihood, *RATING_WORDS)
    return frozenset(w for label in labels for w in label.split())


def _flatten(text: str) -> str:
    """One line: rule debris ("|") gone, whitespace collapsed, no space around "/"."""
    flat = re.sub(r"\s+", " ", (text or "").replace("|", " ")).strip()
    return re.sub(r"\s*/\s*", "/", flat)


def _is_printed(cell: str) -> bool:
    """True when a cell holds anything but blank or a placeholder."""
    return _flatten(cell).lower() not in EMPTY_WORDS


def _take_numbers(text: str) -> tuple[int | None, tuple[int, int] | None, str, list[str]]:
    """Find the product ("4 x 5 = 20") or the first number; return them and the rest of the text."""
    product = _PRODUCT.search(text)
    if product:
        first, second = ocr_int(product.group(1)), ocr_int(product.group(2))
        printed = ocr_int(product.group(3)) if product.group(3) else None
        rest = text[: product.start()] + " " + text[product.end() :]
        if first is not None and second is not None:
            return printed, (first, second), rest, []
    for match in _NUMBER.finditer(text):
        value = ocr_int(match.group(0))
        if value is not None:
            rest = text[: match.start()] + " " + text[match.end() :]
            others = [m.group(0) for m in _NUMBER.finditer(rest) if ocr_int(m.group(0)) is not None]
            return value, None, rest, ([f"other numbers: {' '.join(others)}"] if others else [])
    return None, None, text, []


@functools.lru_cache(maxsize=32)
def _phrase_pattern(scale: Scale) -> re.Pattern[str]:
    """One regex for every label and rating word of the scale, longest first."""
    words = set(scale.impact) | set(scale.likelihood) | set(RATING_WORDS)
    alternatives = sorted(words, key=len, reverse=True)
    return re.compile(
        r"(?<![A-Za-z])("
        + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in alternatives)
        + r")(?![A-Za-z])",
        re.IGNORECASE,
    )


def _take_phrases(text: str, scale: Scale) -> tuple[list[str], str]:
    """Find label and rating words in reading order; return them (as printed) and the rest."""
    pattern = _phrase_pattern(scale)
    phrases = [re.sub(r"\s+", " ", m.group(1)) for m in pattern.finditer(text)]
    return phrases, pattern.sub(" ", text)


def _assemble(
    score: int | None,
    factors: tuple[int, int] | None,
    phrases: list[str],
    notes: list[str],
    scale: Scale,
    order: str,
) -> Score:
    """Put numbers and words together, checking every printed value against the scale."""
    impact = likelihood = None
    label = rating = None
    if factors is not None:
        impact, likelihood = _order_factors(factors, scale, order)
        product = factors[0] * factors[1]
        if score is None:
            score = product
        elif score != product:
            notes.append(f"{factors[0]} x {factors[1]} is not {score}")
            impact = likelihood = None
    label_phrases = [
        p for p in phrases if p.lower() in scale.impact or p.lower() in scale.likelihood
    ]
    pair = _label_pair(label_phrases, scale, order) if len(label_phrases) >= 2 else None
    if pair is not None:
        label = "/".join(label_phrases[:2])
        label_impact, label_likelihood = pair
        rating_phrases = [
            p for p in phrases if p not in label_phrases[:2] and p.lower() in RATING_WORDS
        ]
        if label_impact is not None and label_likelihood is not None and factors is None:
            if score is None:
                score = label_impact * label_likelihood
            if score == label_impact * label_likelihood:
                impact, likelihood = label_impact, label_likelihood
            else:
                notes.append(
                    f"label {label} gives {label_impact} x {label_likelihood}, not {score}"
                )
    else:
        rating_phrases = [p for p in phrases if p.lower() in RATING_WORDS]
        label_only = [p for p in phrases if p.lower() not in RATING_WORDS]
        if label_only:
            label = "/".join(label_only)
    if rating_phrases:
        rating = "/".join(p.title() for p in rating_phrases)
    score, impact, likelihood = _check_range(score, impact, likelihood, scale, notes)
    return Score(
        score=score,
        impact=impact,
        likelihood=likelihood,
        label=label,
        rating=rating,
        note=_join_notes(notes),
    )


def _order_factors(
    factors: tuple[int, int], scale: Scale, order: str
) -> tuple[int | None, int | None]:
    """Which factor is impact: from ``order``, or from the scale when only one order fits."""
    first, second = factors
    if order == "il":
        return first, second
    if order == "li":
        return second, first
    impact_max, likelihood_max = scale.size
    fits_il = first <= impact_max and second <= likelihood_max
    fits_li = second <= impact_max and first <= likelihood_max
    if fits_il != fits_li:
        return (first, second) if fits_il else (second, first)
    return None, None


def _label_pair(
    phrases: list[str], scale: Scale, order: str
) -> tuple[int | None, int | None] | None:
    """Impact and likelihood from the first two label words, in whichever order they make sense."""
    first, second = (p.lower() for p in phrases[:2])
    readings = []
    if first in scale.impact and second in scale.likelihood:
        readings.append(("il", scale.impact[first], scale.likelihood[second]))
    if second in scale.impact and first in scale.likelihood:
        readings.append(("li", scale.impact[second], scale.likelihood[first]))
    if not readings:
        return None
    if len(readings) == 1:
        return readings[0][1:]
    chosen = [r for r in readings if r[0] == order]
    if chosen:
        return chosen[0][1:]
    # Both words grade both axes ("High/Low"): unknowable without the register's order.
    if readings[0][1:] == readings[1][1:]:
        return readings[0][1:]
    return (None, None)


def _check_range(
    score: int | None, impact: int | None, likelihood: int | None, scale: Scale, notes: list[str]
) -> tuple[int | None, int | None, int | None]:
    """Drop values the scale cannot produce, saying so in the notes."""
    if impact is not None and not 1 <= impact <= scale.size[0]:
        notes.append(f"impact {impact} outside 1-{scale.size[0]}")
        impact = likelihood = None
    if likelihood is not None and not 1 <= likelihood <= scale.size[1]:
        notes.append(f"likelihood {likelihood} outside 1-{scale.size[1]}")
        impact = likelihood = None
    if score is not None and not 1 <= score <= scale.max_score:
        notes.append(f"score {score} outside 1-{scale.max_score}")
        score = impact = likelihood = None
    return score, impact, likelihood


def _axis_value(
    cell: str, words: dict[str, int], maximum: int, axis: str, notes: list[str]
) -> int | None:
    """One impact or likelihood cell: a number in range or a label word of that axis."""
    flat = _flatten(rejoin_label_words(cell, Scale(impact=words, likelihood=words)))
    if flat.lower() in EMPTY_WORDS:
        return None
    numbers = [ocr_int(m.group(0)) for m in _NUMBER.finditer(flat)]
    numbers = [n for n in numbers if n is not None]
    if numbers:
        if 1 <= numbers[0] <= maximum:
            return numbers[0]
        notes.append(f"{axis} {numbers[0]} outside 1-{maximum}")
        return None
    key = re.sub(r"\s+", " ", flat.lower()).strip(" .")
    if key in words:
        return words[key]
    notes.append(f"{axis} {flat!r} not on the scale")
    return None


def _join_notes(notes: list[str]) -> str | None:
    """The notes as one string, or None."""
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None
