"""Celery tasks of the info packs: build a pack's PDF, mail a delivery, and keep placement packs current.

Tasks take primary keys, call one service and return quietly when the row is gone or already
handled (the services claim rows with conditional updates). config/celery.py discovers this module
next to each app's tasks.py.
"""

from __future__ import annotations

import random
from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask

from outreach import pack_services

# Mail retries: 30 s, 60 s, 120 s ... capped at 15 minutes, with jitter so retries do not bunch up.
SEND_MAX_RETRIES = 5
SEND_BACKOFF_SECONDS = 30
SEND_BACKOFF_MAX_SECONDS = 900
# Rendering a long pack takes well under a second; these limits only catch a hang.
BUILD_SOFT_TIME_LIMIT = 120
BUILD_TIME_LIMIT = 150


def retry_delay(retries: int) -> float:
    """Exponential backoff with full jitter for the given number of retries so far."""
    ceiling = min(SEND_BACKOFF_SECONDS * 2**retries, SEND_BACKOFF_MAX_SECONDS)
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311  (jitter, not security)


@shared_task(
    base=DjangoTask,
    ignore_result=True,
    acks_late=True,
    soft_time_limit=BUILD_SOFT_TIME_LIMIT,
    time_limit=BUILD_TIME_LIMIT,
)
def build_info_pack(pack_id: int) -> str:
    """Render and store one info pack's PDF; a pack already built or being built elsewhere is left alone."""
    pack = pack_services.build_info_pack(pack_id=pack_id)
    return pack.status if pack is not None else "skipped"


@shared_task(base=DjangoTask, bind=True, ignore_result=True, acks_late=True, max_retries=SEND_MAX_RETRIES)
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


@shared_task(base=DjangoTask, ignore_result=True)
def reconcile_placement_packs() -> dict[str, int]:
    """Offer packs for newly running placements and renew those whose follow-up schedule changed (beat)."""
    return pack_services.reconcile_placement_packs()
