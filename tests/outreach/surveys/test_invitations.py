"""Survey invitations: made from the evaluation hand-off or a placement's end, mailed, reminded, resent, cancelled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.utils import timezone

from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.followups.services import sweep_followups
from outreach.mail.models import MailStatus
from outreach.surveys.links import link_for
from outreach.surveys.models import SurveyInvitation, SurveyMail, SurveyMailKind, SurveyTemplate
from outreach.surveys.services import (
    cancel_invitation,
    deliver_survey_mail,
    find_invitation,
    resend_invitation,
    sweep_reminders,
    take_evaluation_notices,
)
from placements.models import Placement
from placements.services import end_placement
from tests.outreach.helpers import START, at, enqueued, step
from tests.outreach.surveys.helpers import full_answers, invite, survey_caches

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2027, 7, 5, 9, 0))


@pytest.fixture(autouse=True)
def _isolated_rate_limit(settings: Any) -> None:
    settings.CACHES = survey_caches()


def evaluation_notice(placement: Placement) -> FollowUpNotice:
    """The follow-up engine's hand-off: a pending evaluation_due notice on the placement's evaluation step."""
    target = step(placement, kind="employer_evaluation") or step(placement)
    assert placement.mentor is not None
    return FollowUpNotice.objects.create(
        step=target, kind=NoticeKind.EVALUATION_DUE, recipient_email=placement.mentor.email, language="nl"
    )


def _deliver_newest(invitation_pk: int, kind: str, now: dt.datetime) -> str:
    mail_row = SurveyMail.objects.filter(invitation_id=invitation_pk, kind=kind).order_by("-created_at", "-pk").first()
    return deliver_survey_mail(mail_pk=mail_row.pk, now=now) if mail_row is not None else "no mail row"


def deliver_invitation(*, invitation_pk: int, now: dt.datetime) -> str:
    """Deliver the link's newest invitation mail, as the send task would."""
    return _deliver_newest(invitation_pk, SurveyMailKind.INVITATION, now)


def deliver_reminder(*, invitation_pk: int, now: dt.datetime) -> str:
    """Deliver the link's newest reminder mail, as the send task would."""
    return _deliver_newest(invitation_pk, SurveyMailKind.REMINDER, now)


def sent(invitation: SurveyInvitation, *, at: dt.datetime = NOW) -> SurveyInvitation:
    assert deliver_invitation(invitation_pk=invitation.pk, now=at) == MailStatus.SENT
    invitation.refresh_from_db()
    return invitation


def test_an_evaluation_hand_off_becomes_one_invitation_to_the_mentor(
    placement: Placement, django_capture_on_commit_callbacks: Any
) -> None:
    notice = evaluation_notice(placement)
    with django_capture_on_commit_callbacks() as callbacks:
        assert take_evaluation_notices(now=NOW) == 1
        assert take_evaluation_notices(now=NOW) == 0
    invitation = SurveyInvitation.objects.get()
    notice.refresh_from_db()
    assert notice.status == MailStatus.SENT
    assert invitation.notice == notice
    assert invitation.contact == placement.mentor
    assert invitation.language == "nl"
    assert invitation.template.kind == "employer_end"
    assert invitation.expires_at == NOW + dt.timedelta(days=30)
    [first] = invitation.mails.all()
    assert enqueued(callbacks) == [("outreach.tasks.send_mails", ("survey", [first.pk]))]


def test_a_hand_off_without_a_mentor_is_skipped_with_the_reason(make_placement: Callable[..., Placement]) -> None:
    placement = make_placement()
    notice = evaluation_notice(placement)
    Placement.objects.filter(pk=placement.pk).update(mentor=None)
    assert take_evaluation_notices(now=NOW) == 0
    notice.refresh_from_db()
    assert notice.status == MailStatus.SKIPPED
    assert "contact" in notice.last_error.lower()
    assert not SurveyInvitation.objects.exists()


def test_the_invitation_mail_is_sent_once_in_dutch_with_a_working_link(placement: Placement) -> None:
    invitation, link = invite(placement, now=NOW)
    assert deliver_invitation(invitation_pk=invitation.pk, now=NOW) == MailStatus.SENT
    assert deliver_invitation(invitation_pk=invitation.pk, now=NOW) == ""
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert placement.mentor is not None
    assert message.to == [placement.mentor.email]
    assert "Uw evaluatie" in message.subject
    assert f"/s/{link}/" in message.body
    assert placement.job_title in message.body
    assert "Amina" not in message.body
    invitation.refresh_from_db()
    assert invitation.sent_at == NOW
    assert find_invitation(link, now=NOW) == invitation


def test_the_link_is_stored_only_as_a_hash_and_a_prefix(placement: Placement) -> None:
    invitation, link = invite(placement, now=NOW)
    stored = " ".join(str(value) for value in SurveyInvitation.objects.values().get().values())
    assert link not in stored and link[8:] not in stored
    assert invitation.token_prefix == link[:8]
    assert len(link) >= 8 + 43  # 256 bits in the secret


def test_a_cancelled_invitation_is_not_mailed(placement: Placement) -> None:
    invitation, _link = invite(placement, now=NOW)
    cancel_invitation(invitation=invitation, actor=None, now=NOW)
    assert deliver_invitation(invitation_pk=invitation.pk, now=NOW) == MailStatus.SKIPPED
    assert mail.outbox == []
    assert invitation.mails.get().closed_reason == "The invitation was cancelled before this mail went out."


