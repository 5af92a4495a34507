"""The check-in section of the placement page: the employer check-in mails of the placement's steps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone
from django.utils.formats import date_format

from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.followups.services import deliver_notice, sweep_followups
from outreach.mail.models import MailStatus
from outreach.templatetags.outreach_workspace import placement_checkins
from placements.models import Placement
from tests.outreach.helpers import START, at

pytestmark = pytest.mark.django_db
CHECKIN_DAY = START + dt.timedelta(days=14)


def section(placement: Placement, user: User) -> str:
    """The check-in section as the placement page includes it."""
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("outreach/workspace/placement_checkins.html", {"placement": placement}, request=request)


def send_checkin(placement: Placement) -> FollowUpNotice:
    sweep_followups(now=at(CHECKIN_DAY), enqueue=False)
    notice = FollowUpNotice.objects.get(step__placement=placement, kind=NoticeKind.EMPLOYER_CHECKIN)
    deliver_notice(notice_pk=notice.pk, now=at(CHECKIN_DAY))
    notice.refresh_from_db()
    return notice


def extra_checkins(placement: Placement, count: int) -> None:
    """Check-in rows for other steps of the placement, as the sweep would leave them."""
    for number, step in enumerate(placement.steps.order_by("due_on", "pk")[:count]):
        FollowUpNotice.objects.get_or_create(
            step=step,
            kind=NoticeKind.EMPLOYER_CHECKIN,
            days_before=0,
            for_due_on=step.due_on,
            defaults={"recipient_email": f"mentor{number}@example.org", "status": MailStatus.PENDING},
        )


def test_a_sent_check_in_shows_its_step_due_day_recipient_and_when_it_went(placement, alice, mailoutbox):
    notice = send_checkin(placement)

    html = section(placement, alice)

    assert notice.status == MailStatus.SENT and len(mailoutbox) == 1
    assert notice.step.label() in html and f'href="#step-{notice.step_id}"' in html
    assert f"due {date_format(notice.for_due_on, 'SHORT_DATE_FORMAT')}" in html
    assert f"to {notice.recipient_email}" in html and "Sent" in html
    assert f"sent {date_format(timezone.localtime(notice.sent_at), 'SHORT_DATETIME_FORMAT')}" in html


@pytest.mark.parametrize(
    ("status", "fields", "label", "reason"),
    [
        (MailStatus.PENDING, {}, "Queued", ""),
        (MailStatus.FAILED, {"last_error": "550 No such user"}, "Failed", "550 No such user"),
        (MailStatus.SKIPPED, {"closed_reason": "The placement is ended early."}, "Closed unsent", "ended early"),
    ],
)
def test_a_check_in_says_whether_it_is_queued_failed_or_closed_and_why(placement, alice, status, fields, label, reason):
    sweep_followups(now=at(CHECKIN_DAY), enqueue=False)
    FollowUpNotice.objects.filter(step__placement=placement, kind=NoticeKind.EMPLOYER_CHECKIN).update(
        status=status, **fields
    )

    html = section(placement, alice)

    assert label in html and reason in html and "No check-in mails yet." not in html


def test_only_check_ins_are_listed_not_the_coachs_reminders(placement, alice):
    sweep_followups(now=at(CHECKIN_DAY), enqueue=False)
    assert FollowUpNotice.objects.exclude(kind=NoticeKind.EMPLOYER_CHECKIN).filter(step__placement=placement).exists()

    rows = placement_checkins(placement, alice)["rows"]

    assert rows and {notice.kind for notice in rows} == {NoticeKind.EMPLOYER_CHECKIN}


def test_another_coach_sees_no_check_ins_of_the_placement(placement, alice, bob, carl):
    send_checkin(placement)

    assert placement_checkins(placement, bob)["rows"] == []
    assert "No check-in mails yet." in section(placement, bob)
    assert len(placement_checkins(placement, carl)["rows"]) == 1


def test_without_check_ins_the_section_says_so(placement, alice):
    assert "No check-in mails yet." in section(placement, alice)


@pytest.mark.parametrize("rows", [1, 12])
def test_the_section_runs_a_fixed_number_of_queries(placement, alice, rows, django_assert_max_num_queries):
    extra_checkins(placement, rows)
    assert FollowUpNotice.objects.filter(kind=NoticeKind.EMPLOYER_CHECKIN).count() == rows

    with django_assert_max_num_queries(3):
        html = section(placement, alice)

    assert html.count('class="step"') == rows
