"""`manage.py run_followups`: the same sweep for a given moment, enqueued or inline."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from outreach.followups.models import CoachDigest, FollowUpNotice, NoticeKind
from outreach.mail.models import MailStatus
from tests.outreach.helpers import START, at, enqueued, step

pytestmark = pytest.mark.django_db


def _run(capsys, *args: str) -> dict:
    call_command("run_followups", *args)
    return json.loads(capsys.readouterr().out)


def test_the_command_sweeps_as_of_a_datetime_and_enqueues(placement, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        output = _run(capsys, "--as-of", "2027-01-04T09:00")

    notice = FollowUpNotice.objects.get(step=step(placement, offset=0), kind=NoticeKind.REMINDER_DUE)
    assert enqueued(callbacks) == [("outreach.tasks.send_mails", ("notice", [notice.pk]))]
    assert output["as_of"] == at(START).isoformat()
    assert (output["notices_enqueued"], output["became_due"]) == (1, 1)
    assert notice.status == MailStatus.PENDING


def test_a_date_alone_means_the_start_of_that_day(placement, capsys):
    output = _run(capsys, "--as-of", "2027-01-04")

    assert output["as_of"] == at(START, hour=0).isoformat()
    assert FollowUpNotice.objects.filter(kind=NoticeKind.REMINDER_DUE, step__due_on=START).count() == 1


def test_inline_sends_the_mails_here_without_a_worker(placement, alice, capsys, mailoutbox):
    output = _run(capsys, "--as-of", "2027-01-04T09:00", "--inline", "--digest")

    assert output["delivered"] == {"sent": 2}
    assert sorted(m.subject.split(":")[0] for m in mailoutbox) == ["Due today", "Your follow-ups for Monday 4 January"]
    assert FollowUpNotice.objects.get().status == MailStatus.SENT
    assert CoachDigest.objects.get(coach=alice, date=START).status == MailStatus.SENT


def test_running_the_command_twice_sends_nothing_twice(placement, capsys, mailoutbox):
    _run(capsys, "--as-of", "2027-01-04T09:00", "--inline", "--digest")
    output = _run(capsys, "--as-of", "2027-01-04T09:30", "--inline", "--digest")

    assert output["delivered"] == {}
    assert len(mailoutbox) == 2


@pytest.mark.parametrize("value", ["yesterday", "2027-13-01", "2027-01-04 nine"])
def test_a_bad_moment_is_refused_and_changes_nothing(placement, value):
    with pytest.raises(CommandError, match="is not a date"):
        call_command("run_followups", "--as-of", value)

    assert not FollowUpNotice.objects.exists()
    assert set(placement.steps.values_list("status", flat=True)) == {"planned"}


def test_a_moment_with_its_own_time_zone_is_kept(placement, capsys):
    output = _run(capsys, "--as-of", "2027-01-04T08:00+00:00")

    assert dt.datetime.fromisoformat(output["as_of"]) == at(START, hour=9)
