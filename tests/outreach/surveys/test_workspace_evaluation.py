"""The evaluation section of the placement page: the step's due day, when it is overdue, and resending the link."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.formats import date_format

from outreach.surveys.answers import parse_answers
from outreach.surveys.models import SurveyInvitation, SurveyMail
from outreach.surveys.services import submit_response
from placements.choices import StepKind
from placements.models import AftercareStep, Placement
from tests.outreach.helpers import at, enqueued, step
from tests.outreach.surveys.helpers import full_answers, invite

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def evaluation_of(placement: Placement) -> AftercareStep:
    found = step(placement, kind=StepKind.EMPLOYER_EVALUATION)
    assert found is not None, "the default plan has an employer evaluation"
    return found


def section(placement: Placement, user: User, *, on: dt.date) -> str:
    """The evaluation section as the placement page includes it, rendered on a day."""
    request = RequestFactory().get("/")
    request.user = user
    with time_machine.travel(at(on, hour=12), tick=False):
        return render_to_string(
            "outreach/workspace/placement_evaluation.html", {"placement": placement}, request=request
        )


def mailed(
    invitation: SurveyInvitation, *, on: dt.date, reminders: int = 0, reminded_on: dt.date | None = None
) -> None:
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        sent_at=at(on),
        reminders_sent=reminders,
        last_reminded_at=at(reminded_on) if reminded_on else None,
    )


def answer(invitation: SurveyInvitation, when: dt.datetime) -> None:
    questions = list(invitation.template.questions.all())
    form = MultiValueDict({key: [value] for key, value in full_answers(invitation.template).items()})
    answers, errors = parse_answers(questions, form)
    assert not errors
    assert submit_response(invitation=invitation, answers=answers, language="nl", now=when) is not None


def resend_url(placement: Placement, invitation: SurveyInvitation) -> str:
    return reverse("outreach:placement-evaluation-resend", args=[placement.pk, invitation.pk])


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Due day and overdue ------------------------------------------------------------------------


def test_the_section_shows_the_evaluation_steps_due_day_and_it_is_not_overdue_before_it(placement, alice):
    evaluation = evaluation_of(placement)

    html = section(placement, alice, on=evaluation.due_on - DAY)

    assert f"due {date_format(evaluation.due_on, 'SHORT_DATE_FORMAT')}" in html
    assert f'href="#step-{evaluation.pk}"' in html
    assert "Overdue" not in html and "No evaluation yet." in html


def test_past_its_due_day_without_an_invitation_mailed_the_evaluation_is_overdue(placement, alice):
    evaluation = evaluation_of(placement)

    html = section(placement, alice, on=evaluation.due_on + DAY)

    assert "Overdue" in html and "No invitation has been mailed yet." in html


def test_a_mailed_link_still_being_reminded_is_not_overdue_yet(placement, alice):
    evaluation = evaluation_of(placement)
    invitation, _link = invite(placement, now=at(evaluation.due_on))
    mailed(invitation, on=evaluation.due_on, reminders=1, reminded_on=evaluation.due_on + 7 * DAY)

    html = section(placement, alice, on=evaluation.due_on + 8 * DAY)

    assert "Overdue" not in html


def test_a_link_unanswered_after_all_its_reminders_is_overdue(placement, alice):
    evaluation = evaluation_of(placement)
    invitation, _link = invite(placement, now=at(evaluation.due_on))
    last = evaluation.due_on + 14 * DAY
    mailed(invitation, on=evaluation.due_on, reminders=settings.SURVEY_MAX_REMINDERS, reminded_on=last)

    waiting = section(placement, alice, on=last + (settings.SURVEY_REMINDER_AFTER_DAYS - 1) * DAY)
    overdue = section(placement, alice, on=last + settings.SURVEY_REMINDER_AFTER_DAYS * DAY)

    assert "Overdue" not in waiting
    assert "Overdue" in overdue and "Not answered after all reminders." in overdue


def test_an_expired_unanswered_link_makes_the_evaluation_overdue(placement, alice):
    evaluation = evaluation_of(placement)
    invitation, _link = invite(placement, now=at(evaluation.due_on))
    mailed(invitation, on=evaluation.due_on)

    html = section(placement, alice, on=evaluation.due_on + (settings.SURVEY_LINK_VALID_DAYS + 1) * DAY)

    assert "The link expired without an answer." in html


def test_an_answered_evaluation_is_not_overdue_and_offers_no_resend(placement, alice):
    evaluation = evaluation_of(placement)
    invitation, _link = invite(placement, now=at(evaluation.due_on))
    mailed(invitation, on=evaluation.due_on)
    answer(invitation, at(evaluation.due_on + DAY))

    html = section(placement, alice, on=evaluation.due_on + 60 * DAY)

    assert "Overdue" not in html and "Submitted" in html
    assert resend_url(placement, invitation) not in html


def test_an_unanswered_link_offers_a_resend_form(placement, alice):
    invitation, _link = invite(placement, now=at(evaluation_of(placement).due_on))

    html = section(placement, alice, on=evaluation_of(placement).due_on)

    assert f'action="{resend_url(placement, invitation)}"' in html and 'method="post"' in html


# --- Resend -------------------------------------------------------------------------------------


def test_resending_mails_a_new_link_after_commit_and_the_old_one_stops_working(
    placement, alice, django_capture_on_commit_callbacks
):
    invitation, _link = invite(placement, now=timezone.now() - 3 * DAY)
    before = SurveyInvitation.objects.get(pk=invitation.pk)

    with django_capture_on_commit_callbacks() as callbacks:
        response = signed_in(alice).post(resend_url(placement, invitation))

    after = SurveyInvitation.objects.get(pk=invitation.pk)
    newest = SurveyMail.objects.filter(invitation=invitation).order_by("-pk").first()
    assert response.status_code == 302
    assert response["Location"] == reverse("placements:placement", args=[placement.pk]) + "#evaluation"
    assert after.token_hash != before.token_hash and after.expires_at > before.expires_at
    assert newest is not None and enqueued(callbacks) == [("outreach.tasks.send_mails", ("survey", [newest.pk]))]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"A new link is on its way to {invitation.email}."]


def test_resending_an_answered_survey_says_why_and_changes_nothing(placement, alice):
    invitation, _link = invite(placement, now=at(evaluation_of(placement).due_on))
    answer(invitation, at(evaluation_of(placement).due_on + DAY))
    before = SurveyInvitation.objects.get(pk=invitation.pk)
    mails = SurveyMail.objects.count()

    response = signed_in(alice).post(resend_url(placement, invitation))

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "This survey was already answered; it cannot be sent again."
    ]
    assert SurveyInvitation.objects.get(pk=invitation.pk).token_hash == before.token_hash
    assert SurveyMail.objects.count() == mails


def test_another_coach_cannot_resend_and_a_get_changes_nothing(placement, alice, bob):
    invitation, _link = invite(placement, now=at(evaluation_of(placement).due_on))
    before = SurveyInvitation.objects.get(pk=invitation.pk)

    assert signed_in(bob).post(resend_url(placement, invitation)).status_code == 404
    assert signed_in(alice).get(resend_url(placement, invitation)).status_code == 405
    assert SurveyInvitation.objects.get(pk=invitation.pk).token_hash == before.token_hash


def test_an_invitation_of_another_placement_is_not_found_under_this_one(make_placement, placement, alice):
    other = make_placement()
    invitation, _link = invite(other, now=at(evaluation_of(other).due_on))

    assert signed_in(alice).post(resend_url(placement, invitation)).status_code == 404


def test_the_survey_links_keep_their_public_paths():
    assert reverse("survey", args=["abc"]) == "/s/abc/"
    assert reverse("survey-thanks") == "/s/thanks/"
