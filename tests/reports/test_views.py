"""The report's topic pages, their drill-downs and the exports: who may open them and what each shows."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from pypdf import PdfReader

from placements.choices import Gender, PlacementStatus
from reports import views
from reports.counting import POSTGRESQL_SETTINGS, count_sections
from reports.registry import SECTIONS
from reports.scope import Scope
from tests.crm.factories import EmployerFactory
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = pytest.mark.django_db

CLIENT_SECTIONS = [spec.key for spec in SECTIONS if spec.over_clients]
NETWORK_SECTIONS = [spec.key for spec in SECTIONS if not spec.over_clients]
ALL_SECTIONS = [spec.key for spec in SECTIONS]
# Who reads which topic pages: the network lead (an administrator), a coach and a case manager read them
# all; a relationship manager only those not counted over clients.
READERS = {"adam": ALL_SECTIONS, "alice": ALL_SECTIONS, "carl": ALL_SECTIONS, "rita": NETWORK_SECTIONS}


def page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reports:report"), params)


def topic(client, user, section, **params):
    client.force_login(user)
    return client.get(reverse("reports:section", args=[section]), params)


def shown_sections(html: str) -> list[str]:
    """The keys of the sections a page shows."""
    return re.findall(r'<section class="card report-section" id="section-([a-z_]+)"', html)


def topic_links(html: str) -> list[tuple[str, str, bool]]:
    """The navigation between the topics: (address, name, whether it is the current page) per link."""
    nav = re.search(r'<nav class="card report-topics" aria-label="Topics of the report">(.*?)</nav>', html, re.S)
    assert nav is not None
    links = re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav.group(1))
    return [(href, name, bool(current)) for href, current, name in links]


@pytest.mark.parametrize(
    ("reader", "first"), [("adam", "outcomes"), ("alice", "outcomes"), ("carl", "outcomes"), ("rita", "network")]
)
def test_the_reports_open_on_the_first_topic_the_reader_may_read(client, request, reader, first):
    response = page(client, request.getfixturevalue(reader))

    html = response.content.decode()
    assert response.status_code == 200
    assert shown_sections(html) == [first]
    assert [current for _href, _name, current in topic_links(html)] == [key == first for key in READERS[reader]]


@pytest.mark.parametrize(
    ("reader", "section"), [(reader, section) for reader, sections in READERS.items() for section in sections]
)
def test_each_topic_page_shows_its_own_section_and_leads_to_every_topic_the_reader_may_read(
    client, request, reader, section
):
    response = topic(client, request.getfixturevalue(reader), section)

    html = response.content.decode()
    assert response.status_code == 200
    assert shown_sections(html) == [section]
    assert [s.key for s, _tables in response.context["sections"]] == [section]
    title = str(spec_of(section).title)
    assert f"<h1>Programme report: {title}</h1>" in html and f"<title>{title} – Programme report" in html
    query = response.context["scope"].query().replace("&", "&amp;")
    assert topic_links(html) == [
        (f"{reverse('reports:section', args=[key])}?{query}", str(spec_of(key).title), key == section)
        for key in READERS[reader]
    ]
    assert f'action="{reverse("reports:section", args=[section])}"' in html


def spec_of(key: str) -> Any:
    return next(spec for spec in SECTIONS if spec.key == key)


def test_a_relationship_manager_gets_no_page_nor_rows_of_a_section_counted_over_clients(client, rita):
    client.force_login(rita)

    for key in CLIENT_SECTIONS:
        assert client.get(reverse("reports:section", args=[key])).status_code == 404
        assert client.get(reverse("reports:rows", args=[key, "any"])).status_code == 404


def test_a_coach_reads_her_caseload_sections(client, alice):
    for key in CLIENT_SECTIONS:
        html = topic(client, alice, key).content.decode()
        assert shown_sections(html) == [key]
        assert "The figures count the clients and placements you follow or supervise." in html


def test_signing_in_is_required_and_an_unknown_section_is_not_found(client, adam):
    assert client.get(reverse("reports:report"))["Location"].startswith(reverse("login"))
    assert client.get(reverse("reports:section", args=["outcomes"]))["Location"].startswith(reverse("login"))
    client.force_login(adam)
    assert client.get(reverse("reports:section", args=["nothing"])).status_code == 404
    assert client.get(reverse("reports:rows", args=["nothing", "here"])).status_code == 404


def test_the_section_pages_leave_the_downloads_and_the_rows_their_own_addresses():
    assert resolve(reverse("reports:xlsx")).url_name == "xlsx"
    assert resolve(reverse("reports:pdf")).url_name == "pdf"
    assert resolve(reverse("reports:rows", args=["outcomes", "placements"])).url_name == "rows"
    assert resolve(reverse("reports:section", args=["outcomes"])).url_name == "section"


def test_a_period_that_runs_backwards_is_reported_and_the_default_used(client, adam):
    response = page(client, adam, start="2026-06-01", end="2026-01-01")

    html = response.content.decode()
    assert response.status_code == 200
    assert "The end of the period comes before its start." in html
    assert response.context["scope"].period.end == response.context["scope"].today


def test_the_filters_are_kept_in_the_export_links_the_navigation_and_the_count_again_link(client, settings, adam):
    settings.REPORTS_CACHE_SECONDS = 600
    cache.clear()
    response = topic(client, adam, "ladder", start="2026-01-01", end="2026-06-30", gender="woman", sector="retail")

    html = response.content.decode()
    query = "start=2026-01-01&amp;end=2026-06-30&amp;sector=retail&amp;gender=woman"
    assert f'href="{reverse("reports:xlsx")}?{query}"' in html
    assert f'href="{reverse("reports:pdf")}?{query}&amp;lang=nl"' in html
    assert f'href="{reverse("reports:section", args=["ladder"])}?{query}&amp;fresh=1">Count again now' in html
    assert all(href.endswith(f"?{query}") for href, _name, _current in topic_links(html))
    assert response.context["scope"].period.start == dt.date(2026, 1, 1)
    cache.clear()


def test_the_workbook_has_a_sheet_saying_what_it_covers_and_one_per_table(client, adam):
    client.force_login(adam)
    response = client.get(reverse("reports:xlsx"), {"start": "2026-01-01", "end": "2026-06-30", "gender": "woman"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="werkbrug-report-2026-01-01-2026-06-30.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    about = book.worksheets[0]
    values = [cell.value for row in about.iter_rows() for cell in row if cell.value]
    assert "Programme report" in values and "Woman" in values
    scope, _form = Scope.from_query(adam, {"start": "2026-01-01", "end": "2026-06-30", "gender": "woman"})
    tables = [table.title for spec in SECTIONS for table in spec.build(scope).tables]
    assert len(book.worksheets) == 1 + len(tables)


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Programme report"), ("nl", "Programmarapport"), ("sv", "Programrapport")]
)
def test_the_pdf_is_written_in_the_language_asked_for(client, adam, language, title):
    ClientFactory()
    client.force_login(adam)
    response = client.get(reverse("reports:pdf"), {"lang": language})

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert title in text


def _placements(women: int, men: int, *, coach: Any) -> None:
    """Active placements started on 1 March 2026, of `women` women and `men` men."""
    for n in range(women + men):
        client = ClientFactory(coach=coach, gender=Gender.WOMAN if n < women else Gender.MAN)
        PlacementFactory(client=client, status=PlacementStatus.ACTIVE, start_on=dt.date(2026, 3, 1))


PERIOD = {"start": "2026-01-01", "end": "2026-06-30"}


def test_a_small_group_is_hidden_on_the_page_in_the_workbook_and_in_the_pdf(client, adam, alice):
    # 6 women and 2 men started: the women's 6 shows, the men's 2 is "fewer than 5" everywhere.
    _placements(6, 2, coach=alice)
    client.force_login(adam)

    html = client.get(reverse("reports:section", args=["outcomes"]), PERIOD).content.decode()
    table = html[html.index('id="t-outcomes-placements"') :]
    started = table[table.index('<th scope="row">Started</th>') :].split("</tr>")[0]
    cells = [cell.split(">", 1)[1] for cell in started.split("<td")[1:]]
    assert ">6</a>" in cells[0] and "fewer than 5" in cells[1] and "<a" not in cells[1]
    assert ">8</a></td>" in cells[-1]

    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("reports:xlsx"), PERIOD).content))
    sheet = next(ws for ws in book.worksheets if ws["A1"].value == "Outcomes: Placements")
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Started")
    assert row[1:3] == (6, "fewer than 5") and row[-1] == 8
    assert all(value != 2 for value in row)

    pdf = client.get(reverse("reports:pdf"), {**PERIOD, "lang": "en"}).content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    started_line = re.search(r"Started\s+(\S+)\s+(fewer\s+than\s+5|\S+)", text)
    assert started_line is not None and started_line.group(1) == "6"
    assert started_line.group(2).split() == ["fewer", "than", "5"]


def test_a_coachs_report_never_counts_another_coachs_clients(client, alice, bob):
    _placements(5, 0, coach=alice)
    _placements(7, 0, coach=bob)

    client.force_login(alice)
    mine = client.get(reverse("reports:report"), {**PERIOD, "gender": "woman"})
    client.force_login(bob)
    his = client.get(reverse("reports:report"), {**PERIOD, "gender": "woman"})

    assert _started(mine) == 5 and _started(his) == 7


def _started(response: Any) -> int:
    """The women's "started" figure in the report the response shows."""
    section = next(s for s, _tables in response.context["sections"] if s.key == "outcomes")
    value = section.table("placements").cell("started", "woman").value
    assert isinstance(value, int)
    return value


