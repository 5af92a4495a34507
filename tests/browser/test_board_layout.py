"""The pipeline board in real Chromium: every stage reachable on a laptop, and the page never pushed sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from crm.choices import Stage
from crm.views.board import BOARD_STAGES, QUIET_STAGES
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible, sign_in
from tests.crm.factories import EmployerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LONG_NAME = "Stichting Arbeidsmarktintegratieondersteuningsprogrammacoördinatiecentrum Midden-Nederland"

# Whether an element lies inside the viewport, and how far the page itself is wider than the viewport.
IN_VIEW = """el => { const r = el.getBoundingClientRect();
  return r.width > 0 && r.left >= -0.5 && r.right <= window.innerWidth + 0.5; }"""
PAGE_OVERFLOW = "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth"


def crowded_board(rita: User) -> None:
    """Employers in every stage, with long names, and more in the working stages than a column shows."""
    for stage in BOARD_STAGES:
        EmployerFactory.create_batch(14 if stage == Stage.PROSPECT else 2, owner=rita, stage=stage)
        EmployerFactory(name=LONG_NAME, owner=rita, stage=stage)


def open_board(browser: Any, base_url: str, viewport: dict[str, int]) -> Any:
    page = browser.new_page(viewport=viewport)
    sign_in(page, base_url, "rita")
    page.goto(base_url + "/network/board/")
    assert_accessible(page, label="the board")
    return page


def header(page: Any, stage: Stage) -> Any:
    return page.locator(f"#col-{stage.value}")


def test_every_stage_is_in_view_on_a_laptop_and_quiet_ones_open_with_their_button(
    live_server, browser, rita, screenshots: Path
):
    crowded_board(rita)
    page = open_board(browser, live_server.url, DESKTOP)
    board = page.get_by_role("region", name="Pipeline stages")

    for stage in BOARD_STAGES:
        expect(header(page, stage)).to_be_visible()
        assert header(page, stage).evaluate(IN_VIEW), f"the {stage.label} column is off screen"
        expect(header(page, stage)).to_contain_text(str(14 + 1 if stage == Stage.PROSPECT else 2 + 1))
    assert page.evaluate(PAGE_OVERFLOW) <= 0
    expect(page.locator("[data-board-hint]")).to_be_hidden()  # everything fits, so no hint
    expect(
        page.locator("section[data-stage='prospect']").get_by_role("link", name="All 15 in the employer list")
    ).to_be_visible()
    page.screenshot(path=str(screenshots / "board-laptop.png"), full_page=True)

    toggle = page.get_by_role("button", name="Declined")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#cards-declined")).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#cards-declined").get_by_role("link", name=LONG_NAME)).to_be_visible()
    assert_accessible(page, label="the board with Declined open")

    for stage in QUIET_STAGES - {Stage.DECLINED}:
        page.get_by_role("button", name=stage.label).click()
    # With every stage open they no longer fit: the hint says so and the board, not the page, scrolls.
    expect(page.locator("[data-board-hint]")).to_be_visible()
    assert page.evaluate(PAGE_OVERFLOW) <= 0
    for stage in BOARD_STAGES:
        header(page, stage).scroll_into_view_if_needed()
        assert header(page, stage).evaluate(IN_VIEW), f"the {stage.label} column cannot be scrolled to"
    assert page.evaluate(PAGE_OVERFLOW) <= 0

    # The keyboard reaches the board and scrolls it.
    board.evaluate("el => { el.scrollLeft = 0; }")
    board.focus()
    expect(board).to_be_focused()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    # Chromium animates a keyboard scroll: wait for it to move rather than read it at once.
    page.wait_for_function("el => el.scrollLeft > 0", arg=board.element_handle(), timeout=5000)
    page.screenshot(path=str(screenshots / "board-laptop-all-open.png"), full_page=True)


def test_an_opened_stage_stays_open_when_a_move_redraws_the_board(live_server, browser, rita):
    crowded_board(rita)
    page = open_board(browser, live_server.url, DESKTOP)

    page.get_by_role("button", name="Completed").click()
    card = page.locator("section[data-stage='contacted'] .board-card").first
    card.get_by_text("Move").click()
    card.get_by_role("button", name="Engaged").click()
    expect(page.locator("#live")).to_contain_text("moved to Engaged")
    assert_accessible(page, label="the board after a move")

    expect(page.get_by_role("button", name="Completed")).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="Dormant")).to_have_attribute("aria-expanded", "false")


def test_on_a_phone_the_board_scrolls_inside_its_box_and_says_so(live_server, browser, rita, screenshots: Path):
    crowded_board(rita)
    page = open_board(browser, live_server.url, PHONE)

    expect(page.locator("[data-board-hint]")).to_be_visible()
    assert page.evaluate(PAGE_OVERFLOW) <= 0
    last = header(page, BOARD_STAGES[-1])
    last.scroll_into_view_if_needed()
    assert last.evaluate(IN_VIEW)
    assert page.evaluate(PAGE_OVERFLOW) <= 0
    page.screenshot(path=str(screenshots / "board-phone.png"), full_page=True)
