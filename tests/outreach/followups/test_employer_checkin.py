"""The mentor's check-in mail: her language, and only what the client consented to share (Flora III.1.B, §8.2)."""

from __future__ import annotations

import datetime as dt

import pytest

from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.followups.services import deliver_notice, sweep_followups
from placements.choices import ClosingReason, ConsentPurpose
from placements.models import AftercareStep, CoachingAgreement, ConsentRecord
from tests.outreach.helpers import START, at, step

pytestmark = pytest.mark.django_db
CHECKIN_DAY = START + dt.timedelta(days=14)
SHARED = "Amina prefers written instructions and is learning the till this month."


def _send_checkin(placement, *, on=CHECKIN_DAY):
    sweep_followups(now=at(on))
    notice = FollowUpNotice.objects.get(step__placement=placement, kind=NoticeKind.EMPLOYER_CHECKIN)
    deliver_notice(notice_pk=notice.pk, now=at(on))
    return notice


def _agree(placement) -> CoachingAgreement:
    # Created directly: clean() would (rightly) refuse shareable text without consent, and the mail
    # must hold even when such a record exists.
    return CoachingAgreement.objects.create(
        client=placement.client,
        parties="Amina, her coach Alice, the employer",
        joint_work="Weekly check-ins",
        expected_result="A permanent contract",
        success_measure="Contract signed",
        goals_private="Find childcare closer to home",
        share_with_employer=SHARED,
    )


def _consent(placement, *, withdrawn_on=None) -> None:
    ConsentRecord.objects.create(
        client=placement.client,
        purpose=ConsentPurpose.SHARE_WITH_EMPLOYER,
        given_on=dt.date(2026, 12, 1),
        withdrawn_on=withdrawn_on,
    )


@pytest.mark.parametrize(
    ("language", "subject", "greeting", "started"),
    [
        ("en", "How is it going with your new colleague? A check-in from", "Dear Marleen,", "4 January 2027"),
        ("nl", "Hoe gaat het met uw nieuwe collega? Een check-in van", "Beste Marleen,", "4 januari 2027"),
        ("sv", "Hur går det för er nya kollega? En avstämning från", "Hej Marleen,", "4 januari 2027"),
    ],
)
def test_the_check_in_is_written_in_the_mentors_language(
    make_placement, mailoutbox, language, subject, greeting, started
):
    placement = make_placement(mentor_language=language)

    _send_checkin(placement)

    mail = mailoutbox[0]
    assert mail.to == [placement.mentor.email]
    assert mail.subject.startswith(subject)
    assert mail.body.startswith(greeting)
    assert started in mail.body
    assert mail.extra_headers["Content-Language"] == language
    assert mail.reply_to == [placement.coach.email]
    assert step(placement, offset=14).template.label(language).lower() in mail.body


def test_without_consent_the_mentor_gets_neither_her_name_nor_the_agreed_text(placement, mailoutbox):
    _agree(placement)

    _send_checkin(placement)

    body = mailoutbox[0].subject + mailoutbox[0].body
    assert "Amina" not in body
    assert SHARED not in body
    assert "uw nieuwe collega" in body


def test_with_consent_the_mentor_gets_her_first_name_and_the_agreed_text(placement, mailoutbox):
    _agree(placement)
    _consent(placement)

    _send_checkin(placement)

    mail = mailoutbox[0]
    assert mail.subject.startswith("Hoe gaat het met Amina?")
    assert SHARED in mail.body


def test_consent_withdrawn_before_the_check_in_keeps_it_out_of_the_mail(placement, mailoutbox):
    _agree(placement)
    _consent(placement, withdrawn_on=CHECKIN_DAY - dt.timedelta(days=1))

    _send_checkin(placement)

    body = mailoutbox[0].subject + mailoutbox[0].body
    assert "Amina" not in body
    assert SHARED not in body


def test_the_check_in_never_carries_sensitive_client_fields(placement, mailoutbox):
    _agree(placement)
    _consent(placement)
    client = placement.client
    client.gender_description = "GENDER-IN-OWN-WORDS"
    client.closing_reason = ClosingReason.DROPPED_OUT
    client.save()
    AftercareStep.objects.filter(placement=placement).update(notes="NOTE-ABOUT-HEALTH", outcome="OUTCOME-TEXT")

    _send_checkin(placement)

    body = mailoutbox[0].subject + mailoutbox[0].body
    for secret in ("GENDER-IN-OWN-WORDS", "woman", "NOTE-ABOUT-HEALTH", "OUTCOME-TEXT", "childcare", "Dropped out"):
        assert secret not in body
    assert client.reference not in body
