"""The publishing organisation's name, where a document's title states it."""

from __future__ import annotations

import re

_BODY = (
    r"(?:County|City|Borough|District|Metropolitan Borough|Town|Parish)?\s*Council"
    r"|NHS(?: Foundation)? Trust|Integrated Care Board|Clinical Commissioning Group"
    r"|Fire and Rescue (?:Authority|Service)|Fire Authority|Police(?: and Crime Commissioner)?"
    r"|Combined Authority|Constabulary|Police Service"
)
_NAME = re.compile(
    rf"\b((?:[A-Z][\w'&.-]*\s+(?:(?:and|of|upon|on|the|&)\s+)?){{1,6}}(?:{_BODY}))\b"
)
_NOT_NAME_START = {"Corporate", "Appendix", "Annex", "Strategic", "Risk", "Register", "The"}


def find_organisation(text: str) -> str | None:
    """'Appendix A: Wigan Metropolitan Borough Council Corporate Risk Register' -> the council."""
    for line in (text or "").splitlines():
        m = _NAME.search(line)
        if not m:
            continue
        words = m.group(1).split()
        while words and (words[0].rstrip(":") in _NOT_NAME_START or words[0][0].islower()):
            words = words[1:]
        name = " ".join(words)
        if len(words) >= 2:
            return name
    return None
