"""A client's file: her coach, her consents, and closing it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.types import Actor, actor_user
from placements.choices import (
    OPEN_STEP_STATUSES,
    ClientStatus,
    ClosingReason,
    ConsentPurpose,
    Destination,
    PlacementStatus,
)
from placements.models import (
    AftercareStep,
    Client,
    ConsentRecord,
    Placement,
)
from placements.scheduling import local_date
from placements.services.ladder import _close_ladder_position

# --- Coach and consent ------------------------------------------------------------------------


@transaction.atomic
def reassign_coach(*, client: Client, new_coach: Any, actor: Actor, now: dt.datetime | None = None) -> int:
    """Give a client a new coach: her open placements and open steps follow; done steps keep their history.

    Placements another coach follows (Flora IV.4.A: some organisations split the work) stay with
    that coach. Returns the number of steps moved.
    """
    now = now or timezone.now()
    if new_coach is None or not getattr(new_coach, "is_active", False):
        raise ValidationError({"new_coach": _("Choose an active user as the new coach.")})
    locked = Client.objects.select_for_update().get(pk=client.pk)
    old_coach_id = locked.coach_id
    if old_coach_id == new_coach.pk:
        return 0
    Client.objects.filter(pk=locked.pk).update(coach=new_coach, updated_at=now)
    Placement.objects.filter(
        client=locked, coach_id=old_coach_id, status__in=(PlacementStatus.PLANNED, PlacementStatus.ACTIVE)
    ).update(coach=new_coach, updated_at=now)
    moved = AftercareStep.objects.filter(
        placement__client=locked, assignee_id=old_coach_id, status__in=OPEN_STEP_STATUSES
    ).update(assignee=new_coach, updated_at=now)
    client.coach = new_coach
    return moved


@transaction.atomic
def record_consent(*, client: Client, purpose: str, given_on: dt.date, actor: Actor, note: str = "") -> ConsentRecord:
    """Record a consent the client gave for one purpose (Flora III.1.B)."""
    if purpose not in ConsentPurpose.values:
        raise ValidationError({"purpose": _("Unknown purpose: %(value)s.") % {"value": purpose}})
    if ConsentRecord.objects.filter(client=client, purpose=purpose, withdrawn_on__isnull=True).exists():
        raise ValidationError(
            {"purpose": _("The client already gave this consent; withdraw it first to record it anew.")}
        )
    return ConsentRecord.objects.create(
        client=client, purpose=purpose, given_on=given_on, recorded_by=actor_user(actor), note=note.strip()[:300]
    )


@transaction.atomic
def withdraw_consent(*, client: Client, purpose: str, withdrawn_on: dt.date, actor: Actor) -> ConsentRecord:
    """Record that the client withdrew a consent; from that day what depended on it is no longer shared."""
    record = (
        ConsentRecord.objects.select_for_update()
        .filter(client=client, purpose=purpose, withdrawn_on__isnull=True)
        .first()
    )
    if record is None:
        raise ValidationError({"purpose": _("The client has no consent in force for this purpose.")})
    if withdrawn_on < record.given_on:
        raise ValidationError({"withdrawn_on": _("A consent cannot be withdrawn before it was given.")})
    record.withdrawn_on = withdrawn_on
    record.save(update_fields=["withdrawn_on"])
    return record


@transaction.atomic
def close_client(
    *,
    client: Client,
    actor: Actor,
    reason: str,
    destination: str = "",
    closed_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Client:
    """Close a client's file with why and where she went (igma ch. 5: early leaving and destinations).

    A file with a placement still planned or running is not closed: end or cancel it first, so no
    follow-up is left without a coach who knows it is hers.
    """
    now = now or timezone.now()
    closed_on = closed_on or local_date(now)
    if reason not in ClosingReason.values or not reason:
        raise ValidationError({"closing_reason": _("Choose why the file is closed.")})
    if destination not in Destination.values:
        raise ValidationError({"destination": _("Unknown destination: %(value)s.") % {"value": destination}})
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if locked.status == ClientStatus.CLOSED:
        raise ValidationError({"status": _("This file is already closed.")})
    if locked.placements.filter(status__in=(PlacementStatus.PLANNED, PlacementStatus.ACTIVE)).exists():
        raise ValidationError({"status": _("End or cancel her running placements before closing the file.")})
    _close_ladder_position(locked, closed_on)
    Client.objects.filter(pk=locked.pk).update(
        status=ClientStatus.CLOSED, closing_reason=reason, destination=destination, closed_on=closed_on, updated_at=now
    )
    client.status, client.closing_reason = ClientStatus.CLOSED, reason
    client.destination, client.closed_on = destination, closed_on
    return client
