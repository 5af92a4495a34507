"""One follow-up at a time: complete, add, move, skip."""

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
    PlacementStatus,
    StepKind,
    StepStatus,
    Track,
)
from placements.models import (
    AftercareStep,
    Placement,
)
from placements.scheduling import local_date
from placements.services.ladder import (
    LADDER_AFTERCARE,
    LADDER_MEDIATED,
    _current_position,
    _move_ladder,
    _set_client_status,
)

# --- Steps ------------------------------------------------------------------------------------


def _refuse_closed_step(step: AftercareStep, verb: str) -> None:
    """Raise the reason a step could not be changed: it is no longer open."""
    status = AftercareStep.objects.filter(pk=step.pk).values_list("status", flat=True).first()
    if status == StepStatus.DONE:
        raise ValidationError({"status": _("This step is already done.")})
    label = StepStatus(status).label if status else _("gone")
    message = _("Only an open step can be %(verb)s; this one is %(status)s.")
    raise ValidationError({"status": message % {"verb": verb, "status": label}})


def _required(value: str, field: str, message: str) -> str:
    """The stripped value, or a ValidationError on `field` when it is blank."""
    if not value or not value.strip():
        raise ValidationError({field: message})
    return value.strip()


def _start_aftercare(step: AftercareStep, *, today: dt.date, now: dt.datetime) -> None:
    """The first follow-up done turns a placed client into one in aftercare, igma step 22."""
    placement = Placement.objects.select_related("client").get(pk=step.placement_id)
    client = placement.client
    if placement.status != PlacementStatus.ACTIVE or client.status != ClientStatus.PLACED:
        return
    _set_client_status(client, ClientStatus.AFTERCARE, now)
    current = _current_position(client)
    if current is not None and current.step.position == LADDER_MEDIATED:
        _move_ladder(client, LADDER_AFTERCARE, today, _("First follow-up done"))


@transaction.atomic
def complete_step(
    *,
    step: AftercareStep,
    actor: Actor,
    outcome: str,
    notes: str = "",
    minutes_spent: int | None = None,
    now: dt.datetime | None = None,
) -> AftercareStep:
    """Record a follow-up as done with its outcome; a conditional update makes sure only one completion wins."""
    now = now or timezone.now()
    outcome = _required(outcome, "outcome", _("Say what came of the follow-up."))
    if minutes_spent is not None and minutes_spent < 0:
        raise ValidationError({"minutes_spent": _("Minutes spent cannot be negative.")})
    values: dict[str, Any] = {
        "status": StepStatus.DONE,
        "outcome": outcome,
        "notes": notes.strip(),
        "minutes_spent": minutes_spent,
        "completed_at": now,
        "completed_by": actor_user(actor),
    }
    if not AftercareStep.objects.filter(pk=step.pk, status__in=OPEN_STEP_STATUSES).update(**values, updated_at=now):
        _refuse_closed_step(step, _("completed"))
    for field, value in values.items():
        setattr(step, field, value)
    _start_aftercare(step, today=local_date(now), now=now)
    return step


@transaction.atomic
def add_step(
    *,
    placement: Placement,
    actor: Actor,
    title: str,
    due_on: dt.date,
    reason: str,
    kind: str = StepKind.CALL,
    track: str = Track.CLIENT,
    assignee: Any = None,
    now: dt.datetime | None = None,
) -> AftercareStep:
    """Add a follow-up the plan did not foresee (Flora II.3.F: "then on request"), with the reason."""
    if placement.status in (PlacementStatus.PLANNED, PlacementStatus.CANCELLED):
        raise ValidationError({"placement": _("Steps can be added to a placement once it is active.")})
    step = AftercareStep(
        placement=placement,
        template=None,
        title=_required(title, "title", _("Give the step a title.")),
        kind=kind,
        track=track,
        due_on=due_on,
        planned_due_on=None,
        assignee=assignee or placement.coach,
        reason=_required(reason, "reason", _("Say why the step is added."))[:300],
    )
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def move_step(
    *, step: AftercareStep, actor: Actor, due_on: dt.date, reason: str, now: dt.datetime | None = None
) -> AftercareStep:
    """Give an open step a new date by hand; later changes to the placement's dates leave it where she put it."""
    now = now or timezone.now()
    reason = _required(reason, "reason", _("Say why the step moves."))[:300]
    values: dict[str, Any] = {"due_on": due_on, "moved_by_hand": True, "reason": reason}
    if due_on > local_date(now):
        values["status"] = StepStatus.PLANNED  # reminded again on its new day
    if not AftercareStep.objects.filter(pk=step.pk, status__in=OPEN_STEP_STATUSES).update(**values, updated_at=now):
        _refuse_closed_step(step, _("moved"))
    step.refresh_from_db()
    return step


@transaction.atomic
def skip_step(*, step: AftercareStep, actor: Actor, reason: str, now: dt.datetime | None = None) -> AftercareStep:
    """Skip an open step with a reason; who skipped it and when are kept in completed_by/at."""
    now = now or timezone.now()
    reason = _required(reason, "reason", _("Say why the step is skipped."))[:300]
    values: dict[str, Any] = {
        "status": StepStatus.SKIPPED,
        "reason": reason,
        "completed_at": now,
        "completed_by": actor_user(actor),
    }
    if not AftercareStep.objects.filter(pk=step.pk, status__in=OPEN_STEP_STATUSES).update(**values, updated_at=now):
        _refuse_closed_step(step, _("skipped"))
    for field, value in values.items():
        setattr(step, field, value)
    return step


@transaction.atomic
def reassign_step(
    *, step: AftercareStep, new_assignee: Any, actor: Actor, reason: str, now: dt.datetime | None = None
) -> AftercareStep:
    """Give an open step to another coach with the reason; it stays open with its date (a team lead's move)."""
    now = now or timezone.now()
    reason = _required(reason, "reason", _("Say why the step goes to another coach."))[:300]
    if new_assignee is None or not getattr(new_assignee, "is_active", False):
        raise ValidationError({"new_assignee": _("Choose an active user as the new coach.")})
    if new_assignee.pk == step.assignee_id:
        name = new_assignee.get_full_name() or new_assignee.get_username()
        raise ValidationError({"new_assignee": _("This step is already assigned to %(name)s.") % {"name": name}})
    values: dict[str, Any] = {"assignee": new_assignee, "reason": reason}
    if not AftercareStep.objects.filter(pk=step.pk, status__in=OPEN_STEP_STATUSES).update(**values, updated_at=now):
        _refuse_closed_step(step, _("reassigned"))
    for field, value in values.items():
        setattr(step, field, value)
    step.updated_at = now
    return step
