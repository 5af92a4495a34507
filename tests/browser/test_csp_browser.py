"""The Content-Security-Policy in real Chromium: the workspace, the admin, the survey page and the API docs
load and run without one refused script, style, image, font, frame or request."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from reports.registry import SECTIONS
from tests.browser.helpers import DESKTOP, assert_accessible, sign_in
from tests.crm.factories import InteractionFactory
from tests.outreach.surveys.helpers import invite
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

# Playwright's init scripts are injected by the browser itself, so the page's policy does not block them.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""


def _watch(page: Any) -> list[str]:
    """Every CSP complaint of the page: Chromium's console messages and the violation events."""
    refused: list[str] = []
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text}")
            if "Refused to" in message.text or "Content Security Policy" in message.text
            else None
        ),
    )
    return refused


def _visit(page: Any, url: str, refused: list[str], *, ready: str | None = None) -> None:
    """Open the page, wait for its requests (and an element drawn by its scripts), then read its violation events."""
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200, f"{url} answered {response and response.status}"
    assert "content-security-policy" in response.headers, f"{url} has no Content-Security-Policy"
    if ready:
        try:
            page.wait_for_selector(ready, timeout=20_000)
        except PlaywrightTimeout:
            refused.append(f"{url}: its scripts did not draw {ready}")
        page.wait_for_load_state("networkidle")
    refused.extend(f"{url}: {text}" for text in page.evaluate("window.__cspViolations || []"))


@pytest.fixture
def world(adam: Any, alice: Any) -> dict[str, Any]:
    """A client with a placement, an interaction at its employer and an evaluation link."""
    placement = PlacementFactory.create(client=ClientFactory(coach=alice))
    InteractionFactory.create(employer=placement.employer, author=alice)
    _invitation, link = invite(placement)
    return {"placement": placement, "link": link}


def test_the_workspace_admin_survey_and_api_docs_pass_the_content_security_policy(
    live_server: Any, browser: Any, adam: Any, world: dict[str, Any]
) -> None:
    placement = world["placement"]
    page = browser.new_page(viewport=DESKTOP, locale="en-GB")
    refused = _watch(page)
    base = live_server.url

    _visit(page, base + reverse("survey", args=[world["link"]]), refused)
    assert_accessible(page, label="the survey")
    _visit(page, base + reverse("login"), refused)
    sign_in(page, base, "adam")
    workspace = [
        reverse("home"),
        reverse("crm:employers"),
        reverse("crm:employer", args=[placement.employer.pk]),
        reverse("crm:board"),
        reverse("crm:import"),
        reverse("placements:clients"),
        reverse("placements:client", args=[placement.client.pk]),
        reverse("placements:placement", args=[placement.pk]),
        reverse("placements:followups"),
        reverse("placements:calendar"),
        reverse("placements:coverage"),
        reverse("placements:team"),
        reverse("reports:report"),
        *(reverse("reports:section", args=[spec.key]) for spec in SECTIONS),  # each topic's charts
    ]
    for path in workspace:
        _visit(page, base + path, refused)
        assert_accessible(page, label=path)
    # The two-step sign-in page with its QR code (a data: image).
    _visit(page, base + reverse("two-factor"), refused)
    page.get_by_role("button", name="Set up two-step sign-in").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page, label="setting up two-step sign-in")
    refused.extend(f"two-step: {text}" for text in page.evaluate("window.__cspViolations || []"))
    admin = [
        "/admin/",
        "/admin/crm/employer/",
        "/admin/crm/employer/add/",
        f"/admin/placements/client/{placement.client.pk}/change/",
        "/admin/auth/user/",
    ]
    for path in admin:
        _visit(page, base + path, refused)
    _visit(page, base + reverse("api-docs"), refused, ready=".swagger-ui .info")
    _visit(page, base + reverse("api-redoc"), refused, ready="h1")

    # ReDoc always asks the CDN for the logo of its "API docs by Redocly" link (and hides the image when
    # it does not load): the policy refusing it is the guarantee that the docs load nothing from elsewhere.
    cdn = [line for line in refused if REDOC_LOGO in line]
    unexpected = [line for line in refused if REDOC_LOGO not in line]
    assert unexpected == [], "\n".join(unexpected)
    assert cdn, "ReDoc's logo from its CDN should have been refused"


def test_the_language_switch_still_changes_the_language_without_inline_script(
    live_server: Any, browser: Any, adam: Any
) -> None:
    page = browser.new_page(viewport=DESKTOP, locale="en-GB")
    refused = _watch(page)
    sign_in(page, live_server.url, "adam")
    page.select_option("#language", "nl")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert refused == []
