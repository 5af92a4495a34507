"""Celery tasks of the privacy app: the daily retention run."""

from __future__ import annotations

from celery import shared_task
from celery.contrib.django.task import DjangoTask

from privacy import retention


@shared_task(base=DjangoTask, ignore_result=True, name="privacy.tasks.apply_retention")
def apply_retention() -> dict[str, int]:
    """Apply today's retention schedule (privacy.retention); beat runs it once a day."""
    return retention.run()
