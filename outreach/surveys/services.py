"""Evaluation survey workflows: versions, invitations, mails and reminders, submissions.

An invitation is made when a placement reaches its employer-evaluation step (the follow-up sweep
leaves a pending evaluation_due notice, which `take_evaluation_notices` turns into an invitation
exactly once) or when a placement ends. Mails go after commit, from a Celery task (outreach/tasks.py)
through the one mail life cycle (outreach/mail/), in the contact's language (DESIGN "Runtime"). Every function takes
the current time, so tests and operators can run "as of" a moment.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.types import Actor, actor_user
from common.urls import absolute_url
from crm.choices import ContactRole, Initiator, InteractionKind, Language, Stage
from crm.models import Contact, Employer
from crm.services import log_interaction
from outreach.followups.models import FollowUpNotice
from outreach.mail.models import MailStatus
from outreach.mail.queue import Publisher, queued_fields
from outreach.mail.render import Mail, mail_language, render_mail
from outreach.mail.send import Skip, deliver
from outreach.surveys.answers import CleanAnswer
from outreach.surveys.links import link_for, new_token, secret_matches, split_link
from outreach.surveys.models import Answer as AnswerRow
from outreach.surveys.models import (
    Question,
    QuestionType,
    SurveyInvitation,
    SurveyKind,
    SurveyMail,
    SurveyMailKind,
    SurveyResponse,
    SurveyTemplate,
)
from placements.choices import ConsentPurpose, StepKind
from placements.models import AftercareStep, Placement
from placements.services import complete_step

NOTICE_BATCH = 500


# --- Templates ---------------------------------------------------------------------------------


def active_template(kind: str) -> SurveyTemplate:
    """The version of a survey new invitations use; a clear error when there is none."""
    template = SurveyTemplate.objects.filter(kind=kind, is_active=True).first()
    if template is None:
        raise ValidationError({"template": _("There is no active survey of this kind.")})
    return template


def template_is_used(template: SurveyTemplate) -> bool:
    """True once anyone answered this version: from then on it is never edited in place."""
    return SurveyResponse.objects.filter(template=template).exists()


@transaction.atomic
def revise_template(*, template: SurveyTemplate, actor: Actor, now: dt.datetime | None = None) -> SurveyTemplate:
    """The version to edit: the template itself while unanswered, else a new active copy (old answers keep theirs)."""
    if not template_is_used(template):
        return template
    now = now or timezone.now()
    latest = SurveyTemplate.objects.filter(kind=template.kind).order_by("-version").first()
    version = (latest.version if latest is not None else template.version) + 1
    SurveyTemplate.objects.filter(kind=template.kind, is_active=True).update(is_active=False)
    copy = SurveyTemplate.objects.create(
        name=template.name, kind=template.kind, version=version, previous=template, is_active=True, created_at=now
    )
    questions = list(template.questions.order_by("order"))
    for question in questions:
        question.pk, question.template = None, copy
    Question.objects.bulk_create(questions)
    return copy


# --- Invitations -------------------------------------------------------------------------------


def _new_mail(invitation: SurveyInvitation, kind: str, *, now: dt.datetime) -> SurveyMail:
    """A mail row for the link, published once the transaction commits."""
    mail = SurveyMail.objects.create(
        invitation=invitation,
        kind=kind,
        recipient_email=invitation.email,
        language=invitation.language,
        queued_at=now,
        **queued_fields(),
    )
    Publisher().publish(SurveyMail, [mail.pk])
    return mail


def _contact_language(contact: Contact) -> str:
    return mail_language(contact.preferred_language or Language.EN)


def _check_contact(contact: Contact | None, employer: Employer) -> Contact:
    """The contact must work at the employer, be active and have an email address."""
    if contact is None:
        raise ValidationError({"contact": _("Choose the contact who should answer the survey.")})
    if contact.employer_id != employer.pk:
        raise ValidationError({"contact": _("This contact works at another employer.")})
    if not contact.is_active or not contact.email:
        raise ValidationError({"contact": _("This contact is inactive or has no email address.")})
    return contact


@transaction.atomic
def create_invitation(
    *,
    template: SurveyTemplate,
    contact: Contact | None,
    actor: Actor,
    placement: Placement | None = None,
    employer: Employer | None = None,
    notice: FollowUpNotice | None = None,
    now: dt.datetime | None = None,
    mail: bool = True,
) -> SurveyInvitation:
    """Invite one employer contact to one survey; the mail is sent by a task after commit.

    Without `mail` the invitation gets no mail of its own (nor reminders, which count from its first mail):
    it is answered on the mentor's page, which another mail links to (`open_check_in`).
    """
    now = now or timezone.now()
    employer = placement.employer if placement is not None else employer
    if employer is None:
        raise ValidationError({"employer": _("Choose an employer or a placement.")})
    if placement is None and template.kind != SurveyKind.EMPLOYER_DECLINED:
        raise ValidationError({"placement": _("This survey is about a placement; choose one.")})
    contact = _check_contact(contact, employer)
    token = new_token()
    invitation = SurveyInvitation.objects.create(
        template=template,
        placement=placement,
        employer=employer,
        contact=contact,
        email=contact.email,
        language=_contact_language(contact),
        notice=notice,
        token_prefix=token.prefix,
        token_hash=token.hash,
        token_seed=token.seed,
        created_by=actor_user(actor),
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.SURVEY_LINK_VALID_DAYS),
    )
    if mail:
        _new_mail(invitation, SurveyMailKind.INVITATION, now=now)
    return invitation


def open_invitation_for(placement: Placement, kind: str) -> SurveyInvitation | None:
    """A placement's invitation of a kind that is not cancelled (one per placement and kind)."""
    return (
        SurveyInvitation.objects.filter(placement=placement, template__kind=kind, cancelled_at__isnull=True)
        .order_by("-created_at")
        .first()
    )


