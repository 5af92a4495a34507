"""The workplace mentor's page in real Chromium on a phone (issue 14, "Done when").

The mentor opens her link from the check-in mail the follow-up sweep queued and the mail pipeline
built, sees the employer track's schedule in Dutch, proposes another date for a visit, answers the
mid-placement check-in on the page (a question left open first) and raises a concern; then the coach
signs in and finds the urgent follow-up and the concern on her home page, and the concern on the
employer's timeline. The page never scrolls sideways at 390 px.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail as django_mail
from django.utils import timezone
from playwright.sync_api import expect

from crm.choices import ContactRole
from outreach.followups.models import FollowUpNotice, NoticeKind
from outreach.followups.services import deliver_notice, sweep_followups
from outreach.mentors.models import MentorConcern, MentorLink, VisitReply, VisitReplyKind
from outreach.mentors.services import is_visit, mentor_steps
from outreach.surveys.models import SurveyResponse
from outreach.surveys.services import open_invitation_for
from placements.choices import ConsentPurpose
from placements.models import ConsentRecord, Placement
from placements.services import activate_placement
from tests.browser.helpers import PHONE, assert_accessible, sign_in
from tests.crm.factories import ContactFactory
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WHAT_HAPPENED = "Amina kwam vandaag niet opdagen en belde niet af."


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"the page is {width[0] - width[1]}px wider than the phone"


def a_placement_two_weeks_in(alice: Any, carl: Any) -> Placement:
    """Alice's client Amina (consent to share), placed 14 days ago: the mentor's first check-in is due today."""
    client = ClientFactory.create(coach=alice, case_manager=carl, first_name="Amina")
    ConsentRecord.objects.create(
        client=client, purpose=ConsentPurpose.SHARE_WITH_EMPLOYER, given_on=timezone.localdate() - dt.timedelta(30)
    )
    mentor = ContactFactory.create(first_name="Marleen", preferred_language="nl", role=ContactRole.MENTOR)
    start = timezone.localdate() - dt.timedelta(days=14)
    placement = PlacementFactory.create(
        client=client, employer=mentor.employer, mentor=mentor, start_on=start, job_title="Medewerker keuken"
    )
    activate_placement(placement=placement, actor=alice, now=timezone.now() - dt.timedelta(days=15))
    return placement


def the_link_in_the_check_in_mail(placement: Placement) -> str:
    """Run the day's sweep, deliver the mentor's check-in through the mail pipeline, and read her link in it."""
    sweep_followups(now=timezone.now(), enqueue=False)
    notice = FollowUpNotice.objects.get(kind=NoticeKind.EMPLOYER_CHECKIN, step__placement=placement)
    deliver_notice(notice_pk=notice.pk, now=timezone.now())
    assert placement.mentor is not None
    sent = [message for message in django_mail.outbox if placement.mentor.email in message.to]
    assert len(sent) == 1
    found = re.search(r"https?://\S+/m/[^\s/]+/", str(sent[0].body))
    assert found, sent[0].body
    return urlsplit(found.group(0)).path


def test_the_mentor_proposes_a_date_and_raises_a_concern_the_coach_finds_it(
    browser: Any, live_server: Any, screenshots: Path, alice: Any, carl: Any
) -> None:
    placement = a_placement_two_weeks_in(alice, carl)
    path = the_link_in_the_check_in_mail(placement)
    # The check-in mail opened the mid-placement check-in questions on her page.
    check_in = open_invitation_for(placement, "mid_placement")
    assert check_in is not None
    visit = next(step for step in mentor_steps(placement) if is_visit(step) and step.due_on > timezone.localdate())

    page = browser.new_page(viewport=PHONE, locale="nl-NL")
    page.goto(live_server.url + path)
    # Her browser, unlike a mail scanner, tells the page it was opened once it loaded.
    for _attempt in range(50):
        if MentorLink.objects.get(placement=placement).last_opened_at is not None:
            break
        page.wait_for_timeout(100)
    assert MentorLink.objects.get(placement=placement).last_opened_at is not None

    # The schedule in Dutch: the page's language, the plan's Dutch wording, Dutch dates.
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    schedule = page.locator("#schedule")
    expect(schedule).to_contain_text("Check-in met de werkplekbegeleider")
    row = page.locator(f"#step-{visit.pk}")
    expect(row).to_contain_text(visit.label("nl"))
    expect(row.locator(".when")).to_contain_text(str(visit.due_on.year))
    assert re.search(r"(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)", row.inner_text())
    expect(page.locator(".colleague-name")).to_have_text("Amina")
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / "mentor-page-phone-nl.png"), full_page=True)
    assert_accessible(page, label="the mentor's page")

    # Another date for the visit, a week later.
    proposed = visit.due_on + dt.timedelta(days=7)
    row.locator("summary").click()
    row.locator('input[name="proposed_on"]').fill(proposed.isoformat())
    row.locator('input[name="note"]').fill("Die week ben ik met verlof.")
    row.locator('form[id$="-form"] button[type="submit"]').click()
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator(f"#step-{visit.pk}")).to_contain_text(str(proposed.day))
    reply = VisitReply.objects.get(step=visit)
    assert (reply.kind, reply.proposed_on) == (VisitReplyKind.PROPOSED, proposed)
    assert_accessible(page, label="the mentor's page after proposing a date")
    no_sideways_scroll(page)

    # The check-in, answered on the page: a question left open is pointed out and nothing typed is lost.
    survey = page.locator(f"#survey-{check_in.pk}-form")
    prefix = f"#survey-{check_in.pk}-q_"
    survey.locator(f"{prefix}mid_going_well-4").check()
    survey.locator(f"{prefix}mid_call_me").check()
    survey.locator(f"{prefix}mid_comments").fill("Ze leert snel.")
    survey.locator('button[type="submit"]').click()
    summary = page.locator(f"#survey-{check_in.pk}-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(page.locator(f"{prefix}mid_comments")).to_have_value("Ze leert snel.")
    expect(page.locator(f"{prefix}mid_going_well-4")).to_be_checked()
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / "mentor-page-phone-nl-check-in-error.png"), full_page=True)
    assert_accessible(page, label="the mentor's check-in with errors")
    page.locator(f"{prefix}mid_work_attitudes-3").check()
    page.locator(f"{prefix}mid_communication-5").check()
    page.locator(f"#survey-{check_in.pk}-form button[type='submit']").click()
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator(f"#survey-{check_in.pk}-form")).to_have_count(0)
    assert_accessible(page, label="the mentor's page after the check-in")
    answered = SurveyResponse.objects.get(invitation=check_in)
    assert (answered.language, answered.answers.count()) == ("nl", 5)

    # A concern, urgent, with a call back.
    form = page.locator("#concern-form")
    form.locator("#concern-what_happened").fill(WHAT_HAPPENED)
    form.locator('input[name="urgency"]').first.check()
    form.locator('input[name="call_back"]').check()
    form.locator("#concern-phone").fill("+31 6 1234 5678")
    form.locator('button[type="submit"]').click()
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#concern-list")).to_contain_text(WHAT_HAPPENED)
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / "mentor-page-phone-nl-concern.png"), full_page=True)
    assert_accessible(page, label="the mentor's page after a concern")
    concern = MentorConcern.objects.select_related("step").get()
    follow_up = concern.step
    assert follow_up is not None
    assert (concern.placement, concern.call_back, follow_up.assignee) == (placement, True, alice)

    # The coach: the urgent follow-up and the concern on her home page, the concern on the employer's timeline.
    coach = browser.new_page(viewport=PHONE)
    sign_in(coach, live_server.url, "alice")
    concerns = coach.locator("#mentor-concerns")
    expect(concerns).to_contain_text("Marleen")
    expect(concerns).to_contain_text(WHAT_HAPPENED[:40])
    expect(coach.locator("main")).to_contain_text(follow_up.title)
    no_sideways_scroll(coach)
    coach.screenshot(path=str(screenshots / "mentor-concern-coach-home-phone.png"), full_page=True)

    coach.goto(f"{live_server.url}/network/employers/{placement.employer_id}/")
    expect(coach.locator("main")).to_contain_text("raised a concern")
    expect(coach.locator("main")).not_to_contain_text(WHAT_HAPPENED)  # her words are casework, not for the timeline
    assert_accessible(coach, label="the employer page with the concern")
    coach.screenshot(path=str(screenshots / "mentor-concern-employer-timeline-phone.png"), full_page=True)
