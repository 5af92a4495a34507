"""Info pack workflows: versions, builds, failures, sending, and keeping placement packs current."""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.choices import InteractionKind, Stage
from crm.models import Interaction
from outreach import tasks as pack_tasks
from outreach.mail.models import MailStatus
from outreach.mail.queue import requeue_mails
from outreach.mail.send import RETRY
from outreach.packs import services as pack_services
from outreach.packs.models import (
    InfoPack,
    InfoPackDelivery,
    InfoPackKind,
    InfoPackStatus,
    InfoPackTrigger,
    ProgrammeProfile,
)
from placements.services import complete_step, reschedule_placement
from tests.crm.factories import ContactFactory, EmployerFactory
from tests.outreach.backends import FlakyBackend
from tests.outreach.helpers import enqueued
from tests.outreach.packs.helpers import NOW, pdf_text, placement_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _build_all(packs: list[InfoPack]) -> list[InfoPack]:
    built = [pack_services.build_info_pack(pack_id=pack.pk, now=NOW) for pack in packs]
    return [pack for pack in built if pack is not None]


def test_generate_makes_one_row_per_language_and_queues_a_build_each(rita, django_capture_on_commit_callbacks):
    employer = EmployerFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        packs = pack_services.generate_info_pack(actor=rita, employer=employer, languages=["nl", "sv"], now=NOW)

    assert [(p.language, p.version, p.kind, p.status) for p in packs] == [
        ("nl", 1, InfoPackKind.GENERAL, InfoPackStatus.PENDING),
        ("sv", 1, InfoPackKind.GENERAL, InfoPackStatus.PENDING),
    ]
    assert all(p.requested_by == rita for p in packs)
    assert len(callbacks) == 2


def test_default_languages_are_those_of_the_mentor_and_active_contacts(alice):
    scenario = placement_scenario(coach=alice, consent=False, language="sv")
    ContactFactory(employer=scenario.employer, preferred_language="en")
    ContactFactory(employer=scenario.employer, preferred_language="nl", is_active=False)

    languages = pack_services.default_languages(employer=scenario.employer, placement=scenario.placement)

    assert languages == ["sv", "en"]


def test_versions_increment_and_old_versions_are_kept(rita, alice):
    scenario = placement_scenario(coach=alice, consent=False)
    employer = scenario.employer

    first = pack_services.generate_info_pack(actor=rita, employer=employer, languages=["nl"], now=NOW)
    second = pack_services.generate_info_pack(actor=rita, employer=employer, languages=["nl", "en"], now=NOW)
    placement_pack = pack_services.generate_info_pack(actor=rita, placement=scenario.placement, languages=["nl"])
    _build_all(first + second)

    assert [p.version for p in second] == [2, 2]
    assert placement_pack[0].version == 1  # a placement's pack counts its own versions
    rows = InfoPack.objects.filter(employer=employer, placement__isnull=True).order_by("version", "language")
    assert [(r.version, r.language, r.status) for r in rows] == [
        (1, "nl", InfoPackStatus.READY),
        (2, "en", InfoPackStatus.READY),
        (2, "nl", InfoPackStatus.READY),
    ]
    assert rows[0].pdf.name != rows[2].pdf.name


def test_build_stores_the_pdf_its_hash_and_size(rita, alice):
    scenario = placement_scenario(coach=alice, consent=True)
    [pack] = pack_services.generate_info_pack(actor=rita, placement=scenario.placement, languages=["sv"], now=NOW)

    built = pack_tasks.build_info_pack(pack.pk)

    pack.refresh_from_db()
    body = pack.pdf.read()
    assert built == InfoPackStatus.READY
    assert pack.status == InfoPackStatus.READY and pack.error == ""
    assert body.startswith(b"%PDF")
    assert pack.sha256 == hashlib.sha256(body).hexdigest() and pack.size == len(body)
    assert pack.built_at is not None
    assert "Bakkerij De Korenschoof" in pdf_text(body)


