"""The follow-up mails: the coach's reminder, the case manager's escalation, the mentor's check-in, the digest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from common.urls import absolute_url
from outreach.followups.models import CoachDigest, FollowUpNotice, NoticeKind
from outreach.mail.render import Mail, render_mail
from outreach.mentors.services import issued_page_url
from outreach.surveys.services import open_check_in
from placements.choices import ConsentPurpose
from placements.models import AftercareStep


def step_url(step: AftercareStep) -> str:
    """A link to the step on its placement's page in the workspace, where the coach records it (never the admin)."""
    return absolute_url(f"{reverse('placements:placement', args=[step.placement_id])}#step-{step.pk}")


def team_url(step: AftercareStep) -> str:
    """A link to the case manager's team page, at the coach who has the step."""
    return absolute_url(f"{reverse('placements:team')}#coach-{step.assignee_id}")


def staff_name(user: Any) -> str:
    """How a staff member is greeted: first name, else the username."""
    return str(user.first_name or user.get_username())


def _step_context(step: AftercareStep, language: str) -> dict[str, Any]:
    """What staff mails say about a step: pseudonymous reference, first name, job, never sensitive fields."""
    placement = step.placement
    return {
        "step_title": step.label(language),
        "due_on": step.due_on,
        "client_reference": placement.client.reference,
        "client_first_name": placement.client.first_name,
        "job_title": placement.job_title,
        "employer_name": placement.employer.name,
        "url": step_url(step),
    }


def reminder_mail(notice: FollowUpNotice, *, today: dt.date) -> Mail:
    """The coach's reminder, the day(s) before or on the due day, or late when that day's sweep could not send it."""
    step = notice.step
    context = {
        **_step_context(step, notice.language),
        "coach_name": staff_name(step.assignee),
        "days_before": notice.days_before,
        "days_late": max((today - step.due_on).days, 0),
    }
    return render_mail("reminder", to=notice.recipient_email, language=notice.language, context=context)


def escalation_mail(notice: FollowUpNotice, *, today: dt.date) -> Mail:
    """The case manager's notice that a step is still open days after its due day: his team page, the placement."""
    step = notice.step
    manager = step.placement.client.case_manager
    context = {
        **_step_context(step, notice.language),
        "url": team_url(step),
        "placement_url": step_url(step),
        "case_manager_name": staff_name(manager) if manager is not None else "",
        "coach_name": staff_name(step.assignee),
        "days_overdue": (today - step.due_on).days,
    }
    return render_mail("escalation", to=notice.recipient_email, language=notice.language, context=context)


def employer_checkin_mail(notice: FollowUpNotice, *, today: dt.date) -> Mail:
    """The mentor's check-in, with only what the client consented to share (Flora III.1.B; §8.2).

    Her first name and the agreed shareable text appear only while the client's consent to share
    with the employer is in force today; gender, closing reason and notes never do.
    """
    step = notice.step
    placement = step.placement
    consented = placement.client.has_consent(ConsentPurpose.SHARE_WITH_EMPLOYER, on=today)
    agreement = placement.client.current_agreement()
    context = {
        "mentor_name": placement.mentor.first_name if placement.mentor is not None else "",
        "colleague_name": placement.client.first_name if consented else "",
        "shared_text": agreement.shareable_text(on=today).strip() if agreement is not None and consented else "",
        "job_title": placement.job_title,
        "employer_name": placement.employer.name,
        "start_on": placement.start_on,
        "step_title": step.label(notice.language),
        "coach_name": placement.coach.get_full_name() or placement.coach.get_username(),
        "coach_email": placement.coach.email,
        # Every check-in carries her personal page (issue 14); a check-in means the placement is on. The
        # first one also opens the mid-placement check-in questions there.
        "mentor_page": issued_page_url(placement) or "",
    }
    if context["mentor_page"]:
        open_check_in(placement, now=timezone.now())
    reply_to = (placement.coach.email,) if placement.coach.email else ()
    return render_mail(
        "employer_checkin", to=notice.recipient_email, language=notice.language, context=context, reply_to=reply_to
    )


def notice_mail(notice: FollowUpNotice, *, today: dt.date) -> Mail:
    """The mail a notice sends, by kind."""
    if notice.kind == NoticeKind.EMPLOYER_CHECKIN:
        mail = employer_checkin_mail(notice, today=today)
    elif notice.kind == NoticeKind.ESCALATION:
        mail = escalation_mail(notice, today=today)
    elif notice.kind in (NoticeKind.REMINDER_BEFORE, NoticeKind.REMINDER_DUE):
        mail = reminder_mail(notice, today=today)
    else:
        raise ValueError(f"A {notice.kind} notice is not sent by mail")
    mail.headers["X-Werkbrug-Notice"] = f"{notice.kind}:{notice.pk}:{notice.step_id}"
    return mail


def digest_mail(digest: CoachDigest, steps: list[AftercareStep]) -> Mail:
    """The coach's morning digest: overdue, today and the rest of the week."""
    today, week_end = digest.date, digest.date + dt.timedelta(days=6)
    rows = [{**_step_context(step, digest.language), "step": step} for step in steps]
    context = {
        "coach_name": staff_name(digest.coach),
        "date": today,
        "overdue": [row for row in rows if row["due_on"] < today],
        "today": [row for row in rows if row["due_on"] == today],
        "this_week": [row for row in rows if today < row["due_on"] <= week_end],
    }
    mail = render_mail("digest", to=digest.recipient_email, language=digest.language, context=context)
    mail.headers["X-Werkbrug-Digest"] = f"{digest.coach_id}:{digest.date.isoformat()}"
    return mail
