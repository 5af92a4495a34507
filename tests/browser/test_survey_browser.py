"""The employer's survey in real Chromium on a phone: Dutch, a validation error that keeps the answers, thanks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from outreach.surveys.models import QuestionType, SurveyResponse
from tests.browser.helpers import PHONE, assert_accessible
from tests.outreach.surveys.helpers import invite
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def fill_everything_but(page: Any, invitation: Any, *, skip: str) -> None:
    """Answer every question as a mentor would, leaving one required question open and a number mistyped."""
    for question in invitation.template.questions.order_by("order"):
        name = f"q_{question.key}"
        if question.key == skip:
            continue
        if question.type == QuestionType.SCALE:
            page.locator(f'input[name="{name}"][value="4"]').check()
        elif question.type == QuestionType.NPS:
            page.locator(f'input[name="{name}"][value="9"]').check()
        elif question.type == QuestionType.YES_NO:
            page.get_by_role("radio", name="Ja").and_(page.locator(f'[name="{name}"]')).check()
        elif question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            page.locator(f'input[name="{name}"]').first.check()
        elif question.type == QuestionType.NUMBER:
            page.locator(f'input[name="{name}"]').fill("een paar" if question.key == "e4_weeks_to_productive" else "12")
        else:
            page.locator(f'[name="{name}"]').fill("Vaker langskomen in de eerste maand.")


def test_a_mentor_answers_the_survey_in_dutch_on_her_phone(
    browser: Any, live_server: Any, screenshots: Path, alice: Any
) -> None:
    placement = PlacementFactory.create(client=ClientFactory(coach=alice), job_title="Medewerker bediening")
    assert placement.mentor is not None and placement.mentor.preferred_language == "nl"
    invitation, link = invite(placement)
    page = browser.new_page(viewport=PHONE, locale="nl-NL")
    page.goto(f"{live_server.url}/s/{link}/")

    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="Uw evaluatie")).to_be_visible()
    expect(page.get_by_text(placement.job_title, exact=False)).to_be_visible()
    page.screenshot(path=str(screenshots / "survey-form-phone-nl.png"), full_page=True)
    assert_accessible(page, label="the survey")

    fill_everything_but(page, invitation, skip="e3_candidate_fit")
    page.get_by_role("button", name="Mijn antwoorden versturen").click()

    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#error-summary")).to_be_focused()  # read out first, as GOV.UK's summary is
    page.locator("#error-summary").get_by_role("link").first.click()
    expect(page.locator("#q_e3_candidate_fit")).to_be_focused()
    expect(page.locator("#q_e3_candidate_fit")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#question-e3_candidate_fit")).to_contain_text("Beantwoord deze vraag alstublieft.")
    expect(page.locator("#question-e4_weeks_to_productive")).to_contain_text("Vul een getal in")
    expect(page.locator('input[name="q_e20_recommend"][value="9"]')).to_be_checked()
    expect(page.locator('input[name="q_expectations_met"][value="4"]')).to_be_checked()
    expect(page.locator('[name="q_e25_learn"]')).to_have_value("Vaker langskomen in de eerste maand.")
    expect(page.locator('input[name="q_e4_weeks_to_productive"]')).to_have_value("een paar")
    page.screenshot(path=str(screenshots / "survey-form-phone-nl-error.png"), full_page=True)
    assert_accessible(page, label="the survey with errors")
    assert not SurveyResponse.objects.exists()

    page.locator('input[name="q_e3_candidate_fit"][value="5"]').check()
    page.locator('input[name="q_e4_weeks_to_productive"]').fill("6")
    page.get_by_role("button", name="Mijn antwoorden versturen").click()

    expect(page.get_by_role("heading", name="Bedankt!")).to_be_visible()
    assert_accessible(page, label="the survey's thank-you page")
    response = SurveyResponse.objects.get()
    assert response.language == "nl"
    assert response.answers.get(question__key="e3_candidate_fit").number == 5
    assert response.answers.get(question__key="e4_weeks_to_productive").number == 6
