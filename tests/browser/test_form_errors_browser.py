"""A form with errors by keyboard alone, in real Chromium (WCAG 2.1 SC 2.1.1, 3.3.1 and 2.4.3): the error summary takes
the focus when the form comes back, its links lead the focus to the fields, and nothing typed is lost."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from crm.models import Employer
from tests.browser.helpers import DESKTOP, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def tab_to(page: Any, target: Any, *, limit: int = 80) -> None:
    """Press Tab until the target has the focus, as a keyboard user would; fail if it never does."""
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("element => document.activeElement === element", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def test_a_new_employer_with_errors_is_put_right_by_keyboard(live_server, browser, rita):
    page = browser.new_page(viewport=DESKTOP, locale="en-US")
    sign_in(page, live_server.url, "rita")
    page.goto(live_server.url + reverse("crm:employer-new"))
    assert_accessible(page, label="the new-employer form")

    # The name is left empty and the website is not an address: only the server finds both (the form has novalidate).
    tab_to(page, page.locator("#id_city"))
    page.keyboard.type("Utrecht")
    tab_to(page, page.locator("#id_website"))
    page.keyboard.type("geen adres")
    page.keyboard.press("Enter")

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    assert_accessible(page, label="the new-employer form with errors")

    page.keyboard.press("Tab")
    first = summary.get_by_role("link").first
    expect(first).to_be_focused()
    expect(first).to_have_attribute("href", "#id_name")
    page.keyboard.press("Enter")
    name = page.locator("#id_name")
    expect(name).to_be_focused()
    expect(name).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, label="the new-employer form, at the first error")

    # What was typed is still there.
    expect(page.locator("#id_city")).to_have_value("Utrecht")
    expect(page.locator("#id_website")).to_have_value("geen adres")

    page.keyboard.type("Bakkerij Het Anker")
    tab_to(page, page.locator("#id_website"))
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("https://anker.example")
    page.keyboard.press("Enter")

    employer = page.get_by_role("heading", level=1)
    expect(employer).to_have_text("Bakkerij Het Anker")
    assert_accessible(page, label="the new employer's page")
    saved = Employer.objects.get(name="Bakkerij Het Anker")
    assert (saved.city, saved.website) == ("Utrecht", "https://anker.example")
