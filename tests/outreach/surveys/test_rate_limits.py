"""Rate limits of the public survey page: views (GET) as well as posts, per client address behind trusted proxies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from placements.models import Placement
from tests.outreach.surveys.helpers import invite, survey_caches

pytestmark = pytest.mark.django_db
UNKNOWN = "/s/" + "A" * 51 + "/"
MINUTE = dt.datetime(2027, 3, 1, 10, 0, 5, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _isolated_rate_limit(settings: Any) -> None:
    """Each test counts under its own key prefix on the real Redis (db 13)."""
    settings.CACHES = survey_caches()


def test_guessing_links_by_get_is_limited_per_address(client: HttpClient, settings: Any) -> None:
    settings.SURVEY_GETS_PER_MINUTE = 3
    with time_machine.travel(MINUTE, tick=False):
        statuses = [client.get(UNKNOWN, REMOTE_ADDR="203.0.113.7").status_code for _ in range(4)]
        other = client.get(UNKNOWN, REMOTE_ADDR="203.0.113.8").status_code
    assert statuses == [404, 404, 404, 429]
    assert other == 404
    with time_machine.travel(MINUTE + dt.timedelta(minutes=1), tick=False):
        assert client.get(UNKNOWN, REMOTE_ADDR="203.0.113.7").status_code == 404


def test_a_limited_view_gets_the_polite_page_in_the_asked_language(
    client: HttpClient, placement: Placement, settings: Any
) -> None:
    settings.SURVEY_GETS_PER_MINUTE = 1
    _invitation, link = invite(placement)
    assert client.get(UNKNOWN).status_code == 404
    response = client.get(f"/s/{link}/?lang=en")
    body = response.content.decode()
    assert response.status_code == 429
    assert "open the link again" in body
    assert "send again" not in body
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Cache-Control"] == "private, no-store"


def test_views_and_posts_are_counted_apart(client: HttpClient, settings: Any) -> None:
    settings.SURVEY_GETS_PER_MINUTE = 2
    settings.SURVEY_POSTS_PER_MINUTE = 1
    with time_machine.travel(MINUTE, tick=False):
        views = [client.get(UNKNOWN).status_code for _ in range(3)]
        posts = [client.post(UNKNOWN, {}).status_code for _ in range(2)]
    assert views == [404, 404, 429]
    assert posts == [404, 429]


def test_the_get_limit_is_more_generous_than_the_post_limit_by_default(settings: Any) -> None:
    assert settings.SURVEY_GETS_PER_MINUTE > settings.SURVEY_POSTS_PER_MINUTE


def test_behind_a_trusted_proxy_each_employer_has_her_own_count(client: HttpClient, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SURVEY_GETS_PER_MINUTE = 2
    proxy: dict[str, Any] = {"REMOTE_ADDR": "10.0.0.2"}
    with time_machine.travel(MINUTE, tick=False):
        first = [client.get(UNKNOWN, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code for _ in range(3)]
        second = client.get(UNKNOWN, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code
    assert first == [404, 404, 429]
    assert second == 404


def test_a_visitor_cannot_dodge_the_limit_by_writing_her_own_forwarded_header(
    client: HttpClient, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    settings.SURVEY_GETS_PER_MINUTE = 2
    with time_machine.travel(MINUTE, tick=False):
        statuses = [
            client.get(UNKNOWN, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
            for n in range(3)
        ]
    assert statuses == [404, 404, 429]


def test_behind_a_proxy_a_forged_leftmost_entry_does_not_change_the_count(client: HttpClient, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SURVEY_GETS_PER_MINUTE = 2
    with time_machine.travel(MINUTE, tick=False):
        statuses = [
            client.get(UNKNOWN, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7").status_code
            for n in range(3)
        ]
    assert statuses == [404, 404, 429]
