"""What a survey submission costs and keeps: a fixed number of queries, all of it or nothing, the link found among
others with its prefix, and the rate limit's counter in one Redis round trip that expires with its window."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from crm.models import Interaction
from outreach.surveys import services
from outreach.surveys.answers import parse_answers
from outreach.surveys.links import link_for
from outreach.surveys.models import Answer, SurveyInvitation, SurveyResponse
from placements.models import Placement
from tests.outreach.surveys.helpers import full_answers, invite, survey_caches

pytestmark = pytest.mark.django_db
MINUTE = dt.datetime(2027, 3, 1, 10, 0, 5, tzinfo=dt.UTC)
# Measured: 40 statements in a test's transaction (savepoints included), the evaluation step it answers completed
# with the client's ladder and audit rows.
SUBMIT_QUERIES = 40


@pytest.fixture(autouse=True)
def _isolated_rate_limit(settings: Any) -> None:
    """Each test counts under its own key prefix on the real Redis (db 13)."""
    settings.CACHES = survey_caches()


def _submit(client: HttpClient, placement: Placement) -> int:
    """Answer the placement's evaluation through the page; the statements the post ran."""
    invitation, link = invite(placement)
    data = full_answers(invitation.template)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/s/{link}/", data)
    assert response.status_code == 302
    return len(queries.captured_queries)


def test_a_submission_runs_a_fixed_number_of_queries_however_many_came_before(
    client: HttpClient, make_placement: Callable[..., Placement]
) -> None:
    first = _submit(client, make_placement())
    for _ in range(3):
        _submit(client, make_placement())
    last = _submit(client, make_placement())
    assert first == last <= SUBMIT_QUERIES
    assert SurveyResponse.objects.count() == 5


def test_a_submission_that_fails_halfway_stores_nothing_and_the_link_still_works(
    placement: Placement, monkeypatch: pytest.MonkeyPatch
) -> None:
    invitation, _link = invite(placement)
    data = MultiValueDict({name: [value] for name, value in full_answers(invitation.template).items()})
    answers, errors = parse_answers(list(invitation.template.questions.all()), data)
    assert not errors
    interactions = Interaction.objects.count()

    def broken(*args: Any) -> Any:
        raise RuntimeError("the database went away")

    # The answers are written last, after the timeline line and the response.
    monkeypatch.setattr(services, "_answer_rows", broken)
    with pytest.raises(RuntimeError):
        services.submit_response(invitation=invitation, answers=answers, language="nl")
    assert (SurveyResponse.objects.count(), Answer.objects.count()) == (0, 0)
    assert Interaction.objects.count() == interactions
    assert SurveyInvitation.objects.answerable(now=timezone.now()).filter(pk=invitation.pk).exists()


def test_the_response_names_its_timeline_line(client: HttpClient, placement: Placement) -> None:
    _submit(client, placement)
    response = SurveyResponse.objects.select_related("interaction").get()
    assert response.interaction is not None
    assert response.interaction.employer_id == placement.employer_id
    assert response.interaction.occurred_at == response.submitted_at


def test_a_link_is_found_among_other_links_with_the_same_prefix(make_placement: Callable[..., Placement]) -> None:
    first, _ = invite(make_placement())
    other, _ = invite(make_placement())
    SurveyInvitation.objects.filter(pk=other.pk).update(token_prefix=first.token_prefix)
    other.refresh_from_db()
    now = timezone.now()
    found = [services.find_invitation(link_for(row.token_prefix, row.token_seed), now=now) for row in (first, other)]
    assert [row.pk if row is not None else None for row in found] == [first.pk, other.pk]


def test_the_counter_is_one_key_per_address_and_minute_that_expires_after_two_minutes(
    client: HttpClient, settings: Any
) -> None:
    settings.SURVEY_GETS_PER_MINUTE = 5
    cache = caches["surveys"]
    assert isinstance(cache, RedisCache)
    key = f"survey-get:127.0.0.1:{int(MINUTE.timestamp() // 60)}"
    with time_machine.travel(MINUTE, tick=False):
        statuses = [client.get("/s/" + "A" * 51 + "/").status_code for _ in range(3)]
    assert statuses == [404, 404, 404]
    assert cache.get(key) == 3  # the cache API reads what the pipeline counted
    ttl = cache._cache.get_client(write=False).ttl(cache.make_and_validate_key(key))
    assert 0 < ttl <= 120


def test_another_cache_backend_counts_through_the_cache_api(client: HttpClient, settings: Any) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "surveys": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex},
    }
    settings.SURVEY_POSTS_PER_MINUTE = 2
    with time_machine.travel(MINUTE, tick=False):
        statuses = [client.post("/s/" + "A" * 51 + "/", {}).status_code for _ in range(3)]
    assert statuses == [404, 404, 429]
