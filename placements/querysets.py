"""Reusable filters for clients, placements and aftercare steps, exposed as managers."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from placements.choices import PlacementStatus, StepStatus

if TYPE_CHECKING:
    from placements.models import AftercareStep, Client, ConsentRecord, Placement  # noqa: F401  (string generics)


def _sees_everything(user: Any) -> bool:
    """Administrators and relationship managers see every client (they own the network, not a caseload)."""
    from crm.roles import Role, has_role

    return bool(
        getattr(user, "is_superuser", False)
        or has_role(user, Role.ADMINISTRATOR)
        or has_role(user, Role.RELATIONSHIP_MANAGER)
    )


class ClientQuerySet(models.QuerySet["Client"]):
    """Clients, with row-level visibility."""

    def visible_to(self, user: Any) -> ClientQuerySet:
        """Coaches see their own clients; case managers also their caseload; admins and RMs see all."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if _sees_everything(user):
            return self
        return self.filter(Q(coach=user) | Q(case_manager=user))


class ConsentQuerySet(models.QuerySet["ConsentRecord"]):
    """Consent records."""

    def for_client(self, client: Client) -> ConsentQuerySet:
        """Records of one client."""
        return self.filter(client=client)

    def in_force(self, *, on: dt.date) -> ConsentQuerySet:
        """Consents given on or before `on` and not withdrawn by then."""
        return self.filter(given_on__lte=on).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))


class PlacementQuerySet(models.QuerySet["Placement"]):
    """Placements, with row-level visibility."""

    def visible_to(self, user: Any) -> PlacementQuerySet:
        """A coach sees the placements of her clients and those she coaches."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if _sees_everything(user):
            return self
        return self.filter(Q(coach=user) | Q(client__coach=user) | Q(client__case_manager=user))

    def running(self) -> PlacementQuerySet:
        """Active placements."""
        return self.filter(status=PlacementStatus.ACTIVE)


class AftercareStepQuerySet(models.QuerySet["AftercareStep"]):
    """Aftercare steps."""

    def visible_to(self, user: Any) -> AftercareStepQuerySet:
        """Steps of placements the user may see."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if _sees_everything(user):
            return self
        return self.filter(
            Q(assignee=user)
            | Q(placement__coach=user)
            | Q(placement__client__coach=user)
            | Q(placement__client__case_manager=user)
        )

    def open(self) -> AftercareStepQuerySet:
        """Steps still to be done."""
        return self.filter(status__in=[StepStatus.PLANNED, StepStatus.DUE])

    def due_by(self, day: dt.date) -> AftercareStepQuerySet:
        """Open steps due on or before `day`."""
        return self.open().filter(due_on__lte=day)

    def overdue(self, *, today: dt.date) -> AftercareStepQuerySet:
        """Open steps whose day has passed."""
        return self.open().filter(due_on__lt=today)
