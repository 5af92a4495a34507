"""The employer network section: the funnel over time, stages now, decline reasons, managers, step coverage.

The dataset (the period is 1 January - 31 March 2026, three months, so one row per month; Europe/Amsterdam
is UTC+1 throughout):

E1 Rita's, hospitality, added 10 Dec 2025 (before): contacted 5 Jan, engaged 10 Feb, active 3 Mar -> active
E2 Rita's, cleaning, added 15 Jan: prospect 15 Jan (the creation's record), contacted 20 Jan,
   declined 1 Feb (language), contacted again 5 Mar (not a first time) -> contacted
E3 Ron's, hospitality, added 1 Feb 00:30 local (= 31 Jan 23:30 UTC: February locally): contacted 3 Feb,
   engaged 20 Feb, declined 10 Mar (no reason) -> declined
E4 no manager, retail, added 15 Mar, no stage change -> prospect
E5 Ron's, retail, added 1 Jun 2025: contacted 1 Jul 2025, declined 1 Aug 2025 (stronger; before the
   period), contacted 10 Jan (not a first time), declined 1 Mar 00:30 local (= 28 Feb 23:30 UTC: March
   locally; profile) -> declined
E6 Rita's, hospitality, added 2 Apr (after the period) -> prospect

Funnel (first time per employer and stage; prospects = employers added):
           prospect  contacted  engaged  active
  2026-01  1 (E2)    2 (E1, E2) 0        0
  2026-02  1 (E3)    1 (E3)     2 (E1, E3) 0
  2026-03  1 (E4)    0          0        1 (E1)
Rita's employers only (E1, E2, E6): Jan 1/2/0/0, Feb 0/0/1/0, Mar 0/0/0/1.
Retail only (E4, E5): Mar prospect 1, the rest 0.

Now: prospect 2 (E4, E6), contacted 1 (E2), engaged 0, active 1 (E1), declined 2 (E3, E5); 6 in all.
Declines in the period: language 1 (E2), profile 1 (E5), not recorded 1 (E3) -> 3, a third each.
Managers: Rita 1 prospect, 1 contacted, 0 engaged, 1 active, 3 in all; Ron 0/0/0/0, 2 in all;
no manager 1 prospect, 1 in all.
Contacts: E1 5 Jan and 31 Mar 23:00 (in), 1 Apr 00:10 (after); E3 15 Feb (in); E5 31 Dec 2025 23:59 (before)
-> Rita 2, Ron 1, no manager 0.

Coverage (three supplied steps S1 < S2 < S3, N = every active supplied step):
  S1: 15 Jan - 10 Feb (closed), and a draft "opened" 1 Jan (never counts)
  S2: from 1 Feb, still open
  S3: from 1 Mar, still open
  end of Jan: S1 -> 1; end of Feb: S2 -> 1 (S1 closed on the 10th); 31 Mar: S2, S3 -> 2; share = n / N.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format

from crm.choices import DeclineReason, Sector, Stage, VacancyStatus
from crm.models import Employer, EmployerStageChange, LadderStep
from reports.registry import sections_for
from reports.scope import Scope
from reports.sections import network
from reports.sections.network import buckets
from reports.tables import Period, Section, Table
from tests.crm.factories import EmployerFactory, InteractionFactory, VacancyFactory
from tests.placements.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 4, 10)
PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
LOCAL = ZoneInfo("Europe/Amsterdam")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment in the site's time zone."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL)


def employer(owner: User | None, sector: str, stage: str, added: dt.datetime, **fields: Any) -> Employer:
    """An employer in its stage now, added to the network at `added` (created_at is set by the database)."""
    made = EmployerFactory.create(owner=owner, sector=sector, stage=stage, **fields)
    Employer.objects.filter(pk=made.pk).update(created_at=added)
    return made


def move(made: Employer, to_stage: str, when: dt.datetime, reason: str = "") -> None:
    """A stage change in the employer's history (the funnel reads only `to_stage` and when)."""
    EmployerStageChange.objects.create(employer=made, to_stage=to_stage, changed_at=when, decline_reason=reason)


@pytest.fixture
def ron() -> User:
    """Another relationship manager's account (an owner needs no role)."""
    return UserFactory.create(username="ron", first_name="Ron")


