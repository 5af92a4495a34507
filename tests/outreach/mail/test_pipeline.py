"""The one mail life cycle, for every kind of mail row: lost messages published again, DNS failures
tried again, the SMTP timeout on every connection, a stable Message-ID, and a lease on `sending`."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from outreach import tasks
from outreach.followups.services import sweep_digests, sweep_followups
from outreach.mail.models import MailStatus, OutgoingMail
from outreach.mail.queue import model_for, requeue_mails
from outreach.mail.send import RETRY
from outreach.packs import services as pack_services
from placements.models import Placement
from tests.outreach.backends import FlakyBackend
from tests.outreach.helpers import START, at, enqueued
from tests.outreach.packs.helpers import NOW, placement_scenario
from tests.outreach.surveys.helpers import invite

pytestmark = pytest.mark.django_db

KINDS = ["notice", "digest", "pack", "survey"]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_row(placement: Placement, alice: Any) -> Callable[[str], OutgoingMail]:
    """A pending mail row of a kind, made by the service that makes it in production."""

    def make(kind: str) -> OutgoingMail:
        if kind == "notice":
            sweep_followups(now=at(START))
        elif kind == "digest":
            sweep_digests(now=at(START, hour=7))
        elif kind == "pack":
            scenario = placement_scenario(coach=alice, consent=False)
            [pack] = pack_services.generate_info_pack(
                actor=alice, placement=scenario.placement, languages=["nl"], now=NOW
            )
            pack_services.build_info_pack(pack_id=pack.pk, now=NOW)
            pack.refresh_from_db()
            pack_services.send_info_pack(pack=pack, contacts=[scenario.mentor], actor=alice)
        else:
            invite(placement)
        model = model_for(kind)
        row = model._default_manager.filter(status=MailStatus.PENDING).order_by("-pk").first()
        assert row is not None, kind
        return row

    return make


def _send(kind: str, pk: int) -> str:
    return tasks.SENDERS[kind](pk)


def _flaky(settings: Any, *failures: BaseException) -> None:
    settings.EMAIL_BACKEND = "tests.outreach.backends.FlakyBackend"
    FlakyBackend.failures, FlakyBackend.always, FlakyBackend.attempts = list(failures), None, 0


@pytest.mark.parametrize("kind", KINDS)
def test_a_mail_whose_message_the_broker_lost_is_published_again(
    kind: str, make_row: Callable[[str], OutgoingMail], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row = make_row(kind)
    with django_capture_on_commit_callbacks(execute=False) as soon:
        requeue_mails()
    later = timezone.now() + dt.timedelta(seconds=settings.MAIL_REQUEUE_AFTER_SECONDS + 1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=False) as callbacks:
        requeued = requeue_mails()

    assert soon == []
    assert enqueued(callbacks) == [("outreach.tasks.send_mails", (kind, [row.pk]))]
    assert requeued[kind] == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_dns_failure_is_tried_again_and_the_mail_then_goes_out_once(
    kind: str, make_row: Callable[[str], OutgoingMail], settings: Any, mailoutbox: list[Any]
) -> None:
    row = make_row(kind)
    _flaky(settings, socket.gaierror(-2, "Name or service not known"))

    assert _send(kind, row.pk) == RETRY
    row.refresh_from_db()
    assert (row.status, row.attempts) == (MailStatus.PENDING, 1)
    assert "gaierror" in row.last_error
    type(row)._default_manager.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert _send(kind, row.pk) == MailStatus.SENT
    assert _send(kind, row.pk) == ""
    assert [mail.extra_headers["Message-ID"] for mail in mailoutbox] == [row.message_id()]


@pytest.mark.parametrize("kind", KINDS)
def test_every_mail_connection_has_the_smtp_timeout(
    kind: str, make_row: Callable[[str], OutgoingMail], settings: Any, monkeypatch: Any
) -> None:
    row = make_row(kind)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.MAIL_TIMEOUT_SECONDS = 7
    seen: dict[str, Any] = {}

    def refuse(backend: Any, *args: Any, **kwargs: Any) -> None:
        seen["timeout"] = backend.timeout
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr("django.core.mail.backends.smtp.EmailBackend.open", refuse)

    assert _send(kind, row.pk) == RETRY
    assert seen == {"timeout": 7}


@pytest.mark.parametrize("kind", KINDS)
def test_a_mail_left_sending_past_its_lease_goes_back_to_pending(
    kind: str, make_row: Callable[[str], OutgoingMail], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row = make_row(kind)
    model = type(row)
    held = timezone.now() - dt.timedelta(seconds=settings.MAIL_SENDING_LEASE_SECONDS - 60)
    lost = timezone.now() - dt.timedelta(seconds=settings.MAIL_SENDING_LEASE_SECONDS + 1)
    model._default_manager.filter(pk=row.pk).update(status=MailStatus.SENDING, claimed_at=held)
    with django_capture_on_commit_callbacks(execute=False) as within:
        requeue_mails()
    model._default_manager.filter(pk=row.pk).update(claimed_at=lost)
    with django_capture_on_commit_callbacks(execute=False) as after:
        requeue_mails()

    assert within == []
    assert enqueued(after) == [("outreach.tasks.send_mails", (kind, [row.pk]))]
    row.refresh_from_db()
    assert row.status == MailStatus.PENDING
    assert row.last_error
