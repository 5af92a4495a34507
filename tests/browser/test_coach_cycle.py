"""The whole cycle in real Chromium, through the workspace only (never the admin).

A coach takes in a client, records her consents and coaching agreement, places her from a vacancy,
activates the placement, does the first follow-up, ends the placement and closes the file. A case
manager goes from his home page to the team page and gives an overdue follow-up to another coach.
Each test opens only the home page by address; everything after is clicks and typing, and a request
listener fails the test if the page ever asks for an admin address.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.choices import ContactRole, Stage
from placements.choices import ClientStatus, ConsentPurpose, PlacementStatus, StepStatus
from placements.models import AftercareStep, Client, CoachingAgreement, Placement, Team
from placements.services import activate_placement
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible, assert_no_admin, shoot, sign_in, watch_requests
from tests.crm.factories import ContactFactory, EmployerFactory, VacancyFactory
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REFERENCE = "C-2026-0777"


def a_vacancy():
    """An open vacancy at a partner employer with a workplace mentor among its contacts."""
    employer = EmployerFactory(name="Restaurant De Linde", stage=Stage.ACTIVE, city="Utrecht")
    mentor = ContactFactory(
        employer=employer, first_name="Marieke", last_name="Bos", role=ContactRole.MENTOR, job_title="Chef-kok"
    )
    ContactFactory(employer=employer, first_name="Jan", last_name="Visser")
    vacancy = VacancyFactory(employer=employer, title="Medewerker keuken", hours_per_week=24)
    return vacancy, mentor


def test_a_coach_walks_a_client_through_the_whole_cycle(live_server, browser, alice, screenshots: Path):
    vacancy, mentor = a_vacancy()
    today = timezone.localdate()
    page = browser.new_page(viewport=DESKTOP)
    seen = watch_requests(page)
    nav = page.get_by_role("navigation", name="Main")

    sign_in(page, live_server.url, "alice")

    # Intake: a pseudonymous reference, her first name and language, consents to coaching and sharing.
    nav.get_by_role("link", name="My clients").click()
    page.get_by_role("link", name="New client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Take in a client")
    page.get_by_role("textbox", name="Reference").fill(REFERENCE)
    page.get_by_label("First name").fill("Amina")
    page.get_by_label("Preferred language").select_option(label="Dutch")
    page.get_by_label("Coaching and keeping this file").check()
    page.get_by_label("Sharing agreed information with the employer").check()
    page.get_by_label("Consents given on").fill(today.isoformat())
    page.get_by_label("How she gave them").select_option(label="Signed form")
    assert_accessible(page, label="the intake form")
    shoot(page, screenshots, "cycle-intake", phone=True)
    page.get_by_role("button", name="Take her in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{REFERENCE} · Amina")
    expect(page.get_by_text(f"{REFERENCE} is taken in.")).to_be_visible()
    assert_accessible(page, label="the new client's page")
    client = Client.objects.get(reference=REFERENCE)
    assert client.coach == alice and client.first_name == "Amina" and client.preferred_language == "nl"
    given = {c.purpose for c in client.consents.all()}
    assert given == {ConsentPurpose.COACHING, ConsentPurpose.SHARE_WITH_EMPLOYER}
    assert all(c.given_on == today and c.source == "signed_form" for c in client.consents.all())

    # A further consent on her page: workplace visits, given in a conversation.
    consents = page.locator("section[aria-labelledby=consent-title]")
    consent_form = page.locator("#consent-form")
    consent_form.get_by_label("Purpose").select_option(label="Workplace visits by the coach")
    consent_form.get_by_label("Given on").fill(today.isoformat())
    consent_form.get_by_label("How").select_option(label="In a conversation, noted by the coach")
    consent_form.get_by_label("Note").fill("Akkoord met een bezoek in de eerste week")
    consent_form.get_by_role("button", name="Record consent").click()
    expect(page.get_by_text("Consent recorded: Workplace visits by the coach.")).to_be_visible()
    expect(consents.locator("li.step").filter(has_text="Workplace visits by the coach")).to_contain_text("Given")
    expect(consents.locator("li.step").filter(has_text="Being named as a reference")).to_contain_text("Not given")
    assert_accessible(page, label="the client page after a consent")
    assert client.has_consent(ConsentPurpose.WORKPLACE_VISITS, on=today)

    # The coaching agreement, first version.
    page.get_by_role("link", name="Coaching agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching agreement")
    expect(page.get_by_text("No coaching agreement recorded yet.")).to_be_visible()
    assert_accessible(page, label="the empty coaching agreement")
    page.get_by_role("link", name="Write the agreement").click()
    page.get_by_label("Parties").fill("Amina, coach Alice, Restaurant De Linde")
    page.get_by_label("What we do together").fill("Elke week samen terugkijken op het werk")
    page.get_by_label("Expected result").fill("Een vaste baan in de keuken")
    page.get_by_label("How we will know").fill("Een contract na de proeftijd")
    page.get_by_label("What may be shared with the employer").fill("Ze werkt het liefst in de ochtend")
    assert_accessible(page, label="the coaching agreement form")
    shoot(page, screenshots, "cycle-agreement")
    page.get_by_role("button", name="Save the agreement").click()
    expect(page.get_by_text("Version 1 of the agreement is in force.")).to_be_visible()
    expect(page.locator(".agreement-terms")).to_contain_text("Een vaste baan in de keuken")
    expect(page.get_by_text("She consents to sharing")).to_be_visible()
    assert_accessible(page, label="the coaching agreement")
    agreement = CoachingAgreement.objects.get(client=client)
    assert agreement.version == 1 and agreement.created_by == alice
    assert agreement.share_with_employer == "Ze werkt het liefst in de ochtend"

    # A placement from the open vacancy, starting today with the mentor from the employer's contacts.
    page.get_by_role("main").get_by_role("link", name=REFERENCE).first.click()
    page.get_by_role("link", name="Start a placement").click()
    vacancies = page.locator("section[aria-labelledby=vacancies-title]")
    row = vacancies.get_by_role("row").filter(has_text="Medewerker keuken")
    expect(row).to_contain_text("Restaurant De Linde")
    assert_accessible(page, label="choosing a vacancy")
    row.get_by_role("link", name="Choose").click()
    expect(page.get_by_text("From the vacancy Medewerker keuken at Restaurant De Linde.")).to_be_visible()
    expect(page.get_by_label("Job title")).to_have_value("Medewerker keuken")
    page.get_by_label("Start").fill(today.isoformat())
    page.get_by_label("Workplace mentor").select_option(label="Marieke Bos (Workplace mentor · Chef-kok)")
    page.get_by_role("button", name="Show the schedule").click()
    schedule = page.locator("section[aria-labelledby=schedule-title]")
    expect(schedule).to_contain_text("Standard aftercare (Flora)")
    expect(schedule).to_contain_text("Welcome visit at the workplace")
    assert_accessible(page, label="the new placement with its schedule")
    shoot(page, screenshots, "cycle-placement-new")
    assert not Placement.objects.filter(client=client).exists()  # the preview saved nothing
    page.get_by_role("button", name="Record the placement").click()

    expect(page.get_by_text("The placement is recorded.")).to_be_visible()
    assert_accessible(page, label="the planned placement")
    placement = Placement.objects.get(client=client)
    assert placement.status == PlacementStatus.PLANNED and placement.vacancy == vacancy
    assert placement.mentor == mentor and placement.start_on == today and placement.coach == alice

    # Activate: the schedule it will make, then confirm.
    page.locator(".placement-status").get_by_role("link", name="Activate").click()
    changes = page.locator("section[aria-labelledby=changes-title]")
    expect(changes).to_contain_text("Welcome visit at the workplace")
    assert_accessible(page, label="activating the placement")
    shoot(page, screenshots, "cycle-activate-preview", phone=True)
    assert not placement.steps.exists()  # the preview saved nothing
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("The placement is active and its aftercare schedule is made.")).to_be_visible()
    assert_accessible(page, label="the active placement")
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ACTIVE
    welcome = placement.steps.get(template__offset_days=0, template__order=10)
    assert welcome.due_on == today and welcome.assignee == alice
    assert placement.steps.count() > 1

    # The welcome visit is due today: done from "My follow-ups".
    nav.get_by_role("link", name="My follow-ups").click()
    step_row = page.locator(f"#step-{welcome.pk}")
    expect(step_row).to_contain_text(REFERENCE)
    assert_accessible(page, label="the follow-up list")
    step_row.get_by_role("link", name=f"Done: {welcome.label()}, {REFERENCE}").click()
    step_row.get_by_label("Outcome").fill("Goed ontvangen, Marieke leidt haar rond")
    assert_accessible(page, label="the follow-up list with the Done form open")
    step_row.get_by_label("Minutes").fill("45")
    step_row.get_by_role("button", name="Save as done").click()
    expect(page.locator(f"#step-{welcome.pk}.is-done")).to_be_visible()
    assert_accessible(page, label="the follow-up list after Done")
    welcome.refresh_from_db()
    assert welcome.status == StepStatus.DONE and welcome.completed_by == alice and welcome.minutes_spent == 45

    # End the placement early: who and why, what it changes, then confirm.
    page.locator(f"#step-{welcome.pk}").get_by_role("link", name="Welcome visit at the workplace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Medewerker keuken")
    expect(page.locator("#aftercare-title ~ *").first).to_contain_text("Goed ontvangen")
    assert_accessible(page, label="the placement page")
    page.get_by_role("link", name="End or complete").click()
    page.get_by_label("Ended early", exact=True).check()
    assert_accessible(page, label="the end-of-placement form")
    page.get_by_label("Ended by").select_option(label="The client")
    page.get_by_label("Main reason").select_option(label="She found other work or training")
    page.locator("#id_reason").fill("Ze kiest toch voor een opleiding")
    page.get_by_role("button", name="Show what changes").click()
    expect(page.locator("section[aria-labelledby=changes-title]")).to_contain_text("cancelled")
    assert_accessible(page, label="ending the placement, what changes")
    shoot(page, screenshots, "cycle-end-preview")
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ACTIVE  # the preview changed nothing
    page.get_by_role("button", name="Record the end").click()
    expect(page.get_by_text("The end of the placement is recorded.")).to_be_visible()
    expect(page.locator(".placement-status")).to_contain_text("Ended early on")
    assert_accessible(page, label="the ended placement")
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ENDED_EARLY
    assert placement.actual_end_on == today and placement.ended_by == "client"
    assert placement.end_reason == "Ze kiest toch voor een opleiding" and placement.end_cause == "other_work"

    # Close her file: why, where she went, what it changes, then confirm.
    page.get_by_role("main").get_by_role("link", name=REFERENCE).click()
    page.get_by_role("link", name="Close the file").click()
    page.get_by_label("Why the file is closed").select_option(label="Referred elsewhere")
    assert_accessible(page, label="the close-the-file form")
    page.get_by_label("Where she went").select_option(label="Education or training")
    page.get_by_role("button", name="Show what changes").click()
    expect(page.get_by_role("heading", name="What closing changes to the schedule")).to_be_visible()
    assert_accessible(page, label="closing the file, what changes")
    shoot(page, screenshots, "cycle-close-preview")
    client.refresh_from_db()
    assert client.status != ClientStatus.CLOSED  # the preview changed nothing
    page.get_by_role("button", name="Confirm: close the file").click()

    expect(page.get_by_text(f"The file of {REFERENCE} is closed.")).to_be_visible()
    expect(page.get_by_text("File closed on")).to_contain_text("Referred elsewhere")
    expect(page.get_by_text("She went to: Education or training.")).to_be_visible()
    assert_accessible(page, label="the closed file")
    expect(page.get_by_role("link", name="Close the file")).to_have_count(0)
    expect(page.get_by_role("link", name="Start a placement")).to_have_count(0)
    client.refresh_from_db()
    assert client.status == ClientStatus.CLOSED and client.closed_on == today
    assert client.closing_reason == "referred" and client.destination == "education"
    assert_no_admin(seen)


def test_a_case_manager_gives_an_overdue_follow_up_to_another_coach(
    live_server, browser, alice, bob, carl, screenshots: Path
):
    team = Team.objects.create(name="Team Utrecht")
    team.leads.add(carl)
    team.coaches.add(alice, bob)
    mentor = ContactFactory(first_name="Marieke", last_name="Bos", role=ContactRole.MENTOR)
    placement: Placement = PlacementFactory.create(
        client=ClientFactory.create(coach=alice, reference="C-2026-0042"),
        employer=mentor.employer,
        mentor=mentor,
        job_title="Medewerker keuken",
        start_on=timezone.localdate() - dt.timedelta(days=5),
    )
    activate_placement(placement=placement, actor=alice)
    # The welcome visit was due on the first day and never recorded: five days overdue, escalated.
    late = placement.steps.get(template__order=10)
    assert late.due_on == timezone.localdate() - dt.timedelta(days=5) and late.assignee == alice
    assert list(AftercareStep.objects.overdue(today=timezone.localdate())) == [late]

    page = browser.new_page(viewport=DESKTOP)
    seen = watch_requests(page)
    sign_in(page, live_server.url, "carl")

    lead = page.locator("section[aria-labelledby=lead-today]")
    expect(lead).to_contain_text("1 escalated follow-up")
    escalated = lead.locator("li.step").filter(has_text="Welcome visit at the workplace")
    expect(escalated).to_contain_text("5 days overdue")
    expect(escalated).to_contain_text("Alice")
    expect(escalated).to_contain_text("C-2026-0042")
    assert_accessible(page, label="the case manager's home page")
    page.screenshot(path=str(screenshots / "home-case-manager.png"), full_page=True)

    escalated.get_by_role("link", name="Welcome visit at the workplace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team")
    line = page.locator(f"#step-{late.pk}")
    expect(line).to_contain_text("escalated")
    expect(page.locator(f"#coach-{alice.pk} + ul #step-{late.pk}")).to_be_visible()
    assert_accessible(page, label="the team page")
    page.screenshot(path=str(screenshots / "team.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(screenshots / "team-phone.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the team page is {overflow}px too wide on a phone"
    page.set_viewport_size(DESKTOP)

    line.get_by_role("link", name="Give this step to another coach").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Give a step to another coach")
    expect(page.get_by_text("now with Alice")).to_be_visible()
    assert_accessible(page, label="giving a step to another coach")
    page.get_by_label("New coach").select_option(label="Bob")
    page.get_by_label("Why").fill("Alice is deze week ziek")
    page.get_by_role("button", name="Give the step to this coach").click()

    expect(page.get_by_text("Welcome visit at the workplace now goes to Bob.")).to_be_visible()
    assert_accessible(page, label="the team page after giving the step")
    late.refresh_from_db()
    assert late.assignee == bob and late.reason == "Alice is deze week ziek"
    assert late.status in (StepStatus.PLANNED, StepStatus.DUE) and late.due_on < timezone.localdate()
    # On the team page the step is now listed under Bob, no longer under Alice.
    under_bob = page.locator(f"#coach-{bob.pk}")
    expect(under_bob).to_contain_text("Bob")
    expect(page.locator(f"#coach-{alice.pk}")).to_have_count(0)
    expect(page.locator(f"#coach-{bob.pk} + ul #step-{late.pk}")).to_be_visible()
    assert_no_admin(seen)
