"""The report page, its drill-downs and its exports: who may open them and what each shows."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from placements.choices import Gender, PlacementStatus
from reports.registry import SECTIONS
from reports.scope import Scope
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = pytest.mark.django_db

CLIENT_SECTIONS = [spec.key for spec in SECTIONS if spec.over_clients]
NETWORK_SECTIONS = [spec.key for spec in SECTIONS if not spec.over_clients]


def page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reports:report"), params)


def test_the_network_lead_reads_every_section(client, adam):
    response = page(client, adam)

    assert response.status_code == 200
    html = response.content.decode()
    for key in CLIENT_SECTIONS + NETWORK_SECTIONS:
        assert f'id="section-{key}"' in html


def test_a_relationship_manager_reads_the_network_but_no_section_counted_over_clients(client, rita):
    html = page(client, rita).content.decode()

    for key in NETWORK_SECTIONS:
        assert f'id="section-{key}"' in html
    for key in CLIENT_SECTIONS:
        assert f'id="section-{key}"' not in html
        rows = client.get(reverse("reports:rows", args=[key, "any"]))
        assert rows.status_code == 404


def test_a_coach_reads_her_caseload_sections(client, alice):
    html = page(client, alice).content.decode()

    assert all(f'id="section-{key}"' in html for key in CLIENT_SECTIONS)
    assert "The figures count the clients and placements you follow or supervise." in html


def test_signing_in_is_required_and_an_unknown_section_is_not_found(client, adam):
    assert client.get(reverse("reports:report"))["Location"].startswith(reverse("login"))
    client.force_login(adam)
    assert client.get(reverse("reports:rows", args=["nothing", "here"])).status_code == 404


def test_a_period_that_runs_backwards_is_reported_and_the_default_used(client, adam):
    response = page(client, adam, start="2026-06-01", end="2026-01-01")

    html = response.content.decode()
    assert response.status_code == 200
    assert "The end of the period comes before its start." in html
    assert response.context["scope"].period.end == response.context["scope"].today


def test_the_filters_are_kept_in_the_export_links(client, adam):
    response = page(client, adam, start="2026-01-01", end="2026-06-30", gender="woman", sector="retail")

    html = response.content.decode()
    assert "start=2026-01-01&amp;end=2026-06-30&amp;sector=retail&amp;gender=woman" in html
    assert response.context["scope"].period.start == dt.date(2026, 1, 1)


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

    html = client.get(reverse("reports:report"), PERIOD).content.decode()
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

    first = client.get(reverse("reports:report"), query)
    _placements(1, 0, coach=alice)
    kept = client.get(reverse("reports:report"), query)
    recounted = client.get(reverse("reports:report"), {**query, "fresh": "1"})
    after = client.get(reverse("reports:report"), query)
    client.force_login(bob)
    other_reader = client.get(reverse("reports:report"), query)

    assert (_started(first), _started(kept), _started(recounted), _started(after)) == (5, 5, 6, 6)
    assert "Count again now" in kept.content.decode()
    assert _started(other_reader) == 7  # bob's own seven, never alice's kept figures
    cache.clear()


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

    response = client.get(reverse("reports:report"), PERIOD)

    section = next(s for s, _tables in response.context["sections"] if s.key == "outcomes")
    started = section.table("placements").row("started").cells
    assert [cell.display() for cell in started] == ["fewer than 5", "5", "5", "5", "fewer than 5", "22"]
