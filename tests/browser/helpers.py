"""Plain helpers for the browser tests: viewport sizes, signing in through the page, watching for admin
addresses, screenshots and the accessibility check (fixtures: conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The two widths every page is checked for accessibility at: a laptop and a phone.
A11Y_SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": PHONE}
# axe-core from npm (package.json; `make test` installs it with scripts/ensure_axe.sh), run in the page.
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 levels A and AA, the target EN 301 549 sets for the web.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """async tags => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
  }));
}"""
PASSWORD = "correct-horse-battery"  # the named users' password in tests/conftest.py


def axe_source() -> str:
    """axe-core's script; a clear failure (never a skip) when it is not installed."""
    if not AXE_JS.is_file():
        pytest.fail(
            "axe-core was not found (node_modules/axe-core/axe.min.js), and the browser tests need it to check "
            "accessibility. Install it with `npm ci` (Node.js and npm needed) or run `make test`, which does.",
            pytrace=False,
        )
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now, one readable line each."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated rather than added as a <script> element: the pages' Content-Security-Policy
        # refuses inline scripts, and the check must not loosen it. The file is local: no network.
        page.evaluate(axe_source())
    found = page.evaluate(AXE_RUN, AXE_TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}; {v['count']} element(s), e.g. {', '.join(v['targets'])}"
        for v in found
    ]


def accessibility_problems(page: Any, *, label: str) -> list[str]:
    """What axe-core finds against WCAG 2.1 A/AA on the page at desktop and at phone width, one line each.

    The page keeps its state (an htmx swap stays in place); the viewport is restored afterwards.
    """
    original = page.viewport_size
    problems: list[str] = []
    try:
        for size, viewport in A11Y_SIZES.items():
            page.set_viewport_size(viewport)
            problems += [f"{label} at {size} width: {line}" for line in axe_violations(page)]
    finally:
        if original:
            page.set_viewport_size(original)
    return problems


def assert_accessible(page: Any, *, label: str) -> None:
    """No WCAG 2.1 A/AA violation axe-core can find on the page, at desktop and at phone width."""
    problems = accessibility_problems(page, label=label)
    assert not problems, "Accessibility violations (axe-core, WCAG 2.1 A/AA):\n" + "\n".join(problems)


def sign_in(page: Any, base_url: str, username: str) -> None:
    """Sign in through the sign-in page, as a person would; the sign-in page and the home page it leads to
    are checked for accessibility."""
    page.goto(base_url + "/")
    assert_accessible(page, label="the sign-in page")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url + "/")
    assert_accessible(page, label=f"the home page ({username})")


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


def htmx_settled(page: Any) -> None:
    """Wait until no htmx request, swap or settle is under way. htmx focuses a swapped-in [autofocus] element when
    the swap settles (20 ms after it), while Chromium may focus it sooner on its own; a key pressed between the two
    would be undone, which no person types fast enough to meet, so a keyboard test presses its next key after this."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def press(page: Any, key: str) -> None:
    """Press a key as a person would: once what the last key started has settled."""
    htmx_settled(page)
    page.keyboard.press(key)
