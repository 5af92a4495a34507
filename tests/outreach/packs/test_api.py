"""The info pack API: who sees which packs, and the generate, preview, download and send actions."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from outreach.packs import services as pack_services
from outreach.packs.models import InfoPack, InfoPackDelivery, InfoPackStatus
from tests.crm.factories import ContactFactory, EmployerFactory
from tests.outreach.packs.helpers import NOW, placement_scenario
from tests.placements.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/outreach/info-packs/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _built(actor, **scope):
    packs = pack_services.generate_info_pack(actor=actor, now=NOW, **scope)
    return [pack_services.build_info_pack(pack_id=pack.pk, now=NOW) for pack in packs]


@pytest.mark.parametrize("rows", [1, 12])
def test_the_pack_list_runs_a_constant_number_of_queries(rita, rows, django_assert_max_num_queries):
    for _ in range(rows):
        pack_services.generate_info_pack(actor=rita, employer=EmployerFactory(), languages=["nl"], now=NOW)
    api = _api(rita)

    with django_assert_max_num_queries(6):
        response = api.get(LIST)

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows


def test_a_coach_sees_general_packs_and_her_own_placements_packs_only(alice, bob, rita):
    mine = placement_scenario(coach=alice, consent=False)
    theirs = placement_scenario(coach=bob, consent=False, owner=rita)
    pack_services.generate_info_pack(actor=alice, placement=mine.placement, languages=["nl"])
    pack_services.generate_info_pack(actor=bob, placement=theirs.placement, languages=["nl"])
    pack_services.generate_info_pack(actor=rita, employer=theirs.employer, languages=["en"])

    seen_by_alice = {(row["placement"], row["kind"]) for row in _api(alice).get(LIST).json()["results"]}
    seen_by_rita = {(row["placement"], row["kind"]) for row in _api(rita).get(LIST).json()["results"]}

    assert seen_by_alice == {(mine.placement.pk, "placement"), (None, "general")}
    # The relationship manager sees the packs at the employer she owns, not Alice's placement elsewhere.
    assert seen_by_rita == {(theirs.placement.pk, "placement"), (None, "general")}
    assert _api(rita).get(f"{LIST}{InfoPack.objects.get(placement=mine.placement).pk}/").status_code == 404
    hidden = InfoPack.objects.get(placement=theirs.placement)
    assert _api(alice).get(f"{LIST}{hidden.pk}/").status_code == 404


def test_staff_without_a_pack_role_and_anonymous_users_are_refused(alice):
    nobody = UserFactory()

    assert _api(nobody).get(LIST).status_code == 403
    assert APIClient().get(LIST).status_code in (401, 403)


def test_generate_queues_a_version_per_language(alice, django_capture_on_commit_callbacks):
    scenario = placement_scenario(coach=alice, consent=False)

    with django_capture_on_commit_callbacks() as callbacks:
        response = _api(alice).post(
            f"{LIST}generate/", {"placement": scenario.placement.pk, "languages": ["nl", "sv"]}, format="json"
        )

    assert response.status_code == 202
    assert [(row["language"], row["version"], row["status"]) for row in response.json()] == [
        ("nl", 1, "pending"),
        ("sv", 1, "pending"),
    ]
    assert len(callbacks) == 2


def test_a_coach_cannot_generate_for_someone_elses_placement(alice, bob):
    theirs = placement_scenario(coach=bob, consent=False)

    response = _api(alice).post(f"{LIST}generate/", {"placement": theirs.placement.pk}, format="json")

    assert response.status_code == 400
    assert "placement" in response.json()
    assert not InfoPack.objects.exists()


def test_generate_with_bad_input_explains_and_changes_nothing(rita):
    employer = EmployerFactory(do_not_engage=True, do_not_engage_reason="Onveilig werk")
    api = _api(rita)

    missing = api.post(f"{LIST}generate/", {}, format="json")
    flagged = api.post(f"{LIST}generate/", {"employer": employer.pk, "languages": ["nl"]}, format="json")
    unknown = api.post(f"{LIST}generate/", {"employer": employer.pk, "languages": ["de"]}, format="json")

    assert missing.status_code == 400 and "employer" in missing.json()
    assert flagged.status_code == 400 and "do-not-engage" in str(flagged.json())
    assert unknown.status_code == 400 and "languages" in unknown.json()
    assert not InfoPack.objects.exists()


def test_download_serves_the_pdf_once_it_is_built(alice):
    scenario = placement_scenario(coach=alice, consent=False)
    [pack] = _built(alice, placement=scenario.placement, languages=["nl"])
    [pending] = pack_services.generate_info_pack(actor=alice, placement=scenario.placement, languages=["nl"])

    response = _api(alice).get(f"{LIST}{pack.pk}/download/")
    not_yet = _api(alice).get(f"{LIST}{pending.pk}/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert pack.filename in response["Content-Disposition"]
    assert not_yet.status_code == 409


def test_preview_shows_todays_pack_as_html_in_its_language(alice):
    scenario = placement_scenario(coach=alice, consent=False)
    [pack] = pack_services.generate_info_pack(actor=alice, placement=scenario.placement, languages=["sv"])

    stored = _api(alice).get(f"{LIST}{pack.pk}/preview/")
    draft = _api(alice).get(f"{LIST}preview/", {"employer": scenario.employer.pk, "language": "nl"})

    assert stored.status_code == 200 and stored["Content-Type"].startswith("text/html")
    html = stored.content.decode()
    assert "Uppföljningsschema" in html and "Bakkerij De Korenschoof" in html
    assert "Förhandsvisning" in html and "/static/outreach/pack.css" in html
    assert "default-src 'none'" in stored["Content-Security-Policy"]
    assert "Informatiepakket voor werkgevers" in draft.content.decode()


def test_send_queues_one_delivery_per_contact(alice, django_capture_on_commit_callbacks):
    scenario = placement_scenario(coach=alice, consent=False)
    [pack] = _built(alice, placement=scenario.placement, languages=["nl"])

    with django_capture_on_commit_callbacks() as callbacks:
        response = _api(alice).post(f"{LIST}{pack.pk}/send/", {"contacts": [scenario.mentor.pk]}, format="json")
    deliveries = _api(alice).get(f"{LIST}{pack.pk}/deliveries/").json()

    assert response.status_code == 202
    assert [(row["contact"], row["status"]) for row in response.json()] == [(scenario.mentor.pk, "pending")]
    assert len(callbacks) == 1
    assert [row["email"] for row in deliveries] == [scenario.mentor.email]


def test_send_without_contacts_or_before_the_build_is_refused(alice):
    scenario = placement_scenario(coach=alice, consent=False)
    [pack] = pack_services.generate_info_pack(actor=alice, placement=scenario.placement, languages=["nl"])

    empty = _api(alice).post(f"{LIST}{pack.pk}/send/", {"contacts": []}, format="json")
    early = _api(alice).post(f"{LIST}{pack.pk}/send/", {"contacts": [scenario.mentor.pk]}, format="json")

    assert empty.status_code == 400 and early.status_code == 400
    assert "not built yet" in str(early.json())
    assert not InfoPackDelivery.objects.exists()


def test_rebuild_queues_a_failed_pack_again(alice, django_capture_on_commit_callbacks):
    scenario = placement_scenario(coach=alice, consent=False)
    [pack] = pack_services.generate_info_pack(actor=alice, placement=scenario.placement, languages=["nl"])
    InfoPack.objects.filter(pk=pack.pk).update(status=InfoPackStatus.FAILED, error="boom")

    with django_capture_on_commit_callbacks() as callbacks:
        response = _api(alice).post(f"{LIST}{pack.pk}/rebuild/")
    again = _api(alice).post(f"{LIST}{pack.pk}/rebuild/")

    assert response.status_code == 202 and response.json()["status"] == "pending"
    assert len(callbacks) == 1
    assert again.status_code == 400


def test_a_coach_can_neither_generate_nor_send_an_employers_general_pack(alice, rita):
    employer = EmployerFactory()
    contact = ContactFactory(employer=employer, email="hr@example.test")

    refused = _api(alice).post(f"{LIST}generate/", {"employer": employer.pk}, format="json")
    made = _api(rita).post(f"{LIST}generate/", {"employer": employer.pk, "languages": ["nl"]}, format="json")
    pack = pack_services.build_info_pack(pack_id=InfoPack.objects.get().pk, now=NOW)
    not_sent = _api(alice).post(f"{LIST}{pack.pk}/send/", {"contacts": [contact.pk]}, format="json")

    assert refused.status_code == 403
    assert made.status_code == 202
    assert not_sent.status_code == 403
    assert not InfoPackDelivery.objects.exists()
