"""Rendering and sending mails in the recipient's language.

Each mail is a plain-text template per language, `templates/outreach/email/<name>.<lang>.txt`,
whose first line is the subject and the rest, after a blank line, the body. Texts are written in
every language rather than taken from .po catalogues, so a mentor reads her own language even
before the catalogues are compiled; `translation.override` still sets dates and Django's own
strings to that language.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from crm.choices import Language
from outreach.models import CoachDigest, FollowUpNotice, NoticeKind
from placements.choices import ConsentPurpose
from placements.models import AftercareStep

LANGUAGES = tuple(Language.values)


@dataclass(frozen=True)
class Mail:
    """A rendered mail, ready to send."""

    to: str
    subject: str
    body: str
    language: str
    reply_to: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)


def mail_language(language: str | None) -> str:
    """The language a mail is written in: the recipient's when we have its texts, else the site's."""
    code = (language or "")[:2].lower()
    return code if code in LANGUAGES else settings.LANGUAGE_CODE[:2]


def render_mail(name: str, *, to: str, language: str, context: dict[str, Any], **extra: Any) -> Mail:
    """Render `<name>.<language>.txt` with the language active; the first line is the subject."""
    language = mail_language(language)
    with translation.override(language):
        text = render_to_string(f"outreach/email/{name}.{language}.txt", {**context, "language": language})
    subject, _sep, body = text.strip().partition("\n")
    # A subject is one line: a newline would be a header injection (Django refuses it anyway).
    return Mail(to=to, subject=" ".join(subject.split()), body=body.strip() + "\n", language=language, **extra)


def send_mail(mail: Mail) -> None:
    """Send one mail through the configured backend; errors propagate for the caller to classify."""
    connection = get_connection(timeout=settings.FOLLOWUP_MAIL_TIMEOUT_SECONDS)
    message = EmailMessage(
        subject=mail.subject,
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to],
        reply_to=list(mail.reply_to),
        headers={"Content-Language": mail.language, "Auto-Submitted": "auto-generated", **mail.headers},
        connection=connection,
    )
    message.send(fail_silently=False)


def is_transient(exc: BaseException) -> bool:
    """True for errors worth retrying: the network, a dropped connection, or a 4xx SMTP reply (RFC 5321 4.2.1)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPException):
        # Authentication, unsupported commands, a refused sender: retrying will not help.
        return False
    return isinstance(exc, OSError)


def describe_error(exc: BaseException) -> str:
    """A one-line account of an error for `last_error`."""
    return f"{type(exc).__name__}: {exc}"[:2000]


# --- The follow-up mails ----------------------------------------------------------------------


def step_url(step: AftercareStep) -> str:
    """A link to the step in the admin, when the admin shows steps."""
    try:
        path = reverse("admin:placements_aftercarestep_change", args=[step.pk])
    except NoReverseMatch:
        return ""
    return settings.SITE_URL.rstrip("/") + path


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


def reminder_mail(notice: FollowUpNotice) -> Mail:
    """The coach's reminder, the day(s) before or on the due day."""
    step = notice.step
    context = {
        **_step_context(step, notice.language),
        "coach_name": staff_name(step.assignee),
        "days_before": notice.days_before,
    }
    return render_mail("reminder", to=notice.recipient_email, language=notice.language, context=context)


def escalation_mail(notice: FollowUpNotice, *, today: dt.date) -> Mail:
    """The case manager's notice that a step is still open days after its due day."""
    step = notice.step
    manager = step.placement.client.case_manager
    context = {
        **_step_context(step, notice.language),
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
    agreement = getattr(placement, "agreement", None)
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
    }
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
        mail = reminder_mail(notice)
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
