"""Placements: activation, dates, ending and cancelling, and six months in work (DESIGN "The follow-up engine")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.types import Actor, actor_user
from crm.choices import Schedule, VacancyKind, VacancyStatus
from crm.models import Contact, Employer, Vacancy
from placements.choices import (
    OPEN_STEP_STATUSES,
    AssigneeRole,
    ClientStatus,
    EndCause,
    EndedBy,
    PlacementStatus,
    StepKind,
    StepStatus,
)
from placements.models import (
    AftercarePlan,
    AftercareStep,
    Client,
    KindPlan,
    LadderPosition,
    Placement,
)
from placements.scheduling import END_FOLLOW_UP_DAYS, add_days, add_months, local_date, planned_date_for
from placements.services.ladder import (
    LADDER_MEDIATED,
    LADDER_SUSTAINED,
    _close_ladder_position,
    _current_position,
    _move_ladder,
    _set_client_status,
)


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


def _latest_active_version(plan: AftercarePlan) -> AftercarePlan | None:
    """The plan itself while active, else the newest active version revised from it (revise_plan retires the old)."""
    seen: set[int] = set()
    while not plan.is_active and plan.pk not in seen:
        seen.add(plan.pk)
        newer = plan.next_versions.order_by("-version", "-pk").first()
        if newer is None:
            return None
        plan = newer
    return plan if plan.is_active else None


def plan_for_kind(kind: str) -> AftercarePlan:
    """The plan a kind of placement is proposed: the administrator's row for the kind, else the default plan.

    A trial day gets a debrief and a word with the employer, not a year of calls (Flora II.3.F scales
    follow-up to the placement). A row that points at a retired plan follows it to its newest active version.
    """
    row = KindPlan.objects.select_related("plan").filter(kind=kind).first()
    if row is not None and (plan := _latest_active_version(row.plan)) is not None:
        return plan
    return default_plan()


# --- Recording a placement -------------------------------------------------------------------

# A trial day or a day of job shadowing lasts one day: without a planned end it ends on its start.
ONE_DAY_KINDS = (VacancyKind.TRIAL_DAY, VacancyKind.SHADOWING)
# Places that run for a set period: their closing follow-ups count from the real end, and "a year after
# the start" (the default end anchor, Flora II.3.F) would put a debrief months after the last day.
FIXED_TERM_KINDS = (*ONE_DAY_KINDS, VacancyKind.WORK_EXPERIENCE, VacancyKind.INTERNSHIP)
# What a coach may change on a placement that has not been activated.
EDITABLE_FIELDS = (
    "employer",
    "kind",
    "job_title",
    "start_on",
    "planned_end_on",
    "hours_per_week",
    "schedule",
    "contract_type",
    "employment_measure",
    "mentor",
    "plan",
)


def _check_parties(placement: Placement, *, check_vacancy: bool, check_plan: bool) -> None:
    """The client's file open, an employer we work with, an open vacancy there, an active mentor there, a real plan."""
    errors: dict[str, str] = {}
    if placement.client.status == ClientStatus.CLOSED:
        errors["client"] = _("The client's file is closed; reopen it before recording a placement.")
    if placement.employer.do_not_engage:
        errors["employer"] = _("This employer is marked as one we do not engage with.")
    vacancy = placement.vacancy
    if vacancy is not None and vacancy.employer_id != placement.employer_id:
        errors["vacancy"] = _("The vacancy belongs to another employer.")
    elif vacancy is not None and check_vacancy and vacancy.status != VacancyStatus.OPEN:
        errors["vacancy"] = _("This vacancy is not open.")
    mentor = placement.mentor
    if mentor is not None and (mentor.employer_id != placement.employer_id or not mentor.is_active):
        errors["mentor"] = _("The mentor must be an active contact at this employer.")
    if check_plan and placement.plan is not None and not placement.plan.is_active:
        errors["plan"] = _("This plan is retired; choose an active plan.")
    if placement.kind in FIXED_TERM_KINDS and placement.planned_end_on is None:
        errors["planned_end_on"] = _("A %(kind)s needs a planned end.") % {"kind": placement.get_kind_display().lower()}
    if errors:
        raise ValidationError(errors)


def _fill_from_vacancy(placement: Placement, vacancy: Vacancy) -> None:
    """Take what the coach left empty from the vacancy: kind, job title, hours, schedule and contract."""
    placement.kind = placement.kind or vacancy.kind
    placement.job_title = placement.job_title or vacancy.title
    if placement.hours_per_week is None:
        placement.hours_per_week = vacancy.hours_per_week
    placement.schedule = placement.schedule or vacancy.schedule
    placement.contract_type = placement.contract_type or vacancy.contract_type


