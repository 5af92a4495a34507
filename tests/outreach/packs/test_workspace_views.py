"""The placement pack from the placement page: generate, follow the build, preview, send, and who may do it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from crm.models import Contact
from outreach.mail.models import MailStatus
from outreach.packs.models import InfoPack, InfoPackDelivery, InfoPackKind, InfoPackStatus
from placements.choices import ConsentPurpose
from placements.models import ConsentRecord, Placement
from tests.crm.factories import ContactFactory, EmployerFactory
from tests.outreach.helpers import enqueued
from tests.outreach.packs.helpers import NOW, PRIVATE_NOTE, SHARED_TEXT, Scenario, placement_scenario

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_pack(placement: Placement, *, language: str = "nl", version: int = 1, ready: bool = True) -> InfoPack:
    """A pack row of the placement; a ready one has a stored PDF."""
    pack = InfoPack.objects.create(
        employer=placement.employer,
        placement=placement,
        kind=InfoPackKind.PLACEMENT,
        language=language,
        version=version,
        status=InfoPackStatus.PENDING,
    )
    if ready:
        pack.pdf.save(pack.filename, ContentFile(b"%PDF-1.4 pack"), save=False)
        InfoPack.objects.filter(pk=pack.pk).update(
            status=InfoPackStatus.READY, pdf=pack.pdf.name, sha256="a" * 64, size=13, built_at=NOW
        )
        pack.refresh_from_db()
    return pack


def url(name: str, placement: Placement, pack: InfoPack | None = None) -> str:
    args = [placement.pk] if pack is None else [placement.pk, pack.pk]
    return reverse(f"outreach:{name}", args=args)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def scenario(alice: User) -> Scenario:
    return placement_scenario(coach=alice, consent=True)


# --- Generate -------------------------------------------------------------------------------------


def test_generating_makes_the_next_version_and_enqueues_its_builds_after_commit(
    alice, scenario, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = signed_in(alice).post(url("placement-pack-build", scenario.placement), **HTMX)

    packs = list(InfoPack.objects.filter(placement=scenario.placement))
    assert response.status_code == 200
    assert [(p.version, p.language, p.status) for p in packs] == [(1, "nl", InfoPackStatus.PENDING)]
    assert enqueued(callbacks) == [("outreach.tasks.build_info_pack", (packs[0].pk,))]
    body = response.content.decode()
    assert (
        'hx-trigger="every 3s"' in body and 'id="pack-notice" tabindex="-1" autofocus>Version 1 is being built.' in body
    )
    assert '<div id="live" hx-swap-oob="innerHTML"><p>Version 1 is being built.</p>' in body


def test_generating_without_htmx_goes_back_to_the_placement_page(alice, scenario, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        response = signed_in(alice).post(url("placement-pack-build", scenario.placement))

    assert response.status_code == 302
    assert response["Location"] == reverse("placements:placement", args=[scenario.placement.pk]) + "#packs"
    assert InfoPack.objects.filter(placement=scenario.placement).count() == 1


def test_a_placement_that_no_longer_runs_gets_a_clear_message_and_no_pack(alice, scenario):
    Placement.objects.filter(pk=scenario.placement.pk).update(status="completed")

    response = signed_in(alice).post(url("placement-pack-build", scenario.placement), **HTMX)

    assert "A pack is made for a planned or active placement" in response.content.decode()
    assert not InfoPack.objects.filter(placement=scenario.placement).exists()


def test_the_section_polls_while_a_build_runs_and_stops_once_it_is_ready(alice, scenario):
    pack = make_pack(scenario.placement, ready=False)
    client = signed_in(alice)

    building = client.get(url("placement-pack-section", scenario.placement), **HTMX).content.decode()
    InfoPack.objects.filter(pk=pack.pk).update(status=InfoPackStatus.READY, pdf="x.pdf", sha256="b" * 64)
    ready = client.get(url("placement-pack-section", scenario.placement), **HTMX).content.decode()

    assert 'hx-trigger="every 3s"' in building and "The pack is being built" in building
    assert 'hx-trigger="every 3s"' not in ready and url("placement-pack-send", scenario.placement, pack) in ready
    assert "Generate a new version" in ready
    # The poll that finds it built says so in the live region; the one before said nothing.
    assert 'id="live"' not in building and '<div id="live" hx-swap-oob="innerHTML"><p>The pack is ready.</p>' in ready


def test_the_poll_that_finds_a_failed_build_says_so(alice, scenario):
    pack = make_pack(scenario.placement, ready=False)
    InfoPack.objects.filter(pk=pack.pk).update(status=InfoPackStatus.FAILED, error="WeasyPrint stopped")

    body = signed_in(alice).get(url("placement-pack-section", scenario.placement), **HTMX).content.decode()

    assert '<div id="live" hx-swap-oob="innerHTML"><p>A pack could not be built; the list says which.</p>' in body


def test_the_section_without_htmx_is_the_placement_page(alice, scenario):
    response = signed_in(alice).get(url("placement-pack-section", scenario.placement))

    assert response.status_code == 302


# --- Preview --------------------------------------------------------------------------------------


def test_the_preview_shows_what_the_client_consented_to_share_and_loses_it_when_she_withdraws(alice, scenario):
    pack = make_pack(scenario.placement)
    client = signed_in(alice)

    consented = client.get(url("placement-pack-document", scenario.placement, pack)).content.decode()
    ConsentRecord.objects.filter(client=scenario.placement.client, purpose=ConsentPurpose.SHARE_WITH_EMPLOYER).update(
        withdrawn_on=dt.date(2021, 1, 1)
    )
    withdrawn = client.get(url("placement-pack-document", scenario.placement, pack)).content.decode()

    assert "Amina" in consented and SHARED_TEXT in consented
    assert "Amina" not in withdrawn and SHARED_TEXT not in withdrawn
    assert PRIVATE_NOTE not in consented and "amina.private@example.org" not in consented


def test_the_preview_is_in_the_packs_language_framed_with_its_other_languages_and_the_pdf(alice, scenario):
    dutch = make_pack(scenario.placement, language="nl")
    english = make_pack(scenario.placement, language="en", ready=False)
    client = signed_in(alice)

    page = client.get(url("placement-pack-preview", scenario.placement, dutch)).content.decode()
    english_page = client.get(url("placement-pack-preview", scenario.placement, english)).content.decode()
    document = client.get(url("placement-pack-document", scenario.placement, english))

    assert url("placement-pack-document", scenario.placement, dutch) in page
    assert url("placement-pack-pdf", scenario.placement, dutch) in page
    assert url("placement-pack-preview", scenario.placement, english) in page
    assert url("placement-pack-pdf", scenario.placement, english) not in english_page
    assert document["Content-Security-Policy"].startswith("default-src 'none'")
    assert document["X-Frame-Options"] == "SAMEORIGIN"
    assert 'lang="en"' in document.content.decode()


def test_the_pdf_downloads_once_built_and_is_not_found_before(alice, scenario):
    ready = make_pack(scenario.placement)
    pending = make_pack(scenario.placement, version=2, ready=False)
    client = signed_in(alice)

    download = client.get(url("placement-pack-pdf", scenario.placement, ready))

    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 pack"
    assert client.get(url("placement-pack-pdf", scenario.placement, pending)).status_code == 404


# --- Send -----------------------------------------------------------------------------------------


def _colleague(scenario: Scenario, **fields: Any) -> Contact:
    return ContactFactory(employer=scenario.employer, **{"preferred_language": "en", **fields})  # type: ignore[return-value]


def test_the_send_form_lists_the_active_contacts_with_their_language_and_checks_the_mentor(alice, scenario):
    pack = make_pack(scenario.placement)
    colleague = _colleague(scenario, first_name="Joost", email="joost@korenschoof.example")
    _colleague(scenario, first_name="Vera", email="", preferred_language="nl")
    _colleague(scenario, first_name="Gone", email="gone@korenschoof.example", is_active=False)

    page = signed_in(alice).get(url("placement-pack-send", scenario.placement, pack)).content.decode()

    assert f'value="{scenario.mentor.pk}" checked' in page
    assert f'value="{colleague.pk}">' in page and "English" in page
    assert "not built in this language yet" in page
    assert "Vera" in page and "no email address" in page
    assert "Gone" not in page


def test_sending_makes_one_delivery_per_picked_contact_in_her_language_and_queues_them(
    alice, scenario, django_capture_on_commit_callbacks
):
    dutch = make_pack(scenario.placement, language="nl")
    english = make_pack(scenario.placement, language="en")
    colleague = _colleague(scenario, email="joost@korenschoof.example")
    unpicked = _colleague(scenario, email="piet@korenschoof.example")

    with django_capture_on_commit_callbacks() as callbacks:
        response = signed_in(alice).post(
            url("placement-pack-send", scenario.placement, dutch), {"contacts": [scenario.mentor.pk, colleague.pk]}
        )

    deliveries = {d.contact_id: d for d in InfoPackDelivery.objects.all()}
    assert response.status_code == 302
    assert set(deliveries) == {scenario.mentor.pk, colleague.pk} and unpicked.pk not in deliveries
    assert deliveries[scenario.mentor.pk].pack == dutch and deliveries[colleague.pk].pack == english
    assert deliveries[colleague.pk].recipient_email == "joost@korenschoof.example"
    made = list(InfoPackDelivery.objects.order_by("pk").values_list("pk", flat=True))
    assert enqueued(callbacks) == [("outreach.tasks.send_mails", ("pack", made))]


@pytest.mark.parametrize("who", ["other employer", "no email"])
def test_a_contact_of_another_employer_or_without_email_is_refused_and_nothing_is_sent(alice, scenario, who):
    pack = make_pack(scenario.placement)
    if who == "other employer":
        wrong = ContactFactory(
            employer=EmployerFactory(), first_name="Elsewhere", last_name="X", preferred_language="nl"
        )
        message = "Elsewhere X works at another employer."
    else:
        wrong = _colleague(scenario, first_name="Vera", last_name="Y", email="", preferred_language="nl")
        message = "Vera Y has no email address."

    response = signed_in(alice).post(
        url("placement-pack-send", scenario.placement, pack), {"contacts": [scenario.mentor.pk, wrong.pk]}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not InfoPackDelivery.objects.exists()


def test_sending_to_nobody_asks_for_a_contact(alice, scenario):
    pack = make_pack(scenario.placement)

    response = signed_in(alice).post(url("placement-pack-send", scenario.placement, pack), {})

    assert response.status_code == 400 and "Choose at least one contact." in response.content.decode()


def test_the_deliveries_show_queued_sent_and_failed_with_the_reason(alice, scenario):
    pack = make_pack(scenario.placement)
    for status, error in ((MailStatus.PENDING, ""), (MailStatus.SENT, ""), (MailStatus.FAILED, "550 No such user")):
        InfoPackDelivery.objects.create(
            pack=pack,
            contact=_colleague(scenario, email=f"{status}@korenschoof.example"),
            recipient_email=f"{status}@korenschoof.example",
            status=status,
            last_error=error,
            sent_at=NOW if status == MailStatus.SENT else None,
        )

    page = signed_in(alice).get(url("placement-pack-send", scenario.placement, pack)).content.decode()

    deliveries = page.split('id="delivery-list"')[1]
    assert "Queued" in deliveries and "Sent" in deliveries and "Failed" in deliveries
    assert "550 No such user" in deliveries


@pytest.mark.parametrize("rows", [1, 12])
def test_the_send_page_runs_a_fixed_number_of_queries(alice, scenario, rows, django_assert_max_num_queries):
    pack = make_pack(scenario.placement)
    for number in range(rows):
        contact = _colleague(scenario, email=f"c{number}@korenschoof.example")
        other = make_pack(scenario.placement, version=number + 2, language="en") if number % 2 else pack
        InfoPackDelivery.objects.create(
            pack=other, contact=contact, recipient_email=contact.email, status=MailStatus.SENT, sent_at=NOW
        )
    client = signed_in(alice)

    with django_assert_max_num_queries(10):
        response = client.get(url("placement-pack-send", scenario.placement, pack))

    assert response.content.decode().count('class="step"') == rows


# --- Who may ----------------------------------------------------------------------------------------


def test_another_coach_gets_404_everywhere_and_changes_nothing(alice, bob, scenario):
    pack = make_pack(scenario.placement)
    client = signed_in(bob)
    gets = ["placement-pack-preview", "placement-pack-document", "placement-pack-pdf", "placement-pack-send"]

    assert client.get(url("placement-pack-section", scenario.placement), **HTMX).status_code == 404
    for name in gets:
        assert client.get(url(name, scenario.placement, pack)).status_code == 404, name
    assert client.post(url("placement-pack-build", scenario.placement), **HTMX).status_code == 404
    sent = client.post(url("placement-pack-send", scenario.placement, pack), {"contacts": [scenario.mentor.pk]})
    assert sent.status_code == 404
    assert InfoPack.objects.count() == 1 and not InfoPackDelivery.objects.exists()


def test_a_pack_of_another_placement_is_not_found_under_this_one(alice, scenario):
    other = placement_scenario(coach=alice, consent=False)
    pack = make_pack(other.placement)

    response = signed_in(alice).get(url("placement-pack-preview", scenario.placement, pack))

    assert response.status_code == 404


def test_building_takes_a_post(alice, scenario):
    assert signed_in(alice).get(url("placement-pack-build", scenario.placement)).status_code == 405
