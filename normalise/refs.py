"""Register references as printed or OCR'd -> one normal form ("CR 05" -> "CR5")."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable

_DIGIT_LIKE = "0123456789OolIi|"  # "i" as "I": the result is upper-cased, so both read alike
_TO_DIGIT = str.maketrans("OolIi|", "001111")
_SEPARATORS = re.compile(r"([\-./_])")
_SURROUNDING = " \t\n.:;,)(*[]#"

# A reference: letters then a number ("CR1", "SR 3", "RSK-001", "COR-2019-02"), or a plain
# or dotted number ("4", "4.1"). Years and long numbers are not references.
_REF_SHAPES = (
    re.compile(r"[A-Z]{1,5}\d{1,4}[A-Z]?"),
    re.compile(r"[A-Z]{1,5}\d{1,4}(?:[.\-/]\d{1,4}){1,3}"),
    re.compile(r"[A-Z]{1,5}(?:[\-/_.][A-Z]{0,5}\d{1,4}[A-Z]?){1,3}"),
    re.compile(r"[1-9]\d{0,2}[A-Z]?"),
    re.compile(r"\d{1,3}(?:\.\d{1,3}){1,3}"),
)


def normalise_ref(raw: str, prefixes: Collection[str] = ()) -> str:
    """A reference's normal form: upper case, no spaces, OCR slips fixed, "CR01" -> "CR1".

    ``prefixes`` are letter prefixes the document uses elsewhere (see ``ref_prefixes``); they
    settle readings OCR leaves open, such as "C02" (CO2 or C2).
    """
    text = re.sub(r"\s+", "", raw or "").strip(_SURROUNDING)
    if not text:
        return ""
    parts = _SEPARATORS.split(text)
    segments = parts[0::2]
    fixed = [_fix_segment(seg, {p.upper() for p in prefixes}) for seg in segments]
    if len(fixed) == 1:
        fixed = [_strip_leading_zeros(fixed[0])]
    parts[0::2] = fixed
    return "".join(parts).upper()


def ref_prefixes(refs: Iterable[str]) -> set[str]:
    """The letter prefixes a document's references use, with O/0 look-alikes settled.

    "CO4" may be C 04 and "C01" may be CO 1. A prefix read without doubt ("CR12") is taken as
    is; a doubtful reading goes to a prefix already taken, else to the reading the document
    prints most often (ties: the letter reading). So "CRO1" among CR1, CR2 is CR 01, and
    C01, C02, CO4, CO5 are all CO.
    """
    literal: Counter[str] = Counter()
    readings: list[set[str]] = []
    for ref in refs:
        match = re.fullmatch(r"\s*([A-Za-z]{1,5})\s*[\-.]?\s*([0-9]+)\W*", ref or "")
        if not match:
            continue
        letters, digits = match.group(1).upper(), match.group(2)
        literal[letters] += 1
        options = {letters}
        if letters.endswith("O") and len(letters) > 1:
            options.add(letters[:-1])
        if digits.startswith("0") and len(digits) > 1:
            options.add(letters + "O")
        readings.append(options)
    chosen = {next(iter(o)) for o in readings if len(o) == 1}
    for options in readings:
        if not options & chosen:
            chosen.add(max(options, key=lambda p: (literal[p], len(p))))
    # "CCO" beside "CO" is a doubled letter from OCR, not a prefix of its own
    return {p for p in chosen if re.sub(r"(.)\1+", r"\1", p) == p
            or re.sub(r"(.)\1+", r"\1", p) not in chosen}


def looks_like_ref(text: str) -> bool:
    """True for a short reference-like token ("CR1", "4.1", "COR-2019-02"), not words or years."""
    flat = re.sub(r"\s+", " ", text or "").strip(_SURROUNDING)
    if not flat or len(flat) > 16 or len(flat.split()) > 2:
        return False
    if len(flat.split()) == 2 and not re.fullmatch(r"[A-Za-z]{1,5} [0-9OolI|]{1,4}", flat):
        return False
    candidate = normalise_ref(flat)
    if re.fullmatch(r"(?:19|20)\d\d", candidate):
        return False
    return any(shape.fullmatch(candidate) for shape in _REF_SHAPES) and _has_digit(flat)


def _has_digit(text: str) -> bool:
    """True when a real digit, or an OCR'd "l" closing an upper-case prefix, is there."""
    return bool(re.search(r"\d", text) or re.fullmatch(r"[A-Z]{2,5}l", text))


def _fix_segment(segment: str, prefixes: set[str]) -> str:
    """One run between separators: letters then a number, OCR look-alikes put right."""
    if not segment:
        return segment
    if _is_number_like(segment):
        return segment.translate(_TO_DIGIT)
    split = _split_letters_number(segment, prefixes)
    if split is None:
        return segment.replace("0", "O")
    letters, number = split
    return letters.replace("0", "O") + number.translate(_TO_DIGIT)


def _is_number_like(segment: str) -> bool:
    """All digits or look-alikes, with at least one real digit; a leading "O" or "I" is a letter."""
    return (
        segment[0] not in "OI"
        and all(ch in _DIGIT_LIKE for ch in segment)
        and any(ch.isdigit() for ch in segment)
    )


