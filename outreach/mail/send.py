"""Sending one mail, and telling a transient error (worth a retry) from a permanent one."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from outreach.mail.render import Mail


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
