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

from common.types import Actor, actor_user
from crm.models import LadderStep
from placements.choices import (
    OPEN_STEP_STATUSES,
    AssigneeRole,
    ClientStatus,
    ClosingReason,
    ConsentPurpose,
    Destination,
    EndedBy,
    PlacementStatus,
    StepKind,
    StepStatus,
    Track,
)
from placements.models import (
    AftercarePlan,
    AftercareStep,
    AftercareStepTemplate,
    Client,
    ConsentRecord,
    LadderPosition,
    Placement,
)
from placements.scheduling import END_FOLLOW_UP_DAYS, add_days, add_months, planned_date_for

# igma ch. 5 ladder positions the placement workflow moves a client to.
LADDER_MEDIATED = 21
LADDER_AFTERCARE = 22
LADDER_SUSTAINED = 23


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
        _sync(placement, locked, "plan", "status", "activated_at")
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


# --- Dates ------------------------------------------------------------------------------------


def _replan_steps(placement: Placement, *, today: dt.date, now: dt.datetime) -> list[AftercareStep]:
    """Give every template step the plan's date for the placement's current dates.

    The plan's date (`planned_due_on`) follows for all template steps, so a report can compare; the
    due date follows only for open steps nobody moved by hand (civicrm-core#13701). A due step that
    moves into the future is planned again, so the reminders run on its new day.
    """
    assert placement.plan is not None  # an active placement always has its plan
    changed = []
    for step in placement.steps.filter(template__isnull=False).select_related("template"):
        assert step.template is not None
        new_date = planned_date_for(step.template, placement, placement.plan)
        step.planned_due_on = new_date
        if step.status in OPEN_STEP_STATUSES and not step.moved_by_hand:
            step.due_on = new_date
            if step.status == StepStatus.DUE and new_date > today:
                step.status = StepStatus.PLANNED
        step.updated_at = now
        changed.append(step)
    AftercareStep.objects.bulk_update(changed, ["planned_due_on", "due_on", "status", "updated_at"])
    return changed


@transaction.atomic
def reschedule_placement(
    *,
    placement: Placement,
    actor: Actor,
    start_on: dt.date | None = None,
    planned_end_on: dt.date | None = None,
    clear_planned_end: bool = False,
    now: dt.datetime | None = None,
) -> list[AftercareStep]:
    """Move a placement's start or planned end; its pending, untouched template steps move with it.

    The client's ladder history keeps the dates it was given: a position records when she was
    placed, and rewriting it would hide that the start moved.
    """
    now = now or timezone.now()
    locked = _lock_placement(placement)
    if locked.status not in (PlacementStatus.PLANNED, PlacementStatus.ACTIVE):
        raise ValidationError({"status": _("Only a planned or active placement can be rescheduled.")})
    if start_on is None and planned_end_on is None and not clear_planned_end:
        raise ValidationError(_("Give a new start date or a new planned end."))
    new_start = start_on or locked.start_on
    new_end = None if clear_planned_end else planned_end_on or locked.planned_end_on
    if new_end is not None and new_end < new_start:
        raise ValidationError({"planned_end_on": _("The planned end cannot be before the start.")})
    locked.start_on, locked.planned_end_on = new_start, new_end
    locked.save(update_fields=["start_on", "planned_end_on", "updated_at"])
    _sync(placement, locked, "start_on", "planned_end_on")
    if locked.status == PlacementStatus.ACTIVE:
        _replan_steps(locked, today=_today(now), now=now)
    return steps_of(locked)


# --- Ending -----------------------------------------------------------------------------------

# Steps that still apply after an end: the employer is asked how it went and the client gets her
# closing conversation (igma ch. 6 final evaluation; Flora III.3.B the "vaarwel").
END_STEP_KINDS = (StepKind.EMPLOYER_EVALUATION, StepKind.CLOSING)


def _wind_down_steps(placement: Placement, *, end_on: dt.date, today: dt.date, now: dt.datetime) -> None:
    """Cancel the open steps after the end, and bring the evaluation and closing steps forward to just after it.

    The evaluation and closing fall END_FOLLOW_UP_DAYS after the end (never in the past, so a late
    recording does not make them overdue at once); open steps on or before the end stay for the
    coach to record or skip.
    """
    assert placement.plan is not None
    follow_up_on = max(add_days(end_on, END_FOLLOW_UP_DAYS, working_days=placement.plan.counts_working_days), today)
    after_end = AftercareStep.objects.filter(placement=placement, status__in=OPEN_STEP_STATUSES, due_on__gt=end_on)
    after_end.filter(kind__in=END_STEP_KINDS, due_on__gt=follow_up_on).update(
        due_on=follow_up_on,
        status=StepStatus.PLANNED,
        reason=_("Brought forward to the end of the placement on %(date)s.") % {"date": end_on},
        updated_at=now,
    )
    after_end.exclude(kind__in=END_STEP_KINDS).update(
        status=StepStatus.CANCELLED,
        reason=_("The placement ended on %(date)s.") % {"date": end_on},
        updated_at=now,
    )


