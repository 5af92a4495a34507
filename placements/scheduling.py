"""Date arithmetic for aftercare schedules: anchors, calendar or working-day offsets, months.

Offsets count calendar days by default; a plan may count working days instead, skipping Saturdays
and Sundays (DESIGN "The follow-up engine"). Public holidays differ per country and are not
skipped; a coach moves a step by hand when one falls on a holiday.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from placements.choices import Anchor

if TYPE_CHECKING:
    from placements.models import AftercarePlan, AftercareStepTemplate, Placement

# Flora II.3.F: coaching "in principle lasts a year"; the end anchor of a placement without a
# planned end falls this many days after the start.
DEFAULT_COACHING_DAYS = 365
# Days after an early or actual end on which the employer evaluation and the closing conversation
# fall, so the employer is still asked how it went (igma ch. 6 final evaluation).
END_FOLLOW_UP_DAYS = 7
SATURDAY = 5


def local_date(now: dt.datetime) -> dt.date:
    """The local date of a moment (a naive moment is taken as local already)."""
    return timezone.localdate(now) if timezone.is_aware(now) else now.date()


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday."""
    return day.weekday() < SATURDAY


def next_working_day(day: dt.date) -> dt.date:
    """The day itself when it is a working day, otherwise the Monday after."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(start: dt.date, days: int) -> dt.date:
    """Count `days` working days from `start` (backwards when negative); offset 0 rolls a weekend to Monday."""
    if days == 0:
        return next_working_day(start)
    step = 1 if days > 0 else -1
    day, remaining = start, abs(days)
    while remaining:
        day += dt.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def add_days(start: dt.date, days: int, *, working_days: bool) -> dt.date:
    """`start` plus `days` calendar days, or working days when the plan counts those."""
    if working_days:
        return add_working_days(start, days)
    return start + dt.timedelta(days=days)


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the end of a shorter month (31 Aug + 6 months = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def end_anchor(*, start_on: dt.date, planned_end_on: dt.date | None) -> dt.date:
    """The planned end, or a year after the start when none is planned (Flora II.3.F "in principle a year")."""
    return planned_end_on or start_on + dt.timedelta(days=DEFAULT_COACHING_DAYS)


def anchor_date(anchor: str, *, start_on: dt.date, planned_end_on: dt.date | None) -> dt.date:
    """The date a template's offset counts from."""
    if anchor == Anchor.END:
        return end_anchor(start_on=start_on, planned_end_on=planned_end_on)
    return start_on


def planned_date(
    template: AftercareStepTemplate,
    *,
    plan: AftercarePlan,
    start_on: dt.date,
    planned_end_on: dt.date | None,
) -> dt.date:
    """The date the plan gives a template step for a placement with these dates."""
    base = anchor_date(template.anchor, start_on=start_on, planned_end_on=planned_end_on)
    return add_days(base, template.offset_days, working_days=plan.counts_working_days)


def planned_date_for(template: AftercareStepTemplate, placement: Placement, plan: AftercarePlan) -> dt.date:
    """The date the plan gives a template step for this placement's current dates."""
    return planned_date(template, plan=plan, start_on=placement.start_on, planned_end_on=placement.planned_end_on)
