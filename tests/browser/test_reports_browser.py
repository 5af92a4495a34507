"""The programme report in real Chromium: the network lead filters it, drills into a figure, goes through the
topic pages by their navigation, downloads the funders' PDF and the workbook (every topic), and reads it on a
phone without sideways scrolling."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect
from pypdf import PdfReader

from placements.choices import ClientStatus, ClosingReason, Destination, EndedBy, Gender, PlacementStatus
from placements.models import Client
from placements.scheduling import add_months
from reports.registry import SECTIONS
from tests.browser.helpers import assert_accessible, assert_no_admin, sign_in, watch_requests
from tests.crm.factories import EmployerFactory
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDE = {"width": 1366, "height": 900}
NARROW_WIDTHS = (390, 320)
FEWER = "fewer than 5"

# The hand-built caseload: reference -> (gender, coach, placement start, end, status), each date as
# (months after the anchor, day). The anchor is the first of the month ten months before this one, so every date
# falls in the report's default period (the twelve months up to today) whenever the test runs; run in
# December 2026, the placements start and end in 2026, from February on.
W, M = Gender.WOMAN, Gender.MAN
ACTIVE, DONE, EARLY = PlacementStatus.ACTIVE, PlacementStatus.COMPLETED, PlacementStatus.ENDED_EARLY
Day = tuple[int, int]
CASELOAD: dict[str, tuple[str, str, Day, Day | None, str]] = {
    "R-W01": (W, "alice", (1, 2), (4, 28), DONE),
    "R-W02": (W, "alice", (2, 2), None, ACTIVE),
    "R-W03": (W, "alice", (0, 12), (3, 10), EARLY),
    "R-W04": (W, "alice", (3, 6), None, ACTIVE),
    "R-W05": (W, "alice", (4, 4), None, ACTIVE),
    "R-W06": (W, "bob", (5, 1), (7, 28), DONE),
    "R-W07": (W, "bob", (8, 7), None, ACTIVE),
    "R-W08": (W, "bob", (9, 5), None, ACTIVE),
    "R-M01": (M, "alice", (1, 9), (5, 26), DONE),
    "R-M02": (M, "alice", (2, 16), (4, 15), EARLY),
    "R-M03": (M, "bob", (6, 6), None, ACTIVE),
    "R-M04": (M, "bob", (7, 3), None, ACTIVE),
}
# Files closed: reference -> (closed on, reason, destination).
CLOSED: dict[str, tuple[Day, str, str]] = {
    "R-W01": ((5, 15), ClosingReason.GOAL_REACHED, Destination.EMPLOYMENT),
    "R-W03": ((4, 1), ClosingReason.DROPPED_OUT, Destination.NOT_WORKING),
    "R-M01": ((6, 1), ClosingReason.AUTONOMOUS, Destination.EMPLOYMENT),
}
# The period the network lead filters on: the first six months, ANCHOR to the end of month 5.
# Placements started (outcomes -> placements -> started), worked out by hand:
#   no filter: women W01..W08 = 8, men M01..M04 = 4 -> "fewer than 5", total 12;
#   women in the six months: W01 (1), W02 (2), W03 (0), W04 (3), W05 (4), W06 (5) = 6; W07 and W08 later.
# Completed: no filter W01, W06, M01 = 3 -> "fewer than 5"; women in the six months W01 = 1 -> "fewer than 5".
STARTED_WOMEN_FILTERED = ["R-W01", "R-W02", "R-W03", "R-W04", "R-W05", "R-W06"]
LATER_OR_MEN = ["R-W07", "R-W08", "R-M01", "R-M02"]


def anchor() -> dt.date:
    """The first of the month ten months before this one: month 0 of the caseload."""
    return add_months(timezone.localdate().replace(day=1), -10)


def on(day: Day) -> dt.date:
    """The date (months after the anchor, day of that month)."""
    months, number = day
    return add_months(anchor(), months).replace(day=number)


def period() -> tuple[dt.date, dt.date]:
    """The filtered period: the anchor month and the five after it, both ends included."""
    return anchor(), add_months(anchor(), 6) - dt.timedelta(days=1)


def shown(start: dt.date, end: dt.date, language: str) -> str:
    """The period as the page and the PDF write it in a language: "01/02/2026 – 31/07/2026"."""
    with translation.override(language):
        return f"{date_format(start, 'SHORT_DATE_FORMAT')} – {date_format(end, 'SHORT_DATE_FORMAT')}"


def caseload(coaches: dict[str, User]) -> dict[str, Client]:
    """Twelve clients of two coaches, eight women and four men, each with one placement in the last ten months."""
    employers = [EmployerFactory(name=f"Werkgever {n}") for n in ("Noord", "Zuid", "Oost")]
    clients: dict[str, Client] = {}
    for n, (reference, (gender, coach, start, end, status)) in enumerate(CASELOAD.items()):
        closed, reason, destination = CLOSED.get(reference, (None, "", ""))
        closed_on = on(closed) if closed else None
        client: Client = ClientFactory.create(
            reference=reference,
            gender=gender,
            coach=coaches[coach],
            status=ClientStatus.CLOSED if closed_on else ClientStatus.PLACED,
            closed_on=closed_on,
            closing_reason=reason,
            destination=destination,
        )
        early = status == EARLY
        PlacementFactory(
            client=client,
            employer=employers[n % len(employers)],
            job_title=f"Medewerker {reference}",
            start_on=on(start),
            actual_end_on=on(end) if end else None,
            status=status,
            ended_by=EndedBy.EMPLOYER if early else EndedBy.NONE,
            end_reason="Het werk paste niet" if early else "",
        )
        clients[reference] = client
    return clients


def watch_console(page: Any) -> list[str]:
    """Every error the page logs or throws."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def figure(page: Any, section: str, table: str, row: str, column: str) -> Any:
    """The cell of one figure, found by the table's id, the row's heading and the column's heading."""
    box = page.locator(f"#t-{section}-{table}-box")
    headings = [text.strip() for text in box.locator("thead th").all_text_contents()]
    index = headings.index(column) - 1  # the first heading is over the row headings
    line = box.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=row, exact=True))
    return line.locator("td").nth(index)


