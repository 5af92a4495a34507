"""The employer's survey by keyboard alone, in real Chromium on a phone and on a desktop (WCAG 2.1 SC 2.1.1, 2.4.3,
3.3.1, 4.1.3): a mentor tabs through the questions, answers with the arrow keys, Space and typing, leaves one
required question open and mistypes a number, and sends with Enter. The page that comes back puts the focus on its
error summary (an alert that names both problems); its first link takes her to the open question, which says what
is wrong; she answers it, corrects the number and sends again, and the thank-you page's heading is where the skip
link takes her. Every step asserts where the focus is, and every page is checked with axe-core and at 320 px.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from outreach.surveys.models import QuestionType, SurveyResponse
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible
from tests.crm.factories import EmployerFactory
from tests.outreach.surveys.helpers import invite
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OPEN = "e3_candidate_fit"  # the required question she leaves open: a 1-5 scale
MISTYPED = "e4_weeks_to_productive"  # the number she types in words
SEND = "Mijn antwoorden versturen"
# Long values without a place to break, as the survey's facts list shows them (SC 1.4.10, reflow at 320 px).
EMPLOYER = "Gemeentelijke Sociale Werkvoorziening Arbeidsmarktintegratieondersteuningsprogramma Noordoost"
JOB_TITLE = "Medewerker Arbeidsmarktintegratieondersteuningsprogrammacoördinatiecentrum"
NARROWEST = {"width": 320, "height": 640}

# What has the focus: enough to say which control of which question it is.
FOCUSED = """() => {
  const el = document.activeElement;
  return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '', type: el.type || '',
          value: el.value || '', role: el.getAttribute('role') || '', text: (el.textContent || '').trim(),
          href: el.getAttribute('href') || '', inSummary: !!el.closest('#error-summary'),
          inLanguages: !!el.closest('nav.langs')};
}"""
# The texts the focused control's question points to with aria-describedby (its own, or its fieldset's).
DESCRIPTION = """() => {
  const el = document.activeElement;
  const owner = el.hasAttribute('aria-describedby') ? el : el.closest('fieldset[aria-describedby]');
  const ids = owner ? owner.getAttribute('aria-describedby').split(/\\s+/) : [];
  return ids.map(id => document.getElementById(id)).map(target => target && target.textContent.trim());
}"""


def focused(page: Any) -> dict[str, Any]:
    """What has the keyboard focus now."""
    return page.evaluate(FOCUSED)


def tab(page: Any) -> dict[str, Any]:
    """Press Tab once; what has the focus then."""
    page.keyboard.press("Tab")
    return focused(page)


def fits_320_px(page: Any, label: str) -> None:
    """The page does not scroll sideways at 320 px (WCAG 2.1 SC 1.4.10); the viewport is restored."""
    original = page.viewport_size
    page.set_viewport_size(NARROWEST)
    try:
        width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        assert width <= NARROWEST["width"], f"{label} is {width}px wide at 320px"
    finally:
        page.set_viewport_size(original)


def answer_by_keyboard(page: Any, question: Any) -> None:
    """Answer the question whose first control has the focus, as a keyboard user does."""
    name = f"q_{question.key}"
    if question.type == QuestionType.SCALE:  # a radio group: the arrow keys move and choose
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        expect(page.locator(f'input[name="{name}"][value="4"]')).to_be_checked()
    elif question.type == QuestionType.NPS:
        for _ in range(9):
            page.keyboard.press("ArrowRight")
        expect(page.locator(f'input[name="{name}"][value="9"]')).to_be_checked()
    elif question.type in (QuestionType.YES_NO, QuestionType.SINGLE_CHOICE):
        page.keyboard.press("Space")
        expect(page.locator(f'input[name="{name}"]').first).to_be_checked()
    elif question.type == QuestionType.MULTIPLE_CHOICE:  # every box is a stop of its own
        page.keyboard.press("Space")
        expect(page.locator(f'input[name="{name}"]').first).to_be_checked()
        for _ in range(page.locator(f'input[name="{name}"]').count() - 1):
            assert tab(page)["name"] == name
    elif question.type == QuestionType.NUMBER:
        page.keyboard.type("een paar" if question.key == MISTYPED else "12")
    else:
        page.keyboard.type("Vaker langskomen in de eerste maand.")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_mentor_sends_the_survey_with_errors_and_corrects_them_by_keyboard_alone(
    browser: Any, live_server: Any, alice: Any, viewport: dict[str, int]
) -> None:
    placement = PlacementFactory.create(
        client=ClientFactory(coach=alice), employer=EmployerFactory(name=EMPLOYER), job_title=JOB_TITLE
    )
    invitation, link = invite(placement)
    questions = list(invitation.template.questions.order_by("order"))
    page = browser.new_page(viewport=viewport, locale="nl-NL")
    page.goto(f"{live_server.url}/s/{link}/")
    expect(page.get_by_role("heading", name="Uw evaluatie")).to_be_visible()
    assert_accessible(page, label="the survey")
    fits_320_px(page, "the survey")

    # The skip link comes first and takes her to the main content, which starts with the language choice.
    first = tab(page)
    assert first["tag"] == "a" and first["href"] == "#main", first
    expect(page.locator(".skip-link")).to_be_in_viewport()  # shown while it has the focus
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    stop, languages = tab(page), 0
    while stop["inLanguages"]:
        stop, languages = tab(page), languages + 1
    assert languages == 3, "Dutch, English and Swedish come before the questions"

    # One stop per question, in their order (a radio group is one stop); one question left open.
    for question in questions:
        assert stop["name"] == f"q_{question.key}" and stop["id"] == f"q_{question.key}", (question.key, stop)
        if question.key != OPEN:
            answer_by_keyboard(page, question)
        stop = tab(page)
    assert stop["tag"] == "button" and stop["text"] == SEND, stop
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The page comes back with the focus on the error summary, an alert that names both problems.
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_have_accessible_name("Enkele antwoorden vragen uw aandacht; ze zijn hieronder aangeduid.")
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    texts = {question.key: question.text_nl for question in questions}
    expect(links.nth(0)).to_contain_text(texts[OPEN])
    expect(links.nth(0)).to_contain_text("Beantwoord deze vraag alstublieft.")
    expect(links.nth(1)).to_contain_text(texts[MISTYPED])
    expect(links.nth(1)).to_contain_text("Vul een getal in")
    assert not SurveyResponse.objects.exists()
    assert_accessible(page, label="the survey with errors")
    fits_320_px(page, "the survey with errors")

    # Tab reaches the summary's first link; Enter on it puts the focus on the open question's first answer,
    # which is marked invalid and described by the error.
    link_stop = tab(page)
    assert link_stop["inSummary"] and link_stop["href"] == f"#q_{OPEN}", link_stop
    page.keyboard.press("Enter")
    stop = focused(page)
    assert stop["id"] == f"q_{OPEN}", stop
    expect(page.locator(f"#q_{OPEN}")).to_have_attribute("aria-invalid", "true")
    assert "Beantwoord deze vraag alstublieft." in page.evaluate(DESCRIPTION)

    # Her answers are kept.
    expect(page.locator('input[name="q_expectations_met"][value="4"]')).to_be_checked()
    expect(page.locator('input[name="q_e20_recommend"][value="9"]')).to_be_checked()
    expect(page.locator('[name="q_e25_learn"]')).to_have_value("Vaker langskomen in de eerste maand.")
    expect(page.locator(f'[name="q_{MISTYPED}"]')).to_have_value("een paar")

    # She answers the open question with the arrow keys; Tab takes her to the mistyped number, which says why.
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(page.locator(f'input[name="q_{OPEN}"][value="5"]')).to_be_checked()
    expect(page.locator(f'input[name="q_{OPEN}"][value="5"]')).to_be_focused()
    stop = tab(page)
    assert stop["id"] == f"q_{MISTYPED}", stop
    number = page.locator(f"#q_{MISTYPED}")
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(number).to_have_accessible_description(re.compile(r"Vul een getal in, bijvoorbeeld 6\."))
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("6")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # sends the form, as Enter in a text field does

    # Thanks: the page says so in its title, and the skip link takes her to its heading.
    expect(page).to_have_title("Bedankt!")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Bedankt!")
    assert tab(page)["href"] == "#main"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    assert page.evaluate("document.activeElement.firstElementChild.tagName") == "H1"
    assert_accessible(page, label="the survey's thank-you page")
    fits_320_px(page, "the survey's thank-you page")

    response = SurveyResponse.objects.get()
    assert response.answers.get(question__key=OPEN).number == 5
    assert response.answers.get(question__key=MISTYPED).number == 6
    page.close()
