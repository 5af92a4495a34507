"""The coaching agreement: versions through revise_agreement, the workspace pages and the API (Flora III.4)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client as WebClient
from django.urls import reverse
from rest_framework.test import APIClient

from placements import services
from placements.models import Client, CoachingAgreement
from tests.placements.factories import ClientFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
TODAY = NOW.date()
TERMS = {
    "parties": "Amina, her coach Alice",
    "joint_work": "Every two weeks a conversation about her job search",
    "duration_weeks": 26,
    "expected_result": "A job in a kitchen",
    "success_measure": "She works at least 16 hours a week",
    "contact_rhythm": "Every two weeks",
}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


def first_version(client: Client, **terms: object) -> CoachingAgreement:
    return services.revise_agreement(client=client, actor=client.coach, fields=TERMS | terms, change_note="", now=NOW)


def rows() -> list[tuple]:
    return list(CoachingAgreement.objects.order_by("pk").values_list("pk", "version", "superseded_at", "joint_work"))


def share_consent(client: Client) -> None:
    services.record_consent(client=client, purpose="share_with_employer", given_on=dt.date(2026, 10, 1), actor=None)


# --- The service ------------------------------------------------------------------------------


def test_the_first_version_needs_no_change_note_and_is_in_force(alice):
    client = ClientFactory(coach=alice)

    agreement = first_version(client)

    assert (agreement.version, agreement.is_current, agreement.created_by) == (1, True, alice)
    assert agreement.agreed_on == TODAY and agreement.created_at == NOW
    assert client.current_agreement() == agreement


def test_a_revision_supersedes_the_version_in_force_and_carries_the_other_terms_over(alice):
    client = ClientFactory(coach=alice)
    first = first_version(client)
    later = NOW + dt.timedelta(days=30)

    second = services.revise_agreement(
        client=client, actor=alice, fields={"contact_rhythm": "Weekly"}, change_note="She started work", now=later
    )

    first.refresh_from_db()
    assert first.superseded_at == later and not first.is_current
    assert (second.version, second.contact_rhythm, second.joint_work) == (2, "Weekly", TERMS["joint_work"])
    assert second.change_note == "She started work" and second.agreed_on == later.date()
    assert client.current_agreement() == second


def test_a_revision_without_a_change_note_is_refused_and_writes_nothing(alice):
    client = ClientFactory(coach=alice)
    first_version(client)
    before = rows()

    with pytest.raises(ValidationError) as refused:
        services.revise_agreement(client=client, actor=alice, fields={"contact_rhythm": "Weekly"}, change_note=" ")

    assert "change_note" in refused.value.message_dict
    assert rows() == before


def test_a_revision_identical_to_the_version_in_force_is_refused(alice):
    client = ClientFactory(coach=alice)
    first_version(client)
    before = rows()

    with pytest.raises(ValidationError, match="Nothing changed"):
        services.revise_agreement(
            client=client, actor=alice, fields={"joint_work": TERMS["joint_work"] + "  "}, change_note="Again"
        )

    assert rows() == before


def test_shareable_text_without_consent_is_refused_and_writes_nothing(alice):
    client = ClientFactory(coach=alice)
    first_version(client)
    before = rows()

    with pytest.raises(ValidationError) as refused:
        services.revise_agreement(
            client=client, actor=alice, fields={"share_with_employer": "Her rota"}, change_note="Sharing"
        )

    assert "share_with_employer" in refused.value.message_dict
    assert rows() == before


def test_a_revision_cannot_be_dated_before_the_version_it_replaces(alice):
    client = ClientFactory(coach=alice)
    first_version(client)

    with pytest.raises(ValidationError) as refused:
        services.revise_agreement(
            client=client,
            actor=alice,
            fields={"contact_rhythm": "Weekly", "agreed_on": TODAY - dt.timedelta(days=1)},
            change_note="Backdated",
        )

    assert "agreed_on" in refused.value.message_dict
    assert len(rows()) == 1


def test_a_first_version_missing_required_terms_is_refused(alice):
    client = ClientFactory(coach=alice)

    with pytest.raises(ValidationError) as refused:
        services.revise_agreement(client=client, actor=alice, fields={"parties": "Amina"}, change_note="")

    assert {"joint_work", "expected_result", "success_measure"} <= set(refused.value.message_dict)
    assert rows() == []


# --- The workspace pages ----------------------------------------------------------------------


def signed_in(user: User) -> WebClient:
    web = WebClient()
    web.force_login(user)
    return web


def page_urls(client: Client) -> list[str]:
    return [
        reverse("placements:agreement", args=[client.pk]),
        reverse("placements:agreement-edit", args=[client.pk]),
        reverse("placements:agreement-version", args=[client.pk, 1]),
    ]


def form_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = dict(TERMS)
    data |= {"goals_work": "", "goals_private": "", "share_with_employer": "", "agreed_on": TODAY.isoformat()}
    data["change_note"] = ""
    return data | changes


def test_the_agreement_page_shows_the_version_in_force_the_history_and_the_sharing_state(alice):
    client = ClientFactory(coach=alice)
    share_consent(client)
    first_version(client)
    services.revise_agreement(
        client=client, actor=alice, fields={"share_with_employer": "Her rota"}, change_note="She agreed to share"
    )

    response = signed_in(alice).get(reverse("placements:agreement", args=[client.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["agreement"].version == 2 and len(response.context["versions"]) == 2
    assert TERMS["joint_work"] in page and "Her rota" in page and "She agreed to share" in page
    assert "She consents to sharing" in page
    assert reverse("placements:agreement-version", args=[client.pk, 1]) in page
    assert reverse("placements:agreement-edit", args=[client.pk]) in page


def test_without_consent_the_page_says_nothing_is_shared(alice):
    client = ClientFactory(coach=alice)
    first_version(client)

    page = signed_in(alice).get(reverse("placements:agreement", args=[client.pk])).content.decode()

    assert "has not consented to sharing" in page


def test_the_edit_form_is_prefilled_with_the_version_in_force(alice):
    client = ClientFactory(coach=alice)
    first_version(client)

    response = signed_in(alice).get(reverse("placements:agreement-edit", args=[client.pk]))

    form = response.context["form"]
    assert form.initial["joint_work"] == TERMS["joint_work"] and form.initial["agreed_on"] == TODAY
    assert "share-warning" in response.content.decode()


def test_posting_the_form_writes_the_first_version_then_a_revision(alice):
    client = ClientFactory(coach=alice)
    web = signed_in(alice)
    url = reverse("placements:agreement-edit", args=[client.pk])

    assert web.post(url, form_data()).status_code == 302
    response = web.post(url, form_data(contact_rhythm="Weekly", change_note="She started work"))

    assert response.status_code == 302
    assert [(v.version, v.is_current) for v in client.agreements.order_by("version")] == [(1, False), (2, True)]


def test_a_refused_revision_keeps_the_input_and_says_why(alice):
    client = ClientFactory(coach=alice)
    first_version(client)
    before = rows()

    response = signed_in(alice).post(
        reverse("placements:agreement-edit", args=[client.pk]),
        form_data(share_with_employer="Her rota", change_note="Share"),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert "share_with_employer" in form.errors
    assert form["share_with_employer"].value() == "Her rota"
    assert rows() == before


def test_the_version_page_lists_what_changed_and_has_signature_lines(alice):
    client = ClientFactory(coach=alice)
    first_version(client)
    services.revise_agreement(
        client=client, actor=alice, fields={"contact_rhythm": "Weekly", "duration_weeks": 52}, change_note="Longer"
    )

    response = signed_in(alice).get(reverse("placements:agreement-version", args=[client.pk, 2]))

    assert response.status_code == 200
    assert [str(label) for label in response.context["changes"]] == ["duration (weeks)", "agreed contact rhythm"]
    page = response.content.decode()
    # The print button works through static/js/app.js (no inline script under the Content-Security-Policy).
    assert "signature-lines" in page and "data-print" in page and "js/app.js" in page
    assert signed_in(alice).get(reverse("placements:agreement-version", args=[client.pk, 3])).status_code == 404


@pytest.mark.parametrize("index", [0, 1, 2])
def test_another_coach_gets_404_on_every_agreement_page(alice, bob, index):
    client = ClientFactory(coach=alice)
    first_version(client)
    before = rows()
    url = page_urls(client)[index]

    assert signed_in(bob).get(url).status_code == 404
    if index == 1:
        assert signed_in(bob).post(url, form_data(joint_work="X", change_note="X")).status_code == 404
    assert rows() == before


def test_a_relationship_manager_may_not_see_agreements(rita, alice):
    client = ClientFactory(coach=alice)
    first_version(client)

    assert all(signed_in(rita).get(url).status_code == 403 for url in page_urls(client))


def test_the_placement_page_summarises_the_agreement_and_links_to_it(alice, rita):
    from tests.placements.factories import PlacementFactory

    placement = PlacementFactory(client=ClientFactory(coach=alice))
    first_version(placement.client)
    url = reverse("placements:placement", args=[placement.pk])

    page = signed_in(alice).get(url).content.decode()
    rita_page = signed_in(rita).get(url).content.decode()

    assert TERMS["joint_work"] in page and reverse("placements:agreement", args=[placement.client_id]) in page
    assert TERMS["joint_work"] not in rita_page


# --- The API ----------------------------------------------------------------------------------

API = "/api/v1/agreements/"


def api_for(user: User) -> APIClient:
    api = APIClient()
    api.force_login(user)
    return api


def test_posting_makes_the_first_version_then_the_next_one(alice):
    client = ClientFactory(coach=alice)
    api = api_for(alice)

    first = api.post(API, TERMS | {"client": client.pk}, format="json")
    refused = api.post(API, TERMS | {"client": client.pk, "contact_rhythm": "Weekly"}, format="json")
    second = api.post(API, TERMS | {"client": client.pk, "contact_rhythm": "Weekly", "change_note": "X"}, format="json")

    assert first.status_code == 201 and first.json()["version"] == 1
    assert refused.status_code == 400 and "change_note" in refused.json()
    assert second.status_code == 201 and second.json()["version"] == 2 and second.json()["is_current"]


def test_patching_the_version_in_force_makes_a_new_version_and_a_superseded_one_is_refused(alice):
    client = ClientFactory(coach=alice)
    first = first_version(client)
    api = api_for(alice)

    response = api.patch(f"{API}{first.pk}/", {"contact_rhythm": "Weekly", "change_note": "Work"}, format="json")
    again = api.patch(f"{API}{first.pk}/", {"contact_rhythm": "Daily", "change_note": "X"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] != first.pk and body["version"] == 2 and body["joint_work"] == TERMS["joint_work"]
    assert again.status_code == 400
    assert client.agreements.count() == 2


def test_versions_are_not_deleted_and_another_coachs_client_cannot_be_named(alice, bob):
    client = ClientFactory(coach=alice)
    first = first_version(client)
    before = rows()

    assert api_for(alice).delete(f"{API}{first.pk}/").status_code == 405
    assert api_for(bob).delete(f"{API}{first.pk}/").status_code == 404
    assert api_for(bob).post(API, TERMS | {"client": client.pk}, format="json").status_code == 400
    assert rows() == before


def test_a_relationship_manager_cannot_read_agreements_through_the_api(rita, alice):
    first_version(ClientFactory(coach=alice))

    assert api_for(rita).get(API).status_code == 403
