"""Every Celery task of outreach, each under an explicit, stable name (the name is the broker protocol).

Tasks take primary keys, call one service and return quietly when the row is gone or already
handled. Nothing is scheduled for the future with an ETA: beat sweeps the database for what is
due now (DESIGN "The follow-up engine").
"""

from __future__ import annotations

import random
from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.utils import timezone

from outreach.followups.services import (
    TransientMailError,
    deliver_digest,
    deliver_notice,
    sweep_digests,
    sweep_followups,
)
from outreach.packs import services as pack_services
from outreach.surveys import services as survey_services
from outreach.surveys.services import TransientSurveyMailError

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
_SURVEY_SEND_OPTIONS: dict[str, Any] = {**_SEND_OPTIONS, "autoretry_for": (TransientSurveyMailError,)}

# Mail retries: 30 s, 60 s, 120 s ... capped at 15 minutes, with jitter so retries do not bunch up.
SEND_MAX_RETRIES = 5
SEND_BACKOFF_SECONDS = 30
SEND_BACKOFF_MAX_SECONDS = 900
# Rendering a long pack takes well under a second; these limits only catch a hang.
BUILD_SOFT_TIME_LIMIT = 120
BUILD_TIME_LIMIT = 150


def _final_attempt(task: Any) -> bool:
    """True on the last try the task gets: a transient error then marks the mail failed."""
    return bool(task.request.retries >= (task.max_retries or 0))


def retry_delay(retries: int) -> float:
    """Exponential backoff with full jitter for the given number of retries so far."""
    ceiling = min(SEND_BACKOFF_SECONDS * 2**retries, SEND_BACKOFF_MAX_SECONDS)
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311  (jitter, not security)


# --- Follow-ups ----------------------------------------------------------------------------------


@shared_task(base=DjangoTask, ignore_result=True, name="outreach.tasks.run_followup_sweep")
def run_followup_sweep() -> dict[str, Any]:
    """Claim the steps due now and enqueue one send task per new notice (beat, every FOLLOWUP_SWEEP_SECONDS)."""
    return sweep_followups(now=timezone.now()).as_dict()


@shared_task(base=DjangoTask, ignore_result=True, name="outreach.tasks.run_digest_sweep")
def run_digest_sweep() -> dict[str, Any]:
    """Make and enqueue today's morning digests (beat, at FOLLOWUP_DIGEST_HOUR)."""
    return sweep_digests(now=timezone.now()).as_dict()


@shared_task(**_SEND_OPTIONS, name="outreach.tasks.send_notice")
def send_notice(self: Any, notice_pk: int) -> str:
    """Send one follow-up notice at most once; transient mail errors retry with backoff and jitter."""
    return deliver_notice(notice_pk=notice_pk, final_attempt=_final_attempt(self))


@shared_task(**_SEND_OPTIONS, name="outreach.tasks.send_digest")
def send_digest(self: Any, digest_pk: int) -> str:
    """Send one morning digest at most once; transient mail errors retry with backoff and jitter."""
    return deliver_digest(digest_pk=digest_pk, final_attempt=_final_attempt(self))


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


@shared_task(
    base=DjangoTask,
    bind=True,
    ignore_result=True,
    acks_late=True,
    max_retries=SEND_MAX_RETRIES,
    name="outreach.tasks.send_info_pack_delivery",
)
def send_info_pack_delivery(self: Any, delivery_id: int) -> str:
    """Mail one info pack delivery at most once; transient mail errors retry with backoff, then mark it failed."""
    try:
        delivery = pack_services.deliver_info_pack(delivery_id=delivery_id)
    except pack_services.TransientPackMailError as exc:
        if self.request.retries >= SEND_MAX_RETRIES:
            pack_services.fail_delivery(delivery_id=delivery_id, error=str(exc))
            return "failed"
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc
    return delivery.status if delivery is not None else "skipped"


@shared_task(base=DjangoTask, ignore_result=True, name="outreach.tasks.reconcile_placement_packs")
def reconcile_placement_packs() -> dict[str, int]:
    """Offer packs for newly running placements and renew those whose follow-up schedule changed (beat)."""
    return pack_services.reconcile_placement_packs()


# --- Surveys -------------------------------------------------------------------------------------


@shared_task(base=DjangoTask, ignore_result=True, name="outreach.tasks.run_survey_sweep")
def run_survey_sweep() -> dict[str, int]:
    """Turn due employer evaluations into invitations and enqueue the reminders due (beat, SURVEY_SWEEP_SECONDS)."""
    now = timezone.now()
    invited = survey_services.take_evaluation_notices(now=now)
    reminded = survey_services.sweep_reminders(now=now)
    return {"invited": invited, "reminded": len(reminded)}


@shared_task(**_SURVEY_SEND_OPTIONS, name="outreach.tasks.send_survey_invitation")
def send_survey_invitation(self: Any, invitation_pk: int) -> str:
    """Mail an invitation's personal link at most once; transient mail errors retry with backoff and jitter."""
    return survey_services.deliver_invitation(invitation_pk=invitation_pk, final_attempt=_final_attempt(self))


@shared_task(**_SURVEY_SEND_OPTIONS, name="outreach.tasks.send_survey_reminder")
def send_survey_reminder(self: Any, invitation_pk: int) -> str:
    """Mail a claimed reminder unless the link was answered, cancelled or expired meanwhile."""
    return survey_services.deliver_reminder(invitation_pk=invitation_pk, final_attempt=_final_attempt(self))
