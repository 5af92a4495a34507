"""Rendering mails in the recipient's language and telling transient mail errors from permanent ones."""

from __future__ import annotations

import datetime as dt
import smtplib
import socket

import pytest

from outreach.mail.render import mail_language, render_mail
from outreach.mail.send import is_transient


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPServerDisconnected("closed"), True),
        (smtplib.SMTPConnectError(421, b"try later"), True),
        (smtplib.SMTPDataError(451, b"local error"), True),
        (smtplib.SMTPSenderRefused(452, b"too many", "a@b"), True),
        (smtplib.SMTPRecipientsRefused({"a@b": (450, b"mailbox busy")}), True),
        (ConnectionRefusedError(111, "refused"), True),
        (TimeoutError("timed out"), True),
        (socket.gaierror(-2, "Name or service not known"), True),
        (smtplib.SMTPRecipientsRefused({"a@b": (550, b"no such user"), "c@d": (450, b"busy")}), False),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPNotSupportedError("no STARTTLS"), False),
        (ValueError("bad header"), False),
    ],
)
def test_only_network_errors_and_4xx_replies_are_worth_retrying(error, transient):
    assert is_transient(error) is transient


@pytest.mark.parametrize(("asked", "used"), [("nl", "nl"), ("SV", "sv"), ("sv-SE", "sv"), ("de", "en"), ("", "en")])
def test_a_mail_is_written_in_the_recipients_language_when_we_have_it(asked, used):
    assert mail_language(asked) == used


def test_the_subject_is_the_first_line_and_the_body_the_rest():
    mail = render_mail(
        "reminder",
        to="coach@werkbrug.test",
        language="nl",
        context={
            "days_before": 1,
            "step_title": "Belafspraak",
            "client_reference": "C-1",
            "due_on": dt.date(2027, 3, 2),
            "coach_name": "Alice",
            "job_title": "Kok",
            "employer_name": "Bakkerij <Jansen> & Zn",
        },
    )

    assert mail.subject == "Herinnering: Belafspraak voor C-1 staat morgen gepland"
    assert mail.body.startswith("Hallo Alice,")
    assert "dinsdag 2 maart 2027" in mail.body
    assert "Bakkerij <Jansen> & Zn" in mail.body  # plain text: nothing HTML-escaped
    assert mail.language == "nl"
