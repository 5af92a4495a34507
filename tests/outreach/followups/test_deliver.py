"""Sending a follow-up notice: at most once, tried again after transient errors, failed after the last try."""

from __future__ import annotations

import datetime as dt
import smtplib
import socket

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.followups.services import deliver_notice, sweep_followups
from outreach.mail.models import MailStatus
from outreach.mail.queue import requeue_mails
from outreach.mail.send import RETRY
from outreach.tasks import send_mails
from placements.choices import StepKind, StepStatus
from placements.models import AftercareStep
from tests.outreach.backends import FlakyBackend
from tests.outreach.helpers import START, at, enqueued, step

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def flaky(settings):
    """Route mail through a backend that fails on cue."""
    settings.EMAIL_BACKEND = "tests.outreach.backends.FlakyBackend"
    FlakyBackend.failures, FlakyBackend.always, FlakyBackend.attempts = [], None, 0
    yield FlakyBackend
    FlakyBackend.failures, FlakyBackend.always, FlakyBackend.attempts = [], None, 0


def send_notice(pk: int) -> str:
    """What the one send task did with one notice."""
    outcome = send_mails("notice", [pk])
    return next(iter(outcome)) if outcome != {"nothing_to_do": 1} else ""


def _due_now(notice: FollowUpNotice) -> None:
    """Let the backoff pass: the row's next attempt is now."""
    FollowUpNotice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now())


def _notice(placement, kind=NoticeKind.REMINDER_DUE, *, day=START) -> FollowUpNotice:
    sweep_followups(now=at(day))
    return FollowUpNotice.objects.get(step__placement=placement, kind=kind, step__due_on__lte=day + DAY)


def test_the_reminder_goes_to_the_coach_and_the_notice_is_marked_sent(placement, alice, mailoutbox):
    notice = _notice(placement)

    outcome = deliver_notice(notice_pk=notice.pk, now=at(START, hour=9, minute=1))

    assert outcome == MailStatus.SENT
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [alice.email]
    assert mail.subject == f"Due today: Welcome visit at the workplace for {placement.client.reference}"
    assert "Monday 4 January 2027" in mail.body
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.sent_at) == (MailStatus.SENT, 1, at(START, hour=9, minute=1))


def test_the_day_before_reminder_says_tomorrow(placement, mailoutbox):
    notice = _notice(placement, NoticeKind.REMINDER_BEFORE, day=START + 6 * DAY)

    deliver_notice(notice_pk=notice.pk, now=at(START + 6 * DAY))

    assert mailoutbox[0].subject.startswith("Reminder: Check-in call after the first week for ")
    assert mailoutbox[0].subject.endswith(" is due tomorrow")


def test_a_task_delivered_twice_sends_one_mail(placement, mailoutbox):
    notice = _notice(placement)

    first = send_notice(notice.pk)
    second = send_notice(notice.pk)

    assert (first, second) == (MailStatus.SENT, "")
    assert len(mailoutbox) == 1
    notice.refresh_from_db()
    assert notice.attempts == 1


def test_a_task_for_a_notice_that_is_gone_returns_quietly(placement, mailoutbox):
    notice = _notice(placement)
    FollowUpNotice.objects.filter(pk=notice.pk).delete()

    assert send_notice(notice.pk) == ""
    assert mailoutbox == []


