"""Plain helpers for the browser tests: viewport sizes and signing in through the page (fixtures: conftest.py)."""

from __future__ import annotations

from typing import Any

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct-horse-battery"  # the named users' password in tests/conftest.py


def sign_in(page: Any, base_url: str, username: str) -> None:
    """Sign in through the sign-in page, as a person would."""
    page.goto(base_url + "/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url + "/")