def test_a_counted_report_is_kept_for_the_same_reader_and_counted_again_on_request(client, settings, alice, bob):
    settings.REPORTS_CACHE_SECONDS = 600
    cache.clear()
    _placements(5, 0, coach=alice)
    _placements(7, 0, coach=bob)
    query = {**PERIOD, "gender": "woman"}
    client.force_login(alice)
    outcomes = reverse("reports:section", args=["outcomes"])

    first = client.get(outcomes, query)
    _placements(1, 0, coach=alice)
    kept = client.get(outcomes, query)
    first_page = client.get(reverse("reports:report"), query)  # the same section, kept under the same key
    recounted = client.get(outcomes, {**query, "fresh": "1"})
    after = client.get(outcomes, query)
    client.force_login(bob)
    other_reader = client.get(outcomes, query)

    assert [_started(r) for r in (first, kept, first_page, recounted, after)] == [5, 5, 5, 6, 6]
    assert "Count again now" in kept.content.decode()
    assert _started(other_reader) == 7  # bob's own seven, never alice's kept figures
    cache.clear()


def test_each_topic_is_counted_and_kept_on_its_own_and_a_download_counts_only_what_no_page_counted(
    client, settings, monkeypatch, adam
):
    settings.REPORTS_CACHE_SECONDS = 600
    cache.clear()
    counted = []

    def counting(scope, *, only=None):
        counted.append([spec.key for spec in only])
        return count_sections(scope, only=only)

    monkeypatch.setattr(views, "count_sections", counting)
    client.force_login(adam)
    scope, _form = Scope.from_query(adam, PERIOD)

    client.get(reverse("reports:section", args=["outcomes"]), PERIOD)
    client.get(reverse("reports:section", args=["outcomes"]), PERIOD)
    kept_after_one_page = {key: cache.get(views.cache_key(scope, spec_of(key))) is not None for key in ALL_SECTIONS}
    client.get(reverse("reports:section", args=["ladder"]), PERIOD)
    client.get(reverse("reports:xlsx"), PERIOD)
    client.get(reverse("reports:pdf"), {**PERIOD, "lang": "en"})

    assert kept_after_one_page == {key: key == "outcomes" for key in ALL_SECTIONS}
    assert len({views.cache_key(scope, spec) for spec in SECTIONS}) == len(SECTIONS)
    assert counted == [["outcomes"], ["ladder"], ["gender", "network", "coaches", "employers"]]
    cache.clear()