def _split_letters_number(segment: str, prefixes: set[str]) -> tuple[str, str] | None:
    """Where the letter prefix ends and the number starts, or None when there is no number.

    Without a known prefix the printed letters are trusted ("CO1" stays CO 1; a zero is never
    read as a letter); the document's prefixes settle OCR slips ("CRO1" is CR 01 where "CR" is
    used). A lone trailing "l" after upper-case letters is a 1 ("CRl"); a capital "I" opening
    the number is a letter.
    """
    candidates = []
    for cut in range(1, len(segment)):
        letters, number = segment[:cut], segment[cut:]
        if not re.fullmatch(r"[A-Za-z0]+", letters) or not letters[0].isalpha():
            continue
        if (
            number[0] != "I"
            and all(ch in _DIGIT_LIKE for ch in number)
            and (any(ch.isdigit() for ch in number) or (number == "l" and letters.isupper()))
        ):
            candidates.append((letters, number))
    if not candidates:
        return None
    known = [c for c in candidates if c[0].replace("0", "O").upper() in prefixes]
    if known:
        return max(known, key=lambda c: len(c[0]))
    plain = [c for c in candidates if "0" not in c[0]]
    return max(plain or candidates, key=lambda c: len(c[0]))


def _strip_leading_zeros(ref: str) -> str:
    """ "CR01" -> "CR1", "05" -> "5"; a lone zero stays."""
    match = re.fullmatch(r"([A-Za-z]*)0+(\d+[A-Za-z]?)", ref)
    return f"{match.group(1)}{match.group(2)}" if match else ref


# OCR look-alikes of digits, for the number part of a reference only.
_OCR_TO_DIGIT = str.maketrans({"O": "0", "o": "0", "Q": "0", "D": "0", "l": "1", "I": "1",
                               "i": "1", "|": "1", "!": "1", "S": "5", "s": "5", "Z": "2",
                               "z": "2", "B": "8", "g": "9", "q": "9"})
_OCR_TO_LETTER = str.maketrans({"0": "O", "$": "S", "5": "S", "1": "I", "8": "B"})


def is_ref_like(text: str, prefixes: Collection[str] = ()) -> bool:
    """A reference, or a token OCR damaged that the document's prefixes can put right."""
    flat = (text or "").strip(_SURROUNDING)
    return looks_like_ref(flat) or bool(prefixes and len(flat) <= 8 and repair_ref(flat, prefixes))


# Digits an OCR look-alike may stand for, most likely first ("s" is 5, sometimes 3).
_OCR_DIGIT_READINGS = {"s": "53", "S": "53", "B": "83", "Z": "27", "z": "27"}


def repair_ref(raw: str, prefixes: Collection[str]) -> str | None:
    """An OCR-damaged reference put right by the document's prefixes, or None.

    The letters must match a prefix the document uses, ignoring case, a doubled letter
    ("Cco4" -> CO4) or one look-alike ("$T2" -> ST2); the rest must read as digits by
    look-alikes ("col" -> CO1, "COs" -> CO5). Nothing is guessed beyond that.
    """
    readings = repair_ref_readings(raw, prefixes)
    return readings[0] if readings else None


def repair_ref_readings(raw: str, prefixes: Collection[str]) -> list[str]:
    """Every reading of an OCR-damaged reference, most likely first ("COs": CO5, then CO3):
    the caller may choose by the references around it."""
    token = re.sub(r"\s+", "", raw or "").strip(_SURROUNDING)
    best: tuple[int, str] | None = None
    for prefix in sorted(prefixes, key=len, reverse=True):
        for cut in range(1, min(len(token), len(prefix) + 2)):
            letters, number = token[:cut], token[cut:]
            digits = number.translate(_OCR_TO_DIGIT)
            if not digits.isdigit() or len(digits) > 4:
                continue
            if len(number) > 1 and not any(ch.isdigit() for ch in number):
                continue  # "so" in "Also" is a word's end, not a number
            quality = _prefix_match(letters, prefix)
            if quality is not None and (best is None or quality < best[0]):
                best = (quality, prefix + "\0" + number)
    if best is None:
        return []
    prefix, number = best[1].split("\0")
    numbers = [""]
    for ch in number:
        options = _OCR_DIGIT_READINGS.get(ch) or ch.translate(_OCR_TO_DIGIT)
        numbers = [n + o for n in numbers for o in options]
    return [f"{prefix}{int(n)}" for n in numbers]


def read_twice(raw: str, prefixes: Collection[str]) -> bool:
    """Digits after letters that are a prefix but for a letter OCR read twice ("Cco2": CO)."""
    m = re.fullmatch(r"([A-Za-z]+)\s*\d+", raw or "")
    return bool(m) and any(_prefix_match(m.group(1), p) == 1 for p in prefixes)


def _prefix_match(letters: str, prefix: str) -> int | None:
    """0: same letters ignoring case; 1: a doubled letter or one look-alike; None: no match."""
    upper = letters.upper().translate(_OCR_TO_LETTER)
    if upper == prefix:
        return 0
    collapsed = re.sub(r"(.)\1+", r"\1", upper)
    if collapsed == prefix:
        return 1
    if len(upper) == len(prefix) and len(prefix) >= 2:
        if sum(a != b for a, b in zip(upper, prefix, strict=True)) == 1:
            return 2
    return None