def invite_for_placement(
    *,
    placement: Placement,
    actor: Actor,
    contact: Contact | None = None,
    kind: str = SurveyKind.EMPLOYER_END,
    now: dt.datetime | None = None,
    notice: FollowUpNotice | None = None,
) -> SurveyInvitation:
    """Invite the workplace mentor (or the chosen contact) to a placement's survey, once per placement and kind."""
    existing = open_invitation_for(placement, kind)
    if existing is not None:
        return existing
    return create_invitation(
        template=active_template(kind),
        contact=contact or placement.mentor,
        actor=actor,
        placement=placement,
        notice=notice,
        now=now,
    )


def open_check_in(placement: Placement, *, now: dt.datetime) -> SurveyInvitation | None:
    """Open the placement's mid-placement check-in on its mentor's page, once, with no mail of its own.

    The employer check-in mail links to the mentor's page (issue 14), where she answers the check-in
    questions; the first such mail opens them. None when the placement has no mentor who can answer
    (none, inactive, no address) or no check-in survey is active.
    """
    existing = open_invitation_for(placement, SurveyKind.MID_PLACEMENT)
    if existing is not None:
        return existing
    try:
        return create_invitation(
            template=active_template(SurveyKind.MID_PLACEMENT),
            contact=placement.mentor,
            actor=None,
            placement=placement,
            now=now,
            mail=False,
        )
    except ValidationError:
        return None


def invite_declined_employer(
    *, employer: Employer, contact: Contact | None, actor: Actor, now: dt.datetime | None = None
) -> SurveyInvitation:
    """Ask an employer who declined the offer the short category C survey (Flora IV.1; §4.9)."""
    if employer.stage != Stage.DECLINED:
        raise ValidationError({"employer": _("This survey is for employers who declined our offer.")})
    if employer.do_not_engage:
        raise ValidationError({"employer": _("This employer is flagged do-not-engage.")})
    if contact is None:
        contact = employer.contacts.filter(is_active=True).exclude(email="").exclude(role=ContactRole.ADMIN).first()
    return create_invitation(
        template=active_template(SurveyKind.EMPLOYER_DECLINED), contact=contact, actor=actor, employer=employer, now=now
    )


