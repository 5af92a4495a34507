"""The survey admin: list pages in a constant number of queries, resend and cancel, answered templates locked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient

from outreach.surveys.models import SurveyInvitation, SurveyTemplate
from outreach.surveys.services import active_template
from placements.models import Placement
from tests.outreach.surveys.helpers import full_answers, invite, survey_caches

pytestmark = pytest.mark.django_db
INVITATIONS = "/admin/outreach/surveyinvitation/"
RESPONSES = "/admin/outreach/surveyresponse/"
TEMPLATES = "/admin/outreach/surveytemplate/"


@pytest.fixture(autouse=True)
def _isolated_rate_limit(settings: Any) -> None:
    settings.CACHES = survey_caches()


def signed_in(user: Any) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def answered(make_placement: Callable[..., Placement], rows: int) -> None:
    public = HttpClient()
    for _ in range(rows):
        invitation, link = invite(make_placement())
        assert public.post(f"/s/{link}/", full_answers(invitation.template)).status_code == 302


@pytest.mark.parametrize("rows", [1, 10])
@pytest.mark.parametrize("page", [INVITATIONS, RESPONSES, TEMPLATES])
def test_the_survey_lists_run_a_constant_number_of_queries(
    adam: Any, make_placement: Callable[..., Placement], django_assert_max_num_queries: Any, rows: int, page: str
) -> None:
    answered(make_placement, rows)
    admin = signed_in(adam)
    with django_assert_max_num_queries(12):
        response = admin.get(page)
    assert response.status_code == 200


def test_the_invitation_page_never_shows_the_link(adam: Any, placement: Placement) -> None:
    invitation, link = invite(placement)
    body = signed_in(adam).get(f"{INVITATIONS}{invitation.pk}/change/").content.decode()
    assert link not in body and invitation.token_hash not in body and invitation.token_seed not in body


def test_cancelling_from_the_admin_refuses_an_answered_one_and_cancels_the_rest(
    adam: Any, make_placement: Callable[..., Placement]
) -> None:
    answered(make_placement, 1)
    open_one, _link = invite(make_placement())
    response = signed_in(adam).post(
        INVITATIONS,
        {"action": "cancel", "_selected_action": list(SurveyInvitation.objects.values_list("pk", flat=True))},
        follow=True,
    )
    assert "1 link cancelled." in response.content.decode()
    open_one.refresh_from_db()
    assert open_one.cancelled_at is not None
    assert SurveyInvitation.objects.filter(cancelled_at__isnull=True).count() == 1


def test_an_answered_template_is_read_only_and_gets_a_new_version(
    adam: Any, make_placement: Callable[..., Placement]
) -> None:
    answered(make_placement, 1)
    template = active_template("employer_end")
    admin = signed_in(adam)
    page = admin.get(f"{TEMPLATES}{template.pk}/change/").content.decode()
    assert 'name="questions-0-text_en"' not in page
    admin.post(TEMPLATES, {"action": "make_new_version", "_selected_action": [template.pk]})
    assert SurveyTemplate.objects.get(kind="employer_end", is_active=True).version == 2


def test_a_coach_sees_only_her_own_clients_invitations_in_the_admin(
    alice: Any, bob: Any, make_placement: Callable[..., Placement]
) -> None:
    alice.is_staff = True
    alice.save()
    invite(make_placement())
    theirs, _link = invite(make_placement(coach=bob))
    response = signed_in(alice).get(INVITATIONS)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1
    assert theirs not in response.context["cl"].result_list