def fits(page: Any, width: int) -> None:
    """At this width the page does not scroll sideways; wide tables scroll inside their own box."""
    page.set_viewport_size({"width": width, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px too wide at {width}px"


def boxes_scroll(page: Any) -> int:
    """How many table boxes scroll on their own (content wider than the box); each one must be able to."""
    return int(
        page.evaluate(
            """() => [...document.querySelectorAll('.table-box')].filter((box) => {
                 if (box.scrollWidth <= box.clientWidth) return false;
                 if (getComputedStyle(box).overflowX !== 'auto') throw new Error('a wide table box does not scroll');
                 return true;
               }).length"""
        )
    )


def pdf_text(path: str) -> str:
    """The text of every page of a downloaded PDF."""
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_network_lead_filters_drills_down_and_downloads_the_report(
    live_server, browser, adam, alice, bob, screenshots: Path
):
    caseload({"alice": alice, "bob": bob})
    context = browser.new_context(viewport=WIDE, accept_downloads=True)
    page = context.new_page()
    seen = watch_requests(page)
    errors = watch_console(page)
    sign_in(page, live_server.url, "adam")

    # 1. The report, from the main navigation, for the twelve months up to today.
    page.get_by_role("navigation").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme report: Outcomes")
    expect(page.locator("#section-outcomes")).to_be_visible()
    expect(page.locator(".report-section")).to_have_count(1)  # the first topic only
    started_women = figure(page, "outcomes", "placements", "Started", "Woman")
    expect(started_women).to_have_text("8")
    expect(figure(page, "outcomes", "placements", "Started", "Total")).to_have_text("12")
    # 2. Groups under five show as words, never as a number or a link.
    started_men = figure(page, "outcomes", "placements", "Started", "Man")
    expect(started_men).to_have_text(FEWER)
    expect(started_men.locator("a")).to_have_count(0)
    completed = figure(page, "outcomes", "placements", "Completed", "Total")
    expect(completed).to_have_text(FEWER)
    expect(completed.locator("a")).to_have_count(0)
    assert_accessible(page, label="the report")

    # The unfiltered tables (a column per gender) are the widest: on a phone they scroll in their box.
    for width in NARROW_WIDTHS:
        fits(page, width)
        assert boxes_scroll(page) >= 1, f"no table scrolls in its own box at {width}px"
    # The box that scrolls is the one the keyboard reaches: focused, the arrow keys move the table.
    box = page.locator("#t-outcomes-placements-box .table-box")
    box.focus()
    expect(box).to_be_focused()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    # Chromium animates a keyboard scroll: wait for it to move rather than read it at once.
    page.wait_for_function("el => el.scrollLeft > 0", arg=box.element_handle(), timeout=5000)
    page.set_viewport_size(WIDE)

    # 3. Women, in the caseload's first six months.
    filters = page.locator("form.report-filters")
    filters.get_by_label("Gender", exact=True).select_option(label="Woman")
    start, end = period()
    filters.get_by_label("From", exact=True).fill(start.isoformat())
    filters.get_by_label("To", exact=True).fill(end.isoformat())
    filters.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"/reports/outcomes/\?.*gender=woman"))  # the form stays on its topic
    query = parse_qs(urlsplit(page.url).query)
    assert query["gender"] == ["woman"]
    assert query["start"] == [start.isoformat()] and query["end"] == [end.isoformat()]
    expect(page.locator(".page-head")).to_contain_text(shown(start, end, "en"))
    expect(filters.get_by_label("Gender", exact=True)).to_have_value("woman")
    headings = page.locator("#t-outcomes-placements-box thead th.num")
    expect(headings).to_have_text(["Woman"])  # one gender: its column alone
    started_women = figure(page, "outcomes", "placements", "Started", "Woman")
    expect(started_women).to_have_text(str(len(STARTED_WOMEN_FILTERED)))
    expect(figure(page, "outcomes", "placements", "Completed", "Woman")).to_have_text(FEWER)
    page.screenshot(path=str(screenshots / "reports-filtered-desktop.png"), full_page=True)
    assert_accessible(page, label="the filtered report")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshots / "reports-filtered-phone.png"), full_page=True)
    for width in NARROW_WIDTHS:
        fits(page, width)
    page.set_viewport_size(WIDE)

    # 4. The placements behind the figure, then back to the report with the same filters.
    started_women.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Placements started in the period")
    expect(page.get_by_role("main").get_by_role("status")).to_have_text(f"{len(STARTED_WOMEN_FILTERED)} rows.")
    listed = page.locator("main table")
    for reference in STARTED_WOMEN_FILTERED:
        expect(listed).to_contain_text(reference)
    for reference in LATER_OR_MEN:
        expect(listed).not_to_contain_text(reference)
    expect(page.locator(".page-head")).to_contain_text(shown(start, end, "en"))
    assert_accessible(page, label="the placements behind a figure")
    for width in NARROW_WIDTHS:
        fits(page, width)
    page.set_viewport_size(WIDE)
    page.get_by_role("link", name="Back to the report").click()
    page.wait_for_url(re.compile(r"/reports/outcomes/\?.*gender=woman.*#t-outcomes-placements$"))
    expect(page.locator("form.report-filters").get_by_label("Gender", exact=True)).to_have_value("woman")
    expect(figure(page, "outcomes", "placements", "Started", "Woman")).to_have_text("6")
    assert_accessible(page, label="the report, back from the placements")

    # 5. Every topic by the navigation between them, each with the same filters and only its own section.
    topics = page.get_by_role("navigation", name="Topics of the report")
    names = [name.strip() for name in topics.get_by_role("link").all_text_contents()]
    assert names == [str(spec.title) for spec in SECTIONS]
    expect(topics.get_by_role("link", name="Outcomes")).to_have_attribute("aria-current", "page")
    tables_on_pages = 0
    for spec in SECTIONS:
        title = str(spec.title)
        topics.get_by_role("link", name=title, exact=True).click()
        page.wait_for_url(re.compile(rf"/reports/{spec.key}/\?"))
        query = parse_qs(urlsplit(page.url).query)
        assert query["gender"] == ["woman"] and query["start"] == [start.isoformat()], page.url
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Programme report: {title}")
        expect(page).to_have_title(re.compile(rf"^{re.escape(title)} – Programme report"))
        expect(topics.get_by_role("link", name=title, exact=True)).to_have_attribute("aria-current", "page")
        expect(topics.locator('[aria-current="page"]')).to_have_count(1)
        expect(page.locator(".report-section")).to_have_count(1)
        expect(page.locator(f"#section-{spec.key}")).to_be_visible()
        expect(filters.get_by_label("Gender", exact=True)).to_have_value("woman")
        tables_on_pages += page.locator(".report-table").count()
        page.screenshot(path=str(screenshots / f"reports-topic-{spec.key}-desktop.png"), full_page=True)
        assert_accessible(page, label=f"the report topic {spec.key}")
        fits(page, 320)
        page.set_viewport_size(WIDE)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshots / "reports-topic-employers-phone.png"), full_page=True)
    page.set_viewport_size(WIDE)

    # 6a. The report for funders in Dutch, from the last topic's page: every topic is in it.
    dutch = str(dict(settings.LANGUAGES)["nl"])
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"PDF for funders ({dutch})").click()
    download = download_info.value
    assert download.suggested_filename == f"werkbrug-report-{start.isoformat()}-{end.isoformat()}-nl.pdf"
    text = pdf_text(download.path())
    with translation.override("nl"):
        # The catalogue's words, so the test holds before and after the report's strings are translated.
        title, woman, started = (translation.gettext(s) for s in ("Programme report", "Woman", "Started"))
        fewer = translation.gettext("fewer than %(n)s") % {"n": 5}
        sections = [str(spec.title) for spec in SECTIONS]
    assert title in text
    assert shown(start, end, "nl") in text  # the period, written the Dutch way (1-2-2026)
    assert woman in text and woman == "Vrouw"  # the gender filter, and the column heading
    assert re.search(rf"{re.escape(started)}\s+6\b", text), "the placements started by women are not 6"
    assert fewer in text
    flat = " ".join(text.split())
    assert [name for name in sections if name not in flat] == []

    # 6b. The workbook: a first sheet on what it covers, then one sheet per table of all the topic pages.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as a spreadsheet (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename == f"werkbrug-report-{start.isoformat()}-{end.isoformat()}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert len(book.worksheets) == 1 + tables_on_pages
    about = [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row if cell]
    assert "Programme report" in about and "Woman" in about
    sheet = next(ws for ws in book.worksheets if ws["A1"].value == "Outcomes: Placements")
    figures = {row[0]: row[1:] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert figures["Started"] == (6,)
    assert figures["Completed"] == (FEWER,)

    # 7. The filtered report fits 390 and 320 px (checked above); nothing went through the admin.
    assert_no_admin(seen)
    assert not errors, f"the pages logged errors: {errors}"
    context.close()
