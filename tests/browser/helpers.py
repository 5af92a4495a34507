"""Plain helpers for the browser tests: viewport sizes, signing in through the page, watching for admin
addresses and screenshots (fixtures: conftest.py)."""

from __future__ import annotations

from pathlib import Path
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


def watch_requests(page: Any) -> list[str]:
    """Every address the page asks for, in order; the test checks none of them is an admin page."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def assert_no_admin(seen: list[str]) -> None:
    """Nothing the page requested was an admin address."""
    admin = [url for url in seen if "/admin/" in url]
    assert not admin, f"the workspace sent the user to the admin: {admin}"


def shoot(page: Any, folder: Path, name: str, *, phone: bool = False) -> None:
    """A full-page screenshot; with `phone`, the same page again at phone size, then back to desktop."""
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    if phone:
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px too wide on a phone"
        page.set_viewport_size(DESKTOP)
