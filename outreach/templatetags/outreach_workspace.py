"""Data for the outreach sections of the staff workspace: an employer's or placement's info packs, survey results
and the employer check-in mails of a placement.

crm and placements never import outreach (DESIGN "Architecture"): their pages include
templates/outreach/workspace/<name>.html, which load their data through these tags. Each tag runs
a fixed number of queries whatever the number of packs, deliveries, notices or answers, and shows only
what the user may see through the `visible_to` managers of InfoPack, SurveyInvitation, AftercareStep
and FollowUpNotice (the user's roles are read once per request, crm.roles.roles_of).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.mail.models import MailStatus
from outreach.packs.models import InfoPack, InfoPackDelivery, InfoPackKind, InfoPackStatus, can_send_general_packs
from outreach.surveys.models import QuestionType, SurveyInvitation, SurveyResponse
from outreach.surveys.results import TEXT, answers_for, summarise
from placements.choices import StepKind, StepStatus
from placements.models import AftercareStep

register = template.Library()

# A section shows at most this many packs, invitations and free-text answers.
PACK_LIMIT = 50
INVITATION_LIMIT = 20
TEXT_LIMIT = 5
CHECKIN_LIMIT = 50
EVALUATION_STEP_LIMIT = 10


def _language() -> str:
    """The two-letter code of the active language, for question wording."""
    return (get_language() or "en")[:2]


def _pack_rows(packs: QuerySet[InfoPack], user: Any) -> dict[str, Any]:
    """The packs, the latest version of each kind, placement and language first, and whether the user may
    generate and send the employer's general pack; three queries at most."""
    deliveries = InfoPackDelivery.objects.select_related("contact").order_by("-created_at", "-pk")
    rows = list(
        packs.select_related("placement")
        .prefetch_related(Prefetch("deliveries", queryset=deliveries))
        .order_by("-version", "-created_at", "-pk")[: PACK_LIMIT + 1]
    )
    seen: set[tuple[str, int | None, str]] = set()
    latest: list[InfoPack] = []
    older: list[InfoPack] = []
    for pack in rows[:PACK_LIMIT]:
        scope = (pack.kind, pack.placement_id, pack.language)
        (older if scope in seen else latest).append(pack)
        seen.add(scope)
    latest.sort(key=lambda p: (p.kind != InfoPackKind.GENERAL, p.placement_id or 0, p.language))
    return {
        "latest": latest,
        "older": older,
        "more": len(rows) > PACK_LIMIT,
        "building": any(pack.status in (InfoPackStatus.PENDING, InfoPackStatus.BUILDING) for pack in latest),
        "failed": any(pack.status == InfoPackStatus.FAILED for pack in latest),
        "has_general": any(pack.kind == InfoPackKind.GENERAL for pack in latest),
        "can_build_general": user.has_perm("outreach.add_infopack") and can_send_general_packs(user),
        "can_send_general": user.has_perm("outreach.add_infopackdelivery") and can_send_general_packs(user),
    }


@register.simple_tag
def employer_packs(employer: Any, user: Any) -> dict[str, Any]:
    """The employer's packs the user may see: a coach sees general packs and those of her placements."""
    return _pack_rows(InfoPack.objects.visible_to(user).filter(employer=employer), user)


@register.simple_tag
def placement_packs(placement: Any, user: Any) -> dict[str, Any]:
    """The placement's packs, when the user may see the placement."""
    return _pack_rows(InfoPack.objects.visible_to(user).filter(placement=placement), user)


def _headline(summary: list[dict[str, Any]]) -> dict[str, Any]:
    """The average over every 1-5 scale answer and the NPS of the most answered recommendation question."""
    scales = [row for row in summary if row["type"] == QuestionType.SCALE and row["average"] is not None]
    counted = sum(row["count"] for row in scales)
    average = round(sum(row["average"] * row["count"] for row in scales) / counted, 1) if counted else None
    nps_rows = sorted((row for row in summary if row["nps"] is not None), key=lambda row: -row["count"])
    return {"average": average, "nps": nps_rows[0]["nps"] if nps_rows else None}


def _results(invitations: QuerySet[SurveyInvitation]) -> dict[str, Any]:
    """Responses counted, the per-question summary, the headline figures and the latest free texts; three queries."""
    answers = answers_for(invitations=invitations)
    summary = summarise(answers, language=_language())
    texts = list(
        answers.filter(question__type__in=TEXT)
        .exclude(text="")
        .select_related("response", "question")
        .order_by("-response__submitted_at", "-pk")[:TEXT_LIMIT]
    )
    responses = SurveyResponse.objects.filter(invitation__in=invitations).count()
    return {"responses": responses, "summary": summary, "texts": texts, **_headline(summary)}


@register.simple_tag
def employer_evaluations(employer: Any, user: Any) -> dict[str, Any]:
    """The employer's survey results, from the invitations the user may see."""
    return _results(SurveyInvitation.objects.visible_to(user).filter(employer=employer))