@pytest.fixture
def world(rita: User, ron: User) -> dict[str, Employer]:
    """The employers E1-E6 of the module's docstring, their stage changes and contacts."""
    e1 = employer(rita, Sector.HOSPITALITY, Stage.ACTIVE, at(2025, 12, 10))
    move(e1, Stage.CONTACTED, at(2026, 1, 5))
    move(e1, Stage.ENGAGED, at(2026, 2, 10))
    move(e1, Stage.ACTIVE, at(2026, 3, 3))
    e2 = employer(rita, Sector.CLEANING, Stage.CONTACTED, at(2026, 1, 15))
    move(e2, Stage.PROSPECT, at(2026, 1, 15))
    move(e2, Stage.CONTACTED, at(2026, 1, 20))
    move(e2, Stage.DECLINED, at(2026, 2, 1), DeclineReason.LANGUAGE)
    move(e2, Stage.CONTACTED, at(2026, 3, 5))
    e3 = employer(ron, Sector.HOSPITALITY, Stage.DECLINED, at(2026, 2, 1, 0, 30))
    move(e3, Stage.CONTACTED, at(2026, 2, 3))
    move(e3, Stage.ENGAGED, at(2026, 2, 20))
    move(e3, Stage.DECLINED, at(2026, 3, 10))
    e4 = employer(None, Sector.RETAIL, Stage.PROSPECT, at(2026, 3, 15))
    e5 = employer(ron, Sector.RETAIL, Stage.DECLINED, at(2025, 6, 1))
    move(e5, Stage.CONTACTED, at(2025, 7, 1))
    move(e5, Stage.DECLINED, at(2025, 8, 1), DeclineReason.STRONGER)
    move(e5, Stage.CONTACTED, at(2026, 1, 10))
    move(e5, Stage.DECLINED, at(2026, 3, 1, 0, 30), DeclineReason.PROFILE)
    e6 = employer(rita, Sector.HOSPITALITY, Stage.PROSPECT, at(2026, 4, 2))
    for made, when in [
        (e1, at(2026, 1, 5)),
        (e1, at(2026, 3, 31, 23, 0)),
        (e1, at(2026, 4, 1, 0, 10)),
        (e3, at(2026, 2, 15)),
        (e5, at(2025, 12, 31, 23, 59)),
    ]:
        InteractionFactory(employer=made, occurred_at=when)
    return {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "e5": e5, "e6": e6}


def build(user: User, **filters: Any) -> Section:
    """The section for the reader over the period, with the filters given."""
    return network.build(Scope(user=user, period=PERIOD, today=TODAY, **filters))


def values(table: Table, column: str) -> dict[str, Any]:
    """The values of one column by row key."""
    return {row.key: table.cell(row.key, column).value for row in table.rows}


def test_the_funnel_counts_each_employer_the_month_it_first_reached_a_stage(rita, world):
    funnel = build(rita).table("funnel")

    assert [row.key for row in funnel.rows] == ["2026-01", "2026-02", "2026-03"]
    assert funnel.column_keys == ["prospect", "contacted", "engaged", "active"]
    assert [[cell.value for cell in row.cells] for row in funnel.rows] == [[1, 2, 0, 0], [1, 1, 2, 0], [1, 0, 0, 1]]
    # Figures about employers are never hidden, however small.
    assert not any(cell.suppressed for row in funnel.rows for cell in row.cells)
    assert funnel.chart is not None and funnel.chart.kind == "line"


