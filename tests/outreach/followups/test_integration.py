"""End to end: a real Celery worker on real Redis sends exactly one reminder per due step.

The worker is a separate process on this test database (a file for SQLite, the test database on
PostgreSQL) with the file mail backend; the sweep runs as `manage.py run_followups --as-of` in yet
another process, as an operator would run it. Waiting polls with a deadline.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter

import pytest

from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.mail.models import MailStatus
from tests.outreach.helpers import START, step
from tests.outreach.realqueue import Worker, celery_worker, publish, read_mails, redis_server, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SEND = "outreach.tasks.send_mails"


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A Celery worker on its own queue of the test Redis database, stopped after the test."""
    with redis_server() as broker, celery_worker(broker, tmp_path) as running:
        yield running


def _sweep(worker: Worker, day: dt.date) -> dict:
    return json.loads(worker.manage("run_followups", "--as-of", f"{day.isoformat()}T09:00"))


def _wait_for_sends(worker: Worker, count: int) -> None:
    wait_until(
        lambda: worker.succeeded(SEND) >= count,
        timeout=40,
        what=f"{count} send_mails runs (log: {worker.log})",
        check=worker.assert_alive,
    )


def _mails_by_notice(worker: Worker) -> Counter[tuple[str, int]]:
    """(kind, step pk) of every mail the worker sent, counted."""
    counted: Counter[tuple[str, int]] = Counter()
    for mail in read_mails(worker.mail_dir):
        kind, _notice, step_pk = str(mail["X-Werkbrug-Notice"]).split(":")
        counted[(kind, int(step_pk))] += 1
    return counted


def test_a_real_worker_sends_one_reminder_per_due_step_whatever_runs_twice(worker, make_placement):
    placement = make_placement()
    welcome, call = step(placement, offset=0), step(placement, offset=7)

    first, again = _sweep(worker, START), _sweep(worker, START)
    assert (first["notices_enqueued"], again["notices_enqueued"]) == (1, 0)
    _wait_for_sends(worker, 1)

    later = _sweep(worker, START + dt.timedelta(days=7))
    assert later["created"] == {NoticeKind.REMINDER_DUE: 1, NoticeKind.ESCALATION: 1}
    _wait_for_sends(worker, 3)

    # The same message delivered twice (a redelivery after a lost ack): the row's state stops the second.
    reminder = FollowUpNotice.objects.get(step=call, kind=NoticeKind.REMINDER_DUE)
    message_id = str(uuid.uuid4())
    publish(worker, SEND, "notice", [reminder.pk], task_id=message_id)
    publish(worker, SEND, "notice", [reminder.pk], task_id=message_id)
    _wait_for_sends(worker, 5)

    assert _mails_by_notice(worker) == {
        (NoticeKind.REMINDER_DUE, welcome.pk): 1,
        (NoticeKind.REMINDER_DUE, call.pk): 1,
        (NoticeKind.ESCALATION, welcome.pk): 1,
    }
    assert set(FollowUpNotice.objects.values_list("status", "attempts")) == {(MailStatus.SENT, 1)}
    reference = placement.client.reference
    assert {str(mail["Subject"]) for mail in read_mails(worker.mail_dir)} == {
        f"Due today: Welcome visit at the workplace for {reference}",
        f"Due today: Check-in call after the first week for {reference}",
        f"Overdue 7 days: Welcome visit at the workplace for {reference}",
    }