def test_a_transient_failure_goes_back_to_pending_with_a_later_attempt_and_the_retry_sends(
    placement, flaky, mailoutbox, django_capture_on_commit_callbacks
):
    notice = _notice(placement)
    flaky.failures = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]

    assert deliver_notice(notice_pk=notice.pk, now=at(START)) == RETRY

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (MailStatus.PENDING, 1)
    assert notice.next_attempt_at > timezone.now()
    assert "SMTPServerDisconnected" in notice.last_error
    assert mailoutbox == []
    with django_capture_on_commit_callbacks() as early:
        requeue_mails()
    assert early == []

    _due_now(notice)
    with django_capture_on_commit_callbacks() as later:
        requeue_mails()
    assert enqueued(later) == [("outreach.tasks.send_mails", ("notice", [notice.pk]))]
    assert deliver_notice(notice_pk=notice.pk, now=at(START)) == MailStatus.SENT
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == (MailStatus.SENT, 2, "")
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        socket.gaierror(-2, "Name or service not known"),
    ],
)
def test_network_errors_and_dns_failures_are_tried_again(placement, flaky, error, mailoutbox):
    notice = _notice(placement)
    flaky.failures = [error]

    assert send_notice(notice.pk) == RETRY
    _due_now(notice)
    assert send_notice(notice.pk) == MailStatus.SENT
    assert len(mailoutbox) == 1


def test_after_the_last_attempt_the_notice_is_failed_with_the_error(placement, flaky, settings, mailoutbox):
    settings.MAIL_MAX_ATTEMPTS = 4
    notice = _notice(placement)
    flaky.always = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    outcomes = []
    for _attempt in range(5):
        outcomes.append(send_notice(notice.pk))
        _due_now(notice)

    assert outcomes == [RETRY, RETRY, RETRY, MailStatus.FAILED, ""]
    notice.refresh_from_db()
    assert notice.status == MailStatus.FAILED
    assert notice.attempts == flaky.attempts == 4
    assert notice.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert FollowUpNotice.objects.failed().filter(step=notice.step).get() == notice
    assert mailoutbox == []


def test_a_notice_left_sending_past_its_lease_is_sent_again_with_the_same_message_id(
    placement, settings, mailoutbox, django_capture_on_commit_callbacks
):
    notice = _notice(placement)
    assert send_notice(notice.pk) == MailStatus.SENT
    # The worker died after the mail server took the message and before the row said so.
    FollowUpNotice.objects.filter(pk=notice.pk).update(
        status=MailStatus.SENDING,
        sent_at=None,
        claimed_at=timezone.now() - dt.timedelta(seconds=settings.MAIL_SENDING_LEASE_SECONDS + 1),
    )

    with django_capture_on_commit_callbacks() as callbacks:
        requeue_mails()
    assert enqueued(callbacks) == [("outreach.tasks.send_mails", ("notice", [notice.pk]))]
    assert send_notice(notice.pk) == MailStatus.SENT

    first, second = mailoutbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"] == notice.message_id()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (MailStatus.SENT, 2)


def test_a_notice_sending_within_its_lease_is_left_to_its_worker(placement, django_capture_on_commit_callbacks):
    notice = _notice(placement)
    FollowUpNotice.objects.filter(pk=notice.pk).update(status=MailStatus.SENDING, claimed_at=timezone.now())

    with django_capture_on_commit_callbacks() as callbacks:
        requeue_mails()

    assert callbacks == []
    notice.refresh_from_db()
    assert notice.status == MailStatus.SENDING


def test_a_permanent_smtp_error_fails_at_once_without_retrying(placement, flaky, mailoutbox):
    notice = _notice(placement)
    flaky.always = smtplib.SMTPRecipientsRefused({"alice@werkbrug.test": (550, b"5.1.1 No such user")})

    assert send_notice(notice.pk) == MailStatus.FAILED

    notice.refresh_from_db()
    assert (notice.status, notice.attempts, flaky.attempts) == (MailStatus.FAILED, 1, 1)
    assert "No such user" in notice.last_error


def test_a_step_closed_after_the_sweep_gets_no_mail(placement, alice, mailoutbox):
    notice = _notice(placement)
    AftercareStep.objects.filter(pk=notice.step_id).update(
        status=StepStatus.DONE, completed_at=at(START), completed_by=alice
    )

    assert deliver_notice(notice_pk=notice.pk, now=at(START)) == MailStatus.SKIPPED
    assert mailoutbox == []
    assert send_notice(notice.pk) == ""
    notice.refresh_from_db()
    assert notice.closed_reason == "The step was closed (done) before the mail went out."


