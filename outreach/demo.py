"""Demo employer evaluations for `manage.py seed_demo`: every state a coach meets on the placement page, and a
personal page for the mentor of every running demo placement (issue 14), so `make run` shows it.

Runs after the placements seeder (INSTALLED_APPS order) and reads the demo placements whose employer
evaluation it left open (placements.demo OPEN_EVALUATION): one answered, one sent and waiting, one
reminded twice to no avail whose link expired; one more has no invitation at all, so its evaluation
step is simply overdue. What the mails did is recorded as history, sent and dated; nothing is queued,
so seeding never mails a demo contact. Keyed on the placement: a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outreach.mail.models import MailStatus
from outreach.mentors.models import MentorLink
from outreach.mentors.services import issue_link
from outreach.surveys.answers import CleanAnswer
from outreach.surveys.links import new_token
from outreach.surveys.models import (
    Question,
    QuestionType,
    SurveyInvitation,
    SurveyKind,
    SurveyMail,
    SurveyMailKind,
    SurveyTemplate,
)
from outreach.surveys.services import submit_response
from placements.choices import StepKind
from placements.models import AftercareStep, Placement

if TYPE_CHECKING:
    from crm.demo import DemoContext

# Demo client reference: what happened to her employer's evaluation.
ANSWERED, WAITING, REMINDED = "answered", "waiting", "reminded"
EVALUATIONS = {"WB-2026-0013": ANSWERED, "WB-2026-0016": WAITING, "WB-2026-0018": REMINDED}
# WB-2026-0015 keeps her evaluation step without an invitation: overdue, never sent.
ANSWER_AFTER_DAYS = 4
TEXTS = {
    "nl": "Ze is betrouwbaar en leert snel; de begeleiding door de jobcoach hielp ons ook.",
    "sv": "Hon är pålitlig och lär sig snabbt; stödet från jobbcoachen hjälpte oss också.",
    "en": "She is reliable and learns fast; the job coach's support helped us too.",
}


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A moment in working hours on `day`."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _answer(question: Question, language: str) -> CleanAnswer | None:
    """A friendly employer's answer to one question."""
    kind = question.type
    if kind == QuestionType.SCALE:
        return CleanAnswer(question, number=Decimal(4))
    if kind == QuestionType.NPS:
        return CleanAnswer(question, number=Decimal(9))
    if kind == QuestionType.NUMBER:
        return CleanAnswer(question, number=Decimal(2))
    if kind == QuestionType.YES_NO:
        return CleanAnswer(question, choices=["yes"])
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        keys = question.option_keys()
        return CleanAnswer(question, choices=keys[:1]) if keys else None
    return CleanAnswer(question, text=TEXTS.get(language, TEXTS["en"])) if question.required else None


def _invite(placement: Placement, template: SurveyTemplate, *, sent_at: dt.datetime) -> SurveyInvitation:
    """The invitation as it stands after its first mail went out at `sent_at`, with that mail."""
    contact = placement.mentor
    assert contact is not None  # _candidates only offers placements with a mentor who has an address
    token = new_token()
    invitation = SurveyInvitation.objects.create(
        template=template,
        placement=placement,
        employer=placement.employer,
        contact=contact,
        email=contact.email,
        language=contact.preferred_language or "en",
        token_prefix=token.prefix,
        token_hash=token.hash,
        token_seed=token.seed,
        created_by=placement.coach,
        created_at=sent_at,
        sent_at=sent_at,
        expires_at=sent_at + dt.timedelta(days=settings.SURVEY_LINK_VALID_DAYS),
    )
    _mail(invitation, SurveyMailKind.INVITATION, at=sent_at)
    return invitation


def _mail(invitation: SurveyInvitation, kind: str, *, at: dt.datetime) -> None:
    """One mail of the link, sent at `at`."""
    SurveyMail.objects.create(
        invitation=invitation,
        kind=kind,
        recipient_email=invitation.email,
        language=invitation.language,
        status=MailStatus.SENT,
        attempts=1,
        queued_at=at,
        created_at=at,
        sent_at=at,
    )


