"""Sending a follow-up notice: at most once, retried on transient errors, failed with a reason after the last try."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest

from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.followups.services import TransientMailError, deliver_notice, sweep_followups
from outreach.mail.models import MailStatus
from outreach.tasks import send_notice
from placements.choices import StepKind, StepStatus
from placements.models import AftercareStep
from tests.outreach.backends import FlakyBackend
from tests.outreach.conftest import START, at, step

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def flaky(settings):
    """Route mail through a backend that fails on cue."""
    settings.EMAIL_BACKEND = "tests.outreach.backends.FlakyBackend"
    FlakyBackend.failures, FlakyBackend.always, FlakyBackend.attempts = [], None, 0
    yield FlakyBackend
    FlakyBackend.failures, FlakyBackend.always, FlakyBackend.attempts = [], None, 0


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


def test_a_transient_failure_goes_back_to_pending_and_the_retry_sends(placement, flaky, mailoutbox):
    notice = _notice(placement)
    flaky.failures = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]

    with pytest.raises(TransientMailError):
        deliver_notice(notice_pk=notice.pk, now=at(START), final_attempt=False)

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (MailStatus.PENDING, 1)
    assert "SMTPServerDisconnected" in notice.last_error
    assert mailoutbox == []

    assert deliver_notice(notice_pk=notice.pk, now=at(START), final_attempt=False) == MailStatus.SENT
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == (MailStatus.SENT, 2, "")
    assert len(mailoutbox) == 1


def test_the_task_retries_a_transient_error_until_it_succeeds(placement, flaky, mailoutbox):
    notice = _notice(placement)
    flaky.failures = [ConnectionRefusedError(111, "Connection refused"), TimeoutError("timed out")]

    send_notice.apply(args=[notice.pk])

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (MailStatus.SENT, 3)
    assert len(mailoutbox) == 1


def test_after_the_last_retry_the_notice_is_failed_with_the_error(placement, flaky, settings, mailoutbox):
    notice = _notice(placement)
    flaky.always = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    send_notice.apply(args=[notice.pk])

    notice.refresh_from_db()
    assert send_notice.max_retries == settings.FOLLOWUP_MAIL_MAX_RETRIES
    assert notice.status == MailStatus.FAILED
    assert notice.attempts == flaky.attempts == settings.FOLLOWUP_MAIL_MAX_RETRIES + 1
    assert notice.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert FollowUpNotice.objects.failed().filter(step=notice.step).get() == notice
    assert mailoutbox == []


def test_a_permanent_smtp_error_fails_at_once_without_retrying(placement, flaky, mailoutbox):
    notice = _notice(placement)
    flaky.always = smtplib.SMTPRecipientsRefused({"alice@werkbrug.test": (550, b"5.1.1 No such user")})

    send_notice.apply(args=[notice.pk])

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


def test_an_escalation_for_a_step_moved_into_the_future_is_skipped(placement, settings, mailoutbox):
    settings.FOLLOWUP_ESCALATE_AFTER_DAYS = 3
    notice = _notice(placement, NoticeKind.ESCALATION, day=START + 3 * DAY)
    AftercareStep.objects.filter(pk=notice.step_id).update(due_on=START + 10 * DAY, moved_by_hand=True)

    assert deliver_notice(notice_pk=notice.pk, now=at(START + 3 * DAY)) == MailStatus.SKIPPED
    assert mailoutbox == []
