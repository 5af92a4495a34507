"""Publishing mail rows to the broker, one message per batch, and recovering what the broker lost.

The database is the truth; the broker only carries work that is due now (DESIGN "The follow-up
engine"). Every pending row has a `next_attempt_at`: publishing sets it MAIL_REQUEUE_AFTER_SECONDS
ahead, a failed publish (the broker is down) sets it to now, a transient mail error to the end of
its backoff. `requeue_mails`, run by beat every MAIL_REQUEUE_SWEEP_SECONDS, publishes again every
pending row whose moment has come and puts rows stuck in `sending` past their lease back to pending,
for every kind of mail row. So a lost message, a broker outage or a worker killed mid-send delays a
mail but never drops it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach.mail.models import MailStatus, OutgoingMail, OutgoingMailQuerySet

logger = logging.getLogger(__name__)

SEND_TASK = "outreach.tasks.send_mails"


class BrokerUnavailable(Exception):
    """The broker could not take a message; the rows stay pending and the requeue sweep retries."""


@dataclass
class Publisher:
    """Publishes batches of mail rows once the transaction that made them commits.

    After the first broker failure it stops trying for the rest of its run and leaves the rows due
    at once, for the next sweep. With `enabled=False` nothing is published and the batches are kept
    for the caller to deliver in-process.
    """

    enabled: bool = True
    published: int = 0
    unpublished: int = 0
    broker_error: str = ""
    batches: list[tuple[str, list[int]]] = field(default_factory=list)

    def publish(self, model: type[OutgoingMail], pks: Sequence[int]) -> None:
        """Publish the rows after commit, one message per MAIL_BATCH_SIZE rows."""
        pks = list(pks)
        if not pks:
            return
        if not self.enabled:
            self.batches.append((model.kind_label, pks))
            return
        for start in range(0, len(pks), settings.MAIL_BATCH_SIZE):
            transaction.on_commit(PublishBatch(self, model, pks[start : start + settings.MAIL_BATCH_SIZE]))


@dataclass(frozen=True)
class PublishBatch:
    """The on-commit callback that publishes one batch (tests read `task` and `args` off it)."""

    publisher: Publisher
    model: type[OutgoingMail]
    pks: list[int]

    task = SEND_TASK

    @property
    def args(self) -> tuple[str, list[int]]:
        return (self.model.kind_label, self.pks)

    def __call__(self) -> None:
        publisher = self.publisher
        if not publisher.broker_error:
            try:
                publish_batch(*self.args)
            except BrokerUnavailable as exc:
                publisher.broker_error = str(exc)
            else:
                publisher.published += len(self.pks)
                return
        # Not published: due again at once, so the next sweep (minutes later) publishes it.
        publisher.unpublished += len(self.pks)
        self.model._default_manager.filter(pk__in=self.pks, status=MailStatus.PENDING).update(
            next_attempt_at=timezone.now()
        )


def publish_batch(kind: str, pks: list[int]) -> None:
    """Publish one send message for a batch of rows of one kind; BrokerUnavailable when the broker does not answer."""
    try:
        current_app.send_task(SEND_TASK, args=[kind, pks], retry=False)
    except Exception as exc:  # kombu's OperationalError, a refused connection, a DNS failure: all "not now"
        raise BrokerUnavailable(f"The broker at {_broker_name()} is unreachable: {exc}") from exc


def _broker_name() -> str:
    """The broker's address without credentials."""
    url = str(current_app.conf.broker_url or "")
    return url.rpartition("@")[2] if "@" in url else url


def mail_models() -> list[type[OutgoingMail]]:
    """Every concrete kind of mail row."""
    return [model for model in apps.get_app_config("outreach").get_models() if issubclass(model, OutgoingMail)]


def model_for(kind: str) -> type[OutgoingMail]:
    """The mail model of a kind label."""
    for model in mail_models():
        if model.kind_label == kind:
            return model
    raise LookupError(f"No mail rows of kind {kind!r}")


def queued_fields(*, now: dt.datetime | None = None) -> dict[str, dt.datetime]:
    """The bookkeeping a row gets when its message is about to be published."""
    return {"next_attempt_at": (now or timezone.now()) + dt.timedelta(seconds=settings.MAIL_REQUEUE_AFTER_SECONDS)}


def _locked(qs: QuerySet[OutgoingMail]) -> QuerySet[OutgoingMail]:
    """Skip rows another sweep holds, where the database can (PostgreSQL); SQLite sweeps take turns."""
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True)
    return qs


def requeue(model: type[OutgoingMail], publisher: Publisher, *, limit: int | None = None) -> int:
    """Release expired leases and publish again the pending rows of one kind whose moment has come."""
    now = timezone.now()
    rows = cast(OutgoingMailQuerySet, model._default_manager.all())
    released = rows.lease_expired(now=now).update(
        status=MailStatus.PENDING, next_attempt_at=now, last_error=_("The worker sending it stopped; it is sent again.")
    )
    if released:
        logger.warning("%s %s row(s) left in sending past the lease: back to pending", released, model.__name__)
    if publisher.broker_error:
        return 0  # the broker is down: the rows stay due for the next run
    limit = limit or settings.MAIL_REQUEUE_BATCH
    with transaction.atomic():
        due = rows.due_for_queue(now=now).order_by("next_attempt_at", "pk")
        pks = list(_locked(due).values_list("pk", flat=True)[:limit])
        model._default_manager.filter(pk__in=pks).update(**queued_fields(now=now))
    publisher.publish(model, pks)
    return len(pks)


def requeue_mails(*, publisher: Publisher | None = None, models: Iterable[type[OutgoingMail]] = ()) -> dict[str, int]:
    """The requeue sweep for every kind of mail row: {kind: rows published again}."""
    publisher = publisher or Publisher()
    return {model.kind_label: requeue(model, publisher) for model in (list(models) or mail_models())}
