"""Every htmx swap in the workspace says what it did through the page's one live region and puts the focus on what
changed (WCAG 2.1 SC 4.1.3 and 2.4.3): the rules of templates/_live.html and templates/_error_summary.html, checked
on the responses each swap gets. The browser walks in tests/browser/test_keyboard.py check the same by keyboard."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crm.choices import InteractionKind, Stage
from tests.crm.factories import EmployerFactory
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = dt.date(2026, 11, 2)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), tick=False):
        yield


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def live(page: str) -> str:
    """The text swapped into the live region, or "" when the response leaves it alone."""
    found = re.search(r'<div id="live" hx-swap-oob="innerHTML">(.*?)</div>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def autofocused(page: str) -> list[str]:
    """The opening tags that carry autofocus (htmx focuses the first after a swap)."""
    return re.findall(r"<[a-z]+\b[^>]*\sautofocus\b[^>]*>", page)


def test_every_workspace_page_has_one_empty_live_region(rita):
    page = signed_in(rita).get(reverse("crm:employers")).content.decode()

    assert page.count('id="live"') == 1 and "live region" not in page  # its comment stays in the template
    assert '<div id="live" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true"></div>' in page


def test_logging_a_contact_announces_it_and_focuses_the_notice(rita):
    employer = EmployerFactory(owner=rita)
    form = {
        "kind": InteractionKind.CALL,
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "minutes": "5",
        "summary": "Gebeld",
    }

    page = signed_in(rita).post(reverse("crm:log-interaction", args=[employer.pk]), form, **HTMX).content.decode()

    assert live(page) == "Logged. It is on the timeline below."
    assert autofocused(page) == ['<p class="notice success" id="logged" tabindex="-1" autofocus>']
    assert 'role="status"' not in page  # read out once, by the live region


def test_a_refused_log_focuses_its_error_summary_which_links_to_the_field(rita):
    employer = EmployerFactory(owner=rita)
    form = {"kind": InteractionKind.CALL, "minutes": "5", "summary": ""}

    page = signed_in(rita).post(reverse("crm:log-interaction", args=[employer.pk]), form, **HTMX).content.decode()

    assert live(page) == "Not logged: the form lists what needs changing."
    assert len(autofocused(page)) == 1 and 'id="form-error-summary"' in autofocused(page)[0]
    assert 'href="#id_summary"' in page and 'href="#id_occurred_at"' in page
    assert 'id="id_summary"' in page and 'aria-invalid="true"' in page
    assert 'role="alert"' not in page  # the live region speaks for the swap


def test_a_refused_log_without_htmx_shows_the_summary_as_an_alert(rita):
    employer = EmployerFactory(owner=rita)

    response = signed_in(rita).post(reverse("crm:log-interaction", args=[employer.pk]), {"summary": ""})

    page = response.content.decode()
    assert response.status_code == 200 and 'id="live"' in page and not live(page)
    assert re.search(r'<div class="error-summary" id="form-error-summary" role="alert" tabindex="-1" autofocus', page)


def follow_up(coach, due=TODAY, title="Driemaandsgesprek"):
    placement = PlacementFactory(client=ClientFactory(coach=coach))
    return placement.steps.create(title=title, due_on=due, assignee=coach, kind="check_in", track="client")


def test_opening_done_focuses_its_first_field_and_marks_the_button_expanded(alice):
    step = follow_up(alice)

    page = signed_in(alice).get(reverse("placements:complete-step", args=[step.pk]), **HTMX).content.decode()

    assert len(autofocused(page)) == 1 and f'id="id_c{step.pk}-outcome"' in autofocused(page)[0]
    assert len(autofocused(page)) == 1
    assert re.search(
        r'aria-expanded="true" aria-controls="step-\d+-form" aria-label="Done: Driemaandsgesprek, ',
        page,
    )
    assert 'aria-expanded="false" aria-label="Move: Driemaandsgesprek, ' in page
    assert f'id="step-{step.pk}-form"' in page and not live(page)


def test_cancel_gives_the_focus_back_to_the_button_that_opened_the_form(alice):
    step = follow_up(alice)

    page = signed_in(alice).get(reverse("placements:step-row", args=[step.pk]) + "?back=move", **HTMX).content.decode()

    assert len(autofocused(page)) == 1 and 'aria-expanded="false"' in autofocused(page)[0]
    assert "move" in autofocused(page)[0] and "data-form" not in page


def test_done_focuses_the_row_and_announces_it_with_the_new_counts(alice):
    step = follow_up(alice)
    form = {f"c{step.pk}-outcome": "Gaat goed"}

    page = signed_in(alice).post(reverse("placements:complete-step", args=[step.pk]), form, **HTMX).content.decode()

    assert live(page) == "Done: Driemaandsgesprek Now 0 overdue, 0 today and 0 this week."
    assert autofocused(page) == [f'<li class="step is-done" id="step-{step.pk}" tabindex="-1" autofocus>']
    assert 'role="status"' not in page


def test_a_refused_move_focuses_the_summary_and_says_it_was_not_saved(alice):
    step = follow_up(alice)
    form = {f"m{step.pk}-due_on": "", f"m{step.pk}-reason": "Ziek"}

    page = signed_in(alice).post(reverse("placements:move-step", args=[step.pk]), form, **HTMX).content.decode()

    assert live(page) == "Not saved: the form lists what needs changing."
    assert len(autofocused(page)) == 1 and f'id="m{step.pk}-error-summary"' in autofocused(page)[0]
    assert f'href="#id_m{step.pk}-due_on"' in page and 'value="Ziek"' in page


def test_a_board_move_announces_it_and_focuses_the_moved_card(rita):
    employer = EmployerFactory(name="Op weg", owner=rita, stage=Stage.CONTACTED)

    page = signed_in(rita).post(reverse("crm:move", args=[employer.pk]), {"stage": Stage.ENGAGED}, **HTMX)

    text = page.content.decode()
    assert live(text) == "Op weg moved to Engaged."
    assert len(autofocused(text)) == 1 and f'id="card-{employer.pk}"' in autofocused(text)[0]
    assert '<span class="visually-hidden"> Op weg</span></summary>' in text  # "Move Op weg", not one of many "Move"


def test_a_refused_board_move_focuses_and_announces_the_reason(rita):
    employer = EmployerFactory(owner=rita, do_not_engage=True, do_not_engage_reason="Zwartwerk vastgesteld")

    text = (
        signed_in(rita).post(reverse("crm:move", args=[employer.pk]), {"stage": Stage.ACTIVE}, **HTMX).content.decode()
    )

    assert "Zwartwerk vastgesteld" in live(text)
    assert len(autofocused(text)) == 1 and 'id="board-error"' in autofocused(text)[0]


def test_filtering_announces_how_many_match_and_leaves_the_focus_alone(rita):
    EmployerFactory(name="Fragment BV", owner=rita)
    EmployerFactory(name="Fragiel NV", owner=rita)
    client = signed_in(rita)

    listed = client.get(reverse("crm:employers"), {"q": "frag"}, HTTP_HX_TARGET="employer-results", **HTMX)
    board = client.get(reverse("crm:board"), {"q": "fragment"}, HTTP_HX_TARGET="board", **HTMX)

    assert live(listed.content.decode()) == "2 employers" and not autofocused(listed.content.decode())
    assert live(board.content.decode()) == "1 employer on the board." and not autofocused(board.content.decode())


def test_a_folded_stage_that_opens_says_how_many_it_shows_and_nothing_else(rita):
    from crm.views.board import BOARD_CARDS_PER_STAGE

    for n in range(BOARD_CARDS_PER_STAGE + 2):
        EmployerFactory(name=f"Slapend {n}", owner=rita, stage=Stage.DORMANT)

    page = signed_in(rita).get(reverse("crm:board"), {"stage": Stage.DORMANT}, **HTMX).content.decode()

    # The page's own context (this response has a "more" of its own) stays out of the live region.
    assert live(page) == f"{BOARD_CARDS_PER_STAGE} employers shown."
    assert not autofocused(page)  # the focus stays on the stage's button
