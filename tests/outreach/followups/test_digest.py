"""The coaches' morning digest: overdue, today and this week, at most once per coach and day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from outreach.followups.models import CoachDigest
from outreach.followups.services import deliver_digest, sweep_digests
from outreach.mail.models import MailStatus
from placements.choices import PlacementStatus, StepStatus
from placements.models import AftercareStep
from tests.outreach.helpers import START, at, enqueued

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def test_each_coach_with_open_steps_gets_one_digest_a_day(
    make_placement, alice, bob, django_capture_on_commit_callbacks
):
    make_placement()
    make_placement(coach=bob)

    with django_capture_on_commit_callbacks() as callbacks:
        sweep_digests(now=at(START, hour=7))
        sweep_digests(now=at(START, hour=7, minute=5))
        sweep_digests(now=at(START, hour=15))

    digests = CoachDigest.objects.filter(date=START)
    assert {(d.coach, d.recipient_email) for d in digests} == {(alice, alice.email), (bob, bob.email)}
    assert enqueued(callbacks) == [("outreach.tasks.send_mails", ("digest", sorted(d.pk for d in digests)))]


def test_the_next_day_brings_a_new_digest(placement, alice):
    sweep_digests(now=at(START, hour=7))
    sweep_digests(now=at(START + DAY, hour=7))

    assert list(CoachDigest.objects.filter(coach=alice).order_by("date").values_list("date", flat=True)) == [
        START,
        START + DAY,
    ]


def test_a_coach_with_nothing_due_this_week_gets_no_digest(placement):
    sweep_digests(now=at(START - 10 * DAY, hour=7))

    assert not CoachDigest.objects.exists()


def test_a_cancelled_placement_puts_nothing_in_the_digest(placement):
    type(placement).objects.filter(pk=placement.pk).update(status=PlacementStatus.CANCELLED)

    sweep_digests(now=at(START, hour=7))

    assert not CoachDigest.objects.exists()


def test_the_digest_lists_overdue_today_and_this_week(placement, alice, mailoutbox):
    placement.steps.filter(due_on=START + 28 * DAY).update(due_on=START + 10 * DAY)
    report = sweep_digests(now=at(START + 7 * DAY, hour=7))

    assert deliver_digest(digest_pk=report.digests[0], now=at(START + 7 * DAY, hour=7)) == MailStatus.SENT

    mail = mailoutbox[0]
    assert mail.to == [alice.email]
    assert mail.subject == "Your follow-ups for Monday 11 January: 1 overdue, 1 today, 1 this week"
    overdue, rest = mail.body.split("Today (1):")
    today, this_week = rest.split("This week (1):")
    assert "Welcome visit at the workplace" in overdue
    assert "Check-in call after the first week" in today
    assert "Follow-up call after four weeks" in this_week
    assert "Check-in with the workplace mentor" not in mail.body  # day 14: next week


def test_the_digest_links_each_overdue_and_todays_step_to_its_placement_page(placement, mailoutbox, settings):
    settings.SITE_URL = "https://werkbrug.example.org"
    report = sweep_digests(now=at(START + 7 * DAY, hour=7))

    deliver_digest(digest_pk=report.digests[0], now=at(START + 7 * DAY, hour=7))

    body = mailoutbox[0].body
    page = f"https://werkbrug.example.org{reverse('placements:placement', args=[placement.pk])}"
    for step in placement.steps.filter(due_on__lte=START + 7 * DAY):
        assert f"{page}#step-{step.pk}" in body
    assert "/admin/" not in body


def test_a_digest_delivered_twice_sends_one_mail(placement, mailoutbox):
    report = sweep_digests(now=at(START, hour=7))

    assert [deliver_digest(digest_pk=report.digests[0]), deliver_digest(digest_pk=report.digests[0])] == [
        MailStatus.SENT,
        "",
    ]
    assert len(mailoutbox) == 1


def test_a_digest_whose_steps_were_all_done_is_skipped(placement, alice, mailoutbox):
    report = sweep_digests(now=at(START, hour=7))
    AftercareStep.objects.filter(placement=placement).update(
        status=StepStatus.DONE, completed_at=at(START), completed_by=alice
    )

    assert deliver_digest(digest_pk=report.digests[0], now=at(START, hour=7)) == MailStatus.SKIPPED
    assert mailoutbox == []


def test_a_coach_without_an_email_address_gets_a_failed_digest_that_says_why(placement, alice):
    alice.email = ""
    alice.save()

    report = sweep_digests(now=at(START, hour=7))

    digest = CoachDigest.objects.get()
    assert (digest.status, report.digests) == (MailStatus.FAILED, [])
    assert "no email address" in digest.last_error
