"""The survey API: coaches see, invite, resend and cancel for placements they may see; results and exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from rest_framework.test import APIClient

from outreach.surveys.links import link_for
from outreach.surveys.models import SurveyInvitation
from placements.models import Placement
from privacy.models import AccessEvent
from tests.crm.factories import ContactFactory, EmployerFactory
from tests.outreach.surveys.helpers import full_answers, invite, survey_caches

pytestmark = pytest.mark.django_db
LIST = "/api/v1/outreach/survey-invitations/"


@pytest.fixture(autouse=True)
def _isolated_rate_limit(settings: Any) -> None:
    settings.CACHES = survey_caches()


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("rows", [1, 12])
def test_the_invitation_list_runs_a_constant_number_of_queries(
    alice: Any, rows: int, make_placement: Callable[..., Placement], django_assert_max_num_queries: Any
) -> None:
    for _ in range(rows):
        invite(make_placement())
    with django_assert_max_num_queries(6):
        response = api(alice).get(LIST)
    assert response.status_code == 200
    assert len(response.json()["results"]) == rows


def test_a_coach_sees_only_her_own_clients_invitations(
    alice: Any, bob: Any, rita: Any, make_placement: Callable[..., Placement]
) -> None:
    mine, _link = invite(make_placement())
    at_ritas_employer, _link = invite(make_placement(coach=bob, owner=rita))
    assert [row["id"] for row in api(alice).get(LIST).json()["results"]] == [mine.pk]
    # A relationship manager sees the invitations at the employers she owns, not the others.
    assert [row["id"] for row in api(rita).get(LIST).json()["results"]] == [at_ritas_employer.pk]


def test_the_list_never_shows_the_link(alice: Any, placement: Placement) -> None:
    invitation, link = invite(placement)
    body = api(alice).get(LIST).content.decode()
    assert link not in body and invitation.token_hash not in body


def test_a_coach_invites_the_mentor_of_her_placement(alice: Any, placement: Placement) -> None:
    response = api(alice).post(LIST + "invite/", {"placement": placement.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["contact"] == placement.mentor_id
    assert response.json()["status"] == "Pending"


def test_a_coach_cannot_invite_for_another_coachs_placement(
    alice: Any, bob: Any, make_placement: Callable[..., Placement]
) -> None:
    placement = make_placement(coach=bob)
    response = api(alice).post(LIST + "invite/", {"placement": placement.pk}, format="json")
    assert response.status_code == 400
    assert not SurveyInvitation.objects.exists()


def test_a_coach_resends_and_cancels_her_invitation(alice: Any, placement: Placement) -> None:
    invitation, old = invite(placement)
    assert api(alice).post(f"{LIST}{invitation.pk}/resend/").status_code == 200
    invitation.refresh_from_db()
    assert link_for(invitation.token_prefix, invitation.token_seed) != old
    response = api(alice).post(f"{LIST}{invitation.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "Cancelled"
    again = api(alice).post(f"{LIST}{invitation.pk}/cancel/")
    assert again.status_code == 400


def test_another_coach_cannot_cancel(alice: Any, bob: Any, placement: Placement) -> None:
    invitation, _link = invite(placement)
    assert api(bob).post(f"{LIST}{invitation.pk}/cancel/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


def test_results_and_their_exports(alice: Any, bob: Any, client: HttpClient, placement: Placement) -> None:
    invitation, link = invite(placement)
    client.post(f"/s/{link}/", full_answers(invitation.template))
    response = api(alice).get(LIST + "results/", {"placement": str(placement.pk), "language": "nl"})
    rows = {row["key"]: row for row in response.json()["results"]}
    assert rows["e3_candidate_fit"]["average"] == 4
    assert rows["e3_candidate_fit"]["question"] == "Paste de kandidaat bij het profiel van de functie?"
    assert api(bob).get(LIST + "results/").json()["results"] == []
    csv_response = api(alice).get(LIST + "results/", {"export": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert b"e3_candidate_fit" in csv_response.content
    xlsx = api(alice).get(LIST + "results/", {"export": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    exported = AccessEvent.objects.filter(kind="exported", user=alice).values_list("detail", flat=True)
    assert sorted(exported) == ["survey results as csv", "survey results as xlsx"]


def test_a_backwards_period_is_refused(alice: Any) -> None:
    response = api(alice).get(LIST + "results/", {"start": "2027-02-01", "end": "2027-01-01"})
    assert response.status_code == 400
    assert "end" in response.json()


def test_a_relationship_manager_asks_an_employer_who_declined(rita: Any, alice: Any) -> None:
    declined = EmployerFactory.create(stage="declined")
    contact = ContactFactory.create(employer=declined, preferred_language="sv")
    response = api(rita).post(LIST + "invite-declined/", {"employer": declined.pk}, format="json")
    assert response.status_code == 201
    assert (response.json()["contact"], response.json()["kind"], response.json()["language"]) == (
        contact.pk,
        "employer_declined",
        "sv",
    )
    assert api(alice).post(LIST + "invite-declined/", {"employer": declined.pk}, format="json").status_code == 403
    active = EmployerFactory.create(stage="active")
    ContactFactory(employer=active)
    refused = api(rita).post(LIST + "invite-declined/", {"employer": active.pk}, format="json")
    assert refused.status_code == 400
    assert SurveyInvitation.objects.count() == 1
