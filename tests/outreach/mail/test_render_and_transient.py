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


REMINDER = {
    "step_title": "Belafspraak",
    "client_reference": "C-1",
    "due_on": dt.date(2027, 3, 2),
    "coach_name": "Alice",
    "job_title": "Kok",
    "employer_name": "Bakkerij Jansen",
}


@pytest.mark.parametrize(
    ("language", "days", "subject"),
    [
        ("en", 1, "Reminder: Belafspraak for C-1 is due tomorrow"),
        ("en", 3, "Reminder: Belafspraak for C-1 is due in 3 days"),
        ("nl", 3, "Herinnering: Belafspraak voor C-1 staat over 3 dagen gepland"),
        ("sv", 1, "Påminnelse: Belafspraak för C-1 ska göras i morgon"),
        ("sv", 3, "Påminnelse: Belafspraak för C-1 ska göras om 3 dagar"),
        ("sv", 0, "I dag: Belafspraak för C-1"),
    ],
)
def test_a_reminder_counts_the_days_in_the_coachs_language(language, days, subject):
    context = {**REMINDER, "days_before": days}
    mail = render_mail("reminder", to="coach@werkbrug.test", language=language, context=context)

    assert mail.subject == subject


@pytest.mark.parametrize(
    ("days", "subject", "line"),
    [
        (1, "1 dag te laat: Belafspraak voor C-1", "staat 1 dag na de geplande dag nog open"),
        (4, "4 dagen te laat: Belafspraak voor C-1", "staat 4 dagen na de geplande dag nog open"),
    ],
)
def test_an_escalation_says_day_or_days(days, subject, line):
    context = {**REMINDER, "days_overdue": days, "case_manager_name": "Carl"}
    mail = render_mail("escalation", to="carl@werkbrug.test", language="nl", context=context)

    assert mail.subject == subject
    assert mail.body.startswith("Hallo Carl,")
    assert line in mail.body


PACK_MAIL = {
    "contact_name": "Sanne de Vries",
    "kind": "placement",
    "version": 2,
    "job_title": "Kok",
    "organisation": "Werkbrug",
    "phone": "+31 30 222 33 44",
    "sender_name": "Rita",
}


def test_the_info_pack_mail_is_written_to_the_employer_in_dutch():
    mail = render_mail("info_pack", to="sanne@example.org", language="nl", context=PACK_MAIL)

    assert mail.subject == "Informatiepakket bij de plaatsing: Kok - Werkbrug"
    assert mail.body.startswith("Beste Sanne de Vries,")
    assert "In de bijlage vindt u ons informatiepakket bij de plaatsing 'Kok' (versie 2)." in mail.body
    assert "neem dan contact met ons op via +31 30 222 33 44." in mail.body
    assert mail.body.endswith("Met vriendelijke groet,\n\nRita\nWerkbrug\n")


def test_a_general_info_pack_mail_in_swedish_leaves_out_the_placement_and_phone():
    context = {**PACK_MAIL, "kind": "general", "job_title": "", "phone": "", "sender_name": ""}
    mail = render_mail("info_pack", to="sven@example.org", language="sv", context=context)

    assert mail.subject == "Informationspaket för arbetsgivare - Werkbrug"
    assert mail.body.startswith("Hej Sanne de Vries,")
    assert "Här bifogar vi vårt informationspaket (version 2). Där kan ni läsa om hur vi samarbetar" in mail.body
    assert "kontakta oss gärna. Ett kort samtal nu" in mail.body
    assert "placeringen" not in mail.body
    assert mail.body.endswith("Vänliga hälsningar,\n\nWerkbrug\n")
