"""Direction-of-travel text -> "up", "down", "level", "new" or None."""

from __future__ import annotations

import re

# Unicode arrows with an unmistakable direction; symbol-font arrows arrive as ordinary
# letters and cannot be read, so single letters fall through to None.
_GLYPHS = {
    "up": "↑⇧▲△⬆⇑↗",
    "down": "↓⇩▼▽⬇⇓↘",
    "level": "→⇨►▶⟶⇒↔⬌⇔◄◀←⇦",
}

# Words that settle the direction when they are the whole cell (or nearly).
_SHORT_WORDS = {
    "up": r"up|upwards?|higher|increas\w*|escalat\w*|worse\w*|worsen\w*|rising|risen|deteriorat\w*",
    "down": r"down|downwards?|lower|reduc\w*|decreas\w*|improv\w*|better|falling|fallen|declin\w*",
    "level": (
        r"level|static|stable|unchanged|no\s+change|same|steady|maintained|constant"
        r"|no\s+movement|not\s+changed|remain\w*"
    ),
    "new": r"new|new\s+risk|newly\s+\w+|emerging",
}

# In sentences only verbs about the risk count; "improve", "up" and "new" are too common
# in ordinary prose to say anything.
_SENTENCE_WORDS = {
    "up": r"increas(?:e|es|ed|ing)|escalat(?:e|es|ed|ing)|worsen(?:s|ed|ing)?"
    r"|deteriorat(?:e|es|ed|ing)|risen|heightened",
    "down": r"reduc(?:e|es|ed|ing)|decreas(?:e|es|ed|ing)|lowered|fallen"
    r"|declin(?:e|es|ed|ing)|diminish(?:es|ed|ing)?|eased",
    "level": r"unchanged|stable|static|steady|no\s+change|not\s+changed|remains?\s+the\s+same"
    r"|same\s+level|remains?\s+level",
    "new": r"new\s+risk|newly\s+(?:added|identified|included|emerged)|emerging\s+risk",
}
_NEGATION = re.compile(
    r"\b(?:not|no|never|n't|cannot|unable\s+to|nor)\s+(?:\w+\s+){0,2}$", re.IGNORECASE
)
# "actions to reduce the risk" is a purpose, not a movement; "continues to reduce" is one.
_PURPOSE = re.compile(r"\bto\s+$", re.IGNORECASE)
_MOVEMENT_BEFORE_TO = re.compile(
    r"\b(?:continu\w*|start\w*|begin\w*|began|begun|expected|likely|seen|seems?|appears?)\s+to\s+$",
    re.IGNORECASE,
)
_SHORT_LIMIT = 4  # words; a longer text is read as a sentence
_CLOSED = re.compile(r"^\W*(?:risk\s+)?closed\W*$", re.IGNORECASE)


def parse_direction(text: str) -> str | None:
    """Classify a direction-of-travel cell; None when it states none or says both ways."""
    flat = re.sub(r"\s+", " ", text or "").strip()
    if not flat or _CLOSED.match(flat):
        return None
    glyph = _glyph_direction(flat)
    if glyph is not None:
        return glyph
    words = re.findall(r"[A-Za-z']+", flat)
    if not words:
        return None
    table = _SHORT_WORDS if len(words) <= _SHORT_LIMIT else _SENTENCE_WORDS
    found = _directions_named(flat, table)
    if len(words) <= _SHORT_LIMIT and "new" in found:
        return "new"  # "New", "New risk": the risk has no previous position to move from
    return found.pop() if len(found) == 1 else None


def _glyph_direction(text: str) -> str | None:
    """The direction of arrow glyphs in the text, when they all agree."""
    found = {direction for direction, glyphs in _GLYPHS.items() if any(g in text for g in glyphs)}
    return found.pop() if len(found) == 1 else None


def _directions_named(text: str, table: dict[str, str]) -> set[str]:
    """Every direction whose words occur un-negated (and not as a bare purpose) in the text."""
    found = set()
    for direction, words in table.items():
        for match in re.finditer(rf"\b(?:{words})\b", text, re.IGNORECASE):
            before = text[: match.start()]
            if _NEGATION.search(before):
                continue
            if (
                direction in ("up", "down")
                and _PURPOSE.search(before)
                and not _MOVEMENT_BEFORE_TO.search(before)
            ):
                continue
            found.add(direction)
    return found


_ARROW_DEBRIS = re.compile(r"^\s*([^\w\s]|[17lIJtT])\s+(?=[A-Za-z])")


def strip_arrow_debris(text: str) -> str:
    """An arrow glyph OCR read as a stray character ('1 Downwards', '| Level') removed, only
    when a direction word follows; anything else is left as read."""
    m = _ARROW_DEBRIS.match(text or "")
    if m and parse_direction(text[m.end():]) is not None:
        return text[m.end():]
    return text
