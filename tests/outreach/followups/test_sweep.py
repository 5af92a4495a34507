"""The follow-up sweep: what it claims, for whom, what it enqueues, and that it never acts twice."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.followups.services import sweep_followups
from outreach.mail.models import MailStatus
from outreach.mail.queue import requeue_mails
from placements import services
from placements.choices import PlacementStatus, StepKind, StepStatus
from placements.models import AftercareStep
from tests.outreach.helpers import START, at, enqueued, step

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _kinds(placement) -> set[tuple[str, int, str]]:
    return {
        (n.kind, n.days_before, n.step.title)
        for n in FollowUpNotice.objects.filter(step__placement=placement).select_related("step")
    }


def test_a_step_becomes_due_on_its_day_and_not_before(placement):
    welcome = step(placement, offset=0)
    sweep_followups(now=at(START - DAY))
    welcome.refresh_from_db()
    assert welcome.status == StepStatus.PLANNED

    report = sweep_followups(now=at(START))

    welcome.refresh_from_db()
    assert welcome.status == StepStatus.DUE
    assert report.became_due == 1
    assert step(placement, offset=7).status == StepStatus.PLANNED


def test_the_coach_is_reminded_the_day_before_and_on_the_day(placement, alice):
    call = step(placement, offset=7)

    sweep_followups(now=at(START + 6 * DAY))
    sweep_followups(now=at(START + 7 * DAY))

    notices = FollowUpNotice.objects.filter(step=call).order_by("kind")
    assert [(n.kind, n.days_before, n.recipient_email, n.status) for n in notices] == [
        (NoticeKind.REMINDER_BEFORE, 1, alice.email, MailStatus.PENDING),
        (NoticeKind.REMINDER_DUE, 0, alice.email, MailStatus.PENDING),
    ]


def test_a_step_moved_after_its_reminder_is_reminded_again_on_its_new_day(placement, alice):
    call = step(placement, offset=7)
    sweep_followups(now=at(START + 6 * DAY))
    services.move_step(step=call, actor=alice, due_on=START + 14 * DAY, reason="Klant op vakantie", now=at(START))

    sweep_followups(now=at(START + 13 * DAY))
    sweep_followups(now=at(START + 13 * DAY, minute=5))

    reminders = FollowUpNotice.objects.filter(step=call, kind=NoticeKind.REMINDER_BEFORE).order_by("for_due_on")
    assert [n.for_due_on for n in reminders] == [START + 7 * DAY, START + 14 * DAY]


def test_a_moved_employer_evaluation_is_handed_to_the_survey_only_once(placement, alice):
    evaluation = step(placement, kind=StepKind.EMPLOYER_EVALUATION)
    sweep_followups(now=at(evaluation.due_on))
    later = evaluation.due_on + 7 * DAY
    services.move_step(step=evaluation, actor=alice, due_on=later, reason="Mentor met verlof", now=at(START))

    sweep_followups(now=at(later))

    assert FollowUpNotice.objects.filter(step=evaluation, kind=NoticeKind.EVALUATION_DUE).count() == 1


def test_the_sweep_enqueues_one_send_task_per_new_notice_after_commit(placement, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        report = sweep_followups(now=at(START))

    notice = FollowUpNotice.objects.get(step=step(placement, offset=0), kind=NoticeKind.REMINDER_DUE)
    assert enqueued(callbacks) == [("outreach.tasks.send_mails", ("notice", [notice.pk]))]
    assert report.notices == [notice.pk]


def test_running_the_sweep_twice_creates_and_enqueues_nothing_more(placement, django_capture_on_commit_callbacks):
    sweep_followups(now=at(START))
    before = list(FollowUpNotice.objects.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks() as callbacks:
        report = sweep_followups(now=at(START, hour=9, minute=5))

    assert callbacks == []
    assert report.notices == []
    assert list(FollowUpNotice.objects.values_list("pk", flat=True)) == before


def test_steps_of_a_cancelled_placement_are_never_reminded(placement, django_capture_on_commit_callbacks):
    type(placement).objects.filter(pk=placement.pk).update(status=PlacementStatus.CANCELLED)

    with django_capture_on_commit_callbacks() as callbacks:
        for offset in (0, 6, 7, 14, 30):
            sweep_followups(now=at(START + offset * DAY))

    assert callbacks == []
    assert not FollowUpNotice.objects.exists()
    assert set(placement.steps.values_list("status", flat=True)) == {StepStatus.PLANNED}


@pytest.mark.parametrize("status", [StepStatus.DONE, StepStatus.SKIPPED, StepStatus.CANCELLED])
def test_closed_steps_are_never_reminded_or_escalated(placement, status, alice):
    call = step(placement, offset=7)
    AftercareStep.objects.filter(pk=call.pk).update(status=status, completed_at=at(START), completed_by=alice)

    for offset in (6, 7, 8, 12, 20):
        sweep_followups(now=at(START + offset * DAY))

    assert not FollowUpNotice.objects.filter(step=call).exists()


def test_a_planned_placement_that_has_not_started_gets_no_reminders(make_placement):
    placement = make_placement()
    type(placement).objects.filter(pk=placement.pk).update(status=PlacementStatus.PLANNED)

    sweep_followups(now=at(START))

    assert not FollowUpNotice.objects.exists()


def test_the_mentor_gets_a_check_in_for_employer_email_steps_in_her_language(make_placement):
    placement = make_placement(mentor_language="sv")
    checkin = step(placement, offset=14)
    assert checkin.kind == StepKind.EMAIL_CHECKIN

    sweep_followups(now=at(START + 14 * DAY))

    notice = FollowUpNotice.objects.get(step=checkin, kind=NoticeKind.EMPLOYER_CHECKIN)
    assert (notice.recipient_email, notice.language, notice.status) == (
        placement.mentor.email,
        "sv",
        MailStatus.PENDING,
    )


def test_client_track_steps_send_nothing_to_the_mentor(placement):
    AftercareStep.objects.filter(pk=step(placement, offset=14).pk).update(track="client")

    sweep_followups(now=at(START + 14 * DAY))

    assert not FollowUpNotice.objects.filter(kind=NoticeKind.EMPLOYER_CHECKIN).exists()


def test_a_mentor_check_in_long_past_its_day_is_not_mailed_late(placement, settings):
    settings.FOLLOWUP_CATCH_UP_DAYS = 2
    checkin = step(placement, offset=14)

    sweep_followups(now=at(START + 17 * DAY))
    assert not FollowUpNotice.objects.filter(kind=NoticeKind.EMPLOYER_CHECKIN).exists()

    AftercareStep.objects.filter(pk=checkin.pk).update(due_on=START + 15 * DAY)
    sweep_followups(now=at(START + 17 * DAY))
    assert FollowUpNotice.objects.filter(step=checkin, kind=NoticeKind.EMPLOYER_CHECKIN).count() == 1


def test_a_due_employer_evaluation_is_recorded_for_the_survey_and_not_enqueued(
    placement, django_capture_on_commit_callbacks
):
    evaluation = step(placement, kind=StepKind.EMPLOYER_EVALUATION)

    with django_capture_on_commit_callbacks() as callbacks:
        sweep_followups(now=at(evaluation.due_on))

    handed_off = FollowUpNotice.objects.evaluations_due().get()
    assert handed_off.step == evaluation
    assert handed_off.recipient_email == placement.mentor.email
    assert handed_off.queued_at is None
    assert ("outreach.tasks.send_mails", ("notice", [handed_off.pk])) not in enqueued(callbacks)


def test_a_step_overdue_for_n_days_is_escalated_to_the_case_manager_once(placement, carl, settings):
    settings.FOLLOWUP_ESCALATE_AFTER_DAYS = 3
    call = step(placement, offset=7)

    sweep_followups(now=at(START + 9 * DAY))
    assert not FollowUpNotice.objects.filter(step=call, kind=NoticeKind.ESCALATION).exists()

    for offset in (10, 10, 11, 12):
        sweep_followups(now=at(START + offset * DAY))

    escalation = FollowUpNotice.objects.get(step=call, kind=NoticeKind.ESCALATION)
    assert escalation.recipient_email == carl.email


def test_a_notice_with_nobody_to_send_to_fails_at_once_and_says_why(
    placement, alice, django_capture_on_commit_callbacks
):
    alice.email = ""
    alice.save()

    with django_capture_on_commit_callbacks() as callbacks:
        report = sweep_followups(now=at(START))

    notice = FollowUpNotice.objects.get(step=step(placement, offset=0), kind=NoticeKind.REMINDER_DUE)
    assert notice.status == MailStatus.FAILED
    assert "no email address" in notice.last_error
    assert callbacks == []
    assert report.failed == 1
    assert FollowUpNotice.objects.failed().get() == notice


def test_the_reminder_days_come_from_the_settings(placement, settings):
    settings.FOLLOWUP_REMINDER_DAYS_BEFORE = (3,)
    call = step(placement, offset=7)

    for offset in range(3, 8):
        sweep_followups(now=at(START + offset * DAY))

    assert [(n.kind, n.days_before) for n in FollowUpNotice.objects.filter(step=call)] == [
        (NoticeKind.REMINDER_BEFORE, 3)
    ]


def test_a_pending_notice_whose_message_was_lost_is_published_again_by_the_requeue_sweep(
    placement, settings, django_capture_on_commit_callbacks
):
    sweep_followups(now=at(START, hour=9))
    notice = FollowUpNotice.objects.get(kind=NoticeKind.REMINDER_DUE)

    with django_capture_on_commit_callbacks() as soon:
        requeue_mails()
    later_on = timezone.now() + dt.timedelta(seconds=settings.MAIL_REQUEUE_AFTER_SECONDS + 1)
    with time_machine.travel(later_on), django_capture_on_commit_callbacks() as later:
        requeued = requeue_mails()

    assert enqueued(soon) == []
    assert enqueued(later) == [("outreach.tasks.send_mails", ("notice", [notice.pk]))]
    assert requeued["notice"] == 1
    notice.refresh_from_db()
    # The domain moment the notice was made for stays the sweep's.
    assert notice.queued_at == at(START, hour=9)


def test_the_sweep_publishes_one_message_per_batch_of_notices(
    make_placement, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_BATCH_SIZE = 2
    for _ in range(5):
        make_placement()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sweep_followups(now=at(START, hour=9))

    notices = list(FollowUpNotice.objects.mailed().values_list("pk", flat=True))
    batches = [args for _task, args in enqueued(callbacks)]
    assert len(notices) == 5
    assert [len(pks) for _kind, pks in batches] == [2, 2, 1]
    assert sorted(pk for _kind, pks in batches for pk in pks) == sorted(notices)


def test_sweeps_claim_in_batches_and_miss_nothing(make_placement, settings, django_capture_on_commit_callbacks):
    settings.FOLLOWUP_SWEEP_BATCH = 2
    placements = [make_placement() for _ in range(5)]

    with django_capture_on_commit_callbacks() as callbacks:
        sweep_followups(now=at(START))

    due = FollowUpNotice.objects.filter(kind=NoticeKind.REMINDER_DUE)
    assert due.count() == 5
    assert {n.step.placement_id for n in due} == {p.pk for p in placements}
    published = [pk for _name, (_kind, pks) in enqueued(callbacks) for pk in pks]
    assert sorted(published) == sorted(FollowUpNotice.objects.mailed().values_list("pk", flat=True))


def test_the_reminder_kinds_for_a_whole_first_fortnight(placement):
    for offset in range(15):
        sweep_followups(now=at(START + offset * DAY))

    assert _kinds(placement) == {
        (NoticeKind.REMINDER_DUE, 0, step(placement, offset=0).title),
        (NoticeKind.REMINDER_BEFORE, 1, step(placement, offset=7).title),
        (NoticeKind.REMINDER_DUE, 0, step(placement, offset=7).title),
        (NoticeKind.REMINDER_BEFORE, 1, step(placement, offset=14).title),
        (NoticeKind.REMINDER_DUE, 0, step(placement, offset=14).title),
        (NoticeKind.EMPLOYER_CHECKIN, 0, step(placement, offset=14).title),
        (NoticeKind.ESCALATION, 0, step(placement, offset=0).title),
        (NoticeKind.ESCALATION, 0, step(placement, offset=7).title),
    }
