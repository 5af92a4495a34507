"""The SQL pieces the reports build on, on whichever database the suite runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F

from common.sql import AddMonths, DaysBetween, quartiles
from crm.models import LadderStep
from placements.models import LadderPosition
from placements.scheduling import add_months
from tests.placements.factories import ClientFactory


def stay(client=None, *, step=10, entered_on, left_on=None):
    return LadderPosition.objects.create(
        client=client or ClientFactory(),
        step=LadderStep.objects.get(position=step),
        entered_on=entered_on,
        left_on=left_on,
    )


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "months"),
    [
        (dt.date(2026, 1, 31), 1),
        (dt.date(2024, 1, 31), 1),
        (dt.date(2026, 8, 31), 6),
        (dt.date(2026, 3, 15), 3),
        (dt.date(2026, 11, 30), 12),
        (dt.date(2026, 12, 31), 3),
    ],
)
def test_add_months_matches_the_python_rule(start, months):
    position = stay(entered_on=start)

    row = LadderPosition.objects.filter(pk=position.pk).annotate(later=AddMonths(F("entered_on"), months)).get()

    assert str(row.later)[:10] == add_months(start, months).isoformat()


def test_days_between_counts_whole_days_both_ways():
    position = stay(entered_on=dt.date(2026, 1, 30), left_on=dt.date(2026, 3, 2))

    row = (
        LadderPosition.objects.filter(pk=position.pk)
        .annotate(forward=DaysBetween(F("left_on"), F("entered_on")), back=DaysBetween(F("entered_on"), F("left_on")))
        .get()
    )

    assert (row.forward, row.back) == (31, -31)


def test_quartiles_interpolate_between_ranks_per_group():
    # Step A: 1, 2, 3, 4 -> q1 1.75, median 2.5, q3 3.25; step B: 10 alone -> 10 everywhere.
    start = dt.date(2026, 1, 1)
    first = stay(step=10, entered_on=start, left_on=start + dt.timedelta(days=1))
    for days in (4, 2, 3):
        stay(step=10, entered_on=start, left_on=start + dt.timedelta(days=days))
    other = stay(step=11, entered_on=start, left_on=start + dt.timedelta(days=10))

    result = quartiles(
        LadderPosition.objects.all(), group=F("step_id"), value=DaysBetween(F("left_on"), F("entered_on"))
    )

    assert (result[first.step_id].n, result[first.step_id].q1, result[first.step_id].median) == (4, 1.75, 2.5)
    assert result[first.step_id].q3 == 3.25
    assert (result[other.step_id].n, result[other.step_id].median, result[other.step_id].q3) == (1, 10, 10)


def test_quartiles_with_the_total_read_the_rows_once_and_add_the_whole_under_none():
    start = dt.date(2026, 1, 1)
    for step, days in ((10, 1), (10, 3), (11, 5), (11, 7), (11, 9)):
        stay(step=step, entered_on=start, left_on=start + dt.timedelta(days=days))
    days = DaysBetween(F("left_on"), F("entered_on"))

    result = quartiles(LadderPosition.objects.all(), group=F("step__position"), value=days, with_total=True)

    # Step 10: 1, 3 -> median 2, sum 4; step 11: 5, 7, 9 -> median 7, sum 21; all: 1..9 -> median 5, sum 25.
    assert (result[10].n, result[10].median, result[10].total) == (2, 2, 4)
    assert (result[11].n, result[11].median, result[11].total) == (3, 7, 21)
    assert (result[None].n, result[None].q1, result[None].median, result[None].q3, result[None].total) == (
        5,
        3,
        5,
        7,
        25,
    )