def test_an_evaluation_hand_off_is_never_mailed_by_the_send_task(placement, mailoutbox):
    evaluation = step(placement, kind=StepKind.EMPLOYER_EVALUATION)
    sweep_followups(now=at(evaluation.due_on))
    hand_off = FollowUpNotice.objects.evaluations_due().get()

    assert send_notice(hand_off.pk) == ""

    hand_off.refresh_from_db()
    assert (hand_off.status, hand_off.attempts) == (MailStatus.PENDING, 0)
    assert not [m for m in mailoutbox if m.to == [placement.mentor.email]]


def test_the_escalation_tells_the_case_manager_how_many_days_a_step_is_overdue(placement, carl, settings, mailoutbox):
    settings.FOLLOWUP_ESCALATE_AFTER_DAYS = 3
    notice = _notice(placement, NoticeKind.ESCALATION, day=START + 3 * DAY)

    deliver_notice(notice_pk=notice.pk, now=at(START + 3 * DAY))

    mail = mailoutbox[0]
    assert mail.to == [carl.email]
    assert mail.subject == f"Overdue 3 days: Welcome visit at the workplace for {placement.client.reference}"
    assert "Assigned to: Alice" in mail.body


def test_the_escalation_links_to_the_team_page_and_the_placement_never_to_the_admin(
    placement, alice, settings, mailoutbox
):
    settings.FOLLOWUP_ESCALATE_AFTER_DAYS = 3
    settings.SITE_URL = "https://werkbrug.example.org"
    notice = _notice(placement, NoticeKind.ESCALATION, day=START + 3 * DAY)

    deliver_notice(notice_pk=notice.pk, now=at(START + 3 * DAY))

    body = mailoutbox[0].body
    team = reverse("placements:team")
    assert f"https://werkbrug.example.org{team}#coach-{alice.pk}" in body
    placement_url = reverse("placements:placement", args=[placement.pk])
    assert f"https://werkbrug.example.org{placement_url}#step-{notice.step_id}" in body
    assert "/admin/" not in body


def test_an_escalation_for_a_step_moved_into_the_future_is_skipped(placement, settings, mailoutbox):
    settings.FOLLOWUP_ESCALATE_AFTER_DAYS = 3
    notice = _notice(placement, NoticeKind.ESCALATION, day=START + 3 * DAY)
    AftercareStep.objects.filter(pk=notice.step_id).update(due_on=START + 10 * DAY, moved_by_hand=True)

    assert deliver_notice(notice_pk=notice.pk, now=at(START + 3 * DAY)) == MailStatus.SKIPPED
    assert mailoutbox == []
    notice.refresh_from_db()
    assert notice.closed_reason == f"The step moved to {(START + 10 * DAY):%d/%m/%Y}."


def test_a_due_day_reminder_that_could_not_go_out_on_its_day_goes_out_late(placement, alice, mailoutbox):
    notice = _notice(placement)

    assert deliver_notice(notice_pk=notice.pk, now=at(START + 2 * DAY)) == MailStatus.SENT
    assert mailoutbox[0].to == [alice.email]


def test_a_day_before_reminder_overtaken_by_the_due_day_is_closed_with_the_reason(placement, mailoutbox):
    notice = _notice(placement, NoticeKind.REMINDER_BEFORE, day=START + 6 * DAY)

    assert deliver_notice(notice_pk=notice.pk, now=at(START + 7 * DAY)) == MailStatus.SKIPPED
    notice.refresh_from_db()
    assert "the due-day reminder replaces it" in notice.closed_reason
    assert mailoutbox == []


def test_a_due_day_reminder_is_made_late_when_the_sweep_missed_the_day(placement):
    sweep_followups(now=at(START + 2 * DAY))

    notice = FollowUpNotice.objects.get(step__due_on=START, kind=NoticeKind.REMINDER_DUE)
    assert notice.for_due_on == START