def _take_notice(notice_pk: int, now: dt.datetime) -> SurveyInvitation | None:
    """Turn one pending evaluation_due notice into an invitation; the conditional update makes it happen once."""
    with transaction.atomic():
        won = FollowUpNotice.objects.evaluations_due().filter(pk=notice_pk).update(status=MailStatus.SENDING)
        if not won:
            return None
        notice = FollowUpNotice.objects.select_related("step__placement__mentor", "step__placement__employer").get(
            pk=notice_pk
        )
        try:
            invitation = invite_for_placement(placement=notice.step.placement, actor=None, now=now, notice=None)
        except ValidationError as exc:
            FollowUpNotice.objects.filter(pk=notice_pk).update(
                status=MailStatus.SKIPPED, last_error=" ".join(exc.messages)[:2000]
            )
            return None
        if invitation.notice_id is None:
            SurveyInvitation.objects.filter(pk=invitation.pk).update(notice=notice)
        FollowUpNotice.objects.filter(pk=notice_pk).update(status=MailStatus.SENT, sent_at=now)
        return invitation


def take_evaluation_notices(*, now: dt.datetime | None = None, limit: int = NOTICE_BATCH) -> int:
    """Consume the follow-up engine's pending evaluation_due notices; returns the invitations made."""
    now = now or timezone.now()
    pks = list(FollowUpNotice.objects.evaluations_due().order_by("pk").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in pks if _take_notice(pk, now) is not None)


@transaction.atomic
def resend_invitation(
    *, invitation: SurveyInvitation, actor: Actor, now: dt.datetime | None = None
) -> SurveyInvitation:
    """Mail a new link (the old one stops working) with a fresh validity period; not after an answer."""
    now = now or timezone.now()
    token = new_token()
    updated = SurveyInvitation.objects.filter(pk=invitation.pk, submitted_at__isnull=True).update(
        token_prefix=token.prefix,
        token_hash=token.hash,
        token_seed=token.seed,
        cancelled_at=None,
        sent_at=None,
        reminders_sent=0,
        last_reminded_at=None,
        expires_at=now + dt.timedelta(days=settings.SURVEY_LINK_VALID_DAYS),
    )
    if not updated:
        raise ValidationError(_("This survey was already answered; it cannot be sent again."))
    invitation.refresh_from_db()
    _new_mail(invitation, SurveyMailKind.INVITATION, now=now)
    return invitation


@transaction.atomic
def cancel_invitation(
    *, invitation: SurveyInvitation, actor: Actor, now: dt.datetime | None = None
) -> SurveyInvitation:
    """Withdraw a link that was not answered yet; it then shows the same page as an unknown link.

    The evaluation step it was for stays open: the coach does the evaluation herself, and the
    follow-up engine keeps reminding her (the hand-off to a survey happens once per step).
    """
    now = now or timezone.now()
    updated = SurveyInvitation.objects.filter(
        pk=invitation.pk, submitted_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=now)
    if not updated:
        raise ValidationError(_("This survey was already answered or cancelled."))
    invitation.refresh_from_db()
    return invitation


# --- Mails -------------------------------------------------------------------------------------


def survey_url(invitation: SurveyInvitation) -> str:
    """The personal link, absolute (SITE_URL), for the mails."""
    return absolute_url(reverse("survey", args=[link_for(invitation.token_prefix, invitation.token_seed)]))


def invitation_mail(invitation: SurveyInvitation, *, reminder: bool) -> Mail:
    """The invitation or reminder in the contact's language, with the personal link."""
    placement = invitation.placement
    coach = placement.coach if placement is not None else invitation.created_by
    context = {
        "contact_name": invitation.contact.first_name,
        "employer_name": invitation.employer.name,
        "job_title": placement.job_title if placement is not None else "",
        "start_on": placement.start_on if placement is not None else None,
        "url": survey_url(invitation),
        "expires_on": timezone.localdate(invitation.expires_at),
        "coach_name": (coach.get_full_name() or coach.get_username()) if coach is not None else "",
        "kind": invitation.template.kind,
    }
    reply_to = (coach.email,) if coach is not None and coach.email else ()
    name = "survey_reminder" if reminder else "survey_invitation"
    mail = render_mail(name, to=invitation.email, language=invitation.language, context=context, reply_to=reply_to)
    mail.headers["X-Werkbrug-Survey"] = f"{invitation.pk}:{'reminder' if reminder else 'invitation'}"
    return mail


