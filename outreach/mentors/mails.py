"""The mails about the mentor's page: a concern to the coach and the case manager, a proposed date to the coach.

Staff mails, so in the site's language, and like the follow-up reminders they link to the placement
page in the workspace (outreach.followups.mails.step_url), never the admin.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from common.types import display_name
from common.urls import absolute_url
from outreach.followups.mails import staff_name, step_url
from outreach.mail.render import Mail, render_mail
from outreach.mail.send import Skip
from outreach.mentors.models import MentorMail, MentorMailKind


def load_mail(pk: int) -> MentorMail:
    """A mail row with what its text needs, in one query."""
    return MentorMail.objects.select_related(
        "recipient",
        "concern__link__contact",
        "concern__placement__client",
        "concern__placement__employer",
        "concern__placement__coach",
        "concern__step",
        "reply__link__contact",
        "reply__step__template",
        "reply__step__placement__client",
        "reply__step__placement__employer",
    ).get(pk=pk)


def _placement_url(placement_id: int, anchor: str) -> str:
    return absolute_url(f"{reverse('placements:placement', args=[placement_id])}#{anchor}")


def concern_mail(mail: MentorMail) -> Mail:
    """The concern, what the mentor wrote, and how to reach her, to the coach or the case manager."""
    concern = mail.concern
    assert concern is not None
    placement = concern.placement
    mentor = concern.link.contact
    context: dict[str, Any] = {
        "staff_name": staff_name(mail.recipient),
        "is_coach": mail.recipient_id == placement.coach_id,
        "coach_name": display_name(placement.coach),
        "mentor_name": mentor.full_name,
        "mentor_phone": concern.phone or mentor.phone,
        "mentor_email": mentor.email,
        "call_back": concern.call_back,
        "urgency": concern.get_urgency_display(),
        "what_happened": concern.what_happened,
        "client_reference": placement.client.reference,
        "client_first_name": placement.client.first_name,
        "job_title": placement.job_title,
        "employer_name": placement.employer.name,
        "url": step_url(concern.step) if concern.step is not None else _placement_url(placement.pk, "mentor-page"),
    }
    return render_mail("mentor_concern", to=mail.recipient_email, language=mail.language, context=context)


def proposal_mail(mail: MentorMail) -> Mail:
    """The date the mentor proposed for a planned visit, to the coach, who accepts it by moving the step."""
    reply = mail.reply
    assert reply is not None
    step = reply.step
    placement = step.placement
    context: dict[str, Any] = {
        "staff_name": staff_name(mail.recipient),
        "mentor_name": reply.link.contact.full_name,
        "step_title": step.label(mail.language),
        "planned_on": reply.for_due_on,
        "proposed_on": reply.proposed_on,
        "note": reply.note,
        "client_reference": placement.client.reference,
        "client_first_name": placement.client.first_name,
        "employer_name": placement.employer.name,
        "url": step_url(step),
    }
    return render_mail("mentor_proposal", to=mail.recipient_email, language=mail.language, context=context)


def mentor_mail(mail: MentorMail) -> Mail | Skip:
    """The mail a row sends, by kind, with a header naming the row."""
    built = concern_mail(mail) if mail.kind == MentorMailKind.CONCERN else proposal_mail(mail)
    built.headers["X-Werkbrug-Mentor"] = f"{mail.kind}:{mail.pk}"
    return built