def _has_other_running_placement(placement: Placement) -> bool:
    """The client works in another active placement too."""
    return Placement.objects.running().filter(client_id=placement.client_id).exclude(pk=placement.pk).exists()


def _reached_sustained(client: Client, since: dt.date) -> bool:
    """The client entered ladder step 23 on or after `since`."""
    return LadderPosition.objects.filter(client=client, step__position=LADDER_SUSTAINED, entered_on__gte=since).exists()


def _after_end(placement: Placement, *, completed: bool, end_on: dt.date, now: dt.datetime) -> None:
    """Move the client on the ladder after a placement ends.

    Six months in the job is igma step 23 whether it ended or not; otherwise the position is closed.
    With no other job running, a completed placement leaves the client in aftercare (the closing
    conversation is still ahead) and an early end takes her back into coaching (Flora I.4:
    returning is normal).
    """
    client = placement.client
    sustained_on = add_months(placement.start_on, 6)
    if sustained_on <= end_on:
        if not _reached_sustained(client, placement.start_on):
            _move_ladder(client, LADDER_SUSTAINED, sustained_on, _("Six months in work"))
    elif not _has_other_running_placement(placement):
        _close_ladder_position(client, end_on)
    if client.status != ClientStatus.CLOSED and not _has_other_running_placement(placement):
        _set_client_status(client, ClientStatus.AFTERCARE if completed else ClientStatus.ACTIVE, now)


def _check_end(
    placement: Placement, *, ended_by: str, reason: str, end_on: dt.date, completed: bool, today: dt.date
) -> None:
    """An active placement, a real end date, and for an early end who ended it and why."""
    if placement.status != PlacementStatus.ACTIVE:
        raise ValidationError({"status": _("Only an active placement can be ended.")})
    if end_on < placement.start_on:
        raise ValidationError({"end_on": _("The end cannot be before the start.")})
    if end_on > today:
        raise ValidationError({"end_on": _("The end cannot be in the future; record it on the day or after.")})
    if ended_by and ended_by not in EndedBy.values:
        raise ValidationError({"ended_by": _("Unknown value: %(value)s.") % {"value": ended_by}})
    if not completed and not ended_by:
        raise ValidationError({"ended_by": _("Say who ended the placement.")})
    if not completed and not reason.strip():
        raise ValidationError({"reason": _("Say why the placement ended early.")})


@transaction.atomic
def end_placement(
    *,
    placement: Placement,
    actor: Actor,
    ended_by: str,
    reason: str,
    end_on: dt.date,
    completed: bool,
    now: dt.datetime | None = None,
) -> Placement:
    """Record the end of a placement, completed or early: why and who, steps wound down, ladder moved."""
    now = now or timezone.now()
    locked = _lock_placement(placement)
    _check_end(locked, ended_by=ended_by, reason=reason, end_on=end_on, completed=completed, today=_today(now))
    locked.status = PlacementStatus.COMPLETED if completed else PlacementStatus.ENDED_EARLY
    locked.actual_end_on, locked.end_reason, locked.ended_by = end_on, reason.strip(), ended_by
    locked.end_recorded_by = actor_user(actor)
    locked.save(update_fields=["status", "actual_end_on", "end_reason", "ended_by", "end_recorded_by", "updated_at"])
    _wind_down_steps(locked, end_on=end_on, today=_today(now), now=now)
    _after_end(locked, completed=completed, end_on=end_on, now=now)
    _sync(placement, locked, "status", "actual_end_on", "end_reason", "ended_by", "end_recorded_by")
    return placement


def _undo_mediated_position(placement: Placement) -> None:
    """Remove the "Mediated" position an activation opened, and reopen the step the client was on before."""
    current = _current_position(placement.client)
    if current is None or current.step.position != LADDER_MEDIATED or current.entered_on != placement.start_on:
        return
    previous = (
        LadderPosition.objects.filter(client=placement.client, left_on=current.entered_on)
        .exclude(pk=current.pk)
        .order_by("-entered_on", "-pk")
        .first()
    )
    current.delete()
    if previous is not None:
        previous.left_on = None
        previous.save(update_fields=["left_on"])


@transaction.atomic
def cancel_placement(*, placement: Placement, actor: Actor, reason: str, now: dt.datetime | None = None) -> Placement:
    """Call off a placement that has not really started; all its open steps are cancelled, so never reminded."""
    now = now or timezone.now()
    locked = _lock_placement(placement)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the placement is cancelled.")})
    started = locked.status == PlacementStatus.ACTIVE and locked.start_on < _today(now)
    if locked.status not in (PlacementStatus.PLANNED, PlacementStatus.ACTIVE) or started:
        raise ValidationError({"status": _("Only a placement that has not started can be cancelled; end it instead.")})
    was_active = locked.status == PlacementStatus.ACTIVE
    locked.status, locked.end_reason = PlacementStatus.CANCELLED, reason.strip()
    locked.end_recorded_by = actor_user(actor)
    locked.save(update_fields=["status", "end_reason", "end_recorded_by", "updated_at"])
    AftercareStep.objects.filter(placement=locked, status__in=OPEN_STEP_STATUSES).update(
        status=StepStatus.CANCELLED, reason=reason.strip()[:300], updated_at=now
    )
    if was_active and not _has_other_running_placement(locked):
        _undo_mediated_position(locked)
        if locked.client.status == ClientStatus.PLACED:
            _set_client_status(locked.client, ClientStatus.ACTIVE, now)
    _sync(placement, locked, "status", "end_reason", "end_recorded_by")
    return placement


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
    _start_aftercare(step, today=_today(now), now=now)
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
    if due_on > _today(now):
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
    closed_on = closed_on or _today(now)
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