def _remind(invitation: SurveyInvitation, *, now: dt.datetime) -> None:
    """The reminders the sweep sent, every SURVEY_REMINDER_AFTER_DAYS, up to SURVEY_MAX_REMINDERS, before `now`."""
    assert invitation.sent_at is not None
    for count in range(1, settings.SURVEY_MAX_REMINDERS + 1):
        at = invitation.sent_at + dt.timedelta(days=settings.SURVEY_REMINDER_AFTER_DAYS * count)
        if at > now:
            return
        _mail(invitation, SurveyMailKind.REMINDER, at=at)
        SurveyInvitation.objects.filter(pk=invitation.pk).update(reminders_sent=count, last_reminded_at=at)


def _answer_all(invitation: SurveyInvitation, *, now: dt.datetime) -> None:
    """The employer answers every question through the survey service, which completes the evaluation step."""
    questions = list(invitation.template.questions.order_by("order"))
    answers = [answer for question in questions if (answer := _answer(question, invitation.language))]
    submit_response(invitation=invitation, answers=answers, language=invitation.language, now=now)


def _candidates(*, as_of: dt.date) -> list[tuple[Placement, AftercareStep]]:
    """Placements of EVALUATIONS clients not yet invited, with a mentor to ask and an evaluation due by `as_of`."""
    invited = SurveyInvitation.objects.filter(placement__client__reference__in=list(EVALUATIONS))
    taken = set(invited.values_list("placement__client__reference", flat=True))
    rows = []
    placements = (
        Placement.objects.filter(
            client__reference__in=[reference for reference in EVALUATIONS if reference not in taken]
        )
        .exclude(mentor__isnull=True)
        .exclude(mentor__email="")
        .select_related("client", "mentor", "employer", "coach")
        .order_by("start_on", "pk")
    )
    for placement in placements:
        evaluations = placement.steps.filter(kind=StepKind.EMPLOYER_EVALUATION, due_on__lt=as_of)
        step = evaluations.order_by("due_on", "pk").first()
        if step is not None:
            rows.append((placement, step))
    return rows


def _mentor_links(context: DemoContext) -> int:
    """A working link for the mentor of each running demo placement that has none (issue_link is idempotent)."""
    running = Placement.objects.running().filter(mentor__isnull=False).exclude(mentor_links__revoked_at__isnull=True)
    made = 0
    for placement in running.order_by("pk"):
        issue_link(placement=placement, actor=placement.coach, now=context.now)
        made += 1
    context.log(f"{made} mentor links ({MentorLink.objects.live().count()} in all)")
    return made


def seed_demo(*, context: DemoContext) -> dict[str, int]:
    """Give the demo placements' employer evaluations their states; only what is missing is created."""
    template = SurveyTemplate.objects.filter(kind=SurveyKind.EMPLOYER_END, is_active=True).first()
    created = {"survey invitations": 0, "survey responses": 0, "mentor links": _mentor_links(context)}
    if template is None:
        context.log("No active employer evaluation survey: demo evaluations skipped.")
        return created
    done: set[str] = set()
    for placement, step in _candidates(as_of=context.as_of):
        state = EVALUATIONS[placement.client.reference]
        if state in done or not step.is_open:
            continue
        done.add(state)
        sent_at = min(_at(step.due_on), context.now)
        with transaction.atomic():
            invitation = _invite(placement, template, sent_at=sent_at)
            if state == ANSWERED:
                _answer_all(invitation, now=min(sent_at + dt.timedelta(days=ANSWER_AFTER_DAYS), context.now))
                created["survey responses"] += 1
            elif state == REMINDED:
                _remind(invitation, now=context.now)
        created["survey invitations"] += 1
    context.log(f"{created['survey invitations']} demo evaluations, {created['survey responses']} answered")
    return created