def test_the_manager_and_sector_filters_narrow_the_employers(rita, world):
    mine = build(rita, manager_id=rita.pk)
    retail = build(rita, sector=Sector.RETAIL)

    funnel = mine.table("funnel")
    assert [[cell.value for cell in row.cells] for row in funnel.rows] == [[1, 2, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    assert values(mine.table("funnel_now"), "employers") == {
        "prospect": 1, "contacted": 1, "engaged": 0, "active": 1, "completed": 0, "ended_early": 0,
        "declined": 0, "dormant": 0, "total": 3,
    }  # fmt: skip
    assert values(mine.table("decline_reasons"), "declines")[DeclineReason.LANGUAGE] == 1
    assert sum(values(mine.table("decline_reasons"), "declines").values()) == 1
    assert [row.key for row in mine.table("per_manager").rows] == [str(rita.pk)]
    assert [[cell.value for cell in row.cells] for row in retail.table("funnel").rows] == [
        [0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]
    ]  # fmt: skip
    assert values(retail.table("decline_reasons"), "declines")[DeclineReason.PROFILE] == 1
    assert values(retail.table("funnel_now"), "employers")["total"] == 2


def test_employers_per_stage_now(rita, world):
    now = build(rita).table("funnel_now")

    assert values(now, "employers") == {
        "prospect": 2, "contacted": 1, "engaged": 0, "active": 1, "completed": 0, "ended_early": 0,
        "declined": 2, "dormant": 0, "total": 6,
    }  # fmt: skip


def test_decline_reasons_in_the_period(rita, world):
    declines = build(rita).table("decline_reasons")

    counted = values(declines, "declines")
    assert {key: n for key, n in counted.items() if n} == {"language": 1, "profile": 1, "": 1}
    assert declines.rows[-1].key == "" and declines.rows[-1].label == "Not recorded"
    assert declines.cell("language", "share").value == pytest.approx(100 / 3)
    assert declines.cell("stronger", "share").value == 0
    assert declines.cell("language", "share").display() == "33 %"


def test_employers_and_contacts_per_relationship_manager(rita, ron, world):
    managers = build(rita).table("per_manager")

    assert [row.key for row in managers.rows] == [str(rita.pk), str(ron.pk), ""]
    assert [row.label for row in managers.rows] == ["Rita", "Ron", "No relationship manager"]
    assert managers.column_keys == ["prospect", "contacted", "engaged", "active", "total", "contacts"]
    assert [[cell.value for cell in row.cells] for row in managers.rows] == [
        [1, 1, 0, 1, 3, 2],
        [0, 0, 0, 0, 2, 1],
        [1, 0, 0, 0, 1, 0],
    ]


def test_coverage_counts_the_supplied_steps_with_an_open_place_at_each_month_end(rita):
    supplied = list(LadderStep.objects.active().supplied().order_by("position"))
    s1, s2, s3 = supplied[:3]
    total = len(supplied)

    def vacancy(step: LadderStep, opened: dt.datetime, closed: dt.datetime | None = None, **fields: Any) -> None:
        status = VacancyStatus.CLOSED if closed else VacancyStatus.OPEN
        made = VacancyFactory.create(opened_at=opened, closed_at=closed, **{"status": status, **fields})
        made.ladder_steps.add(step)

    vacancy(s1, at(2026, 1, 15), at(2026, 2, 10))
    vacancy(s1, at(2026, 1, 1), status=VacancyStatus.DRAFT)
    vacancy(s2, at(2026, 2, 1))
    vacancy(s3, at(2026, 3, 1), places=3, employer=EmployerFactory(sector=Sector.RETAIL))

    coverage = build(rita).table("coverage")
    retail = build(rita, sector=Sector.RETAIL).table("coverage")

    assert [row.key for row in coverage.rows] == ["2026-01", "2026-02", "2026-03"]
    assert values(coverage, "with_places") == {"2026-01": 1, "2026-02": 1, "2026-03": 2}
    assert set(values(coverage, "offering").values()) == {total}
    assert coverage.cell("2026-03", "share").value == pytest.approx(200 / total)
    assert coverage.cell("2026-03", "share").people is None
    assert coverage.cell("2026-01", "offering").link == reverse("placements:coverage")
    # The sector filter counts the places of retail employers only: s3's, from March.
    assert values(retail, "with_places") == {"2026-01": 0, "2026-02": 0, "2026-03": 1}


def test_a_relationship_manager_reads_the_section_and_its_rows(client, rita, world):
    assert "network" in [spec.key for spec in sections_for(Scope(user=rita, period=PERIOD, today=TODAY))]
    section = build(rita)
    link = section.table("funnel").cell("2026-01", "contacted").link
    query = parse_qs(urlparse(link).query)
    assert (query["row"], query["column"]) == (["2026-01"], ["contacted"])

    client.force_login(rita)
    response = client.get(link)

    assert response.status_code == 200
    assert {employer.pk for employer in response.context["found"].queryset} == {world["e1"].pk, world["e2"].pk}
    assert world["e1"].name in response.content.decode()


def test_the_drill_downs_list_the_employers_behind_each_figure(rita, ron, world):
    scope = Scope(user=rita, period=PERIOD, today=TODAY)

    def names(table: str, row: str, column: str) -> set[str]:
        found = network.rows(scope, table, row, column)
        assert found is not None
        return {str(item) for item in found.queryset}

    e = {key: made.name for key, made in world.items()}
    assert names("funnel", "2026-02", "engaged") == {e["e1"], e["e3"]}
    assert names("funnel", "2026-03", "prospect") == {e["e4"]}
    assert names("funnel_now", "declined", "employers") == {e["e3"], e["e5"]}
    assert names("funnel_now", "total", "employers") == set(e.values())
    assert names("decline_reasons", "", "declines") == {e["e3"]}
    assert names("per_manager", str(rita.pk), "total") == {e["e1"], e["e2"], e["e6"]}
    assert names("per_manager", "", "prospect") == {e["e4"]}
    contacts = network.rows(scope, "per_manager", str(rita.pk), "contacts")
    assert contacts is not None and contacts.kind == "interactions" and contacts.queryset.count() == 2
    assert network.rows(scope, "funnel", "2025-12", "contacted") is None
    assert network.rows(scope, "coverage", "2026-01", "with_places") is None


def test_the_gender_filter_does_not_apply_and_the_intro_says_so(rita, world):
    plain = build(rita)
    filtered = build(rita, gender="woman")

    assert "do not apply to employers" in filtered.intro
    assert "do not apply" not in plain.intro
    assert values(filtered.table("funnel_now"), "employers") == values(plain.table("funnel_now"), "employers")


def test_a_long_period_is_shown_per_quarter_then_per_year():
    unit, months = buckets(Period(dt.date(2024, 4, 1), dt.date(2026, 3, 31)))
    assert (unit, len(months), months[0].key, months[-1].key) == ("month", 24, "2024-04", "2026-03")
    unit, quarters = buckets(Period(dt.date(2024, 3, 15), dt.date(2026, 3, 31)))
    # 25 months -> quarters: Q1 2024 (from 15 March) ... Q1 2026 = 9 rows
    assert (unit, len(quarters), quarters[0].key, quarters[0].first) == ("quarter", 9, "2024-Q1", dt.date(2024, 3, 15))
    unit, years = buckets(Period(dt.date(2017, 1, 1), dt.date(2026, 12, 31)))
    # 40 quarters -> ten years
    assert (unit, len(years), years[-1].key) == ("year", 10, "2026")


def test_the_coverage_points_of_a_long_period_are_its_quarter_ends(rita):
    # 15 February 2024 - 20 February 2026 is 25 months: nine quarters, measured on 31 March 2024, ...,
    # 31 December 2025 and the period's last day.
    scope = Scope(user=rita, period=Period(dt.date(2024, 2, 15), dt.date(2026, 2, 20)), today=TODAY)
    coverage = network.build(scope).table("coverage")

    assert [row.key for row in coverage.rows][:2] == ["2024-Q1", "2024-Q2"]
    assert (len(coverage.rows), coverage.rows[-1].key) == (9, "2026-Q1")
    assert [coverage.rows[0].label, coverage.rows[-1].label] == [
        date_format(dt.date(2024, 3, 31), "SHORT_DATE_FORMAT"),
        date_format(dt.date(2026, 2, 20), "SHORT_DATE_FORMAT"),
    ]
    assert "quarter" in coverage.title


def test_the_section_runs_the_same_queries_for_a_small_and_a_larger_network(
    rita, ron, world, django_assert_max_num_queries
):
    scope = Scope(user=rita, period=PERIOD, today=TODAY)
    with CaptureQueriesContext(connection) as small:
        network.build(scope)

    for n in range(30):
        made = employer(ron if n % 2 else None, Sector.CARE, Stage.CONTACTED, at(2026, 1 + n % 3, 1 + n % 27))
        move(made, Stage.CONTACTED, at(2026, 1 + n % 3, 2 + n % 27))
        move(made, Stage.DECLINED, at(2026, 3, 28), DeclineReason.OTHER)
        InteractionFactory(employer=made, occurred_at=at(2026, 2, 1 + n % 28))
        VacancyFactory(employer=made, opened_at=at(2026, 1, 1)).ladder_steps.add(
            LadderStep.objects.active().supplied().order_by("position")[n % 3]
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        section = network.build(scope)

    assert len(small.captured_queries) == 8
    assert values(section.table("funnel_now"), "employers")["total"] == 36


def test_the_page_and_the_workbook_show_the_section_with_its_charts(client, rita, world):
    client.force_login(rita)
    params = {"start": PERIOD.start.isoformat(), "end": PERIOD.end.isoformat()}

    page = client.get(reverse("reports:section", args=["network"]), params)
    workbook = client.get(reverse("reports:xlsx"), params)

    html = page.content.decode()
    assert page.status_code == 200 and 'id="section-network"' in html
    assert "Employers per relationship manager" in html and "No relationship manager" in html
    assert workbook.status_code == 200