def why_not_mailed(invitation: SurveyInvitation, *, now: dt.datetime) -> str:
    """Why a link's mail is no longer useful, or "" while the link can still be answered."""
    if invitation.submitted_at is not None:
        return _("The survey was answered before this mail went out.")
    if invitation.cancelled_at is not None:
        return _("The invitation was cancelled before this mail went out.")
    if invitation.expires_at <= now:
        return _("The link expired before this mail went out.")
    return ""


def _load_mail(pk: int) -> SurveyMail:
    return SurveyMail.objects.select_related(
        "invitation__template",
        "invitation__contact",
        "invitation__employer",
        "invitation__placement__coach",
        "invitation__created_by",
    ).get(pk=pk)


def _record_first_mail(mail: SurveyMail, now: dt.datetime) -> None:
    """The link counts as mailed (reminders count from here) once its invitation mail left."""
    if mail.kind == SurveyMailKind.INVITATION:
        # The moment the mail was made for, like the sweeps' own: reminders count from it, "as of" runs included.
        sent_at = mail.queued_at or now
        SurveyInvitation.objects.filter(pk=mail.invitation_id, sent_at__isnull=True).update(sent_at=sent_at)


def deliver_survey_mail(*, mail_pk: int, now: dt.datetime | None = None) -> str:
    """Send one invitation or reminder mail at most once; closed unsent once the link was answered or closed."""
    now = now or timezone.now()

    def build(mail: SurveyMail) -> Mail | Skip:
        reason = why_not_mailed(mail.invitation, now=now)
        if reason:
            return Skip(reason)
        return invitation_mail(mail.invitation, reminder=mail.kind == SurveyMailKind.REMINDER)

    return deliver(SurveyMail, mail_pk, load=_load_mail, build=build, now=now, on_sent=_record_first_mail)


def reminders_due(*, now: dt.datetime) -> Any:
    """Answerable, mailed invitations whose last mail is N days old and that had fewer than M reminders."""
    cutoff = now - dt.timedelta(days=settings.SURVEY_REMINDER_AFTER_DAYS)
    return (
        SurveyInvitation.objects.answerable(now=now)
        .filter(sent_at__isnull=False, reminders_sent__lt=settings.SURVEY_MAX_REMINDERS)
        .filter(Q(last_reminded_at__lte=cutoff) | Q(last_reminded_at__isnull=True, sent_at__lte=cutoff))
    )


def sweep_reminders(*, now: dt.datetime | None = None) -> list[int]:
    """Claim the reminders due now (a conditional update per link), each with its mail row; published per batch."""
    now = now or timezone.now()
    made: list[int] = []
    for pk, count in reminders_due(now=now).values_list("pk", "reminders_sent")[:NOTICE_BATCH]:
        with transaction.atomic():
            won = (
                reminders_due(now=now)
                .filter(pk=pk, reminders_sent=count)
                .update(reminders_sent=count + 1, last_reminded_at=now)
            )
            if won:
                invitation = SurveyInvitation.objects.get(pk=pk)
                made.append(
                    SurveyMail.objects.create(
                        invitation=invitation,
                        kind=SurveyMailKind.REMINDER,
                        recipient_email=invitation.email,
                        language=invitation.language,
                        queued_at=now,
                        **queued_fields(),
                    ).pk
                )
    Publisher().publish(SurveyMail, made)
    return made


# --- The public page -----------------------------------------------------------------------------


def find_invitation(link: str, *, now: dt.datetime) -> SurveyInvitation | None:
    """The answerable invitation of a link; None for unknown, tampered, expired, used and cancelled alike."""
    parts = split_link(link)
    if parts is None:
        return None
    prefix, secret = parts
    # No ORDER BY: at most one candidate's hash matches (as in outreach.mentors.services.find_link).
    candidates = (
        SurveyInvitation.objects.answerable(now=now)
        .filter(token_prefix=prefix)
        .select_related("template", "placement__client", "employer", "contact")
        .order_by()
    )
    for invitation in candidates:
        if secret_matches(secret, invitation.token_hash):
            return invitation
    return None


