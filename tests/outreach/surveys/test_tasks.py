"""Survey tasks: the beat sweep in-process, and a real Celery worker on real Redis sending each invitation once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.mail.models import MailStatus
from outreach.surveys.links import link_for
from outreach.surveys.models import SurveyInvitation, SurveyMail, SurveyMailKind
from outreach.surveys.services import cancel_invitation
from outreach.tasks import run_survey_sweep
from placements.models import Placement
from tests.outreach.helpers import enqueued, step
from tests.outreach.realqueue import Worker, celery_worker, publish, read_mails, redis_server, wait_until
from tests.outreach.surveys.helpers import invite

SEND = "outreach.tasks.send_mails"


@pytest.mark.django_db
def test_the_sweep_turns_the_hand_off_into_an_invitation_and_enqueues_its_mail(
    placement: Placement, django_capture_on_commit_callbacks: Any
) -> None:
    assert placement.mentor is not None
    FollowUpNotice.objects.create(
        step=step(placement), kind=NoticeKind.EVALUATION_DUE, recipient_email=placement.mentor.email, language="nl"
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert run_survey_sweep() == {"invited": 1, "reminded": 0}
        assert run_survey_sweep() == {"invited": 0, "reminded": 0}
    invitation = SurveyInvitation.objects.get()
    [mail] = invitation.mails.all()
    assert (mail.kind, mail.status, mail.recipient_email) == (SurveyMailKind.INVITATION, "pending", invitation.email)
    assert enqueued(callbacks) == [(SEND, ("survey", [mail.pk]))]


@pytest.fixture
def worker(transactional_db: None, tmp_path: Path) -> Iterator[Worker]:
    """A Celery worker on its own queue of the test Redis database, stopped after the test."""
    with redis_server() as broker, celery_worker(broker, tmp_path) as running:
        yield running


def _wait(worker: Worker, task: str, count: int) -> None:
    wait_until(
        lambda: worker.succeeded(task) >= count,
        timeout=40,
        what=f"{count} {task} runs (log: {worker.log})",
        check=worker.assert_alive,
    )


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_mails_an_invitation_once_and_no_reminder_after_cancelling(
    worker: Worker, placement: Placement
) -> None:
    invitation, link = invite(placement)
    [first] = invitation.mails.all()
    message_id = str(uuid.uuid4())
    publish(worker, SEND, "survey", [first.pk], task_id=message_id)
    publish(worker, SEND, "survey", [first.pk], task_id=message_id)
    _wait(worker, SEND, 2)

    mails = read_mails(worker.mail_dir)
    assert len(mails) == 1
    body = mails[0].get_body(preferencelist=("plain",))
    assert body is not None
    assert f"/s/{link}/" in str(body.get_content())
    assert str(mails[0]["X-Werkbrug-Survey"]) == f"{invitation.pk}:invitation"
    assert str(mails[0]["Message-ID"]) == first.message_id()
    first.refresh_from_db()
    assert (first.status, first.attempts) == (MailStatus.SENT, 1)
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert link == link_for(invitation.token_prefix, invitation.token_seed)

    reminder = SurveyMail.objects.create(
        invitation=invitation, kind=SurveyMailKind.REMINDER, recipient_email=invitation.email, language="nl"
    )
    cancel_invitation(invitation=invitation, actor=None)
    publish(worker, SEND, "survey", [reminder.pk], task_id=str(uuid.uuid4()))
    _wait(worker, SEND, 3)
    assert len(read_mails(worker.mail_dir)) == 1
    reminder.refresh_from_db()
    assert reminder.status == MailStatus.SKIPPED
    assert reminder.closed_reason == "The invitation was cancelled before this mail went out."
