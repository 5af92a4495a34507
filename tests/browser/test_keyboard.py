"""The workspace by keyboard alone, in real Chromium (WCAG 2.1 SC 2.1.1, 2.4.3, 4.1.3).

Each walk reaches its controls with Tab, types, and presses Enter; after every htmx swap it checks where the focus
landed and what the page's one live region (#live, templates/_live.html) read out. Errors are the ones only the server
finds (a next step without a date, a reason of spaces), since the browser's own check stops the empty ones first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from crm.choices import Stage
from crm.models import Interaction
from placements.choices import StepStatus
from placements.models import AftercareStep
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible, htmx_settled, press, sign_in
from tests.crm.factories import ContactFactory, EmployerFactory
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def tab_to(page: Any, target: Any, *, limit: int = 120, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the target has the focus, as a keyboard user would; fail if it never does."""
    htmx_settled(page)
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("element => document.activeElement === element", handle):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached {target}")


def focused(page: Any) -> str:
    """The focused element, for failure messages: its tag, id and text."""
    return page.evaluate(
        "() => { const e = document.activeElement; return `${e.tagName}#${e.id} ${e.textContent.trim().slice(0, 60)}` }"
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_logging_a_contact_by_keyboard(live_server, browser, rita, viewport):
    employer = EmployerFactory(name="Bakkerij Het Anker", owner=rita, stage=Stage.CONTACTED)
    ContactFactory(employer=employer, first_name="Petra", last_name="Smit")
    page = browser.new_page(viewport=viewport, locale="en-US")
    sign_in(page, live_server.url, "rita")
    page.goto(live_server.url + reverse("crm:employer", args=[employer.pk]))
    form = page.locator("#log-form")

    # The skip link leads past the navigation; from there Tab reaches the form.
    press(page, "Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    press(page, "Enter")
    expect(page.locator("main")).to_be_focused()
    tab_to(page, form.get_by_label("Kind"))
    page.keyboard.type("Call")  # typing picks the option, as in any select
    expect(form.get_by_label("Kind")).to_have_value("call")
    tab_to(page, form.get_by_label("Summary"))
    page.keyboard.type("Gebeld over een proefplaats")
    tab_to(page, form.locator("[name=next_step]"))
    page.keyboard.type("Rondleiding plannen")  # a next step without its date: only the server refuses that
    press(page, "Enter")

    summary = page.locator("#form-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(page.locator("#live")).to_have_text("Not logged: the form lists what needs changing.")
    assert_accessible(page, label="the log form with an error")
    press(page, "Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text("Next step due: A next step needs a due date.")
    press(page, "Enter")
    due = form.get_by_label("Next step due")
    expect(due).to_be_focused()
    expect(due).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Summary")).to_have_value("Gebeld over een proefplaats")  # nothing typed is lost
    day = timezone.localdate() + dt.timedelta(days=7)
    page.keyboard.type(day.strftime("%m%d%Y"))
    tab_to(page, form.get_by_role("button", name="Log it"))
    press(page, "Enter")

    notice = page.locator("#logged")
    expect(notice).to_be_focused()
    expect(page.locator("#live")).to_have_text("Logged. It is on the timeline below.")
    expect(page.locator("#timeline")).to_contain_text("Gebeld over een proefplaats")
    press(page, "Tab")  # the next Tab lands in the fresh form, not at the top of the page
    expect(form.get_by_label("Kind")).to_be_focused()
    assert_accessible(page, label="the employer page after logging by keyboard")
    logged = Interaction.objects.get(employer=employer)
    assert logged.next_step == "Rondleiding plannen" and logged.next_step_due == day


def follow_ups_of(alice) -> tuple[AftercareStep, AftercareStep]:
    placement = PlacementFactory.create(client=ClientFactory(coach=alice, reference="C-2026-0042"), job_title="Kok")
    today = timezone.localdate()
    first = AftercareStep.objects.create(
        placement=placement, title="Bellen met de cliënt", due_on=today, assignee=alice
    )
    second = AftercareStep.objects.create(
        placement=placement, title="Bezoek aan de werkplek", due_on=today, assignee=alice
    )
    return first, second


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_completing_and_moving_follow_ups_by_keyboard(live_server, browser, alice, viewport):
    first, second = follow_ups_of(alice)
    page = browser.new_page(viewport=viewport, locale="en-US")
    sign_in(page, live_server.url, "alice")
    page.goto(live_server.url + reverse("placements:followups"))
    live = page.locator("#live")
    row = page.locator(f"#step-{first.pk}")
    done = row.get_by_role("link", name="Done: Bellen met de cliënt, C-2026-0042")
    expect(done).to_have_attribute("aria-expanded", "false")

    # Open "Done", close it with Cancel: the focus goes into the form and comes back to the button.
    tab_to(page, done)
    press(page, "Enter")
    expect(row.get_by_label("Outcome")).to_be_focused()
    expect(done).to_have_attribute("aria-expanded", "true")
    assert_accessible(page, label="the follow-ups with Done open")
    tab_to(page, row.get_by_role("link", name="Cancel"))
    press(page, "Enter")
    expect(done).to_be_focused()
    expect(done).to_have_attribute("aria-expanded", "false")

    # Done, with an outcome of only spaces first (the server refuses it), then a real one.
    press(page, "Enter")
    expect(row.get_by_label("Outcome")).to_be_focused()
    page.keyboard.type("   ")
    tab_to(page, row.get_by_role("button", name="Save as done"))
    press(page, "Enter")
    summary = row.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(live).to_have_text("Not saved: the form lists what needs changing.")
    press(page, "Tab")
    press(page, "Enter")
    expect(row.get_by_label("Outcome")).to_be_focused()
    page.keyboard.type("Gaat goed")
    tab_to(page, row.get_by_role("button", name="Save as done"))
    press(page, "Enter")
    expect(page.locator(f"#step-{first.pk}.is-done")).to_be_focused()
    expect(live).to_contain_text("Done: Bellen met de cliënt")
    expect(live).to_contain_text("0 overdue, 1 today")
    assert_accessible(page, label="the follow-ups after Done by keyboard")

    # Move the other one to next week, with a reason of spaces first.
    other = page.locator(f"#step-{second.pk}")
    move = other.get_by_role("link", name="Move: Bezoek aan de werkplek, C-2026-0042")
    tab_to(page, move)
    press(page, "Enter")
    date = other.get_by_label("New date")
    expect(date).to_be_focused()
    expect(move).to_have_attribute("aria-expanded", "true")
    new_day = timezone.localdate() + dt.timedelta(days=7)
    page.keyboard.type(new_day.strftime("%m%d%Y"))
    tab_to(page, other.get_by_label("Why"))
    page.keyboard.type("  ")
    press(page, "Enter")
    expect(other.locator(".error-summary")).to_be_focused()
    expect(live).to_have_text("Not saved: the form lists what needs changing.")
    expect(date).to_have_value(new_day.isoformat())  # kept
    press(page, "Tab")
    press(page, "Enter")
    expect(other.get_by_label("Why")).to_be_focused()
    page.keyboard.type("Mentor op vakantie")
    press(page, "Enter")
    expect(page.locator(f"#step-{second.pk}.is-done")).to_be_focused()
    expect(live).to_contain_text("Moved to")
    expect(live).to_contain_text("0 overdue, 0 today and 1 this week.")
    assert_accessible(page, label="the follow-ups after Move by keyboard")

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == StepStatus.DONE and first.outcome == "Gaat goed"
    assert second.due_on == new_day and second.reason == "Mentor op vakantie"


def test_moving_an_employer_on_the_board_by_keyboard(live_server, browser, rita):
    employer = EmployerFactory(name="Bakkerij Het Anker", owner=rita, stage=Stage.PROSPECT)
    EmployerFactory(name="Drukkerij De Pers", owner=rita, stage=Stage.PROSPECT)
    page = browser.new_page(viewport=DESKTOP, locale="en-US")
    sign_in(page, live_server.url, "rita")
    page.goto(live_server.url + reverse("crm:board"))
    card = page.locator(f"#card-{employer.pk}")

    # Each card's "Move" says which employer it moves.
    expect(card.locator("summary")).to_have_accessible_name("Move Bakkerij Het Anker")
    tab_to(page, card.locator("summary"))
    press(page, "Enter")
    tab_to(page, card.get_by_role("button", name="Engaged"))
    press(page, "Enter")

    moved = page.locator(f"section[data-stage='engaged'] #card-{employer.pk}")
    expect(moved).to_be_focused()
    expect(page.locator("#live")).to_have_text("Bakkerij Het Anker moved to Engaged.")
    press(page, "Tab")
    expect(moved.get_by_role("link", name="Bakkerij Het Anker")).to_be_focused()
    assert_accessible(page, label="the board after a move by keyboard")

    # The search: the focus stays in it and the live region says how many match.
    search = page.get_by_role("searchbox")
    tab_to(page, search, backwards=True)
    page.keyboard.type("drukkerij")
    press(page, "Enter")
    expect(page.locator("#live")).to_have_text("1 employer on the board.")
    expect(search).to_be_focused()
    employer.refresh_from_db()
    assert employer.stage == Stage.ENGAGED