def colleague_first_name(invitation: SurveyInvitation, *, today: dt.date) -> str:
    """The client's first name, only while her consent to share with the employer is in force (Flora III.1.B)."""
    placement = invitation.placement
    if placement is None or not placement.client.has_consent(ConsentPurpose.SHARE_WITH_EMPLOYER, on=today):
        return ""
    return placement.client.first_name


def _answer_rows(response: SurveyResponse, answers: list[CleanAnswer]) -> list[AnswerRow]:
    return [
        AnswerRow(response=response, question=a.question, number=a.number, text=a.text, choices=a.choices)
        for a in answers
    ]


def response_summary(answers: list[CleanAnswer]) -> str:
    """The timeline line of a response: average scale score and recommendation score."""
    scale = [a.number for a in answers if a.question.type == QuestionType.SCALE and a.number is not None]
    nps = [a.number for a in answers if a.question.type == QuestionType.NPS and a.number is not None]
    parts = [_("Survey answered.")]
    if scale:
        parts.append(_("Average score %(score).1f of 5.") % {"score": float(sum(scale)) / len(scale)})
    if nps:
        parts.append(_("Recommendation %(nps)s of 10.") % {"nps": int(nps[0])})
    return " ".join(parts)


def evaluation_step(invitation: SurveyInvitation) -> AftercareStep | None:
    """The employer-evaluation step an invitation answers: its hand-off's step, else the placement's one open one.

    An invitation made at the placement's end has no hand-off; it answers the open evaluation step
    only when there is exactly one, since with two we cannot tell which.
    """
    if invitation.notice_id is not None:
        return AftercareStep.objects.filter(followup_notices=invitation.notice_id).first()
    if invitation.placement_id is None or invitation.template.kind != SurveyKind.EMPLOYER_END:
        return None
    steps = AftercareStep.objects.open().filter(placement=invitation.placement_id, kind=StepKind.EMPLOYER_EVALUATION)
    candidates = list(steps[:2])
    return candidates[0] if len(candidates) == 1 else None


def _complete_evaluation_step(
    step: AftercareStep, *, invitation: SurveyInvitation, summary: str, now: dt.datetime
) -> None:
    """Close the answered step through the placements service, unless the coach closed it already."""
    if not step.is_open:
        return
    with translation.override(settings.LANGUAGE_CODE):
        notes = _("Completed when %(contact)s answered the survey; the answers are on the placement page.") % {
            "contact": invitation.contact.full_name or invitation.email
        }
    # Should the coach close it at the same moment, her record stands and the answer stays linked.
    with contextlib.suppress(ValidationError):
        complete_step(step=step, actor=None, outcome=summary, notes=notes, now=now)


def submit_response(
    *, invitation: SurveyInvitation, answers: list[CleanAnswer], language: str, now: dt.datetime | None = None
) -> SurveyResponse | None:
    """Store the answers once and complete the evaluation step they answer; the invitation is claimed first."""
    now = now or timezone.now()
    with transaction.atomic():
        won = SurveyInvitation.objects.answerable(now=now).filter(pk=invitation.pk).update(submitted_at=now)
        if not won:
            return None
        step = evaluation_step(invitation)
        # The timeline is read by staff: the summary is in the site's language, not the employer's.
        with translation.override(settings.LANGUAGE_CODE):
            summary = f"{invitation.template.name}: {response_summary(answers)}"
        # The timeline line first, so the response names it in its own INSERT (no UPDATE after it).
        interaction = log_interaction(
            employer=invitation.employer,
            actor=None,
            kind=InteractionKind.EMAIL,
            summary=summary,
            occurred_at=now,
            contact=invitation.contact,
            complete_open_steps=False,
            now=now,
            initiated_by=Initiator.EMPLOYER,
        )
        response = SurveyResponse.objects.create(
            invitation=invitation,
            template=invitation.template,
            submitted_at=now,
            language=language,
            step=step,
            interaction=interaction,
        )
        AnswerRow.objects.bulk_create(_answer_rows(response, answers))
        if step is not None:
            _complete_evaluation_step(step, invitation=invitation, summary=summary, now=now)
    return response
