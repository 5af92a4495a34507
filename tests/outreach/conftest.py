"""Fixtures for the follow-up engine: an activated placement with a coach, a case manager and a mentor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from outreach.mail.queue import PublishBatch
from placements.models import AftercareStep, Placement
from placements.services import activate_placement
from tests.crm.factories import ContactFactory
from tests.placements.factories import ClientFactory, PlacementFactory

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


@pytest.fixture
def make_placement(alice: User, carl: User) -> Callable[..., Placement]:
    """Build and activate a placement of Alice's client on the default plan; keyword arguments adjust it."""

    def make(*, mentor_language="nl", client_first_name="Amina", **fields):
        client = fields.pop("client", None) or ClientFactory(
            coach=fields.pop("coach", alice), case_manager=carl, first_name=client_first_name, gender="woman"
        )
        mentor = ContactFactory(first_name="Marleen", preferred_language=mentor_language, role="mentor")
        placement = PlacementFactory(
            client=client, employer=mentor.employer, mentor=mentor, start_on=fields.pop("start_on", START), **fields
        )
        activate_placement(placement=placement, actor=alice, now=at(START - dt.timedelta(days=7)))
        return placement

    return make


@pytest.fixture
def placement(make_placement: Callable[..., Placement]) -> Placement:
    """Alice's client Amina, placed from START with a Dutch-speaking mentor."""
    return make_placement()
