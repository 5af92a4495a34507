"""A client's file with everything the privacy tests look for: consents, an agreement, a placement, steps, survey."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User

from outreach.surveys.models import Answer, Question, SurveyInvitation, SurveyResponse, SurveyTemplate
from placements import services
from placements.choices import Gender, PlacementStatus
from placements.models import AftercareStep, Client, Placement
from tests.placements.factories import ClientFactory, PlacementFactory

PASSWORD = "correct-horse-battery"
NOW = dt.datetime(2027, 1, 1, 9, 0, tzinfo=dt.UTC)
START = dt.date(2026, 3, 2)

# Her personal data, each value unique enough to be searched for in a dump of the database.
PERSONAL = {
    "first_name": "Zeynepwyn",
    "email": "zeynep.private@example.org",
    "phone": "+31 6 9876 5432",
    "gender_description": "vrouw, zelfgekozen omschrijving",
}
GOAL = "Wants to finish her Dutch course by spring"
NOTE = "Prefers a mentor who speaks Turkish"
ANSWER = "Zeynepwyn was very punctual and kind"


def login(client: Any, user: User) -> None:
    """Sign the test client in."""
    assert client.login(username=user.username, password=PASSWORD)


def full_file(coach: User, *, reference: str = "C-2026-0500", **fields: Any) -> Client:
    """A woman with consents, an agreement, an ended placement with notes, a ladder stay and a survey answer."""
    client = ClientFactory.create(coach=coach, reference=reference, gender=Gender.WOMAN, **{**PERSONAL, **fields})
    services.record_consent(client=client, purpose="share_with_employer", given_on=dt.date(2026, 1, 5), actor=None)
    services.revise_agreement(
        client=client,
        actor=None,
        fields={
            "parties": f"{PERSONAL['first_name']}, coach",
            "joint_work": "Find a kitchen job",
            "expected_result": "A contract",
            "success_measure": "She signs",
            "goals_private": GOAL,
            "share_with_employer": NOTE,
            "agreed_on": dt.date(2026, 2, 1),
        },
        change_note="",
        now=NOW,
    )
    placement = PlacementFactory.create(client=client, start_on=START)
    services.activate_placement(placement=placement, actor=None, now=NOW)
    step = AftercareStep.objects.filter(placement=placement).order_by("due_on").first()
    assert step is not None
    AftercareStep.objects.filter(pk=step.pk).update(notes=NOTE, outcome=GOAL)
    Placement.objects.filter(pk=placement.pk).update(
        status=PlacementStatus.COMPLETED, actual_end_on=dt.date(2026, 9, 30), end_reason=NOTE
    )
    _survey_answer(placement)
    return client


def _survey_answer(placement: Placement) -> None:
    template = SurveyTemplate.objects.order_by("pk").first()
    assert template is not None, "the surveys migration seeds a template"
    question = Question.objects.filter(template=template, type="long_text").first()
    assert question is not None
    assert placement.mentor is not None, "the placement factory gives a mentor"
    invitation = SurveyInvitation.objects.create(
        template=template,
        placement=placement,
        employer=placement.employer,
        contact=placement.mentor,
        email="mentor@example.org",
        language="en",
        token_prefix=f"p{placement.pk}",
        token_hash="0" * 64,
        token_seed="seed",
        expires_at=NOW + dt.timedelta(days=30),
        submitted_at=NOW,
    )
    response = SurveyResponse.objects.create(invitation=invitation, template=template, submitted_at=NOW, language="en")
    Answer.objects.create(response=response, question=question, text=ANSWER)