def test_a_pack_is_built_once_even_if_the_task_runs_twice(rita):
    [pack] = pack_services.generate_info_pack(actor=rita, employer=EmployerFactory(), languages=["en"], now=NOW)

    first = pack_services.build_info_pack(pack_id=pack.pk, now=NOW)
    second = pack_services.build_info_pack(pack_id=pack.pk, now=NOW)

    assert first is not None and first.status == InfoPackStatus.READY
    assert second is None


def test_a_failed_build_records_its_error_and_can_be_built_again(rita, django_capture_on_commit_callbacks):
    [pack] = pack_services.generate_info_pack(actor=rita, employer=EmployerFactory(), languages=["sv"], now=NOW)
    swedish = ProgrammeProfile.objects.get(language="sv")
    swedish.delete()

    failed = pack_services.build_info_pack(pack_id=pack.pk, now=NOW)

    assert failed is not None and failed.status == InfoPackStatus.FAILED
    assert "no programme texts in Swedish" in failed.error
    assert not failed.pdf and failed.sha256 == ""
    swedish.pk = None
    swedish.save()
    with django_capture_on_commit_callbacks() as callbacks:
        pack_services.retry_info_pack(pack=failed, actor=rita)
    assert len(callbacks) == 1
    assert pack_tasks.build_info_pack(pack.pk) == InfoPackStatus.READY
    failed.refresh_from_db()
    assert failed.status == InfoPackStatus.READY and failed.version == 1 and failed.error == ""


def test_retrying_a_pack_that_did_not_fail_is_refused(rita):
    [pack] = pack_services.generate_info_pack(actor=rita, employer=EmployerFactory(), languages=["en"], now=NOW)

    with pytest.raises(ValidationError, match="Only a failed pack"):
        pack_services.retry_info_pack(pack=pack, actor=rita)


def test_a_stale_build_claimed_by_a_dead_worker_is_taken_over(rita):
    [pack] = pack_services.generate_info_pack(actor=rita, employer=EmployerFactory(), languages=["en"], now=NOW)
    InfoPack.objects.filter(pk=pack.pk).update(status=InfoPackStatus.BUILDING, claimed_at=NOW)

    too_soon = pack_services.build_info_pack(pack_id=pack.pk, now=NOW + dt.timedelta(seconds=10))
    later = pack_services.build_info_pack(pack_id=pack.pk, now=NOW + dt.timedelta(hours=1))

    assert too_soon is None
    assert later is not None and later.status == InfoPackStatus.READY


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"languages": ["de"]}, "Choose one or more of"),
        ({"languages": []}, None),
    ],
)
def test_generate_refuses_unknown_languages_and_changes_nothing(rita, kwargs, message):
    employer = EmployerFactory()
    ContactFactory(employer=employer, preferred_language="nl")

    if message is None:  # an empty list means "the contacts' languages"
        assert [p.language for p in pack_services.generate_info_pack(actor=rita, employer=employer, **kwargs)] == ["nl"]
        return
    with pytest.raises(ValidationError, match=message):
        pack_services.generate_info_pack(actor=rita, employer=employer, **kwargs)
    assert not InfoPack.objects.exists()


def test_generate_refuses_missing_texts_flagged_employers_and_ended_placements(rita, alice):
    scenario = placement_scenario(coach=alice, consent=False)
    ProgrammeProfile.objects.filter(language="sv").delete()
    flagged = EmployerFactory(do_not_engage=True, do_not_engage_reason="Zwartwerk")

    with pytest.raises(ValidationError, match="no programme texts in Swedish"):
        pack_services.generate_info_pack(actor=rita, employer=scenario.employer, languages=["sv"])
    with pytest.raises(ValidationError, match="do-not-engage"):
        pack_services.generate_info_pack(actor=rita, employer=flagged, languages=["nl"])
    scenario.placement.status = "cancelled"
    scenario.placement.save()
    with pytest.raises(ValidationError, match="planned or active placement"):
        pack_services.generate_info_pack(actor=rita, placement=scenario.placement, languages=["nl"])
    assert not InfoPack.objects.exists()


