"""Placement and step workflows: rescheduling, ending, cancelling, step actions, coach, consent, ladder."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crm.models import LadderStep
from placements import services
from placements.choices import ClientStatus, PlacementStatus, StepKind, StepStatus, Track
from placements.models import AftercarePlan, AftercareStep, LadderPosition, Placement
from tests.crm.factories import ContactFactory, EmployerFactory, VacancyFactory
from tests.placements.factories import ClientFactory, PlacementFactory, UserFactory

pytestmark = pytest.mark.django_db
START = dt.date(2027, 1, 4)  # a Monday
NOW = dt.datetime(2027, 1, 1, 9, 0, tzinfo=dt.UTC)


def _active(**fields) -> Placement:
    placement = PlacementFactory.create(start_on=START, **fields)
    services.activate_placement(placement=placement, actor=None, now=NOW)
    placement.refresh_from_db()
    return placement


def _step(placement: Placement, offset: int) -> AftercareStep:
    return AftercareStep.objects.get(placement=placement, template__offset_days=offset, template__anchor="start")


def _evaluation(placement: Placement) -> AftercareStep:
    return AftercareStep.objects.get(placement=placement, kind=StepKind.EMPLOYER_EVALUATION)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)


def _ladder(client) -> list[tuple[int, dt.date, dt.date | None]]:
    rows = LadderPosition.objects.filter(client=client).select_related("step").order_by("entered_on", "pk")
    return [(p.step.position, p.entered_on, p.left_on) for p in rows]


# --- Rescheduling -----------------------------------------------------------------------------


def test_moving_the_start_moves_the_pending_untouched_steps():
    placement = _active()

    services.reschedule_placement(placement=placement, actor=None, start_on=dt.date(2027, 1, 11), now=NOW)

    week = _step(placement, 7)
    assert (week.due_on, week.planned_due_on) == (dt.date(2027, 1, 18), dt.date(2027, 1, 18))
    assert _step(placement, 91).due_on == dt.date(2027, 4, 12)
    placement.refresh_from_db()
    assert placement.start_on == dt.date(2027, 1, 11)


def test_a_step_a_coach_moved_keeps_her_date_when_the_start_moves():
    placement = _active()
    moved = services.move_step(
        step=_step(placement, 28), actor=None, due_on=dt.date(2027, 2, 5), reason="Client on holiday", now=NOW
    )

    services.reschedule_placement(placement=placement, actor=None, start_on=dt.date(2027, 1, 18), now=NOW)

    moved.refresh_from_db()
    assert moved.due_on == dt.date(2027, 2, 5)
    assert moved.planned_due_on == dt.date(2027, 2, 15)
    assert moved.moved_by_hand


def test_done_and_added_steps_keep_their_dates_when_the_start_moves():
    placement = _active()
    done = services.complete_step(step=_step(placement, 0), actor=None, outcome="Went well", now=_at(START))
    added = services.add_step(
        placement=placement, actor=None, title="Extra call", due_on=dt.date(2027, 1, 20), reason="Asked for it"
    )

    services.reschedule_placement(placement=placement, actor=None, start_on=dt.date(2027, 2, 1), now=_at(START))

    done.refresh_from_db()
    added.refresh_from_db()
    assert done.due_on == START
    assert done.planned_due_on == dt.date(2027, 2, 1)
    assert added.due_on == dt.date(2027, 1, 20)


def test_moving_the_planned_end_moves_only_the_end_anchored_steps():
    placement = _active()
    before = _step(placement, 7).due_on

    services.reschedule_placement(placement=placement, actor=None, planned_end_on=dt.date(2027, 9, 30), now=NOW)

    assert _evaluation(placement).due_on == dt.date(2027, 9, 30)
    assert _step(placement, 7).due_on == before


def test_a_due_step_moved_into_the_future_is_planned_again():
    placement = _active()
    AftercareStep.objects.filter(pk=_step(placement, 0).pk).update(status=StepStatus.DUE)

    services.reschedule_placement(placement=placement, actor=None, start_on=dt.date(2027, 2, 1), now=_at(START))

    step = _step(placement, 0)
    assert (step.status, step.due_on) == (StepStatus.PLANNED, dt.date(2027, 2, 1))


def test_a_planned_end_before_the_start_is_refused_and_changes_nothing():
    placement = _active()

    with pytest.raises(ValidationError):
        services.reschedule_placement(placement=placement, actor=None, planned_end_on=dt.date(2026, 12, 1), now=NOW)

    placement.refresh_from_db()
    assert placement.planned_end_on is None
    assert _evaluation(placement).due_on == dt.date(2028, 1, 4)


def test_an_ended_placement_cannot_be_rescheduled():
    placement = _active()
    services.end_placement(
        placement=placement,
        actor=None,
        ended_by="client",
        reason="Moved",
        end_on=START,
        completed=False,
        now=_at(START),
    )

    with pytest.raises(ValidationError):
        services.reschedule_placement(placement=placement, actor=None, start_on=dt.date(2027, 2, 1), now=_at(START))


# --- Ending -----------------------------------------------------------------------------------


def test_ending_early_cancels_later_steps_and_brings_the_evaluation_forward(alice):
    placement = _active()
    end_on = dt.date(2027, 2, 10)

    services.end_placement(
        placement=placement,
        actor=alice,
        ended_by="employer",
        reason="Reorganisation",
        end_on=end_on,
        completed=False,
        now=_at(end_on),
    )

    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ENDED_EARLY
    assert (placement.actual_end_on, placement.ended_by, placement.end_reason) == (end_on, "employer", "Reorganisation")
    assert placement.end_recorded_by == alice
    steps = AftercareStep.objects.filter(placement=placement)
    later = steps.filter(due_on__gt=end_on).exclude(kind__in=services.END_STEP_KINDS)
    assert later.exists()
    assert set(later.values_list("status", flat=True)) == {StepStatus.CANCELLED}
    assert all("2027-02-10" in reason for reason in later.values_list("reason", flat=True))
    end_steps = steps.filter(kind__in=services.END_STEP_KINDS)
    assert {(s.status, s.due_on) for s in end_steps} == {(StepStatus.PLANNED, dt.date(2027, 2, 17))}
    assert set(steps.filter(due_on__lte=dt.date(2027, 1, 11)).values_list("status", flat=True)) == {StepStatus.PLANNED}


def test_the_evaluation_of_a_late_recorded_end_is_due_today_not_in_the_past():
    placement = _active()

    services.end_placement(
        placement=placement,
        actor=None,
        ended_by="client",
        reason="Found other work",
        end_on=dt.date(2027, 2, 1),
        completed=False,
        now=_at(dt.date(2027, 3, 1)),
    )

    assert _evaluation(placement).due_on == dt.date(2027, 3, 1)


def test_an_early_end_needs_a_reason_and_who_ended_it_and_changes_nothing_without():
    placement = _active()

    with pytest.raises(ValidationError) as excinfo:
        services.end_placement(
            placement=placement, actor=None, ended_by="", reason="", end_on=START, completed=False, now=_at(START)
        )

    assert "ended_by" in excinfo.value.message_dict
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ACTIVE
    assert not AftercareStep.objects.filter(placement=placement, status=StepStatus.CANCELLED).exists()


def test_an_end_in_the_future_is_refused():
    placement = _active()

    with pytest.raises(ValidationError):
        services.end_placement(
            placement=placement,
            actor=None,
            ended_by="",
            reason="",
            end_on=dt.date(2027, 6, 1),
            completed=True,
            now=_at(START),
        )


def test_completing_at_the_planned_end_keeps_the_end_steps_on_the_end_date():
    placement = _active(planned_end_on=dt.date(2027, 3, 31))

    services.end_placement(
        placement=placement,
        actor=None,
        ended_by="",
        reason="",
        end_on=dt.date(2027, 3, 31),
        completed=True,
        now=_at(dt.date(2027, 3, 31)),
    )

    placement.refresh_from_db()
    assert placement.status == PlacementStatus.COMPLETED
    assert _evaluation(placement).due_on == dt.date(2027, 3, 31)
    assert _evaluation(placement).status == StepStatus.PLANNED
    assert _step(placement, 91).status == StepStatus.CANCELLED


def test_an_early_end_closes_the_ladder_position_and_takes_the_client_back_into_coaching():
    placement = _active()
    end_on = dt.date(2027, 2, 10)

    services.end_placement(
        placement=placement,
        actor=None,
        ended_by="client",
        reason="Childcare",
        end_on=end_on,
        completed=False,
        now=_at(end_on),
    )

    assert _ladder(placement.client) == [(21, START, end_on)]
    placement.client.refresh_from_db()
    assert placement.client.status == ClientStatus.ACTIVE


def test_a_placement_that_lasted_six_months_moves_the_client_to_step_23_when_it_ends():
    placement = _active()
    end_on = dt.date(2027, 8, 31)

    services.end_placement(
        placement=placement,
        actor=None,
        ended_by="",
        reason="",
        end_on=end_on,
        completed=True,
        now=_at(end_on),
    )

    assert _ladder(placement.client) == [(21, START, dt.date(2027, 7, 4)), (23, dt.date(2027, 7, 4), None)]
    placement.client.refresh_from_db()
    assert placement.client.status == ClientStatus.AFTERCARE


def test_ending_one_of_two_jobs_leaves_the_client_placed_in_the_other():
    client = ClientFactory()
    first = _active(client=client)
    _active(client=client, job_title="Second job")

    services.end_placement(
        placement=first, actor=None, ended_by="client", reason="Too far", end_on=START, completed=False, now=_at(START)
    )

    client.refresh_from_db()
    assert client.status == ClientStatus.PLACED
    assert _ladder(client) == [(21, START, None)]


# --- Cancelling -------------------------------------------------------------------------------


def test_steps_of_a_cancelled_placement_are_never_open():
    client = ClientFactory()
    LadderPosition.objects.create(
        client=client, step=LadderStep.objects.get(position=20), entered_on=dt.date(2026, 9, 1)
    )
    placement = _active(client=client)

    services.cancel_placement(placement=placement, actor=None, reason="Employer withdrew the offer", now=NOW)

    placement.refresh_from_db()
    assert placement.status == PlacementStatus.CANCELLED
    assert not AftercareStep.objects.filter(placement=placement).open().exists()
    assert not AftercareStep.objects.due_by(dt.date(2030, 1, 1)).filter(placement=placement).exists()
    assert set(AftercareStep.objects.filter(placement=placement).values_list("reason", flat=True)) == {
        "Employer withdrew the offer"
    }
    assert _ladder(client) == [(20, dt.date(2026, 9, 1), None)]
    client.refresh_from_db()
    assert client.status == ClientStatus.ACTIVE


def test_a_cancelled_placement_cannot_be_reopened_by_moving_or_completing_its_steps():
    placement = _active()
    services.cancel_placement(placement=placement, actor=None, reason="No show", now=NOW)
    step = _step(placement, 7)

    with pytest.raises(ValidationError):
        services.move_step(step=step, actor=None, due_on=dt.date(2027, 3, 1), reason="Later", now=NOW)
    with pytest.raises(ValidationError):
        services.complete_step(step=step, actor=None, outcome="Called", now=NOW)
    with pytest.raises(ValidationError):
        services.reschedule_placement(placement=placement, actor=None, start_on=dt.date(2027, 2, 1), now=NOW)
    assert not AftercareStep.objects.filter(placement=placement).open().exists()


def test_a_planned_placement_can_be_cancelled():
    placement = PlacementFactory()

    services.cancel_placement(placement=placement, actor=None, reason="Chose another offer", now=NOW)

    placement.refresh_from_db()
    assert (placement.status, placement.end_reason) == (PlacementStatus.CANCELLED, "Chose another offer")


def test_a_placement_that_has_started_cannot_be_cancelled():
    placement = _active()

    with pytest.raises(ValidationError):
        services.cancel_placement(placement=placement, actor=None, reason="Oops", now=_at(dt.date(2027, 1, 20)))

    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ACTIVE
    assert AftercareStep.objects.filter(placement=placement).open().count() == 15


def test_cancelling_needs_a_reason():
    placement = PlacementFactory()

    with pytest.raises(ValidationError):
        services.cancel_placement(placement=placement, actor=None, reason="  ", now=NOW)


# --- Steps ------------------------------------------------------------------------------------


def test_completing_a_step_records_outcome_notes_minutes_and_who(alice):
    step = _step(_active(), 7)
    when = _at(dt.date(2027, 1, 11))

    services.complete_step(
        step=step, actor=alice, outcome="Settled in", notes="Likes the team", minutes_spent=25, now=when
    )

    step.refresh_from_db()
    assert (step.status, step.outcome, step.notes, step.minutes_spent) == (
        StepStatus.DONE,
        "Settled in",
        "Likes the team",
        25,
    )
    assert (step.completed_at, step.completed_by) == (when, alice)


def test_a_completed_step_cannot_be_completed_again(alice, bob):
    step = _step(_active(), 7)
    first = _at(dt.date(2027, 1, 11))
    services.complete_step(step=step, actor=alice, outcome="First", now=first)

    with pytest.raises(ValidationError, match="already done"):
        services.complete_step(step=step, actor=bob, outcome="Second", now=first + dt.timedelta(hours=1))

    step.refresh_from_db()
    assert (step.outcome, step.completed_by, step.completed_at) == ("First", alice, first)


def test_of_two_concurrent_completions_only_one_wins(alice, bob):
    step = _step(_active(), 7)
    stale_copy = AftercareStep.objects.get(pk=step.pk)  # read before either completion, as a second request would

    services.complete_step(step=step, actor=alice, outcome="Alice's call", now=NOW)
    with pytest.raises(ValidationError):
        services.complete_step(step=stale_copy, actor=bob, outcome="Bob's call", now=NOW)

    assert AftercareStep.objects.get(pk=step.pk).completed_by == alice


def test_a_skipped_step_cannot_be_completed():
    step = _step(_active(), 7)
    services.skip_step(step=step, actor=None, reason="Client ill", now=NOW)

    with pytest.raises(ValidationError, match="Skipped"):
        services.complete_step(step=step, actor=None, outcome="Called anyway", now=NOW)


def test_completing_needs_an_outcome_and_sensible_minutes():
    step = _step(_active(), 7)

    with pytest.raises(ValidationError):
        services.complete_step(step=step, actor=None, outcome=" ", now=NOW)
    with pytest.raises(ValidationError):
        services.complete_step(step=step, actor=None, outcome="ok", minutes_spent=-5, now=NOW)

    assert AftercareStep.objects.get(pk=step.pk).status == StepStatus.PLANNED


def test_the_first_follow_up_done_puts_the_client_in_aftercare():
    placement = _active()

    services.complete_step(step=_step(placement, 0), actor=None, outcome="Visited", now=_at(START))

    placement.client.refresh_from_db()
    assert placement.client.status == ClientStatus.AFTERCARE
    assert _ladder(placement.client) == [(21, START, START), (22, START, None)]


def test_a_coach_can_add_a_step_with_a_reason(alice):
    placement = _active()

    step = services.add_step(
        placement=placement,
        actor=alice,
        title="Call about the new schedule",
        kind=StepKind.CALL,
        track=Track.CLIENT,
        due_on=dt.date(2027, 2, 3),
        reason="Employer changes the shifts",
    )

    assert step.template is None
    assert step.planned_due_on is None
    assert (step.assignee, step.status, step.reason) == (
        placement.coach,
        StepStatus.PLANNED,
        "Employer changes the shifts",
    )


def test_adding_a_step_needs_a_reason_and_an_active_placement():
    with pytest.raises(ValidationError):
        services.add_step(placement=_active(), actor=None, title="Call", due_on=START, reason="")
    with pytest.raises(ValidationError):
        services.add_step(placement=PlacementFactory(), actor=None, title="Call", due_on=START, reason="Why not")
    assert not AftercareStep.objects.filter(template__isnull=True).exists()


def test_moving_a_step_records_the_reason_and_marks_it_moved_by_hand():
    step = _step(_active(), 7)

    services.move_step(step=step, actor=None, due_on=dt.date(2027, 1, 13), reason="Client works late", now=NOW)

    step.refresh_from_db()
    assert (step.due_on, step.moved_by_hand, step.reason) == (dt.date(2027, 1, 13), True, "Client works late")
    assert step.planned_due_on == dt.date(2027, 1, 11)


def test_a_done_step_cannot_be_moved_or_skipped():
    step = _step(_active(), 7)
    services.complete_step(step=step, actor=None, outcome="Done", now=NOW)

    with pytest.raises(ValidationError):
        services.move_step(step=step, actor=None, due_on=dt.date(2027, 3, 1), reason="Later", now=NOW)
    with pytest.raises(ValidationError):
        services.skip_step(step=step, actor=None, reason="Not needed", now=NOW)

    step.refresh_from_db()
    assert (step.status, step.due_on) == (StepStatus.DONE, dt.date(2027, 1, 11))


def test_skipping_needs_a_reason_and_records_who(alice):
    step = _step(_active(), 7)

    with pytest.raises(ValidationError):
        services.skip_step(step=step, actor=alice, reason="", now=NOW)
    services.skip_step(step=step, actor=alice, reason="Spoke at the visit", now=NOW)

    step.refresh_from_db()
    assert (step.status, step.reason, step.completed_by) == (StepStatus.SKIPPED, "Spoke at the visit", alice)


# --- Coach ------------------------------------------------------------------------------------


def test_reassigning_the_coach_moves_her_open_steps_only(alice, bob):
    client = ClientFactory(coach=alice)
    placement = _active(client=client)
    done = services.complete_step(step=_step(placement, 0), actor=alice, outcome="Visited", now=_at(START))

    moved = services.reassign_coach(client=client, new_coach=bob, actor=alice, now=NOW)

    assert moved == 14
    client.refresh_from_db()
    placement.refresh_from_db()
    assert (client.coach, placement.coach) == (bob, bob)
    assert set(AftercareStep.objects.filter(placement=placement).open().values_list("assignee", flat=True)) == {bob.pk}
    done.refresh_from_db()
    assert (done.assignee, done.completed_by) == (alice, alice)


def test_steps_assigned_to_the_case_manager_stay_with_her(alice, bob, carl):
    client = ClientFactory(coach=alice, case_manager=carl)
    placement = _active(client=client)
    extra = services.add_step(
        placement=placement, actor=carl, title="Case review", due_on=START, reason="Monthly review", assignee=carl
    )

    services.reassign_coach(client=client, new_coach=bob, actor=carl, now=NOW)

    extra.refresh_from_db()
    assert extra.assignee == carl


def test_an_inactive_user_cannot_become_coach(alice):
    client = ClientFactory(coach=alice)
    gone = UserFactory(username="gone", is_active=False)

    with pytest.raises(ValidationError):
        services.reassign_coach(client=client, new_coach=gone, actor=None)

    client.refresh_from_db()
    assert client.coach == alice


# --- Consent ----------------------------------------------------------------------------------


def test_withdrawing_consent_hides_the_agreements_shareable_text():
    placement = _active()
    client = placement.client
    services.record_consent(client=client, purpose="share_with_employer", given_on=dt.date(2026, 12, 1), actor=None)
    agreement = services.revise_agreement(
        client=client,
        actor=None,
        fields={
            "parties": "Client, coach, employer",
            "joint_work": "Settle in",
            "expected_result": "Contract extended",
            "success_measure": "Mentor's feedback",
            "share_with_employer": "Needs written instructions",
            "agreed_on": dt.date(2026, 12, 15),
        },
        change_note="",
        now=NOW,
    )

    services.withdraw_consent(
        client=client,
        purpose="share_with_employer",
        withdrawn_on=dt.date(2027, 2, 1),
        actor=None,
        now=_at(dt.date(2027, 2, 1)),
    )

    assert agreement.shareable_text(on=dt.date(2027, 1, 31)) == "Needs written instructions"
    assert agreement.shareable_text(on=dt.date(2027, 2, 1)) == ""


def test_a_consent_in_force_cannot_be_recorded_twice():
    client = ClientFactory()
    services.record_consent(client=client, purpose="coaching", given_on=dt.date(2026, 1, 1), actor=None)

    with pytest.raises(ValidationError):
        services.record_consent(client=client, purpose="coaching", given_on=dt.date(2026, 2, 1), actor=None)


def test_a_consent_cannot_be_withdrawn_before_it_was_given_or_when_there_is_none():
    client = ClientFactory()
    with pytest.raises(ValidationError):
        services.withdraw_consent(client=client, purpose="coaching", withdrawn_on=dt.date(2026, 1, 1), actor=None)
    record = services.record_consent(client=client, purpose="coaching", given_on=dt.date(2026, 3, 1), actor=None)

    with pytest.raises(ValidationError):
        services.withdraw_consent(client=client, purpose="coaching", withdrawn_on=dt.date(2026, 2, 1), actor=None)

    record.refresh_from_db()
    assert record.withdrawn_on is None


def test_consent_can_be_given_again_after_it_was_withdrawn():
    client = ClientFactory()
    services.record_consent(client=client, purpose="reference", given_on=dt.date(2026, 1, 1), actor=None)
    services.withdraw_consent(client=client, purpose="reference", withdrawn_on=dt.date(2026, 2, 1), actor=None)

    services.record_consent(client=client, purpose="reference", given_on=dt.date(2026, 3, 1), actor=None)

    assert client.has_consent("reference", on=dt.date(2026, 3, 2))
    assert not client.has_consent("reference", on=dt.date(2026, 2, 15))


# --- Ladder -----------------------------------------------------------------------------------


def test_moving_a_client_on_the_ladder_closes_the_current_position():
    client = ClientFactory()
    services.move_client_to_step(client=client, step=13, on=dt.date(2026, 3, 1), actor=None)

    services.move_client_to_step(client=client, step=15, on=dt.date(2026, 5, 1), actor=None)

    assert _ladder(client) == [(13, dt.date(2026, 3, 1), dt.date(2026, 5, 1)), (15, dt.date(2026, 5, 1), None)]


def test_a_ladder_move_dated_before_the_current_step_is_refused():
    client = ClientFactory()
    services.move_client_to_step(client=client, step=13, on=dt.date(2026, 3, 1), actor=None)

    with pytest.raises(ValidationError):
        services.move_client_to_step(client=client, step=15, on=dt.date(2026, 2, 1), actor=None)
    with pytest.raises(ValidationError):
        services.move_client_to_step(client=client, step=99, on=dt.date(2026, 4, 1), actor=None)

    assert _ladder(client) == [(13, dt.date(2026, 3, 1), None)]


def test_six_months_in_an_active_placement_moves_the_client_to_step_23_once():
    placement = _active()

    assert services.mark_sustained_placements(today=dt.date(2027, 7, 3)) == 0
    assert services.mark_sustained_placements(today=dt.date(2027, 7, 4)) == 1
    assert services.mark_sustained_placements(today=dt.date(2027, 7, 5)) == 0

    assert _ladder(placement.client) == [(21, START, dt.date(2027, 7, 4)), (23, dt.date(2027, 7, 4), None)]
    placement.client.refresh_from_db()
    assert placement.client.status == ClientStatus.AFTERCARE


def test_the_sustained_sweep_does_not_undo_a_later_move():
    placement = _active()
    services.mark_sustained_placements(today=dt.date(2027, 7, 4))
    services.move_client_to_step(client=placement.client, step=22, on=dt.date(2027, 8, 1), actor=None)

    assert services.mark_sustained_placements(today=dt.date(2027, 9, 1)) == 0

    assert _ladder(placement.client)[-1] == (22, dt.date(2027, 8, 1), None)


def test_closing_a_file_records_why_where_and_when_and_leaves_the_ladder(alice):
    client = ClientFactory(coach=alice)
    services.move_client_to_step(client=client, step=4, on=dt.date(2026, 9, 1), actor=alice)

    services.close_client(
        client=client, actor=alice, reason="referred", destination="education", closed_on=dt.date(2026, 12, 1), now=NOW
    )

    client.refresh_from_db()
    assert (client.status, client.closing_reason, client.destination, client.closed_on) == (
        ClientStatus.CLOSED,
        "referred",
        "education",
        dt.date(2026, 12, 1),
    )
    assert not LadderPosition.objects.filter(client=client, left_on__isnull=True).exists()


def test_a_file_with_a_running_placement_is_not_closed(alice):
    placement = _active(client=ClientFactory(coach=alice))

    with pytest.raises(ValidationError):
        services.close_client(client=placement.client, actor=alice, reason="dropped_out", now=NOW)

    placement.client.refresh_from_db()
    assert placement.client.status != ClientStatus.CLOSED


def test_closing_needs_a_known_reason(alice):
    client = ClientFactory(coach=alice)

    with pytest.raises(ValidationError):
        services.close_client(client=client, actor=alice, reason="", now=NOW)
    with pytest.raises(ValidationError):
        services.close_client(client=client, actor=alice, reason="bored", now=NOW)
    client.refresh_from_db()
    assert client.status == ClientStatus.ACTIVE


# --- Recording a placement ----------------------------------------------------------------------


def _create(**fields) -> Placement:
    employer = fields.pop("employer", None) or EmployerFactory.create()
    fields.setdefault("client", ClientFactory())
    fields.setdefault("start_on", START)
    return services.create_placement(actor=None, employer=employer, **fields)


def test_a_placement_from_a_vacancy_takes_its_kind_job_hours_schedule_and_contract():
    vacancy = VacancyFactory(
        kind="work_experience", title="Keukenhulp", hours_per_week=Decimal("24"), schedule="shifts"
    )
    vacancy.contract_type = "none"
    vacancy.save()
    mentor = ContactFactory(employer=vacancy.employer, role="mentor")

    placement = _create(
        employer=vacancy.employer, vacancy=vacancy, mentor=mentor, planned_end_on=START + dt.timedelta(days=20)
    )

    placement.refresh_from_db()
    assert (placement.kind, placement.job_title, placement.hours_per_week) == ("work_experience", "Keukenhulp", 24)
    assert (placement.schedule, placement.contract_type, placement.mentor) == ("shifts", "none", mentor)
    assert placement.status == PlacementStatus.PLANNED
    assert placement.coach == placement.client.coach
    assert placement.plan.name == "Short work-experience place"


def test_what_the_coach_typed_wins_over_the_vacancy():
    vacancy = VacancyFactory(title="Keukenhulp", hours_per_week=Decimal("24"))

    placement = _create(employer=vacancy.employer, vacancy=vacancy, job_title="Afwasser", hours_per_week=Decimal(16))

    assert (placement.job_title, placement.hours_per_week) == ("Afwasser", 16)


def test_a_trial_day_ends_on_its_start_and_gets_a_debrief_and_an_employer_check_in_only():
    placement = _create(kind="trial_day", job_title="Proefdag keuken")

    assert placement.planned_end_on == START
    assert placement.plan.name == "Trial day"
    steps = services.activate_placement(placement=placement, actor=None, now=NOW)

    next_day = START + dt.timedelta(days=1)
    assert [(s.track, s.due_on) for s in steps] == [(Track.CLIENT, next_day), (Track.EMPLOYER, next_day)]
    kinds = {s.kind for s in steps}
    assert StepKind.EMPLOYER_EVALUATION not in kinds and StepKind.CLOSING not in kinds
    assert max(s.due_on for s in steps) < START + dt.timedelta(days=30)


def test_activation_without_a_plan_follows_the_kinds_plan():
    placement = PlacementFactory(kind="trial_day", plan=None, start_on=START, planned_end_on=START)

    services.activate_placement(placement=placement, actor=None, now=NOW)

    placement.refresh_from_db()
    assert placement.plan.name == "Trial day"


def test_a_short_work_experience_place_needs_a_planned_end_and_nothing_is_recorded_without():
    with pytest.raises(ValidationError) as refused:
        _create(kind="work_experience", job_title="Stage")

    assert "planned_end_on" in refused.value.message_dict
    assert not Placement.objects.exists()


def test_a_closed_clients_file_gets_no_new_placement():
    client = ClientFactory(status=ClientStatus.CLOSED, closing_reason="moved")

    with pytest.raises(ValidationError) as refused:
        _create(client=client, job_title="Kok")

    assert "client" in refused.value.message_dict
    assert not Placement.objects.exists()


def test_the_mentor_must_be_an_active_contact_of_the_employer():
    employer = EmployerFactory()
    elsewhere = ContactFactory()
    gone = ContactFactory(employer=employer, is_active=False)

    for mentor in (elsewhere, gone):
        with pytest.raises(ValidationError) as refused:
            _create(employer=employer, job_title="Kok", mentor=mentor)
        assert "mentor" in refused.value.message_dict
    assert not Placement.objects.exists()


def test_the_vacancy_must_be_open_and_at_the_employer():
    closed = VacancyFactory(status="filled")
    other = VacancyFactory()

    with pytest.raises(ValidationError) as refused:
        _create(employer=closed.employer, vacancy=closed)
    assert "vacancy" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _create(employer=EmployerFactory(), vacancy=other)
    assert "vacancy" in refused.value.message_dict
    assert not Placement.objects.exists()


def test_a_retired_plan_cannot_be_chosen():
    retired = AftercarePlan.objects.create(name="Old plan", is_active=False)

    with pytest.raises(ValidationError) as refused:
        _create(job_title="Kok", plan=retired)

    assert "plan" in refused.value.message_dict


def test_a_planned_placement_can_be_edited_and_an_empty_plan_follows_the_kind():
    placement = _create(job_title="Kok")

    services.update_placement(
        placement=placement, actor=None, changes={"kind": "trial_day", "planned_end_on": None, "plan": None}
    )

    placement.refresh_from_db()
    assert (placement.kind, placement.planned_end_on, placement.plan.name) == ("trial_day", START, "Trial day")


def test_an_active_placement_cannot_be_edited():
    placement = _active()

    with pytest.raises(ValidationError):
        services.update_placement(placement=placement, actor=None, changes={"job_title": "Iets anders"})

    placement.refresh_from_db()
    assert placement.job_title == "Medewerker bediening"
