"""Fixtures for the follow-up engine: an activated placement with a coach, a case manager and a mentor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from placements.models import Placement
from placements.services import activate_placement
from tests.crm.factories import ContactFactory
from tests.outreach.helpers import START, at
from tests.placements.factories import ClientFactory, PlacementFactory


@pytest.fixture
def make_placement(alice: User, carl: User) -> Callable[..., Placement]:
    """Build and activate a placement of Alice's client on the default plan; keyword arguments adjust it.

    `owner` is the relationship manager who owns the employer (none by default): she sees the placement,
    its packs and its survey invitations only at an employer she owns (Flora III.1.B).
    """

    def make(*, mentor_language="nl", client_first_name="Amina", owner=None, **fields):
        client = fields.pop("client", None) or ClientFactory(
            coach=fields.pop("coach", alice), case_manager=carl, first_name=client_first_name, gender="woman"
        )
        mentor = ContactFactory(
            first_name="Marleen", preferred_language=mentor_language, role="mentor", employer__owner=owner
        )
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
