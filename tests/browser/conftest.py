"""Real Chromium for the browser tests: Debian's package driven by Playwright, against the live server.

The tests fail (never skip) when Chromium is missing; `make test` finds or installs it first
(scripts/ensure_chromium.sh).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    """$CHROMIUM, or chromium / chromium-browser on PATH; a clear failure otherwise."""
    configured = os.environ.get("CHROMIUM", "")
    if configured and os.access(configured, os.X_OK):
        return configured
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "Chromium was not found, and the browser tests need it. Install it with "
        "`sudo apt-get install chromium` (Debian, Ubuntu), run `make test` as root (it installs it), "
        "or set CHROMIUM=/path/to/chromium.",
        pytrace=False,
    )


@pytest.fixture
def browser() -> Iterator[Any]:
    """A headless Chromium for one test.

    Playwright's sync API runs an event loop in this thread, so Django would refuse the test's own
    ORM calls as "async unsafe"; they are plain synchronous calls, and the flag is set only while
    the browser runs.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
                # Django keys connections by async context too: the ORM calls made while Playwright's
                # loop ran got a connection of their own, which would keep the test database open.
                connections.close_all()


@pytest.fixture
def screenshots() -> Path:
    """Where the browser tests leave their screenshots (var/ is not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