# --- Sending ---------------------------------------------------------------------------------------


def _ready_pack(actor: User, scenario, languages: list[str]) -> list[InfoPack]:
    packs = pack_services.generate_info_pack(actor=actor, placement=scenario.placement, languages=languages, now=NOW)
    return _build_all(packs)


def test_sending_mails_the_pdf_in_each_contacts_language_and_logs_interactions(
    alice, rita, mailoutbox, django_capture_on_commit_callbacks
):
    scenario = placement_scenario(coach=alice, consent=False)
    swedish_hr = ContactFactory(
        employer=scenario.employer, first_name="Sven", last_name="Berg", preferred_language="sv"
    )
    dutch_pack, swedish_pack = _ready_pack(alice, scenario, ["nl", "sv"])

    with django_capture_on_commit_callbacks() as callbacks:
        deliveries = pack_services.send_info_pack(pack=dutch_pack, contacts=[scenario.mentor, swedish_hr], actor=rita)
    assert enqueued(callbacks) == [("outreach.tasks.send_mails", ("pack", [d.pk for d in deliveries]))]
    assert pack_tasks.send_mails("pack", [d.pk for d in deliveries]) == {MailStatus.SENT: 2}

    by_recipient = {mail.to[0]: mail for mail in mailoutbox}
    dutch, swedish = by_recipient[scenario.mentor.email], by_recipient[swedish_hr.email]
    assert dutch.subject.startswith("Informatiepakket bij de plaatsing") and "Beste Sanne de Vries" in dutch.body
    assert swedish.subject.startswith("Informationspaket för placeringen") and "Hej Sven Berg" in swedish.body
    for mail, pack in ((dutch, dutch_pack), (swedish, swedish_pack)):
        [(filename, content, mimetype)] = mail.attachments
        assert mimetype == "application/pdf" and content.startswith(b"%PDF")
        assert filename == pack.filename and hashlib.sha256(content).hexdigest() == pack.sha256
        assert mail.reply_to == ["rita@werkbrug.test"]
    interactions = Interaction.objects.filter(employer=scenario.employer, kind=InteractionKind.EMAIL)
    assert {(i.contact, i.author) for i in interactions} == {(scenario.mentor, rita), (swedish_hr, rita)}
    assert all("version 1" in i.summary for i in interactions)
    assert {d.pack_id for d in InfoPackDelivery.objects.all()} == {dutch_pack.pk, swedish_pack.pk}
    scenario.employer.refresh_from_db()
    assert scenario.employer.stage == Stage.CONTACTED
    assert scenario.employer.last_contact_at == max(i.occurred_at for i in interactions)


def test_a_delivery_is_mailed_at_most_once(alice, mailoutbox):
    scenario = placement_scenario(coach=alice, consent=False)
    [pack] = _ready_pack(alice, scenario, ["nl"])
    [delivery] = pack_services.send_info_pack(pack=pack, contacts=[scenario.mentor], actor=alice)

    first = pack_services.deliver_info_pack(delivery_id=delivery.pk)
    again = pack_services.deliver_info_pack(delivery_id=delivery.pk)

    assert (first, again) == (MailStatus.SENT, "")
    assert len(mailoutbox) == 1
    assert Interaction.objects.filter(kind=InteractionKind.EMAIL).count() == 1


def test_sending_refuses_bad_recipients_and_changes_nothing(alice, mailoutbox):
    scenario = placement_scenario(coach=alice, consent=False)
    [pack] = _ready_pack(alice, scenario, ["nl"])
    elsewhere = ContactFactory(first_name="Kees", last_name="Elders")
    no_mail = ContactFactory(employer=scenario.employer, first_name="Zonder", last_name="Mail", email="")
    swedish = ContactFactory(employer=scenario.employer, first_name="Sven", last_name="Berg", preferred_language="sv")

    with pytest.raises(ValidationError) as error:
        pack_services.send_info_pack(pack=pack, contacts=[scenario.mentor, elsewhere, no_mail, swedish], actor=alice)

    messages = " ".join(error.value.messages)
    assert "Kees Elders works at another employer" in messages
    assert "Zonder Mail has no email address" in messages
    assert "not ready in Swedish" in messages
    assert not InfoPackDelivery.objects.exists() and mailoutbox == []


