"""Titles, footers and file names -> the edition's period ("2019/20 Q3", "2019-07")."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    """An edition's period: its normalised label and the first day it covers."""

    label: str
    start: datetime.date


_MONTHS = {
    name: number
    for number, name in enumerate(
        "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1
    )
}
_MONTH_NAME = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL_QUARTERS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
}

# Separators are loose because file names use "-", "_" and "." where titles use "/" and " ".
_B = r"(?<![A-Za-z0-9])"
_E = r"(?![A-Za-z0-9])"
_FINANCIAL_YEAR = re.compile(
    rf"{_B}(?:FY\s*)?((?:19|20)\d\d)\s*[/\-_–.]\s*((?:19|20)?\d\d){_E}"
    rf"(?!\s*[/\-_.]\s*\d)",
    re.IGNORECASE,
)
_QUARTER = re.compile(
    rf"{_B}(?:q(?:tr)?\.?\s*([1-4])|quarter\s*([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th)"
    rf"\s+quarter|quarter\s+(one|two|three|four)){_E}",
    re.IGNORECASE,
)
# "22/23": a two-digit financial year, trusted only beside a quarter or after "FY".
_SHORT_FINANCIAL_YEAR = re.compile(rf"{_B}(FY\s*)?(\d\d)\s*[/\-_]\s*(\d\d){_E}(?!\s*[/\-_.]\s*\d)",
                                   re.IGNORECASE)
_DAY_MONTH_YEAR = re.compile(
    rf"{_B}(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+)?{_MONTH_NAME}\.?,?\s+((?:19|20)\d\d){_E}",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(rf"{_B}(\d{{1,2}})[/.](\d{{1,2}})[/.]((?:19|20)\d\d){_E}")
_ISO_MONTH = re.compile(rf"{_B}((?:19|20)\d\d)[-_](0[1-9]|1[0-2])(?:[-_](\d\d))?{_E}")

# How far (characters) a quarter may stand from its financial year: "Third Quarter Risk Update 2021/22".
_QUARTER_REACH = 40


def find_period(text: str) -> Period | None:
    """The period a title, footer or file name states, or None.

    Preference: a quarter with its financial year, then a month with its year, then a bare
    financial year. Among equals the first in the text wins.
    """
    text = text or ""
    years = list(_financial_years(text))
    short = [y for y in _short_financial_years(text)
             if not any(s <= y[0] < e for s, e, _ in years)]
    return (
        _first_quarter(text, years)
        or _first_quarter(text, [(s, e, first) for s, e, first, _ in short])
        or _first_month(text, years)
        or (financial_year_period(years[0][2]) if years else None)
        or next((financial_year_period(first) for _, _, first, fy in short if fy), None)
    )


def period_from_text(text: str) -> Period:
    """The period given on the command line (``--period``); ValueError when it names none."""
    period = find_period(text)
    if period is None:
        raise ValueError(
            f"cannot read a period from {text.strip()!r}: give a quarter and financial year "
            "('2019/20 Q3'), a month ('2019-07', 'July 2019') or a financial year ('2019/20')"
        )
    return period


def quarter_period(first_year: int, quarter: int) -> Period:
    """A UK financial-year quarter (Q1 starts in April) as a Period."""
    month = 4 + 3 * (quarter - 1)
    year = first_year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return Period(f"{fy_label(first_year)} Q{quarter}", datetime.date(year, month, 1))


def month_period(year: int, month: int) -> Period:
    """A calendar month as a Period labelled "YYYY-MM"."""
    return Period(f"{year:04d}-{month:02d}", datetime.date(year, month, 1))


def financial_year_period(first_year: int) -> Period:
    """A whole financial year (from 1 April) as a Period labelled "2019/20"."""
    return Period(fy_label(first_year), datetime.date(first_year, 4, 1))


def fy_label(first_year: int) -> str:
    """The label of the financial year starting in April of ``first_year``: "2019/20"."""
    return f"{first_year}/{(first_year + 1) % 100:02d}"


def _financial_years(text: str):
    """(start, end, first_year) of every "2019/20"-like span whose years follow each other."""
    for match in _FINANCIAL_YEAR.finditer(text):
        first, second = int(match.group(1)), match.group(2)
        follows = int(second) == first + 1 if len(second) == 4 else int(second) == (first + 1) % 100
        if follows:
            yield match.start(), match.end(), first


def _short_financial_years(text: str):
    """(start, end, first_year, said FY) of every "22/23"-like span whose years follow."""
    for match in _SHORT_FINANCIAL_YEAR.finditer(text):
        first, second = int(match.group(2)), int(match.group(3))
        if second == (first + 1) % 100:
            yield match.start(), match.end(), 2000 + first, bool(match.group(1))


def _first_quarter(text: str, years: list[tuple[int, int, int]]) -> Period | None:
    """The first quarter mention that has a financial year within reach."""
    for match in _QUARTER.finditer(text):
        number = match.group(1) or match.group(2)
        word = match.group(3) or match.group(4)
        quarter = int(number) if number else _ORDINAL_QUARTERS[word.lower()]
        near = [
            (min(abs(match.start() - end), abs(start - match.end())), first)
            for start, end, first in years
            if not (start < match.end() and match.start() < end)
        ]
        near = [item for item in near if item[0] <= _QUARTER_REACH]
        if near:
            return quarter_period(min(near)[1], quarter)
    return None


def _first_month(text: str, years: list[tuple[int, int, int]]) -> Period | None:
    """The first month-and-year ("July 2019", "13 July 2020", "13/07/2020", "2019-07")."""
    found: list[tuple[int, Period]] = []
    for match in _DAY_MONTH_YEAR.finditer(text):
        month = _MONTHS[match.group(2).lower()[:3]]
        found.append((match.start(), month_period(int(match.group(3)), month)))
    for match in _NUMERIC_DATE.finditer(text):
        day, month = int(match.group(1)), int(match.group(2))
        if 1 <= day <= 31 and 1 <= month <= 12:  # UK order: day first
            found.append((match.start(), month_period(int(match.group(3)), month)))
    fy_spans = [(start, end) for start, end, _ in years]
    for match in _ISO_MONTH.finditer(text):
        inside_fy = any(start <= match.start() < end for start, end in fy_spans)
        if inside_fy and not match.group(3):
            continue  # "2011-12" reads as a financial year unless a day follows
        found.append((match.start(), month_period(int(match.group(1)), int(match.group(2)))))
    return min(found, key=lambda item: item[0])[1] if found else None
