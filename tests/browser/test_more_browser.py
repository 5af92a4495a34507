""" "More" in real Chromium: a board column and a follow-up section grow by keyboard, the focus lands on the
first new card or row, and what "more" loaded works like the rest (a card moves, a follow-up opens its form)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.choices import Stage
from crm.models import Employer
from crm.views.board import BOARD_CARDS_PER_STAGE
from placements.choices import PlacementStatus
from placements.models import AftercareStep
from placements.views.followups import FOLLOWUP_PAGE
from tests.browser.helpers import DESKTOP, assert_accessible, press, sign_in
from tests.crm.factories import EmployerFactory
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def signed_in_page(browser: Any, base_url: str, username: str, path: str) -> Any:
    page = browser.new_page(viewport=DESKTOP)
    sign_in(page, base_url, username)
    page.goto(base_url + path)
    assert_accessible(page, label=path)
    return page


def test_more_in_a_board_column_by_keyboard_focuses_the_first_new_card_which_then_moves(
    live_server, browser, rita, screenshots: Path
):
    now = timezone.now()
    prospects = [
        EmployerFactory.create(
            name=f"Prospect {n:02d}", owner=rita, stage=Stage.PROSPECT, stage_changed_at=now - dt.timedelta(hours=n)
        )
        for n in range(BOARD_CARDS_PER_STAGE + 3)
    ]
    first_new = prospects[BOARD_CARDS_PER_STAGE]
    page = signed_in_page(browser, live_server.url, "rita", "/network/board/?q=Prospect")
    column = page.locator("section[data-stage='prospect']")
    expect(column.locator(".board-card")).to_have_count(BOARD_CARDS_PER_STAGE)

    more = column.get_by_role("link", name="More in Prospect (3 more)")
    more.focus()
    press(page, "Enter")

    card = page.locator(f"#card-{first_new.pk}")
    expect(card).to_be_focused()
    expect(page.locator("#live")).to_have_text("3 more employers shown.")
    expect(column.locator(".board-card")).to_have_count(BOARD_CARDS_PER_STAGE + 3)
    expect(column.get_by_role("link", name="More in Prospect", exact=False)).to_have_count(0)
    expect(page.get_by_role("searchbox")).to_have_value("Prospect")  # the page kept its filters
    assert_accessible(page, label="the board after More")
    page.screenshot(path=str(screenshots / "board-more.png"), full_page=True)

    # From the focused card, the keyboard reaches its "Move" and the first stage to move it to.
    press(page, "Tab")
    expect(card.get_by_role("link", name=first_new.name)).to_be_focused()
    press(page, "Tab")
    expect(card.locator("summary")).to_be_focused()
    press(page, "Enter")
    press(page, "Tab")
    expect(card.get_by_role("button", name="Contacted")).to_be_focused()
    press(page, "Enter")

    expect(page.locator("#live")).to_have_text(f"{first_new.name} moved to Contacted.")
    moved = page.locator(f"section[data-stage='contacted'] #card-{first_new.pk}")
    expect(moved).to_be_focused()
    assert_accessible(page, label="the board after a move")
    assert Employer.objects.get(pk=first_new.pk).stage == Stage.CONTACTED


def test_more_follow_ups_by_keyboard_focuses_the_first_new_row_whose_done_form_opens(
    live_server, browser, alice, screenshots: Path
):
    placement = PlacementFactory.create(
        client=ClientFactory.create(coach=alice), status=PlacementStatus.ACTIVE, start_on=dt.date(2026, 1, 5)
    )
    today = timezone.localdate()
    steps = [
        AftercareStep.objects.create(
            placement=placement, title=f"Belafspraak {n:02d}", due_on=today - dt.timedelta(days=90 - n), assignee=alice
        )
        for n in range(FOLLOWUP_PAGE + 2)
    ]
    page = signed_in_page(browser, live_server.url, "alice", "/followups/")
    overdue = page.locator("section#overdue")
    expect(overdue.locator("li.step")).to_have_count(FOLLOWUP_PAGE)
    expect(page.locator("[data-count='overdue']")).to_have_text(str(FOLLOWUP_PAGE + 2))
    overdue.locator("li.step-more").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "followups-before-more.png"), full_page=False)

    overdue.get_by_role("link", name="More overdue follow-ups (2 more)").focus()
    press(page, "Enter")

    row = page.locator(f"#step-{steps[FOLLOWUP_PAGE].pk}")
    expect(row).to_be_focused()
    expect(page.locator("#live")).to_have_text("2 more follow-ups shown.")
    expect(overdue.locator("li.step")).to_have_count(FOLLOWUP_PAGE + 2)
    expect(overdue.locator("li.step-more")).to_have_count(0)
    assert_accessible(page, label="the follow-ups after More")
    page.screenshot(path=str(screenshots / "followups-more.png"), full_page=False)
    row.get_by_role("link", name="Done").focus()
    press(page, "Enter")
    expect(row.get_by_role("button", name="Save as done")).to_be_visible()
    assert_accessible(page, label="the follow-ups with the Done form open")


def test_a_folded_stage_loads_its_cards_when_opened_and_keeps_the_focus_on_its_button(live_server, browser, rita):
    EmployerFactory.create_batch(BOARD_CARDS_PER_STAGE + 2, owner=rita, stage=Stage.DORMANT)
    page = signed_in_page(browser, live_server.url, "rita", "/network/board/")
    column = page.locator("section[data-stage='dormant']")
    expect(column.locator(".board-card")).to_have_count(0)

    toggle = page.get_by_role("button", name="Dormant")
    toggle.focus()
    press(page, "Enter")

    expect(column.locator(".board-card")).to_have_count(BOARD_CARDS_PER_STAGE)
    expect(column.get_by_role("link", name="More in Dormant (2 more)")).to_be_visible()
    expect(toggle).to_be_focused()
    expect(page.locator("#live")).to_have_text(f"{BOARD_CARDS_PER_STAGE} employers shown.")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert_accessible(page, label="the board with Dormant open")
