"""The outreach demo: employer evaluations in every state a coach meets, on top of the placements demo."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from outreach.mail.models import MailStatus
from outreach.surveys.models import SurveyInvitation, SurveyMail, SurveyResponse
from placements.choices import StepKind
from placements.models import AftercareStep

pytestmark = pytest.mark.django_db
AS_OF = "2026-11-02"
TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def seeded(alice: User, bob: User, carl: User) -> dt.datetime:
    """The demo seeded as of AS_OF; returns the moment it was seeded for."""
    call_command("seed_demo", "--as-of", AS_OF, "--employers", "30", stdout=StringIO())
    return timezone.make_aware(dt.datetime.combine(TODAY, dt.time(17)))


def invitation_of(reference: str) -> SurveyInvitation:
    return SurveyInvitation.objects.select_related("placement").get(placement__client__reference=reference)


def test_an_answered_evaluation_has_a_response_and_its_step_is_done(seeded):
    invitation = invitation_of("WB-2026-0013")

    response = SurveyResponse.objects.get(invitation=invitation)
    assert invitation.submitted_at == response.submitted_at
    assert response.answers.exists()
    assert response.step is not None and response.step.status == "done"
    assert response.step.kind == StepKind.EMPLOYER_EVALUATION


def test_a_sent_evaluation_waits_for_the_answer_with_its_step_open(seeded):
    invitation = invitation_of("WB-2026-0016")

    assert invitation.sent_at is not None and invitation.submitted_at is None
    assert invitation.expires_at > seeded and invitation.reminders_sent == 0
    assert invitation.mails.get().status == MailStatus.SENT
    assert AftercareStep.objects.open().filter(placement=invitation.placement, kind=StepKind.EMPLOYER_EVALUATION)


def test_an_overdue_evaluation_was_reminded_to_no_avail(seeded):
    invitation = invitation_of("WB-2026-0018")

    assert invitation.submitted_at is None
    assert invitation.reminders_sent == settings.SURVEY_MAX_REMINDERS
    assert invitation.mails.filter(kind="reminder", status=MailStatus.SENT).count() == settings.SURVEY_MAX_REMINDERS
    assert invitation.expires_at <= seeded  # the link ran out: the coach has to follow it up herself
    overdue = AftercareStep.objects.overdue(today=TODAY).filter(kind=StepKind.EMPLOYER_EVALUATION)
    assert overdue.filter(placement=invitation.placement).exists()


def test_seeding_queues_no_mail(seeded):
    assert not SurveyMail.objects.exclude(status=MailStatus.SENT).exists()


def test_a_second_run_creates_no_evaluation(seeded):
    before = list(SurveyInvitation.objects.order_by("pk").values_list("pk", "reminders_sent", "submitted_at"))
    responses = SurveyResponse.objects.count()

    call_command("seed_demo", "--as-of", AS_OF, "--employers", "30", stdout=StringIO())

    assert list(SurveyInvitation.objects.order_by("pk").values_list("pk", "reminders_sent", "submitted_at")) == before
    assert SurveyResponse.objects.count() == responses == 1
