"""The outgoing-mail life cycle every mail row shares: claim, render, send after commit, finish or retry.

`deliver` is the one way a row of any kind goes out (STYLE "Celery"): it claims the row with a
conditional update (pending -> sending) so only one worker ever sends it, renders it in the
recipient's language, sends it outside any transaction with one SMTP timeout, and records how it
ended. A transient error (`is_transient`, the one rule) puts the row back to pending with a
`next_attempt_at` from one backoff rule; the requeue sweep (outreach/mail/queue.py) publishes it
again then. After MAIL_MAX_ATTEMPTS the row is failed with its error. A worker that dies while
talking to the mail server leaves the row in `sending`; past MAIL_SENDING_LEASE_SECONDS the
requeue sweep puts it back to pending, and the second copy carries the same Message-ID.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outreach.mail.models import MailStatus, OutgoingMail
from outreach.mail.render import Mail

logger = logging.getLogger(__name__)

Row = TypeVar("Row", bound=OutgoingMail)

# What `deliver` returns besides a MailStatus: the row waits for its next attempt.
RETRY = "retry"


@dataclass(frozen=True)
class Skip:
    """A claimed mail that is no longer useful, and why (the reason is kept on the row)."""

    reason: str


def send(mail: Mail) -> None:
    """Send one mail through the configured backend with the SMTP timeout; errors propagate to be classified."""
    connection = get_connection(timeout=settings.MAIL_TIMEOUT_SECONDS)
    message = EmailMessage(
        subject=mail.subject,
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to],
        reply_to=list(mail.reply_to),
        headers={"Content-Language": mail.language, "Auto-Submitted": "auto-generated", **mail.headers},
        connection=connection,
    )
    for filename, content, mimetype in mail.attachments:
        message.attach(filename, content, mimetype)
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
    # The network: refused, reset, unreachable, a DNS failure (socket.gaierror), a timeout.
    return isinstance(exc, OSError)


def describe_error(exc: BaseException | str) -> str:
    """A one-line account of an error for `last_error`."""
    text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    return text[:2000]


def retry_delay(attempts: int) -> dt.timedelta:
    """How long a mail waits after its n-th failed attempt: exponential backoff, capped, with jitter."""
    ceiling = min(
        settings.MAIL_RETRY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), settings.MAIL_RETRY_BACKOFF_MAX_SECONDS
    )
    return dt.timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311  (jitter, not security)


def claim(model: type[OutgoingMail], pk: int) -> bool:
    """Take a pending mail for sending; only one caller ever wins (a conditional update)."""
    return bool(
        model._default_manager.filter(pk=pk, status=MailStatus.PENDING).update(
            status=MailStatus.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
        )
    )


def finish(
    model: type[OutgoingMail], pk: int, status: MailStatus, *, now: dt.datetime, error: str = "", reason: str = ""
) -> str:
    """Record how sending a claimed mail ended."""
    model._default_manager.filter(pk=pk, status=MailStatus.SENDING).update(
        status=status,
        sent_at=now if status == MailStatus.SENT else None,
        last_error=error,
        closed_reason=reason[:300],
        next_attempt_at=None,
    )
    return str(status)


def _retry_later(model: type[OutgoingMail], row: OutgoingMail, error: str) -> str:
    """Back to pending with the moment of the next attempt; the requeue sweep publishes it then."""
    model._default_manager.filter(pk=row.pk, status=MailStatus.SENDING).update(
        status=MailStatus.PENDING, last_error=error, next_attempt_at=timezone.now() + retry_delay(row.attempts)
    )
    return RETRY


def deliver(
    model: type[Row],
    pk: int,
    *,
    load: Callable[[int], Row],
    build: Callable[[Row], Mail | Skip],
    now: dt.datetime | None = None,
    on_sent: Callable[[Row, dt.datetime], Any] | None = None,
) -> str:
    """Send one mail row at most once; returns its new status, RETRY, or "" when another worker has it.

    `build` renders the mail, or returns a Skip when the mail is no longer useful. On success
    `on_sent` runs (in its own transaction, after the mail left).
    """
    now = now or timezone.now()
    if not claim(model, pk):
        return ""
    row = load(pk)
    try:
        mail = build(row)
    except Exception as exc:  # a rendering bug: retrying will not fix it
        logger.exception("Could not render %s %s", model.__name__, pk)
        return finish(model, pk, MailStatus.FAILED, now=now, error=describe_error(exc))
    if isinstance(mail, Skip):
        return finish(model, pk, MailStatus.SKIPPED, now=now, reason=mail.reason)
    mail.headers["Message-ID"] = row.message_id()
    try:
        send(mail)
    except Exception as exc:
        error = describe_error(exc)
        if is_transient(exc) and row.attempts < settings.MAIL_MAX_ATTEMPTS:
            logger.info("%s %s will be tried again: %s", model.__name__, pk, error)
            return _retry_later(model, row, error)
        logger.warning("Giving up on %s %s: %s", model.__name__, pk, error)
        return finish(model, pk, MailStatus.FAILED, now=now, error=error)
    with transaction.atomic():
        if on_sent is not None:
            on_sent(row, now)
        return finish(model, pk, MailStatus.SENT, now=now)
