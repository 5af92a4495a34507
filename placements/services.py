"""Workflows on clients, placements and their aftercare steps (DESIGN "The follow-up engine").

Every function is keyword-only, atomic, takes the `actor` for the audit trail and the current time
(`now=` or `today=`) where time matters, so operators and tests can run "as of" a date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import LadderStep
from crm.services import Actor
from placements.choices import AssigneeRole, ClientStatus, PlacementStatus
from placements.models import AftercarePlan, AftercareStep, Client, LadderPosition, Placement
from placements.scheduling import planned_date_for

# igma ch. 5 ladder positions the placement workflow moves a client to.
LADDER_MEDIATED = 21
LADDER_AFTERCARE = 22
LADDER_SUSTAINED = 23


def _user(actor: Actor) -> Any:
    """The actor as a user row to store, or None for the system and anonymous users."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _today(now: dt.datetime) -> dt.date:
    """The local date of a moment."""
    return timezone.localdate(now) if timezone.is_aware(now) else now.date()


def _lock_placement(placement: Placement) -> Placement:
    """The placement's row, locked for this transaction (a no-op lock on SQLite, whose writes queue anyway)."""
    return (
        Placement.objects.select_for_update(of=("self",))
        .select_related("client", "plan", "mentor")
        .get(pk=placement.pk)
    )


def _sync(target: Placement, source: Placement, *fields: str) -> None:
    """Copy fields the service changed onto the caller's instance."""
    for field in fields:
        setattr(target, field, getattr(source, field))


def steps_of(placement: Placement) -> list[AftercareStep]:
    """A placement's steps in due order."""
    return list(AftercareStep.objects.filter(placement=placement).select_related("template").order_by("due_on", "pk"))


def default_plan() -> AftercarePlan:
    """The plan placements without a plan of their own follow."""
    plan = AftercarePlan.objects.filter(is_default=True).first()
    if plan is None:
        raise ValidationError({"plan": _("There is no default aftercare plan; choose a plan for this placement.")})
    return plan


# --- Ladder -----------------------------------------------------------------------------------


def _current_position(client: Client) -> LadderPosition | None:
    """The client's open ladder position, locked."""
    return (
        LadderPosition.objects.select_for_update(of=("self",))
        .select_related("step")
        .filter(client=client, left_on__isnull=True)
        .first()
    )


@transaction.atomic
def move_client_to_step(
    *, client: Client, step: LadderStep | int, on: dt.date, actor: Actor, note: str = ""
) -> LadderPosition:
    """Close the client's current ladder position and open one at `step` on `on` (igma ch. 5 time per step)."""
    ladder_step = step if isinstance(step, LadderStep) else LadderStep.objects.filter(position=step).first()
    if ladder_step is None:
        raise ValidationError({"step": _("There is no ladder step %(step)s.") % {"step": step}})
    current = _current_position(client)
    if current is not None:
        if current.step_id == ladder_step.pk:
            return current
        if on < current.entered_on:
            message = _("The client entered her current step on %(date)s; pick that day or later.")
            raise ValidationError({"on": message % {"date": current.entered_on}})
        current.left_on = on
        current.save(update_fields=["left_on"])
    return LadderPosition.objects.create(client=client, step=ladder_step, entered_on=on, note=note[:200])


def _move_ladder(client: Client, position: int, on: dt.date, note: str) -> LadderPosition | None:
    """Move the client on the ladder as a side effect of a placement, when the network's ladder has that step.

    The move is dated no earlier than the current position's start, so a late recording keeps the
    history in order; a ladder without the step leaves the position alone.
    """
    ladder_step = LadderStep.objects.filter(position=position).first()
    if ladder_step is None:
        return None
    current = _current_position(client)
    when = max(on, current.entered_on) if current is not None else on
    return move_client_to_step(client=client, step=ladder_step, on=when, actor=None, note=note)


def _close_ladder_position(client: Client, on: dt.date) -> None:
    """Close the client's open ladder position (on `on`, or the day it opened when that is later)."""
    current = _current_position(client)
    if current is not None:
        current.left_on = max(on, current.entered_on)
        current.save(update_fields=["left_on"])


def _set_client_status(client: Client, status: ClientStatus, now: dt.datetime) -> None:
    """Store the client's status without overwriting other fields of a stale instance."""
    Client.objects.filter(pk=client.pk).update(status=status, updated_at=now)
    client.status = status


# --- Activation -------------------------------------------------------------------------------


def _check_can_activate(placement: Placement) -> None:
    """Dates in order, the mentor at this employer, and the client's file open."""
    placement.clean()
    if placement.client.status == ClientStatus.CLOSED:
        raise ValidationError({"client": _("The client's file is closed; reopen it before starting a placement.")})


def _assignee_for(role: str, placement: Placement) -> Any:
    """The placement's coach, or the client's case manager for case-manager steps (the coach when there is none)."""
    if role == AssigneeRole.CASE_MANAGER and placement.client.case_manager_id:
        return placement.client.case_manager
    return placement.coach


def _create_steps(placement: Placement, plan: AftercarePlan) -> None:
    """One step per template; the unique constraint drops any a concurrent activation already made."""
    steps = []
    for template in plan.templates.order_by("order"):
        due = planned_date_for(template, placement, plan)
        steps.append(
            AftercareStep(
                placement=placement,
                template=template,
                title=template.title,
                track=template.track,
                kind=template.kind,
                due_on=due,
                planned_due_on=due,
                assignee=_assignee_for(template.assignee_role, placement),
            )
        )
    AftercareStep.objects.bulk_create(steps, ignore_conflicts=True)


def _place_client(placement: Placement, now: dt.datetime) -> None:
    """The client is "placed" and enters ladder step 21 "Mediated" on the start date (igma ch. 5).

    She moves on to "aftercare" (step 22) when the first follow-up of the placement is done, and to
    step 23 after six months (see `mark_sustained_placements`). A client already in aftercare in
    another job keeps that status.
    """
    client = placement.client
    if client.status != ClientStatus.AFTERCARE:
        _set_client_status(client, ClientStatus.PLACED, now)
    _move_ladder(client, LADDER_MEDIATED, placement.start_on, _("Placement: %(job)s") % {"job": placement.job_title})


@transaction.atomic
def activate_placement(*, placement: Placement, actor: Actor, now: dt.datetime | None = None) -> list[AftercareStep]:
    """Start a planned placement's aftercare: one step per template of its plan; a second call changes nothing."""
    now = now or timezone.now()
    locked = _lock_placement(placement)
    if locked.status == PlacementStatus.ACTIVE:
        return steps_of(locked)
    if locked.status != PlacementStatus.PLANNED:
        message = _("Only a planned placement can be activated; this one is %(status)s.")
        raise ValidationError({"status": message % {"status": locked.get_status_display()}})
    _check_can_activate(locked)
    plan = locked.plan or default_plan()
    locked.plan, locked.status, locked.activated_at = plan, PlacementStatus.ACTIVE, now
    locked.save(update_fields=["plan", "status", "activated_at", "updated_at"])
    _create_steps(locked, plan)
    _place_client(locked, now)
    _sync(placement, locked, "plan", "status", "activated_at")
    placement.client.status = locked.client.status
    return steps_of(locked)
