"""The employer's general pack from the employer page: generate, follow the build, preview, send, who may, and the
send on the timeline in the reader's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from crm.models import Contact, Employer, Interaction
from outreach.mail.models import MailStatus
from outreach.packs import services as pack_services
from outreach.packs.models import InfoPack, InfoPackDelivery, InfoPackKind, InfoPackStatus
from tests.crm.factories import ContactFactory, EmployerFactory
from tests.outreach.helpers import enqueued
from tests.outreach.packs.helpers import NOW

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def make_pack(employer: Employer, *, language: str = "nl", version: int = 1, ready: bool = True) -> InfoPack:
    """A general pack row of the employer; a ready one has a stored PDF."""
    pack = InfoPack.objects.create(
        employer=employer, kind=InfoPackKind.GENERAL, language=language, version=version, status=InfoPackStatus.PENDING
    )
    if ready:
        pack.pdf.save(pack.filename, ContentFile(b"%PDF-1.4 pack"), save=False)
        InfoPack.objects.filter(pk=pack.pk).update(
            status=InfoPackStatus.READY, pdf=pack.pdf.name, sha256="a" * 64, size=13, built_at=NOW
        )
        pack.refresh_from_db()
    return pack


def url(name: str, employer: Employer, pack: InfoPack | None = None) -> str:
    args = [employer.pk] if pack is None else [employer.pk, pack.pk]
    return reverse(f"outreach:employer-pack-{name}", args=args)


def contact(employer: Employer, first_name: str, language: str = "nl", **fields: Any) -> Contact:
    fields.setdefault("email", f"{first_name.lower()}@{employer.pk}.example")
    return ContactFactory(  # type: ignore[return-value]
        employer=employer, first_name=first_name, last_name="Jansen", preferred_language=language, **fields
    )


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def employer() -> Employer:
    return EmployerFactory(name="Bakkerij De Korenschoof")  # type: ignore[return-value]


# --- Generate -------------------------------------------------------------------------------------


def test_generating_makes_the_next_general_version_in_the_contacts_languages_and_enqueues_builds_after_commit(
    rita, employer, django_capture_on_commit_callbacks
):
    contact(employer, "Sanne", "nl")
    contact(employer, "Astrid", "sv")

    with django_capture_on_commit_callbacks() as callbacks:
        response = signed_in(rita).post(url("build", employer), **HTMX)

    packs = list(InfoPack.objects.filter(employer=employer).order_by("language"))
    assert response.status_code == 200
    assert [(p.kind, p.placement_id, p.version, p.language) for p in packs] == [
        (InfoPackKind.GENERAL, None, 1, "nl"),
        (InfoPackKind.GENERAL, None, 1, "sv"),
    ]
    assert sorted(enqueued(callbacks)) == sorted(("outreach.tasks.build_info_pack", (p.pk,)) for p in packs)
    body = response.content.decode()
    assert '<div id="live" hx-swap-oob="innerHTML"><p>Version 1 is being built.</p>' in body  # read out
    assert 'id="pack-notice" tabindex="-1" autofocus>Version 1 is being built.</p>' in body  # and focused
    assert f'hx-get="{url("section", employer)}" hx-trigger="every 3s"' in body


def test_generating_without_htmx_goes_back_to_the_employer_page(rita, employer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        response = signed_in(rita).post(url("build", employer))

    assert response.status_code == 302
    assert response["Location"] == reverse("crm:employer", args=[employer.pk]) + "#packs"
    assert InfoPack.objects.filter(employer=employer, kind=InfoPackKind.GENERAL).count() == 1


def test_a_do_not_engage_employer_gets_a_clear_message_and_no_pack(rita, employer):
    Employer.objects.filter(pk=employer.pk).update(do_not_engage=True, do_not_engage_reason="Asked us to stop.")

    response = signed_in(rita).post(url("build", employer), **HTMX)

    assert "This employer is flagged do-not-engage." in response.content.decode()
    assert not InfoPack.objects.exists()


def test_the_section_polls_while_a_build_runs_and_stops_once_it_is_ready(rita, employer):
    pack = make_pack(employer, ready=False)
    client = signed_in(rita)

    building = client.get(url("section", employer), **HTMX).content.decode()
    InfoPack.objects.filter(pk=pack.pk).update(status=InfoPackStatus.READY, pdf="x.pdf", sha256="b" * 64)
    ready = client.get(url("section", employer), **HTMX).content.decode()

    assert 'hx-trigger="every 3s"' in building and "The pack is being built" in building
    assert 'hx-trigger="every 3s"' not in ready
    assert url("send", employer, pack) in ready and url("pdf", employer, pack) in ready
    assert "Generate a new version of the general pack" in ready


def test_the_employer_page_shows_the_section_with_versions_statuses_deliveries_and_buttons(rita, employer):
    first = make_pack(employer, version=1)
    second = make_pack(employer, version=2, ready=False)
    sanne = contact(employer, "Sanne")
    InfoPackDelivery.objects.create(
        pack=first, contact=sanne, recipient_email=sanne.email, status=MailStatus.FAILED, last_error="550 No such user"
    )

    page = signed_in(rita).get(reverse("crm:employer", args=[employer.pk])).content.decode()

    assert 'id="pack-build-form"' in page and url("build", employer) in page
    assert url("preview", employer, second) in page and "Pending" in page
    assert url("preview", employer, first) in page and url("send", employer, first) in page
    assert f"Sent to {sanne.full_name} ({sanne.email})" in page and "Failed" in page and "550 No such user" in page


# --- Preview --------------------------------------------------------------------------------------


def test_the_preview_is_in_the_packs_language_with_its_other_languages_and_the_pdf_once_built(rita, employer):
    dutch = make_pack(employer, language="nl")
    swedish = make_pack(employer, language="sv", ready=False)
    client = signed_in(rita)

    page = client.get(url("preview", employer, dutch)).content.decode()
    swedish_page = client.get(url("preview", employer, swedish)).content.decode()
    document = client.get(url("document", employer, swedish))

    assert url("document", employer, dutch) in page and url("pdf", employer, dutch) in page
    assert url("preview", employer, swedish) in page and url("send", employer, dutch) in page
    assert url("document", employer, swedish) in swedish_page and url("pdf", employer, swedish) not in swedish_page
    assert document.status_code == 200 and 'lang="sv"' in document.content.decode()
    assert document["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get(url("pdf", employer, swedish)).status_code == 404
    download = client.get(url("pdf", employer, dutch))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 pack"


def test_a_placement_pack_is_not_found_under_the_employers_general_pack_routes(rita, alice, employer):
    from tests.outreach.packs.helpers import placement_scenario

    scenario = placement_scenario(coach=alice, consent=False)
    [placement_pack] = pack_services.generate_info_pack(actor=alice, placement=scenario.placement, languages=["nl"])

    assert signed_in(rita).get(url("preview", scenario.employer, placement_pack)).status_code == 404
    assert signed_in(rita).get(url("preview", employer, make_pack(scenario.employer))).status_code == 404


# --- Send -----------------------------------------------------------------------------------------


def test_the_send_form_lists_the_active_contacts_with_email_and_their_language(rita, employer):
    pack = make_pack(employer)
    astrid = contact(employer, "Astrid", "sv")
    contact(employer, "Vera", "nl", email="")
    contact(employer, "Gone", "nl", is_active=False)

    page = signed_in(rita).get(url("send", employer, pack)).content.decode()

    assert f'value="{astrid.pk}">' in page and "Swedish" in page and "not built in this language yet" in page
    assert "Vera" in page and "no email address" in page
    assert "Gone" not in page


def test_sending_makes_one_delivery_per_picked_contact_in_her_language_and_queues_them(
    rita, employer, django_capture_on_commit_callbacks
):
    dutch = make_pack(employer, language="nl")
    swedish = make_pack(employer, language="sv")
    sanne = contact(employer, "Sanne", "nl")
    astrid = contact(employer, "Astrid", "sv")
    unpicked = contact(employer, "Piet", "nl")

    with django_capture_on_commit_callbacks() as callbacks:
        response = signed_in(rita).post(url("send", employer, dutch), {"contacts": [sanne.pk, astrid.pk]})

    deliveries = {d.contact_id: d for d in InfoPackDelivery.objects.all()}
    assert response.status_code == 302
    assert set(deliveries) == {sanne.pk, astrid.pk} and unpicked.pk not in deliveries
    assert deliveries[sanne.pk].pack == dutch and deliveries[astrid.pk].pack == swedish
    assert deliveries[astrid.pk].recipient_email == astrid.email and deliveries[astrid.pk].requested_by == rita
    made = list(InfoPackDelivery.objects.order_by("pk").values_list("pk", flat=True))
    assert enqueued(callbacks) == [("outreach.tasks.send_mails", ("pack", made))]


@pytest.mark.parametrize("who", ["other employer", "no email"])
def test_a_contact_of_another_employer_or_without_email_is_refused_and_nothing_is_sent(rita, employer, who):
    pack = make_pack(employer)
    sanne = contact(employer, "Sanne")
    if who == "other employer":
        wrong = contact(EmployerFactory(), "Elsewhere")
        message = "Elsewhere Jansen works at another employer."
    else:
        wrong = contact(employer, "Vera", email="")
        message = "Vera Jansen has no email address."

    response = signed_in(rita).post(url("send", employer, pack), {"contacts": [sanne.pk, wrong.pk]})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not InfoPackDelivery.objects.exists()


def test_sending_to_nobody_asks_for_a_contact(rita, employer):
    pack = make_pack(employer)

    response = signed_in(rita).post(url("send", employer, pack), {})

    assert response.status_code == 400 and "Choose at least one contact." in response.content.decode()
    assert not InfoPackDelivery.objects.exists()


def test_an_administrator_may_generate_and_send_too(adam, employer, django_capture_on_commit_callbacks):
    pack = make_pack(employer)
    sanne = contact(employer, "Sanne")

    with django_capture_on_commit_callbacks():
        built = signed_in(adam).post(url("build", employer), **HTMX)
        sent = signed_in(adam).post(url("send", employer, pack), {"contacts": [sanne.pk]})

    assert built.status_code == 200 and sent.status_code == 302
    assert InfoPackDelivery.objects.get().contact == sanne


# --- Who may ----------------------------------------------------------------------------------------


def test_a_coach_sees_the_section_and_the_preview_but_cannot_generate_or_send(alice, employer):
    pack = make_pack(employer)
    sanne = contact(employer, "Sanne")
    client = signed_in(alice)

    page = client.get(reverse("crm:employer", args=[employer.pk])).content.decode()
    built = client.post(url("build", employer), **HTMX)
    form = client.get(url("send", employer, pack))
    sent = client.post(url("send", employer, pack), {"contacts": [sanne.pk]})
    preview = client.get(url("preview", employer, pack)).content.decode()

    assert 'id="packs"' in page and url("preview", employer, pack) in page and url("pdf", employer, pack) in page
    assert 'id="pack-build-form"' not in page and url("send", employer, pack) not in page
    assert built.status_code == 403 and form.status_code == 403 and sent.status_code == 403
    assert url("document", employer, pack) in preview and url("send", employer, pack) not in preview
    assert InfoPack.objects.count() == 1 and not InfoPackDelivery.objects.exists()


def test_building_takes_a_post(rita, employer):
    assert signed_in(rita).get(url("build", employer)).status_code == 405


# --- The send on the timeline ----------------------------------------------------------------------


def test_the_mailed_pack_is_on_the_timeline_in_the_readers_language_not_the_contacts(rita, employer, mailoutbox):
    pack = make_pack(employer, language="sv")
    astrid = contact(employer, "Astrid", "sv")
    [delivery] = pack_services.send_info_pack(pack=pack, contacts=[astrid], actor=rita)

    assert pack_services.deliver_info_pack(delivery_id=delivery.pk) == MailStatus.SENT

    interaction = Interaction.objects.get(employer=employer)
    assert mailoutbox[0].to == [astrid.email] and interaction.author == rita and interaction.contact == astrid
    # Stored in the site's language for the admin, the API and exports, whatever language the worker runs in.
    assert "(Swedish)" in interaction.summary and "general pack" in interaction.summary
    timeline = {}
    for language in ("nl", "en", "sv"):
        page = signed_in(rita, language).get(reverse("crm:employer", args=[employer.pk])).content.decode()
        timeline[language] = page.split('id="timeline"')[1].split("</ol>")[0]
    assert "Zweeds" in timeline["nl"] and "Svenska" not in timeline["nl"] and "Swedish" not in timeline["nl"]
    assert "(Swedish)" in timeline["en"] and "Zweeds" not in timeline["en"]
    assert "Svenska" in timeline["sv"]
    assert astrid.email in timeline["nl"]


def test_a_logged_mail_that_is_no_pack_keeps_its_own_words(rita, employer):
    from crm.services import log_interaction

    log_interaction(employer=employer, actor=rita, kind="email", summary="Mailde over een proefdag.")

    page = signed_in(rita, "sv").get(reverse("crm:employer", args=[employer.pk])).content.decode()

    assert "Mailde over een proefdag." in page


# --- Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 15])
def test_the_section_runs_a_fixed_number_of_queries(rita, employer, rows, django_assert_max_num_queries):
    for number in range(rows):
        made = make_pack(employer, version=number + 1, language="nl" if number % 2 else "sv")
        someone = contact(employer, f"C{number}")
        InfoPackDelivery.objects.create(
            pack=made, contact=someone, recipient_email=someone.email, status=MailStatus.SENT, sent_at=NOW
        )
    client = signed_in(rita)

    with django_assert_max_num_queries(8):
        response = client.get(url("section", employer), **HTMX)

    assert response.content.decode().count("Sent to ") == rows


@pytest.mark.parametrize("rows", [1, 15])
def test_the_send_page_runs_a_fixed_number_of_queries(rita, employer, rows, django_assert_max_num_queries):
    pack = make_pack(employer)
    for number in range(rows):
        someone = contact(employer, f"C{number}")
        InfoPackDelivery.objects.create(
            pack=pack, contact=someone, recipient_email=someone.email, status=MailStatus.SENT, sent_at=NOW
        )
    client = signed_in(rita)

    with django_assert_max_num_queries(10):
        response = client.get(url("send", employer, pack))

    assert response.content.decode().count('class="step"') == rows


@pytest.mark.parametrize("rows", [1, 15])
def test_the_timeline_words_mailed_packs_in_a_fixed_number_of_queries(
    rita, employer, rows, django_assert_max_num_queries
):
    pack = make_pack(employer, language="sv")
    for number in range(rows):
        someone = contact(employer, f"C{number}", "sv")
        [delivery] = pack_services.send_info_pack(pack=pack, contacts=[someone], actor=rita)
        pack_services.deliver_info_pack(delivery_id=delivery.pk)
    client = signed_in(rita, "nl")

    with django_assert_max_num_queries(18):
        page = client.get(reverse("crm:employer", args=[employer.pk])).content.decode()

    assert page.split('id="timeline"')[1].split("</ol>")[0].count("Zweeds") == rows
