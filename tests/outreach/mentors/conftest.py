"""Fixtures for the mentor's page: a placement with a working link, its address, an isolated rate-limit cache."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from outreach.mentors.models import MentorLink
from outreach.mentors.services import issue_link, link_text
from placements.models import Placement


@pytest.fixture(autouse=True)
def _local_rate_limit(settings: Any) -> None:
    """The public pages count requests in a cache of their own for each test (no Redis needed)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "surveys": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex},
    }


@pytest.fixture
def link(placement: Placement) -> MentorLink:
    """The working link of the mentor of Alice's client Amina's placement."""
    return issue_link(placement=placement, actor=None)


@pytest.fixture
def page(link: MentorLink) -> str:
    """The path of the mentor's page."""
    return f"/m/{link_text(link)}/"
