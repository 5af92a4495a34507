"""The employer-evaluation step closes itself when its survey is answered, and stays with the coach when cancelled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.followups.services import sweep_followups
from outreach.surveys.answers import parse_answers
from outreach.surveys.models import SurveyInvitation, SurveyResponse
from outreach.surveys.services import (
    cancel_invitation,
    invite_for_placement,
    submit_response,
    take_evaluation_notices,
)
from placements.choices import StepKind, StepStatus, Track
from placements.models import AftercareStep, Placement
from placements.services import add_step, complete_step
from tests.outreach.helpers import at, step
from tests.outreach.surveys.helpers import full_answers

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
CHASED = (NoticeKind.REMINDER_BEFORE, NoticeKind.REMINDER_DUE, NoticeKind.ESCALATION)


def evaluation_of(placement: Placement) -> AftercareStep:
    found = step(placement, kind=StepKind.EMPLOYER_EVALUATION)
    assert found is not None, "the default plan has an employer evaluation"
    return found


def hand_off(placement: Placement) -> tuple[AftercareStep, SurveyInvitation]:
    """The sweep on the evaluation's due day, and the survey invitation made from its hand-off."""
    evaluation = evaluation_of(placement)
    sweep_followups(now=at(evaluation.due_on), enqueue=False)
    assert take_evaluation_notices(now=at(evaluation.due_on)) == 1
    invitation = SurveyInvitation.objects.select_related("template", "contact").get(placement=placement)
    assert invitation.notice is not None and invitation.notice.step_id == evaluation.pk
    return evaluation, invitation


def answer(invitation: SurveyInvitation, when: dt.datetime) -> SurveyResponse:
    questions = list(invitation.template.questions.all())
    form = MultiValueDict({key: [value] for key, value in full_answers(invitation.template).items()})
    answers, errors = parse_answers(questions, form)
    assert not errors
    response = submit_response(invitation=invitation, answers=answers, language="nl", now=when)
    assert response is not None
    return response


def last_notice() -> int:
    return FollowUpNotice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def chased_after(evaluation: AftercareStep, last: int) -> list[str]:
    """The reminders and escalations made for the step after notice `last`."""
    notices = FollowUpNotice.objects.filter(step=evaluation, kind__in=CHASED, pk__gt=last)
    return list(notices.values_list("kind", flat=True))


def sweep_the_following_days(evaluation: AftercareStep) -> None:
    """Sweeps past the day the step would have been escalated to the case manager."""
    for days in range(1, settings.FOLLOWUP_ESCALATE_AFTER_DAYS + 4):
        sweep_followups(now=at(evaluation.due_on + days * DAY), enqueue=False)


def test_answering_the_survey_completes_the_evaluation_step_with_the_answer(placement: Placement) -> None:
    evaluation, invitation = hand_off(placement)
    when = at(evaluation.due_on + 2 * DAY, hour=14)

    response = answer(invitation, when)

    evaluation.refresh_from_db()
    assert evaluation.status == StepStatus.DONE
    assert evaluation.completed_at == when
    assert evaluation.completed_by is None  # the mentor answered, no staff member
    assert "Survey answered." in evaluation.outcome and "4.0 of 5" in evaluation.outcome
    assert "9 of 10" in evaluation.outcome
    assert invitation.contact.full_name in evaluation.notes
    assert response.step == evaluation
    assert SurveyResponse.objects.get().step == evaluation


def test_after_the_answer_the_coach_is_no_longer_reminded_nor_the_case_manager_alerted(
    placement: Placement,
) -> None:
    evaluation, invitation = hand_off(placement)
    answered = at(evaluation.due_on + DAY, hour=8)
    answer(invitation, answered)
    last = last_notice()

    sweep_the_following_days(evaluation)

    assert chased_after(evaluation, last) == []


def test_cancelling_the_invitation_leaves_the_step_open_for_the_coach(placement: Placement) -> None:
    evaluation, invitation = hand_off(placement)
    cancel_invitation(invitation=invitation, actor=None, now=at(evaluation.due_on, hour=10))
    last = last_notice()

    sweep_the_following_days(evaluation)

    evaluation.refresh_from_db()
    assert evaluation.status in (StepStatus.PLANNED, StepStatus.DUE)
    assert evaluation.completed_at is None and evaluation.outcome == ""
    assert NoticeKind.ESCALATION in chased_after(evaluation, last)  # the engine keeps after the open step
    assert not SurveyInvitation.objects.exclude(pk=invitation.pk).exists()  # and does not invite again


def test_an_invitation_made_at_the_end_without_a_hand_off_closes_the_one_open_evaluation(
    placement: Placement,
) -> None:
    evaluation = evaluation_of(placement)
    invitation = invite_for_placement(placement=placement, actor=None, now=at(evaluation.due_on - 3 * DAY))
    assert invitation.notice is None

    response = answer(invitation, at(evaluation.due_on - DAY))

    evaluation.refresh_from_db()
    assert evaluation.status == StepStatus.DONE and response.step == evaluation


def test_with_two_open_evaluation_steps_the_answer_closes_neither(placement: Placement, alice: User) -> None:
    evaluation = evaluation_of(placement)
    second = add_step(
        placement=placement,
        actor=alice,
        title="Second evaluation",
        due_on=evaluation.due_on + 30 * DAY,
        reason="The employer asked for one more",
        kind=StepKind.EMPLOYER_EVALUATION,
        track=Track.EMPLOYER,
    )
    invitation = invite_for_placement(placement=placement, actor=None, now=at(evaluation.due_on - 3 * DAY))

    response = answer(invitation, at(evaluation.due_on - DAY))

    assert response.step is None
    assert set(AftercareStep.objects.filter(pk__in=[evaluation.pk, second.pk]).values_list("status", flat=True)) <= {
        StepStatus.PLANNED,
        StepStatus.DUE,
    }


def test_a_step_the_coach_closed_first_keeps_her_record_and_is_linked_to_the_answer(
    placement: Placement, alice: User
) -> None:
    evaluation, invitation = hand_off(placement)
    complete_step(step=evaluation, actor=alice, outcome="Called the mentor", now=at(evaluation.due_on, hour=11))

    response = answer(invitation, at(evaluation.due_on + DAY))

    evaluation.refresh_from_db()
    assert evaluation.outcome == "Called the mentor" and evaluation.completed_by == alice
    assert response.step == evaluation


def test_the_placement_page_shows_the_answer_with_the_step_it_completed(placement: Placement, alice: User) -> None:
    evaluation, invitation = hand_off(placement)
    answer(invitation, at(evaluation.due_on + DAY))
    staff = Client()
    staff.force_login(alice)

    page = staff.get(reverse("placements:placement", args=[placement.pk])).content.decode()

    assert f'id="step-{evaluation.pk}"' in page  # the step in the aftercare timeline, the answer's link target
    assert f'href="#step-{evaluation.pk}"' in page  # the answered invitation links to it
    assert "Survey answered." in page and "4.0 of 5" in page
