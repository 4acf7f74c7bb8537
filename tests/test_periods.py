"""Titles, footers and file names -> Period."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise.periods import Period, find_period, period_from_text

D = datetime.date


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("Q2 2017/18", Period("2017/18 Q2", D(2017, 7, 1)), id="quarter-first"),
        pytest.param("2017/18 Q2", Period("2017/18 Q2", D(2017, 7, 1)), id="year-first"),
        pytest.param("Quarter 1, 2015/16", Period("2015/16 Q1", D(2015, 4, 1)), id="quarter-word"),
        pytest.param(
            "Third Quarter Risk Update 2021/22",
            Period("2021/22 Q3", D(2021, 10, 1)),
            id="ordinal-quarter",
        ),
        pytest.param("Q3 2019-20", Period("2019/20 Q3", D(2019, 10, 1)), id="dash-year"),
        pytest.param("Q4 2019/20", Period("2019/20 Q4", D(2020, 1, 1)), id="q4-next-calendar-year"),
        pytest.param(
            "Register Q1 2020/2021",
            Period("2020/21 Q1", D(2020, 4, 1)),
            id="four-digit-second-year",
        ),
        pytest.param("as at 13 July 2020", Period("2020-07", D(2020, 7, 1)), id="date"),
        pytest.param("Updated July 2019", Period("2019-07", D(2019, 7, 1)), id="month"),
        pytest.param("Sept 2019", Period("2019-09", D(2019, 9, 1)), id="month-abbrev"),
        pytest.param("2019-07", Period("2019-07", D(2019, 7, 1)), id="iso-month"),
        pytest.param("13/07/2020", Period("2020-07", D(2020, 7, 1)), id="uk-numeric-date"),
        pytest.param(
            "2019-20-q3-corporate-risk-register",
            Period("2019/20 Q3", D(2019, 10, 1)),
            id="file-name-dashes",
        ),
        pytest.param(
            "risk_register_q2_2017_18",
            Period("2017/18 Q2", D(2017, 7, 1)),
            id="file-name-underscores",
        ),
        pytest.param("2019/20", Period("2019/20", D(2019, 4, 1)), id="bare-financial-year"),
        pytest.param(
            "2011-12-register",
            Period("2011/12", D(2011, 4, 1)),
            id="consecutive-years-are-a-financial-year",
        ),
        pytest.param(
            "report 2011-12-05", Period("2011-12", D(2011, 12, 1)), id="full-iso-date-is-a-month"
        ),
        pytest.param(
            "Risk Register July 2020 Q1 2020/21",
            Period("2020/21 Q1", D(2020, 4, 1)),
            id="quarter-preferred-to-month",
        ),
        pytest.param(
            "Register 2019/20 updated July 2019",
            Period("2019-07", D(2019, 7, 1)),
            id="month-preferred-to-year",
        ),
        pytest.param("Q3 2019", None, id="quarter-without-financial-year"),
        pytest.param("Corporate risk register", None, id="none"),
        pytest.param("2019/21", None, id="years-not-consecutive"),
    ],
)
def test_find_period(text, expected):
    assert find_period(text) == expected


def test_period_from_text_reads_own_labels():
    assert period_from_text(" 2019/20 Q3 ") == Period("2019/20 Q3", D(2019, 10, 1))
    assert period_from_text("2019-07") == Period("2019-07", D(2019, 7, 1))


def test_period_from_text_refuses_nonsense():
    with pytest.raises(ValueError, match="cannot read a period"):
        period_from_text("sometime")


@settings(max_examples=200, deadline=None)
@given(st.integers(2000, 2098), st.integers(1, 4))
def test_label_round_trips(first_year, quarter):
    period = find_period(f"Q{quarter} {first_year}/{(first_year + 1) % 100:02d}")
    assert period_from_text(period.label) == period
    assert period.start.month == (4, 7, 10, 1)[quarter - 1]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_period_or_none(text):
    period = find_period(text)
    assert period is None or (period.label and period.start.day == 1)


@pytest.mark.parametrize(
    "text, label",
    [
        pytest.param("CRR Q1 22/23", "2022/23 Q1", id="two-digit-years-beside-quarter"),
        pytest.param("Corporate Risk Register 2023/24 Quarter Two", "2023/24 Q2", id="quarter-word"),
        pytest.param("Risk Register FY23/24", "2023/24", id="two-digit-years-after-FY"),
        pytest.param("page 12/13 of the report", None, id="page-numbers-not-a-year"),
    ],
)
def test_short_years_and_quarter_words(text, label):
    found = find_period(text)
    assert (found.label if found else None) == label
