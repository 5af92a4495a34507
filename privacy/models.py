"""Access events: who viewed or exported a client's file, and when (Flora §8.2: "audit all access to sensitive data").

Changes to the rows are kept by django-auditlog (privacy.audit); this table keeps what auditlog does not
see: reading a file and taking data out of the system. Rows are append-only: the model and its queryset
refuse updates and deletes, and the admin shows them read-only.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessKind(models.TextChoices):
    """What somebody did with the data."""

    VIEWED = "viewed", _("Viewed the file")
    EXPORTED = "exported", _("Exported")
    SUBJECT_ACCESS = "subject_access", _("Subject-access export")
    ERASED = "erased", _("Erased")


def _append_only() -> NoReturn:
    raise PermissionDenied(_("Access events are append-only: they cannot be changed or deleted."))


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    """Access events; bulk updates and deletes are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        """Refused: the log is append-only."""
        _append_only()

    def delete(self) -> NoReturn:
        """Refused: the log is append-only."""
        _append_only()

    def for_client(self, client: Any) -> AccessEventQuerySet:
        """The events about one client, newest first."""
        return self.filter(client=client).order_by("-at", "-pk")


class AccessEvent(models.Model):
    """One time somebody viewed, exported or erased data, with the client it was about when there is one."""

    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # Kept as text too, so the log still says who when the user account is deleted.
    username = models.CharField(_("user name"), max_length=150, blank=True, editable=False)
    kind = models.CharField(_("what"), max_length=16, choices=AccessKind.choices, editable=False)
    client = models.ForeignKey(
        "placements.Client",
        verbose_name=_("client"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    client_reference = models.CharField(_("client reference"), max_length=32, blank=True, editable=False)
    detail = models.CharField(_("detail"), max_length=300, blank=True, editable=False)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        indexes = [
            models.Index(fields=["client", "-at"], name="privacy_access_client"),
            models.Index(fields=["kind", "-at"], name="privacy_access_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} · {self.username or '-'} · {self.get_kind_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: a stored event is never changed."""
        if not self._state.adding:
            _append_only()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused: the log is append-only."""
        _append_only()
