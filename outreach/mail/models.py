"""The outgoing-mail life cycle every mail row shares: to whom, in which language, and how sending went.

A row is the "at most once" guard (DESIGN "The follow-up engine"): it is inserted under a unique key,
a task claims it with a conditional update (pending -> sending) and only the winner sends.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.choices import Language


class MailStatus(models.TextChoices):
    """The life of one outgoing mail."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Closed unsent (see the reason)")


OPEN_MAIL_STATUSES = (MailStatus.PENDING, MailStatus.SENDING)


class OutgoingMailQuerySet(models.QuerySet[Any]):
    """Outgoing mails of any kind."""

    def failed(self) -> OutgoingMailQuerySet:
        """Mails that gave up; `last_error` says why."""
        return self.filter(status=MailStatus.FAILED)

    def due_for_queue(self, *, now: dt.datetime) -> OutgoingMailQuerySet:
        """Pending mails whose message is lost, was never published, or whose retry time has come."""
        return self.filter(status=MailStatus.PENDING, next_attempt_at__lte=now)

    def lease_expired(self, *, now: dt.datetime) -> OutgoingMailQuerySet:
        """Mails a worker took for sending and never finished: it died, or the broker redelivered too late."""
        cutoff = now - dt.timedelta(seconds=settings.MAIL_SENDING_LEASE_SECONDS)
        return self.filter(status=MailStatus.SENDING, claimed_at__lte=cutoff)


def queue_indexes(prefix: str) -> list[models.Index]:
    """The two partial indexes the requeue sweep reads on every kind of mail row: pending by next attempt, sending
    by claim time (named `<prefix>_pending` and `<prefix>_sending`)."""
    return [
        models.Index(fields=["next_attempt_at"], condition=Q(status=MailStatus.PENDING), name=f"{prefix}_pending"),
        models.Index(fields=["claimed_at"], condition=Q(status=MailStatus.SENDING), name=f"{prefix}_sending"),
    ]


class OutgoingMail(models.Model):
    """The fields every outgoing mail shares: to whom, in which language, and how sending went.

    `kind` names the rows of a subclass in the one send task (`outreach.tasks.send_mails`).
    Two clocks meet here: `queued_at` is the domain moment the mail was made for (a sweep run "as
    of" a day), while `claimed_at` and `next_attempt_at` are operational and always real time.
    """

    kind_label: ClassVar[str] = ""

    recipient_email = models.EmailField(_("recipient"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.EN)
    status = models.CharField(_("status"), max_length=8, choices=MailStatus.choices, default=MailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    closed_reason = models.CharField(
        _("why it was not sent"), max_length=300, blank=True, help_text=_("Set when a mail is closed unsent.")
    )
    claim_token = models.CharField(
        _("claimed by sweep"), max_length=32, blank=True, editable=False, help_text=_("The sweep run that enqueued it.")
    )
    queued_at = models.DateTimeField(_("enqueued"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("taken for sending"), null=True, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(
        _("next attempt"),
        null=True,
        blank=True,
        help_text=_("A pending mail is enqueued again from this moment: a lost message, or a retry after an error."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        abstract = True

    def message_id(self) -> str:
        """The Message-ID of this row's mail: the same on every attempt, so a re-sent copy is recognisable."""
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "werkbrug.localhost"
        stamp = int(self.created_at.timestamp()) if self.created_at else 0
        return f"<werkbrug.{self.kind_label}.{self.pk}.{stamp}@{domain}>"