def _waited_out(invitation: SurveyInvitation, now: dt.datetime) -> bool:
    """True when a mailed, unanswered link had all its reminders and the wait after the last one has passed."""
    if invitation.reminders_sent < settings.SURVEY_MAX_REMINDERS:
        return False
    last = invitation.last_reminded_at or invitation.sent_at
    return last is not None and last + dt.timedelta(days=settings.SURVEY_REMINDER_AFTER_DAYS) <= now


def _evaluation_overdue(step: AftercareStep, invitation: SurveyInvitation | None, now: dt.datetime) -> str:
    """Why an employer evaluation step is overdue, or "" when it is not.

    Overdue means: past its due day and still open, with no invitation mailed yet, or with a link
    that expired unanswered or stayed unanswered after all its reminders.
    """
    if not step.is_open or step.due_on >= timezone.localdate(now):
        return ""
    if invitation is None or invitation.cancelled_at is not None or invitation.sent_at is None:
        return _("No invitation has been mailed yet.")
    if invitation.submitted_at is not None:
        return ""
    if invitation.expires_at <= now:
        return _("The link expired without an answer.")
    if _waited_out(invitation, now):
        return _("Not answered after all reminders.")
    return ""


def _invitation_for(step: AftercareStep, invitations: list[SurveyInvitation]) -> SurveyInvitation | None:
    """The invitation that asks about a step: the one its hand-off made or that answered it, else the newest one
    still open (an invitation made at the placement's end answers whichever evaluation step is open)."""
    for invitation in invitations:
        response = getattr(invitation, "response", None)
        if (invitation.notice is not None and invitation.notice.step_id == step.pk) or (
            response is not None and response.step_id == step.pk
        ):
            return invitation
    unlinked = [i for i in invitations if i.notice_id is None and i.cancelled_at is None and i.submitted_at is None]
    return unlinked[0] if unlinked and step.is_open else None


def _evaluation_steps(placement: Any, user: Any, invitations: list[SurveyInvitation], now: dt.datetime) -> list[Any]:
    """The placement's employer evaluation steps with their due day, their invitation and why they are overdue."""
    steps = (
        AftercareStep.objects.visible_to(user)
        .filter(placement=placement, kind=StepKind.EMPLOYER_EVALUATION)
        .exclude(status__in=[StepStatus.SKIPPED, StepStatus.CANCELLED])
        .select_related("template")
        .order_by("due_on", "pk")[:EVALUATION_STEP_LIMIT]
    )
    rows = []
    for step in steps:
        invitation = _invitation_for(step, invitations)
        rows.append({"step": step, "invitation": invitation, "overdue": _evaluation_overdue(step, invitation, now)})
    return rows


@register.simple_tag
def placement_evaluation(placement: Any, user: Any) -> dict[str, Any]:
    """The placement's evaluation steps (due day, overdue), its survey invitations with their status and the step
    each answer is for, and what they say."""
    invitations = SurveyInvitation.objects.visible_to(user).filter(placement=placement)
    now = timezone.now()
    listed = list(invitations.select_related("template", "contact", "response__step", "notice")[:INVITATION_LIMIT])
    rows = [
        {
            "invitation": invitation,
            "status": invitation.status(now=now),
            "step": getattr(getattr(invitation, "response", None), "step", None),
            "can_resend": invitation.submitted_at is None,
        }
        for invitation in listed
    ]
    steps = _evaluation_steps(placement, user, listed, now)
    return {"invitations": rows, "steps": steps, **_results(invitations)}


@register.simple_tag
def placement_checkins(placement: Any, user: Any) -> dict[str, Any]:
    """The employer check-in mails about the placement's steps, by due day; two queries at most."""
    notices = list(
        FollowUpNotice.objects.visible_to(user)
        .filter(step__placement=placement, kind=NoticeKind.EMPLOYER_CHECKIN)
        .select_related("step__template")
        .order_by("for_due_on", "pk")[: CHECKIN_LIMIT + 1]
    )
    return {"rows": notices[:CHECKIN_LIMIT], "more": len(notices) > CHECKIN_LIMIT}


# What a mail's status means to staff: "pending" is a mail waiting in the queue.
_MAIL_STATES = {
    MailStatus.PENDING: ("queued", "warn"),
    MailStatus.SENDING: ("sending", "warn"),
    MailStatus.SENT: ("sent", "ok"),
    MailStatus.FAILED: ("failed", "bad"),
    MailStatus.SKIPPED: ("closed", ""),
}


@register.filter
def mail_state(mail: Any) -> dict[str, str]:
    """A mail row's status for staff: label, badge class and, when it failed or was closed, the reason."""
    key, badge = _MAIL_STATES.get(mail.status, ("", ""))
    labels = {
        "queued": _("Queued"),
        "sending": _("Sending"),
        "sent": _("Sent"),
        "failed": _("Failed"),
        "closed": _("Closed unsent"),
    }
    reason = ""
    if mail.status == MailStatus.FAILED:
        reason = mail.last_error or _("No reason was recorded.")
    elif mail.status == MailStatus.SKIPPED:
        reason = mail.closed_reason or mail.last_error
    elif mail.status == MailStatus.PENDING and mail.last_error:
        reason = _("Will be tried again: %(error)s") % {"error": mail.last_error}
    return {"key": key, "label": labels.get(key, str(mail.status)), "badge": badge, "reason": reason}
