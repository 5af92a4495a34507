"""Plain helpers for the outreach tests: the scenario's start day, moments on a day, a plan step, and
what a list of on-commit callbacks would publish (fixtures stay in conftest.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from outreach.mail.queue import PublishBatch
from placements.models import AftercareStep, Placement

START = dt.date(2027, 1, 4)  # a Monday


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A moment on a local day, in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def enqueued(callbacks: list[Callable[[], Any]]) -> list[tuple[str, tuple[Any, ...]]]:
    """The tasks a list of on-commit callbacks would enqueue: (task name, args)."""
    return [
        (callback.task, tuple(callback.args))
        if isinstance(callback, PublishBatch)
        # delay_on_commit registers a partial of the task's delay
        else (callback.func.__self__.name, callback.args)  # type: ignore[attr-defined]
        for callback in callbacks
    ]


def step(placement: Placement, *, offset: int | None = None, kind: str | None = None) -> AftercareStep:
    """One of the placement's steps, by its offset from the start or its kind."""
    steps = placement.steps.select_related("template").order_by("due_on", "pk")
    if offset is not None:
        steps = steps.filter(due_on=placement.start_on + dt.timedelta(days=offset))
    if kind is not None:
        steps = steps.filter(kind=kind)
    return steps.first()  # type: ignore[return-value]