# --- Sustained work ---------------------------------------------------------------------------


def mark_sustained_placements(*, today: dt.date, actor: Actor = None) -> int:
    """Move clients whose active placement reached six months to ladder step 23 (igma); safe to run daily.

    Returns how many clients moved. A client who already entered step 23 since that placement began
    is left alone, so a second run, or a later manual move, is never undone.
    """
    moved = 0
    # Six calendar months are at least 181 days; the exact month arithmetic runs per row below.
    candidates = (
        Placement.objects.running().filter(start_on__lte=today - dt.timedelta(days=181)).select_related("client")
    )
    for placement in candidates.order_by("start_on", "pk"):
        reached_on = add_months(placement.start_on, 6)
        if reached_on > today:
            continue
        with transaction.atomic():
            if _reached_sustained(placement.client, placement.start_on):
                continue
            _move_ladder(placement.client, LADDER_SUSTAINED, reached_on, _("Six months in work"))
            if placement.client.status == ClientStatus.PLACED:
                _set_client_status(placement.client, ClientStatus.AFTERCARE, timezone.now())
            moved += 1
    return moved


# --- Plans ------------------------------------------------------------------------------------

TEMPLATE_FIELDS = ("order", "title", "title_nl", "title_sv", "track", "kind", "anchor", "offset_days", "assignee_role")
PLAN_FIELDS = ("name", "description", "counts_working_days", "is_active")


def plan_is_used(plan: AftercarePlan) -> bool:
    """A placement has been given steps from this plan, so it must not change under it."""
    return AftercareStep.objects.filter(template__plan=plan).exists()


def template_rows(plan: AftercarePlan) -> list[dict[str, Any]]:
    """A plan's templates as plain values."""
    return list(plan.templates.order_by("order").values(*TEMPLATE_FIELDS))


def _create_templates(plan: AftercarePlan, rows: list[dict[str, Any]]) -> None:
    """Validate and create a plan's templates."""
    for row in rows:
        template = AftercareStepTemplate(plan=plan, **{k: v for k, v in row.items() if k in TEMPLATE_FIELDS})
        template.full_clean(validate_unique=False)
        template.save()


@transaction.atomic
def revise_plan(
    *,
    plan: AftercarePlan,
    actor: Actor,
    changes: dict[str, Any] | None = None,
    templates: list[dict[str, Any]] | None = None,
) -> AftercarePlan:
    """Change a plan; once used it becomes a new version, so existing placements keep their schedule.

    An unused plan changes in place. A used one is copied to version n+1 with `previous` set; the
    copy takes over the default flag, the old version is retired (inactive), and planned placements
    that pointed at it follow the new version. `templates` replaces the whole list of steps.
    """
    changes = {k: v for k, v in (changes or {}).items() if k in PLAN_FIELDS}
    rows = templates if templates is not None else template_rows(plan)
    locked = AftercarePlan.objects.select_for_update().get(pk=plan.pk)
    if not plan_is_used(locked):
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.full_clean()
        locked.save()
        if templates is not None:
            locked.templates.all().delete()
            _create_templates(locked, rows)
        return locked
    name = changes.pop("name", locked.name)
    latest = AftercarePlan.objects.filter(name=name).order_by("-version").values_list("version", flat=True).first()
    new = AftercarePlan(name=name, version=(latest or 0) + 1, previous=locked, description=locked.description)
    new.counts_working_days, new.is_active = locked.counts_working_days, True
    for field, value in changes.items():
        setattr(new, field, value)
    new.full_clean()
    was_default = locked.is_default
    AftercarePlan.objects.filter(pk=locked.pk).update(is_default=False, is_active=False)
    new.is_default = was_default
    new.save()
    _create_templates(new, rows)
    Placement.objects.filter(plan=locked, status=PlacementStatus.PLANNED).update(plan=new)
    return new


@transaction.atomic
def make_default_plan(*, plan: AftercarePlan, actor: Actor) -> AftercarePlan:
    """Make this plan the one placements without a plan of their own follow."""
    if not plan.is_active:
        raise ValidationError({"is_default": _("A retired plan cannot be the default.")})
    AftercarePlan.objects.filter(is_default=True).exclude(pk=plan.pk).update(is_default=False)
    AftercarePlan.objects.filter(pk=plan.pk).update(is_default=True)
    plan.is_default = True
    return plan