def _save_checked(placement: Placement, *, check_vacancy: bool, check_plan: bool) -> None:
    """Default the end of a one-day placement, check the parties and the row, and save it."""
    if placement.planned_end_on is None and placement.kind in ONE_DAY_KINDS and placement.start_on:
        placement.planned_end_on = placement.start_on
    _check_parties(placement, check_vacancy=check_vacancy, check_plan=check_plan)
    placement.full_clean()
    placement.save()


@transaction.atomic
def create_placement(
    *,
    client: Client,
    actor: Actor,
    employer: Employer,
    vacancy: Vacancy | None = None,
    kind: str = "",
    job_title: str = "",
    start_on: dt.date,
    planned_end_on: dt.date | None = None,
    hours_per_week: Decimal | None = None,
    schedule: str = "",
    contract_type: str = "",
    employment_measure: str = "",
    mentor: Contact | None = None,
    coach: Any = None,
    plan: AftercarePlan | None = None,
    now: dt.datetime | None = None,
) -> Placement:
    """Record a planned placement the client chose (Flora IV.2.A.a), filled from the vacancy, on its kind's plan.

    What the coach leaves empty comes from the vacancy; without a plan of its own the placement gets
    the plan proposed for its kind (`plan_for_kind`). Nothing is scheduled until it is activated, so
    `now` changes nothing here; it is taken like in every service.
    """
    placement = Placement(
        client=client,
        employer=employer,
        vacancy=vacancy,
        kind=kind,
        job_title=job_title.strip(),
        start_on=start_on,
        planned_end_on=planned_end_on,
        hours_per_week=hours_per_week,
        schedule=schedule,
        contract_type=contract_type,
        employment_measure=employment_measure.strip(),
        mentor=mentor,
        coach=coach or client.coach,
        status=PlacementStatus.PLANNED,
    )
    if vacancy is not None:
        _fill_from_vacancy(placement, vacancy)
    placement.kind = placement.kind or VacancyKind.PAID_JOB
    placement.schedule = placement.schedule or Schedule.DAY
    placement.plan = plan or plan_for_kind(placement.kind)
    _save_checked(placement, check_vacancy=True, check_plan=plan is not None)
    return placement


@transaction.atomic
def update_placement(
    *, placement: Placement, actor: Actor, changes: dict[str, Any], now: dt.datetime | None = None
) -> Placement:
    """Change a placement that has not been activated; an empty plan means the plan proposed for its kind."""
    locked = _lock_placement(placement)
    if locked.status != PlacementStatus.PLANNED:
        raise ValidationError({"status": _("Only a planned placement can be edited; change its dates or end it.")})
    changes = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS}
    old_plan_id = locked.plan_id
    for field, value in changes.items():
        setattr(locked, field, value.strip() if isinstance(value, str) else value)
    if "plan" in changes and changes["plan"] is None:
        locked.plan = plan_for_kind(locked.kind)
    _save_checked(locked, check_vacancy=False, check_plan=locked.plan_id != old_plan_id)
    _sync(placement, locked, *EDITABLE_FIELDS)
    return placement


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
    plan = locked.plan or plan_for_kind(locked.kind)
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
        _replan_steps(locked, today=local_date(now), now=now)
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
    cause: str = "",
    now: dt.datetime | None = None,
) -> Placement:
    """Record the end of a placement, completed or early: why and who, steps wound down, ladder moved.

    An early end may name its main reason from EndCause (`cause`), which the outcome report counts.
    """
    now = now or timezone.now()
    locked = _lock_placement(placement)
    _check_end(locked, ended_by=ended_by, reason=reason, end_on=end_on, completed=completed, today=local_date(now))
    if cause not in EndCause.values or (cause and completed):
        raise ValidationError({"cause": _("Choose the main reason it ended early from the list.")})
    locked.status = PlacementStatus.COMPLETED if completed else PlacementStatus.ENDED_EARLY
    locked.actual_end_on, locked.end_reason, locked.ended_by = end_on, reason.strip(), ended_by
    locked.end_cause, locked.end_recorded_by = cause, actor_user(actor)
    locked.save(
        update_fields=[
            "status",
            "actual_end_on",
            "end_reason",
            "end_cause",
            "ended_by",
            "end_recorded_by",
            "updated_at",
        ]
    )
    _wind_down_steps(locked, end_on=end_on, today=local_date(now), now=now)
    _after_end(locked, completed=completed, end_on=end_on, now=now)
    _sync(placement, locked, "status", "actual_end_on", "end_reason", "end_cause", "ended_by", "end_recorded_by")
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
    started = locked.status == PlacementStatus.ACTIVE and locked.start_on < local_date(now)
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
