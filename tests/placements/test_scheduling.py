"""Date arithmetic of aftercare schedules."""

from __future__ import annotations

import datetime as dt

import pytest

from placements.scheduling import add_days, add_months, add_working_days, end_anchor

FRIDAY = dt.date(2027, 1, 8)
SATURDAY = dt.date(2027, 1, 9)


def test_calendar_offsets_count_every_day():
    assert add_days(FRIDAY, 1, working_days=False) == SATURDAY
    assert add_days(FRIDAY, -7, working_days=False) == dt.date(2027, 1, 1)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (FRIDAY, 1, dt.date(2027, 1, 11)),  # Friday + 1 working day = Monday
        (FRIDAY, 5, dt.date(2027, 1, 15)),
        (SATURDAY, 0, dt.date(2027, 1, 11)),  # a weekend anchor rolls to Monday
        (FRIDAY, 0, FRIDAY),
        (dt.date(2027, 1, 11), -1, FRIDAY),  # Monday - 1 working day = Friday
        (SATURDAY, 1, dt.date(2027, 1, 11)),
    ],
)
def test_working_day_offsets_skip_saturdays_and_sundays(start, days, expected):
    assert add_working_days(start, days) == expected
    assert add_days(start, days, working_days=True) == expected


def test_twenty_working_days_are_four_weeks():
    assert add_working_days(dt.date(2027, 1, 4), 20) == dt.date(2027, 2, 1)


def test_months_clamp_to_the_end_of_a_shorter_month():
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2027, 1, 4), 3) == dt.date(2027, 4, 4)


def test_the_end_anchor_is_the_planned_end_or_a_year_after_the_start():
    assert end_anchor(start_on=dt.date(2027, 1, 4), planned_end_on=dt.date(2027, 3, 1)) == dt.date(2027, 3, 1)
    assert end_anchor(start_on=dt.date(2027, 1, 4), planned_end_on=None) == dt.date(2028, 1, 4)
