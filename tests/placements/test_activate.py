"""Activating a placement: its steps, their dates and assignees, and the client's ladder position."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from crm.models import LadderStep
from placements.choices import Anchor, AssigneeRole, ClientStatus, PlacementStatus, StepStatus
from placements.models import AftercarePlan, AftercareStep, AftercareStepTemplate, LadderPosition
from placements.services import activate_placement
from placements.services.placements import _create_steps
from tests.crm.factories import ContactFactory
from tests.placements.factories import ClientFactory, PlacementFactory, UserFactory

NOW = dt.datetime(2027, 1, 1, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def _plan(*, working_days: bool = False, steps: tuple[tuple[str, int, str], ...] = ()) -> AftercarePlan:
    plan = AftercarePlan.objects.create(name="Test plan", counts_working_days=working_days)
    for order, (anchor, offset, role) in enumerate(steps, start=1):
        AftercareStepTemplate.objects.create(
            plan=plan, order=order, title=f"Step {order}", anchor=anchor, offset_days=offset, assignee_role=role
        )
    return plan


def test_activation_creates_one_step_per_template_of_the_default_plan():
    placement = PlacementFactory(plan=None)
    default = AftercarePlan.objects.get(is_default=True)

    steps = activate_placement(placement=placement, actor=None, now=NOW)

    assert len(steps) == default.templates.count() == 15
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ACTIVE
    assert placement.activated_at == NOW
    assert placement.plan == default
    assert {s.template_id for s in steps} == set(default.templates.values_list("pk", flat=True))
    assert all(s.status == StepStatus.PLANNED and s.due_on == s.planned_due_on for s in steps)


def test_activating_twice_creates_no_extra_steps():
    placement = PlacementFactory()
    first = activate_placement(placement=placement, actor=None, now=NOW)

    second = activate_placement(placement=placement, actor=None, now=NOW + dt.timedelta(days=1))

    assert [s.pk for s in second] == [s.pk for s in first]
    assert AftercareStep.objects.filter(placement=placement).count() == len(first)
    placement.refresh_from_db()
    assert placement.activated_at == NOW


def test_start_anchored_steps_fall_offset_calendar_days_after_the_start():
    plan = _plan(steps=((Anchor.START, 0, "coach"), (Anchor.START, 7, "coach"), (Anchor.START, 91, "coach")))
    placement = PlacementFactory(plan=plan, start_on=dt.date(2027, 1, 4))

    steps = activate_placement(placement=placement, actor=None, now=NOW)

    assert [s.due_on for s in steps] == [dt.date(2027, 1, 4), dt.date(2027, 1, 11), dt.date(2027, 4, 5)]


def test_end_anchored_steps_count_from_the_planned_end():
    plan = _plan(steps=((Anchor.END, 0, "coach"), (Anchor.END, -14, "coach")))
    placement = PlacementFactory(plan=plan, start_on=dt.date(2027, 1, 4), planned_end_on=dt.date(2027, 6, 30))

    steps = activate_placement(placement=placement, actor=None, now=NOW)

    assert sorted(s.due_on for s in steps) == [dt.date(2027, 6, 16), dt.date(2027, 6, 30)]


def test_end_anchored_steps_fall_a_year_after_the_start_without_a_planned_end():
    plan = _plan(steps=((Anchor.END, 0, "coach"),))
    placement = PlacementFactory(plan=plan, start_on=dt.date(2027, 1, 4), planned_end_on=None)

    (step,) = activate_placement(placement=placement, actor=None, now=NOW)

    assert step.due_on == dt.date(2028, 1, 4)


def test_working_day_plans_skip_weekends():
    plan = _plan(
        working_days=True,
        steps=((Anchor.START, 0, "coach"), (Anchor.START, 5, "coach"), (Anchor.START, 4, "coach")),
    )
    # Saturday 2 January 2027: day 0 rolls to Monday, 5 working days later is the Friday after next.
    placement = PlacementFactory(plan=plan, start_on=dt.date(2027, 1, 2))

    steps = activate_placement(placement=placement, actor=None, now=NOW)

    dues = {s.title: s.due_on for s in steps}
    assert dues == {"Step 1": dt.date(2027, 1, 4), "Step 2": dt.date(2027, 1, 8), "Step 3": dt.date(2027, 1, 7)}
    assert all(d.weekday() < 5 for d in dues.values())


def test_steps_go_to_the_coach_and_case_manager_steps_to_the_case_manager():
    manager = UserFactory(username="manager")
    plan = _plan(steps=((Anchor.START, 0, AssigneeRole.COACH), (Anchor.START, 7, AssigneeRole.CASE_MANAGER)))
    placement = PlacementFactory(plan=plan, client=ClientFactory(case_manager=manager))

    steps = activate_placement(placement=placement, actor=None, now=NOW)

    assert [s.assignee for s in steps] == [placement.coach, manager]


def test_case_manager_steps_go_to_the_coach_when_the_client_has_no_case_manager():
    plan = _plan(steps=((Anchor.START, 7, AssigneeRole.CASE_MANAGER),))
    placement = PlacementFactory(plan=plan, client=ClientFactory(case_manager=None))

    (step,) = activate_placement(placement=placement, actor=None, now=NOW)

    assert step.assignee == placement.coach


def test_activation_moves_the_client_to_mediated_on_the_start_date():
    client = ClientFactory()
    LadderPosition.objects.create(
        client=client, step=LadderStep.objects.get(position=20), entered_on=dt.date(2026, 9, 1)
    )
    placement = PlacementFactory(client=client, start_on=dt.date(2027, 1, 4))

    activate_placement(placement=placement, actor=None, now=NOW)

    positions = list(LadderPosition.objects.filter(client=client).select_related("step").order_by("entered_on"))
    assert [(p.step.position, p.entered_on, p.left_on) for p in positions] == [
        (20, dt.date(2026, 9, 1), dt.date(2027, 1, 4)),
        (21, dt.date(2027, 1, 4), None),
    ]
    client.refresh_from_db()
    assert client.status == ClientStatus.PLACED


def test_a_mentor_from_another_employer_is_refused_and_nothing_changes():
    placement = PlacementFactory()
    placement.mentor = ContactFactory()
    placement.save()

    with pytest.raises(ValidationError) as excinfo:
        activate_placement(placement=placement, actor=None, now=NOW)

    assert "mentor" in excinfo.value.message_dict
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.PLANNED
    assert not AftercareStep.objects.filter(placement=placement).exists()


def test_a_closed_client_cannot_start_a_placement():
    placement = PlacementFactory(client=ClientFactory(status=ClientStatus.CLOSED, closing_reason="moved"))

    with pytest.raises(ValidationError):
        activate_placement(placement=placement, actor=None, now=NOW)

    assert not AftercareStep.objects.filter(placement=placement).exists()
    assert not LadderPosition.objects.filter(client=placement.client).exists()


def test_a_cancelled_placement_cannot_be_activated():
    placement = PlacementFactory(status=PlacementStatus.CANCELLED)

    with pytest.raises(ValidationError):
        activate_placement(placement=placement, actor=None, now=NOW)

    assert not AftercareStep.objects.filter(placement=placement).exists()


def test_steps_made_twice_for_the_same_template_are_dropped_by_the_unique_constraint():
    placement = PlacementFactory()
    activate_placement(placement=placement, actor=None, now=NOW)
    placement.refresh_from_db()
    assert placement.plan is not None

    # What a second, concurrent activation would do after the first committed.
    _create_steps(placement, placement.plan)

    assert AftercareStep.objects.filter(placement=placement).count() == 15