def test_sending_a_pack_that_is_not_built_is_refused(alice):
    scenario = placement_scenario(coach=alice, consent=False)
    [pack] = pack_services.generate_info_pack(actor=alice, placement=scenario.placement, languages=["nl"])

    with pytest.raises(ValidationError, match="not built yet"):
        pack_services.send_info_pack(pack=pack, contacts=[scenario.mentor], actor=alice)


def test_a_dropped_connection_is_retried_and_a_refusal_fails_with_its_error(alice, settings):
    scenario = placement_scenario(coach=alice, consent=False)
    [pack] = _ready_pack(alice, scenario, ["nl"])
    [delivery] = pack_services.send_info_pack(pack=pack, contacts=[scenario.mentor], actor=alice)

    settings.EMAIL_BACKEND = "tests.outreach.packs.helpers.DisconnectingBackend"
    assert pack_services.deliver_info_pack(delivery_id=delivery.pk) == RETRY
    delivery.refresh_from_db()
    assert delivery.status == MailStatus.PENDING and "Connection unexpectedly closed" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()

    settings.EMAIL_BACKEND = "tests.outreach.packs.helpers.RejectingBackend"
    assert pack_services.deliver_info_pack(delivery_id=delivery.pk) == MailStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.status == MailStatus.FAILED and delivery.attempts == 2
    assert "SMTPRecipientsRefused" in delivery.last_error
    assert not Interaction.objects.filter(kind=InteractionKind.EMAIL).exists()


def test_a_dns_failure_is_tried_again_not_failed(alice, settings, mailoutbox):
    scenario = placement_scenario(coach=alice, consent=False)
    [pack] = _ready_pack(alice, scenario, ["nl"])
    [delivery] = pack_services.send_info_pack(pack=pack, contacts=[scenario.mentor], actor=alice)
    settings.EMAIL_BACKEND = "tests.outreach.backends.FlakyBackend"
    FlakyBackend.failures, FlakyBackend.always = [socket.gaierror(-2, "Name or service not known")], None

    assert pack_services.deliver_info_pack(delivery_id=delivery.pk) == RETRY
    InfoPackDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert pack_services.deliver_info_pack(delivery_id=delivery.pk) == MailStatus.SENT
    assert len(mailoutbox) == 1


def test_the_pack_mail_uses_the_smtp_timeout(alice, settings, monkeypatch):
    scenario = placement_scenario(coach=alice, consent=False)
    [pack] = _ready_pack(alice, scenario, ["nl"])
    [delivery] = pack_services.send_info_pack(pack=pack, contacts=[scenario.mentor], actor=alice)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.MAIL_TIMEOUT_SECONDS = 7
    seen = {}

    def refuse(self, *args, **kwargs):
        seen["timeout"] = self.timeout
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr("django.core.mail.backends.smtp.EmailBackend.open", refuse)

    assert pack_services.deliver_info_pack(delivery_id=delivery.pk) == RETRY
    assert seen == {"timeout": 7}


def test_a_pending_delivery_whose_message_was_lost_is_published_again(
    alice, settings, django_capture_on_commit_callbacks
):
    scenario = placement_scenario(coach=alice, consent=False)
    [pack] = _ready_pack(alice, scenario, ["nl"])
    [delivery] = pack_services.send_info_pack(pack=pack, contacts=[scenario.mentor], actor=alice)
    later = timezone.now() + dt.timedelta(seconds=settings.MAIL_REQUEUE_AFTER_SECONDS + 1)

    with time_machine.travel(later), django_capture_on_commit_callbacks() as callbacks:
        requeue_mails()

    assert enqueued(callbacks) == [("outreach.tasks.send_mails", ("pack", [delivery.pk]))]


