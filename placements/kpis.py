"""The follow-up rules the team page and the coach report share: one rule, one place.

A coach's caseload counts her clients whose file is open; the on-time share counts the aftercare steps
assigned to her that were recorded as done within a window of local dates, and of those the ones done on
or before their due date. The team page (placements/views/team.py) applies them to the last four weeks,
the programme report's coach section (reports/sections/coaches.py) to the report's period; both import
them from here, so the two pages cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db.models import F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from placements.choices import ClientStatus, StepStatus

# A client counts in a caseload while her file is open and not paused.
ACTIVE_CLIENT_STATUSES = (ClientStatus.INTAKE, ClientStatus.ACTIVE, ClientStatus.PLACED, ClientStatus.AFTERCARE)
# The name of the alias `with_done_on` adds: the local date a step was recorded as done.
DONE_ON = "done_on"

_QuerySet = TypeVar("_QuerySet", bound=QuerySet[Any])


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The moments a span of local dates covers: from `start` at midnight up to (not including) the day after `end`.

    Filtering a timestamp with `>= since` and `< until` keeps the database's index on it usable, and a
    moment late in the evening local time (already the next day in UTC) counts on its local date.
    """
    zone = timezone.get_current_timezone()
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min), zone)
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), zone)
    return since, until


def with_done_on(steps: _QuerySet) -> _QuerySet:
    """Aftercare steps with the alias DONE_ON: the local date of `completed_at` (None while not done)."""
    return steps.alias(**{DONE_ON: TruncDate("completed_at", tzinfo=timezone.get_current_timezone())})


def done_within_q(start: dt.date, end: dt.date) -> Q:
    """Steps recorded as done (not skipped or cancelled) on a local date from `start` to `end`, both included."""
    since, until = day_bounds(start, end)
    return Q(status=StepStatus.DONE, completed_at__gte=since, completed_at__lt=until)


def on_time_q() -> Q:
    """Of the done steps, those done on time: the local date they were done (DONE_ON) is on or before their due date.

    The due date is the one the step has now, so a step moved with a reason is measured against its new
    date. Needs the alias from `with_done_on`.
    """
    return Q(**{f"{DONE_ON}__lte": F("due_on")})