# The queries of each topic page on SQLite (the session, the user, the reader's roles, the section's own
# aggregates); PostgreSQL adds the counting transaction's settings. The same however many rows are counted.
QUERIES_PER_PAGE = {"outcomes": 13, "ladder": 11, "gender": 10, "network": 14, "coaches": 11, "employers": 11}


@pytest.mark.parametrize("section", ALL_SECTIONS)
def test_a_topic_page_runs_the_same_queries_however_many_rows_it_counts(
    client, adam, alice, bob, section, django_assert_max_num_queries
):
    client.force_login(adam)
    url = reverse("reports:section", args=[section])
    _placements(1, 1, coach=alice)
    EmployerFactory()
    client.get(url, PERIOD)  # the session and the charts' cache warmed
    with CaptureQueriesContext(connection) as few:
        client.get(url, PERIOD)
    _placements(6, 5, coach=alice)
    _placements(7, 6, coach=bob)
    EmployerFactory.create_batch(6)

    with django_assert_max_num_queries(len(few)):
        response = client.get(url, PERIOD)

    assert response.status_code == 200
    settings = len(POSTGRESQL_SETTINGS) if connection.vendor == "postgresql" else 0
    assert len(few) == QUERIES_PER_PAGE[section] + settings


def test_the_page_hides_a_second_figure_where_the_total_would_give_one_away(client, adam, alice):
    # 5 women, 5 men, 5 non-binary, 5 self-described, 2 who prefer not to say: 22 started. The 2 is hidden,
    # and 22 minus the four fives would show it, so one five is hidden as well.
    genders = [Gender.WOMAN, Gender.MAN, Gender.NON_BINARY, Gender.SELF_DESCRIBED]
    for gender in [g for g in genders for _ in range(5)] + [Gender.NOT_SAID] * 2:
        PlacementFactory(
            client=ClientFactory(coach=alice, gender=gender),
            status=PlacementStatus.ACTIVE,
            start_on=dt.date(2026, 3, 1),
        )
    client.force_login(adam)

    response = client.get(reverse("reports:section", args=["outcomes"]), PERIOD)

    section = next(s for s, _tables in response.context["sections"] if s.key == "outcomes")
    started = section.table("placements").row("started").cells
    assert [cell.display() for cell in started] == ["fewer than 5", "5", "5", "5", "fewer than 5", "22"]