def test_a_build_whose_message_was_lost_is_enqueued_again_by_the_reconcile_sweep(
    alice, settings, django_capture_on_commit_callbacks
):
    scenario = placement_scenario(coach=alice, consent=False)
    [pack] = pack_services.generate_info_pack(actor=alice, placement=scenario.placement, languages=["nl"], now=NOW)
    soon = NOW + dt.timedelta(seconds=settings.MAIL_REQUEUE_AFTER_SECONDS - 1)
    later = NOW + dt.timedelta(seconds=settings.MAIL_REQUEUE_AFTER_SECONDS + 1)

    with django_capture_on_commit_callbacks(execute=False) as early:
        assert pack_services.requeue_lost_builds(now=soon) == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert pack_services.requeue_lost_builds(now=later) == 1

    assert early == []
    assert enqueued(callbacks) == [("outreach.tasks.build_info_pack", (pack.pk,))]
    assert pack_services.build_info_pack(pack_id=pack.pk, now=later).status == InfoPackStatus.READY
    assert pack_services.requeue_lost_builds(now=later + dt.timedelta(days=1)) == 0


# --- Keeping placement packs current ---------------------------------------------------------------


def test_activation_offers_a_placement_pack_once(alice):
    scenario = placement_scenario(coach=alice, consent=False)

    offered = pack_services.on_placement_activated(placement=scenario.placement, actor=alice, now=NOW)
    again = pack_services.on_placement_activated(placement=scenario.placement, actor=alice, now=NOW)

    assert [(p.version, p.language, p.trigger) for p in offered] == [(1, "nl", InfoPackTrigger.ACTIVATION)]
    assert again == []


def test_a_moved_schedule_makes_a_new_version_and_keeps_the_old_one(alice):
    scenario = placement_scenario(coach=alice, consent=False)
    [first] = pack_services.on_placement_activated(placement=scenario.placement, actor=alice, now=NOW)

    unchanged = pack_services.on_schedule_changed(placement=scenario.placement, actor=alice, now=NOW)
    reschedule_placement(placement=scenario.placement, actor=alice, planned_end_on=dt.date(2028, 3, 31), now=NOW)
    renewed = pack_services.on_schedule_changed(placement=scenario.placement, actor=alice, now=NOW)

    assert unchanged == []
    assert [(p.version, p.language, p.trigger) for p in renewed] == [(2, "nl", InfoPackTrigger.SCHEDULE_CHANGE)]
    assert InfoPack.objects.filter(pk=first.pk).exists()
    assert renewed[0].schedule_fingerprint != first.schedule_fingerprint


def test_completing_a_step_does_not_make_a_new_version(alice):
    scenario = placement_scenario(coach=alice, consent=False)
    pack_services.on_placement_activated(placement=scenario.placement, actor=alice, now=NOW)
    step = scenario.placement.steps.filter(status="planned").order_by("due_on").first()
    assert step is not None

    complete_step(step=step, actor=alice, outcome="Belafspraak gedaan", now=NOW)

    assert pack_services.on_schedule_changed(placement=scenario.placement, actor=alice, now=NOW) == []


def test_the_sweep_offers_and_renews_placement_packs_and_then_rests(alice, bob):
    first = placement_scenario(coach=alice, consent=False)
    second = placement_scenario(coach=bob, consent=False)
    pack_services.on_placement_activated(placement=second.placement, actor=bob, now=NOW)
    reschedule_placement(placement=second.placement, actor=bob, planned_end_on=dt.date(2028, 1, 31), now=NOW)

    counts = pack_services.reconcile_placement_packs(now=NOW)
    after = pack_services.reconcile_placement_packs(now=NOW)

    assert counts == {"offered": 1, "renewed": 1, "refused": 0, "requeued": 0}
    assert after == {"offered": 0, "renewed": 0, "refused": 0, "requeued": 0}
    assert InfoPack.objects.filter(placement=first.placement).values_list("version", flat=True).get() == 1
    assert sorted(InfoPack.objects.filter(placement=second.placement).values_list("version", flat=True)) == [1, 2]
