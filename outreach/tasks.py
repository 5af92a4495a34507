"""Every Celery task of outreach, each under an explicit, stable name (the name is the broker protocol).

Tasks take primary keys, call one service and return quietly when the row is gone or already
handled. Nothing is scheduled for the future with an ETA: beat sweeps the database for what is
due now, and a mail waiting for a retry waits in its row, not in the broker (DESIGN "The follow-up
engine"; outreach/mail/queue.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.utils import timezone

from outreach.followups.services import deliver_digest, deliver_notice, sweep_digests, sweep_followups
from outreach.mail.queue import requeue_mails
from outreach.mentors.services import deliver_mentor_mail
from outreach.packs import services as pack_services
from outreach.surveys import services as survey_services

# Rendering a long pack takes well under a second; these limits only catch a hang.
BUILD_SOFT_TIME_LIMIT = 120
BUILD_TIME_LIMIT = 150

# How each kind of mail row is delivered (OutgoingMail.kind_label -> service).
SENDERS: dict[str, Callable[[int], str]] = {
    "notice": lambda pk: deliver_notice(notice_pk=pk),
    "digest": lambda pk: deliver_digest(digest_pk=pk),
    "pack": lambda pk: pack_services.deliver_info_pack(delivery_id=pk),
    "survey": lambda pk: survey_services.deliver_survey_mail(mail_pk=pk),
    "mentor": lambda pk: deliver_mentor_mail(mail_pk=pk),
}


@shared_task(
    base=DjangoTask,
    ignore_result=True,
    acks_late=True,
    time_limit=settings.MAIL_TASK_TIME_LIMIT_SECONDS,
    name="outreach.tasks.send_mails",
)
def send_mails(kind: str, pks: list[int]) -> dict[str, int]:
    """Send a batch of mail rows of one kind, each claimed on its own, at most once; {outcome: count}."""
    send = SENDERS[kind]
    outcomes: Counter[str] = Counter()
    for pk in pks:
        outcomes[send(pk) or "nothing_to_do"] += 1
    return dict(outcomes)


@shared_task(base=DjangoTask, ignore_result=True, name="outreach.tasks.requeue_mails")
def requeue_mails_task() -> dict[str, int]:
    """Publish again every mail the broker lost or that waits for a retry; release expired leases (beat)."""
    return requeue_mails()


# --- Follow-ups ----------------------------------------------------------------------------------


@shared_task(base=DjangoTask, ignore_result=True, name="outreach.tasks.run_followup_sweep")
def run_followup_sweep() -> dict[str, Any]:
    """Claim the steps due now and publish their notices, one message per batch (beat, FOLLOWUP_SWEEP_SECONDS)."""
    return sweep_followups(now=timezone.now()).as_dict()


@shared_task(base=DjangoTask, ignore_result=True, name="outreach.tasks.run_digest_sweep")
def run_digest_sweep() -> dict[str, Any]:
    """Make and publish today's morning digests (beat, at FOLLOWUP_DIGEST_HOUR)."""
    return sweep_digests(now=timezone.now()).as_dict()


# --- Info packs ----------------------------------------------------------------------------------


@shared_task(
    base=DjangoTask,
    ignore_result=True,
    acks_late=True,
    soft_time_limit=BUILD_SOFT_TIME_LIMIT,
    time_limit=BUILD_TIME_LIMIT,
    name="outreach.tasks.build_info_pack",
)
def build_info_pack(pack_id: int) -> str:
    """Render and store one info pack's PDF; a pack already built or being built elsewhere is left alone."""
    pack = pack_services.build_info_pack(pack_id=pack_id)
    return pack.status if pack is not None else "skipped"


@shared_task(base=DjangoTask, ignore_result=True, name="outreach.tasks.reconcile_placement_packs")
def reconcile_placement_packs() -> dict[str, int]:
    """Offer packs for newly running placements and renew those whose follow-up schedule changed (beat)."""
    return pack_services.reconcile_placement_packs()


# --- Surveys -------------------------------------------------------------------------------------


@shared_task(base=DjangoTask, ignore_result=True, name="outreach.tasks.run_survey_sweep")
def run_survey_sweep() -> dict[str, int]:
    """Turn due employer evaluations into invitations and make the reminders due (beat, SURVEY_SWEEP_SECONDS)."""
    now = timezone.now()
    invited = survey_services.take_evaluation_notices(now=now)
    reminded = survey_services.sweep_reminders(now=now)
    return {"invited": invited, "reminded": len(reminded)}