def test_reminders_go_after_n_days_at_most_m_times(placement: Placement, settings: Any) -> None:
    settings.SURVEY_REMINDER_AFTER_DAYS, settings.SURVEY_MAX_REMINDERS = 7, 2
    invitation = sent(invite(placement, now=NOW)[0])
    days = [6, 7, 8, 14, 21, 28]
    reminded = [bool(sweep_reminders(now=NOW + dt.timedelta(days=day))) for day in days]
    assert reminded == [False, True, False, True, False, False]
    invitation.refresh_from_db()
    assert invitation.reminders_sent == 2
    assert deliver_reminder(invitation_pk=invitation.pk, now=NOW + dt.timedelta(days=14)) == MailStatus.SENT
    assert "Herinnering" in mail.outbox[-1].subject


def test_no_reminder_after_an_answer(client: HttpClient, placement: Placement) -> None:
    invitation, link = invite(placement, now=timezone.now() - dt.timedelta(days=8))
    sent(invitation, at=timezone.now() - dt.timedelta(days=8))
    assert client.post(f"/s/{link}/", full_answers(invitation.template)).status_code == 302
    assert sweep_reminders(now=timezone.now()) == []
    assert not SurveyMail.objects.filter(kind=SurveyMailKind.REMINDER).exists()


def test_no_reminder_after_expiry_or_cancellation(make_placement: Callable[..., Placement]) -> None:
    expired = sent(invite(make_placement(), now=NOW)[0])
    cancelled = sent(invite(make_placement(), now=NOW)[0])
    cancel_invitation(invitation=cancelled, actor=None, now=NOW)
    [reminder] = sweep_reminders(now=NOW + dt.timedelta(days=8))
    assert SurveyMail.objects.get(pk=reminder).invitation == expired
    assert sweep_reminders(now=NOW + dt.timedelta(days=31)) == []
    assert deliver_reminder(invitation_pk=expired.pk, now=NOW + dt.timedelta(days=31)) == MailStatus.SKIPPED
    assert SurveyMail.objects.get(pk=reminder).closed_reason == "The link expired before this mail went out."
    cancelled.refresh_from_db()
    assert cancelled.reminders_sent == 0


def test_the_sweep_enqueues_one_reminder_task_per_claim(
    placement: Placement, django_capture_on_commit_callbacks: Any
) -> None:
    invitation = sent(invite(placement, now=NOW)[0])
    with django_capture_on_commit_callbacks() as callbacks:
        sweep_reminders(now=NOW + dt.timedelta(days=7))
        sweep_reminders(now=NOW + dt.timedelta(days=7))
    [reminder] = SurveyMail.objects.filter(invitation=invitation, kind=SurveyMailKind.REMINDER)
    assert enqueued(callbacks) == [("outreach.tasks.send_mails", ("survey", [reminder.pk]))]


def test_resending_makes_a_new_link_and_the_old_one_stops_working(placement: Placement) -> None:
    invitation = sent(invite(placement, now=NOW)[0])
    old = link_for(invitation.token_prefix, invitation.token_seed)
    resent = resend_invitation(invitation=invitation, actor=None, now=NOW + dt.timedelta(days=20))
    new = link_for(resent.token_prefix, resent.token_seed)
    later = NOW + dt.timedelta(days=21)
    assert new != old
    assert find_invitation(old, now=later) is None
    assert find_invitation(new, now=later) == invitation
    assert resent.mail_status == MailStatus.PENDING
    assert [m.kind for m in resent.mails.all()] == [SurveyMailKind.INVITATION, SurveyMailKind.INVITATION]
    assert resent.expires_at == NOW + dt.timedelta(days=50)


def test_an_answered_survey_cannot_be_resent_or_cancelled(client: HttpClient, placement: Placement) -> None:
    invitation, link = invite(placement)
    client.post(f"/s/{link}/", full_answers(invitation.template))
    with pytest.raises(ValidationError):
        resend_invitation(invitation=invitation, actor=None)
    with pytest.raises(ValidationError):
        cancel_invitation(invitation=invitation, actor=None)
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


def test_a_contact_of_another_employer_is_refused(placement: Placement) -> None:
    from outreach.surveys.services import create_invitation
    from tests.crm.factories import ContactFactory

    with pytest.raises(ValidationError) as error:
        create_invitation(
            template=SurveyTemplate.objects.get(kind="employer_end", is_active=True),
            contact=ContactFactory.create(),
            actor=None,
            placement=placement,
        )
    assert "contact" in error.value.message_dict
    assert not SurveyInvitation.objects.exists()


def test_a_placement_that_ends_early_reaches_its_evaluation_and_the_mentor_is_invited(
    placement: Placement, alice: Any
) -> None:
    end_on = START + dt.timedelta(days=60)
    end_placement(
        placement=placement,
        actor=alice,
        ended_by="employer",
        reason="Reorganisation",
        end_on=end_on,
        completed=False,
        now=at(end_on),
    )
    evaluation_day = at(end_on + dt.timedelta(days=7))
    sweep_followups(now=evaluation_day, enqueue=False)
    assert take_evaluation_notices(now=evaluation_day) == 1
    invitation = SurveyInvitation.objects.get()
    assert invitation.placement == placement
    assert invitation.notice is not None and invitation.notice.step.kind == "employer_evaluation"
