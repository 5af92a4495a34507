"""Admin lists of notices and digests: constant queries, row-level visibility, and "send again"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outreach.followups.models import CoachDigest, FollowUpNotice, NoticeKind
from outreach.mail.models import MailStatus
from placements.models import AftercareStep
from tests.outreach.helpers import START, at, enqueued

pytestmark = pytest.mark.django_db
NOTICES = reverse("admin:outreach_followupnotice_changelist")
DIGESTS = reverse("admin:outreach_coachdigest_changelist")


def _notices(placement, count: int, status=MailStatus.SENT) -> None:
    steps = list(placement.steps.order_by("due_on"))
    FollowUpNotice.objects.bulk_create(
        FollowUpNotice(
            step=steps[i % len(steps)],
            kind=NoticeKind.REMINDER_BEFORE,
            days_before=i + 1,
            for_due_on=steps[i % len(steps)].due_on,
            status=status,
        )
        for i in range(count)
    )


@pytest.mark.parametrize("rows", [1, 30])
def test_the_notice_list_runs_a_constant_number_of_queries(
    placement, adam, client, rows, django_assert_max_num_queries
):
    _notices(placement, rows)
    client.force_login(adam)

    with django_assert_max_num_queries(12):
        response = client.get(NOTICES)

    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_the_digest_list_runs_a_constant_number_of_queries(adam, alice, client, rows, django_assert_max_num_queries):
    CoachDigest.objects.bulk_create(
        CoachDigest(coach=alice, date=START.replace(day=1 + i % 28, month=1 + i // 28)) for i in range(rows)
    )
    client.force_login(adam)

    with django_assert_max_num_queries(12):
        response = client.get(DIGESTS)

    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


def test_a_coach_sees_only_the_notices_of_her_own_clients(make_placement, alice, bob, client):
    mine, theirs = make_placement(), make_placement(coach=bob)
    _notices(mine, 2)
    _notices(theirs, 3)
    alice.is_staff = True
    alice.save()
    client.force_login(alice)

    response = client.get(NOTICES)

    assert response.status_code == 200
    assert {n.step.placement_id for n in response.context["cl"].result_list} == {mine.pk}


def test_the_failed_filter_shows_what_needs_a_hand(placement, adam, client):
    _notices(placement, 2)
    FollowUpNotice.objects.filter(pk=FollowUpNotice.objects.order_by("pk").first().pk).update(
        status=MailStatus.FAILED, last_error="SMTPServerDisconnected: closed"
    )
    client.force_login(adam)

    response = client.get(NOTICES, {"status__exact": "failed"})

    assert [n.status for n in response.context["cl"].result_list] == [MailStatus.FAILED]
    assert "SMTPServerDisconnected: closed" in response.content.decode()


def test_send_again_puts_a_failed_notice_back_in_the_queue(placement, adam, client, django_capture_on_commit_callbacks):
    step = AftercareStep.objects.filter(placement=placement).first()
    notice = FollowUpNotice.objects.create(
        step=step,
        kind=NoticeKind.REMINDER_DUE,
        recipient_email="alice@werkbrug.test",
        status=MailStatus.FAILED,
        attempts=6,
        last_error="TimeoutError: timed out",
        queued_at=at(START),
    )
    client.force_login(adam)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(NOTICES, {"action": "send_again", "_selected_action": [notice.pk]})

    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == MailStatus.PENDING
    assert enqueued(callbacks) == [("outreach.tasks.send_mails", ("notice", [notice.pk]))]


def test_a_coach_cannot_send_again(placement, alice, client):
    _notices(placement, 1, status=MailStatus.FAILED)
    alice.is_staff = True
    alice.save()
    client.force_login(alice)

    response = client.post(NOTICES, {"action": "send_again", "_selected_action": [FollowUpNotice.objects.get().pk]})

    assert FollowUpNotice.objects.get().status == MailStatus.FAILED
    assert response.status_code in (200, 302, 403)


def test_the_step_page_shows_its_notices_and_why_one_failed(placement, adam, client):
    step = AftercareStep.objects.filter(placement=placement).order_by("due_on").first()
    FollowUpNotice.objects.create(
        step=step, kind=NoticeKind.ESCALATION, status=MailStatus.FAILED, last_error="The client has no case manager."
    )
    client.force_login(adam)

    response = client.get(reverse("admin:placements_aftercarestep_change", args=[step.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Follow-up mails" in page
    assert "The client has no case manager." in page
