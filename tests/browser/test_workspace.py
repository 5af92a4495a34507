"""The workspace in real Chromium: a relationship manager's and a coach's morning, and screenshots of the pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.choices import Stage
from crm.models import EmployerStageChange, Interaction, LadderStep
from placements.choices import StepStatus
from placements.models import AftercareStep, CoachingAgreement
from placements.services import activate_placement
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible, sign_in
from tests.crm.factories import ContactFactory, EmployerFactory, InteractionFactory, VacancyFactory
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def network_of(rita):
    """A small network owned by rita: the employer the walk moves, plus some others for the pages."""
    employer = EmployerFactory(name="Bakkerij Het Anker", owner=rita, stage=Stage.PROSPECT, city="Utrecht")
    ContactFactory(employer=employer, first_name="Petra", last_name="Smit", phone="+31 30 123 4567")
    step = LadderStep.objects.get(position=19)
    for n, stage in enumerate([Stage.CONTACTED, Stage.ENGAGED, Stage.ACTIVE, Stage.ACTIVE, Stage.DORMANT]):
        other = EmployerFactory(name=f"Partner {n}", owner=rita, stage=stage, city="Amersfoort")
        VacancyFactory(employer=other, places=2).ladder_steps.add(step)
        InteractionFactory(employer=other, author=rita, summary="Kennismaking")
    return employer


def caseload_of(alice):
    """One active placement with its aftercare schedule, one step due today."""
    mentor = ContactFactory(first_name="Marieke", last_name="Bos", phone="+31 6 1234 5678")
    placement = PlacementFactory(
        client=ClientFactory(coach=alice, reference="C-2026-0042"),
        employer=mentor.employer,
        mentor=mentor,
        job_title="Medewerker keuken",
        start_on=timezone.localdate() - dt.timedelta(days=20),
    )
    activate_placement(placement=placement, actor=alice)
    CoachingAgreement.objects.create(
        client=placement.client,
        parties="Cliënt, coach, werkgever",
        joint_work="Elke week samen terugkijken",
        expected_result="Zelfstandig in de keuken",
        success_measure="De mentor bevestigt het",
    )
    today_step = AftercareStep.objects.create(
        placement=placement, title="Bellen met de cliënt", due_on=timezone.localdate(), assignee=alice
    )
    return placement, today_step


def test_a_relationship_manager_moves_an_employer_on_the_board_and_logs_a_call(live_server, browser, rita):
    employer = network_of(rita)
    page = browser.new_page(viewport=DESKTOP)

    sign_in(page, live_server.url, "rita")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rita")

    page.get_by_role("navigation").get_by_role("link", name="Employers").click()
    page.get_by_label("Search").fill("anker")  # results follow the typing, without a full page load
    expect(page.locator("#result-count")).to_contain_text("1 employer")
    expect(page.locator("#employer-results")).to_contain_text("Bakkerij Het Anker")
    assert_accessible(page, label="the employer list, filtered")
    assert "q=anker" in page.evaluate("location.href")

    page.get_by_role("navigation").get_by_role("link", name="Pipeline").click()
    card = page.locator(f"#card-{employer.pk}")
    expect(page.locator(f"section[data-stage='prospect'] #card-{employer.pk}")).to_be_visible()
    assert_accessible(page, label="the board")
    card.get_by_text("Move").click()
    card.get_by_role("button", name="Engaged").click()
    expect(page.locator(f"section[data-stage='engaged'] #card-{employer.pk}")).to_be_visible()
    expect(page.locator("#live")).to_have_text("Bakkerij Het Anker moved to Engaged.")  # read out where the focus is
    expect(page.locator(f"#card-{employer.pk}")).to_be_focused()
    assert_accessible(page, label="the board after a move")

    employer.refresh_from_db()
    assert employer.stage == Stage.ENGAGED
    assert EmployerStageChange.objects.filter(employer=employer, to_stage=Stage.ENGAGED, changed_by=rita).exists()

    page.locator(f"#card-{employer.pk}").get_by_role("link", name="Bakkerij Het Anker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bakkerij Het Anker")
    assert_accessible(page, label="the employer page")
    due = timezone.localdate() + dt.timedelta(days=7)
    form = page.locator("#log-form")
    form.get_by_label("Kind").select_option("call")
    form.get_by_label("Contact").select_option(label="Petra Smit")
    form.get_by_label("Minutes").fill("15")
    form.get_by_label("Summary").fill("Gebeld over een proefplaats in de bakkerij")
    form.locator("[name=next_step]").fill("Rondleiding plannen")
    form.get_by_label("Next step due").fill(due.isoformat())
    form.get_by_role("button", name="Log it").click()

    expect(page.locator("#activity")).to_contain_text("Logged.")
    expect(page.locator("#live")).to_have_text("Logged. It is on the timeline below.")
    expect(page.locator("#timeline")).to_contain_text("Gebeld over een proefplaats in de bakkerij")
    assert_accessible(page, label="the employer page after logging a call")
    interaction = Interaction.objects.get(employer=employer, author=rita)
    assert interaction.next_step == "Rondleiding plannen" and interaction.next_step_due == due


def test_a_coach_completes_a_follow_up_from_her_list(live_server, browser, alice):
    _placement, today_step = caseload_of(alice)
    page = browser.new_page(viewport=PHONE)

    sign_in(page, live_server.url, "alice")
    expect(page.get_by_text("Bellen met de cliënt")).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name="My follow-ups").click()
    row = page.locator(f"#step-{today_step.pk}")
    expect(row).to_contain_text("C-2026-0042")
    assert_accessible(page, label="the follow-up list")
    today_count = page.locator('[data-count="today"]')
    before = int(today_count.inner_text())
    row.get_by_role("link", name="Done: Bellen met de cliënt, C-2026-0042").click()
    row.get_by_label("Outcome").fill("Gaat goed, voelt zich thuis in het team")
    assert_accessible(page, label="the follow-up list with the Done form open")
    row.get_by_label("Minutes").fill("20")
    row.get_by_role("button", name="Save as done").click()

    expect(page.locator(f"#step-{today_step.pk}.is-done")).to_be_visible()
    # The counts change without a reload, and the live region says so.
    expect(today_count).to_have_text(str(before - 1))
    expect(page.locator("#live")).to_contain_text(f"{before - 1} today")
    assert_accessible(page, label="the follow-up list after Done")
    today_step.refresh_from_db()
    assert today_step.status == StepStatus.DONE
    assert today_step.outcome == "Gaat goed, voelt zich thuis in het team" and today_step.minutes_spent == 20


def _pages(placement, employer):
    """Screenshot name -> (user, path)."""
    return {
        "home-rm": ("rita", "/"),
        "employers": ("rita", "/network/employers/"),
        "board": ("rita", "/network/board/"),
        "employer": ("rita", f"/network/employers/{employer.pk}/"),
        "coverage": ("rita", "/network/coverage/"),
        "import": ("rita", "/network/import/"),
        "home-coach": ("alice", "/"),
        "followups": ("alice", "/followups/"),
        "clients": ("alice", "/clients/"),
        "placement": ("alice", f"/placements/{placement.pk}/"),
        "calendar": ("alice", "/calendar/"),
    }


def test_the_main_pages_fit_a_desktop_and_a_phone(live_server, browser, rita, alice, screenshots: Path):
    employer = network_of(rita)
    placement, _step = caseload_of(alice)
    for size_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        pages = {user: browser.new_page(viewport=viewport) for user in ("rita", "alice")}
        for user, page in pages.items():
            sign_in(page, live_server.url, user)
        for name, (user, path) in _pages(placement, employer).items():
            page = pages[user]
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            assert_accessible(page, label=f"{path} ({user})")
            page.screenshot(path=str(screenshots / f"{name}-{size_name}.png"), full_page=True)
            # Nothing may push the page sideways on a phone (the board scrolls inside its own box).
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px too wide at {size_name} size"
        for page in pages.values():
            page.close()
