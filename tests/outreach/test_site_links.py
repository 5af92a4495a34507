"""Every absolute link that leaves the site (mails, calendar feeds) is built from SITE_URL, not the request."""

from __future__ import annotations

from typing import Any

import icalendar
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from common.urls import absolute_url
from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.followups.services import deliver_notice, sweep_followups
from outreach.mail.models import MailStatus
from outreach.surveys.services import deliver_survey_mail
from placements.models import Placement
from tests.outreach.helpers import START, at
from tests.outreach.surveys.helpers import invite

pytestmark = pytest.mark.django_db
SITE = "https://werkbrug.example.org:8443"


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = SITE + "/"  # a trailing slash is not doubled


def test_an_absolute_url_is_the_path_on_site_url() -> None:
    assert absolute_url("/s/abc/") == f"{SITE}/s/abc/"
    assert absolute_url("s/abc/") == f"{SITE}/s/abc/"


def test_the_coachs_reminder_links_to_the_step_on_site_url(placement: Placement, mailoutbox: list[Any]) -> None:
    sweep_followups(now=at(START))
    notice = FollowUpNotice.objects.get(step__placement=placement, kind=NoticeKind.REMINDER_DUE)

    assert deliver_notice(notice_pk=notice.pk, now=at(START, minute=1)) == MailStatus.SENT

    path = reverse("placements:placement", args=[placement.pk])
    assert f"{SITE}{path}#step-{notice.step_id}" in mailoutbox[0].body
    assert "/admin/" not in mailoutbox[0].body
    assert "127.0.0.1" not in mailoutbox[0].body and "testserver" not in mailoutbox[0].body


def test_the_survey_invitation_links_to_the_survey_on_site_url(placement: Placement, mailoutbox: list[Any]) -> None:
    invitation, link = invite(placement, now=at(START))

    assert deliver_survey_mail(mail_pk=invitation.mails.get().pk, now=at(START)) == MailStatus.SENT

    assert f"{SITE}/s/{link}/" in mailoutbox[0].body


def test_the_calendar_feed_and_its_events_link_to_site_url(placement: Placement, alice: User) -> None:
    staff = Client()
    staff.force_login(alice)
    feed_url = staff.post(reverse("placements:calendar"), {"action": "issue"}).context["feed_url"]

    response = Client().get(feed_url)

    assert feed_url.startswith(f"{SITE}/")
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert events
    placement_url = f"{SITE}{reverse('placements:placement', args=[placement.pk])}"
    assert {str(event["URL"]) for event in events} == {placement_url}
