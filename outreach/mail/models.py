"""The outgoing-mail life cycle every mail row shares: to whom, in which language, and how sending went.

A row is the "at most once" guard (DESIGN "The follow-up engine"): it is inserted under a unique key,
a task claims it with a conditional update (pending -> sending) and only the winner sends.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.choices import Language


class MailStatus(models.TextChoices):
    """The life of one outgoing mail."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (the step was closed first)")


class OutgoingMailQuerySet(models.QuerySet[Any]):
    """Outgoing mails of either kind."""

    def failed(self) -> OutgoingMailQuerySet:
        """Mails that gave up; `last_error` says why."""
        return self.filter(status=MailStatus.FAILED)

    def stale_pending(self, *, queued_before: Any) -> OutgoingMailQuerySet:
        """Pending mails whose task was enqueued before the moment and never claimed them (a lost message)."""
        return self.filter(status=MailStatus.PENDING, queued_at__lt=queued_before)


class OutgoingMail(models.Model):
    """The fields every outgoing mail shares: to whom, in which language, and how sending went."""

    recipient_email = models.EmailField(_("recipient"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.EN)
    status = models.CharField(_("status"), max_length=8, choices=MailStatus.choices, default=MailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claim_token = models.CharField(
        _("claimed by sweep"), max_length=32, blank=True, editable=False, help_text=_("The sweep run that enqueued it.")
    )
    queued_at = models.DateTimeField(_("enqueued"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        abstract = True
