"""Celery tasks of the evaluation surveys: the beat sweep and the two mail senders (outreach/survey_services.py).

Tasks take primary keys, call one service and return quietly when the row is gone or already
handled. config/celery.py discovers this module next to each app's tasks.py.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.utils import timezone

from outreach import survey_services
from outreach.survey_services import TransientSurveyMailError

_SEND_OPTIONS: dict[str, Any] = {
    "base": DjangoTask,
    "bind": True,
    "ignore_result": True,
    "acks_late": True,
    "autoretry_for": (TransientSurveyMailError,),
    "retry_backoff": settings.FOLLOWUP_MAIL_RETRY_BACKOFF_SECONDS,
    "retry_backoff_max": settings.FOLLOWUP_MAIL_RETRY_BACKOFF_MAX_SECONDS,
    "retry_jitter": True,
    "max_retries": settings.FOLLOWUP_MAIL_MAX_RETRIES,
    "soft_time_limit": 4 * settings.FOLLOWUP_MAIL_TIMEOUT_SECONDS,
    "time_limit": 4 * settings.FOLLOWUP_MAIL_TIMEOUT_SECONDS + 30,
}


def _final_attempt(task: Any) -> bool:
    """True on the last try the task gets: a transient error then marks the mail failed."""
    return bool(task.request.retries >= (task.max_retries or 0))


@shared_task(base=DjangoTask, ignore_result=True)
def run_survey_sweep() -> dict[str, int]:
    """Turn due employer evaluations into invitations and enqueue the reminders due (beat, SURVEY_SWEEP_SECONDS)."""
    now = timezone.now()
    invited = survey_services.take_evaluation_notices(now=now)
    reminded = survey_services.sweep_reminders(now=now)
    return {"invited": invited, "reminded": len(reminded)}


@shared_task(**_SEND_OPTIONS)
def send_survey_invitation(self: Any, invitation_pk: int) -> str:
    """Mail an invitation's personal link at most once; transient mail errors retry with backoff and jitter."""
    return survey_services.deliver_invitation(invitation_pk=invitation_pk, final_attempt=_final_attempt(self))


@shared_task(**_SEND_OPTIONS)
def send_survey_reminder(self: Any, invitation_pk: int) -> str:
    """Mail a claimed reminder unless the link was answered, cancelled or expired meanwhile."""
    return survey_services.deliver_reminder(invitation_pk=invitation_pk, final_attempt=_final_attempt(self))
