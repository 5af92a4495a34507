"""Celery tasks of the follow-up engine: two beat sweeps and the two mail senders (outreach/followups.py).

Tasks take primary keys, call one service and return quietly when the row is gone or already
handled. Nothing is scheduled for the future with an ETA: beat sweeps the database for what is
due now (DESIGN "The follow-up engine").
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.utils import timezone

from outreach.followups import TransientMailError, deliver_digest, deliver_notice, sweep_digests, sweep_followups

# A send has one SMTP conversation with a timeout; these limits only catch a hang.
SEND_SOFT_TIME_LIMIT = 4 * settings.FOLLOWUP_MAIL_TIMEOUT_SECONDS
SEND_TIME_LIMIT = SEND_SOFT_TIME_LIMIT + 30

_SEND_OPTIONS: dict[str, Any] = {
    "base": DjangoTask,
    "bind": True,
    "ignore_result": True,
    "acks_late": True,
    "autoretry_for": (TransientMailError,),
    "retry_backoff": settings.FOLLOWUP_MAIL_RETRY_BACKOFF_SECONDS,
    "retry_backoff_max": settings.FOLLOWUP_MAIL_RETRY_BACKOFF_MAX_SECONDS,
    "retry_jitter": True,
    "max_retries": settings.FOLLOWUP_MAIL_MAX_RETRIES,
    "soft_time_limit": SEND_SOFT_TIME_LIMIT,
    "time_limit": SEND_TIME_LIMIT,
}


def _final_attempt(task: Any) -> bool:
    """True on the last try the task gets: a transient error then marks the mail failed."""
    return bool(task.request.retries >= (task.max_retries or 0))


@shared_task(base=DjangoTask, ignore_result=True)
def run_followup_sweep() -> dict[str, Any]:
    """Claim the steps due now and enqueue one send task per new notice (beat, every FOLLOWUP_SWEEP_SECONDS)."""
    return sweep_followups(now=timezone.now()).as_dict()


@shared_task(base=DjangoTask, ignore_result=True)
def run_digest_sweep() -> dict[str, Any]:
    """Make and enqueue today's morning digests (beat, at FOLLOWUP_DIGEST_HOUR)."""
    return sweep_digests(now=timezone.now()).as_dict()


@shared_task(**_SEND_OPTIONS)
def send_notice(self: Any, notice_pk: int) -> str:
    """Send one follow-up notice at most once; transient mail errors retry with backoff and jitter."""
    return deliver_notice(notice_pk=notice_pk, final_attempt=_final_attempt(self))


@shared_task(**_SEND_OPTIONS)
def send_digest(self: Any, digest_pk: int) -> str:
    """Send one morning digest at most once; transient mail errors retry with backoff and jitter."""
    return deliver_digest(digest_pk=digest_pk, final_attempt=_final_attempt(self))
