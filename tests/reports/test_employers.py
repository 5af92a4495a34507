"""What employers said: the end-of-placement evaluation per question, added value, sector and quarter.

The dataset (the period is 1 January - 30 June 2026, two quarters; Europe/Amsterdam is UTC+1 until 29 March
and UTC+2 after). Each evaluation answers four 1-5 scales and the 0-10 recommendation, some also the weeks
until productive (a number):

     coach  sector       manager  submitted            expect fit comm | nps weeks | scale sum
R1   Alice  hospitality  Rita     10 Jan               5      4   5    | 9   6     | 14
R2   Alice  hospitality  Rita     10 Feb               4      4   3    | 8   8     | 11
R3   Alice  hospitality  Rita     1 Apr 00:30 local    3      2   4    | 6   -     |  9   (31 Mar 22:30 UTC: Q2)
R4   Alice  hospitality  -        15 Apr               5      5   4    | 10  4     | 14
R5   Alice  cleaning     -        20 May               4      3   5    | 7   10    | 12
R6   Alice  cleaning     -        30 Jun 23:00 local   2      3   2    | 5   -     |  7
R7   Bob    hospitality  -        20 Feb               1      1   1    | 0   -     |  3
R8   Bob    retail       -        5 May                3      2   3    | 4   -     |  8
Not counted: Alice's R0 on 31 Dec 2025 23:30 local (before), Bob's R9 on 1 Jul 00:30 local (after), and a
declined employer's short survey in May (another survey).

Everyone (the lead, Rita): 8 evaluations
  expectations_met 27 / 8 = 3.375; e3_candidate_fit 24 / 8 = 3.0; e8_communication 27 / 8 = 3.375;
  e20_recommend 49 / 8 = 6.125; e4_weeks_to_productive 28 / 4 = 7.0 over 4 answers -> hidden
  dimensions (1-5 only): overall = expectations 3.375 (8), supply = fit 3.0 (8), contact = comm 3.375 (8)
  sectors: hospitality R1-R4, R7: 5 evaluations, 15 answers, 51 / 15 = 3.4; cleaning 2 and retail 1: hidden
  quarters: Q1 R1, R2, R7 = 3 (hidden); Q2 R3, R4, R5, R6, R8 = 5, 50 / 15 = 3.333
Alice (and Carl, who supervises her): R1-R6
  expectations_met 23 / 6 = 3.833; e3_candidate_fit 21 / 6 = 3.5; e20_recommend 45 / 6 = 7.5; Q1 2, Q2 4 hidden
Bob: R7, R8 -> every figure hidden.
Rita's employers only: R1-R3 -> 3, hidden. Hospitality only: R1-R4, R7 -> expectations 18 / 5 = 3.6.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from crm.choices import Sector, Stage
from outreach.surveys.answers import CleanAnswer
from outreach.surveys.models import SurveyResponse
from outreach.surveys.services import active_template, invite_declined_employer, submit_response
from placements.models import Team
from reports.registry import sections_for
from reports.scope import Scope
from reports.sections import employers
from reports.tables import Period, Section, Table
from tests.crm.factories import ContactFactory, EmployerFactory
from tests.outreach.surveys.helpers import invite
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 7, 10)
PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
LOCAL = ZoneInfo("Europe/Amsterdam")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment in the site's time zone."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL)


def evaluate(
    coach: User,
    sector: str,
    when: dt.datetime,
    expect: int,
    fit: int,
    comm: int,
    nps: int,
    weeks: int | None = None,
    owner: User | None = None,
) -> SurveyResponse:
    """An evaluation of a placement of one of the coach's clients, at an employer of the sector."""
    employer = EmployerFactory.create(sector=sector, owner=owner)
    placement = PlacementFactory.create(client=ClientFactory.create(coach=coach), employer=employer)
    invitation, _link = invite(placement, now=when - dt.timedelta(days=1))
    questions = {question.key: question for question in invitation.template.questions.all()}
    given = {"expectations_met": expect, "e3_candidate_fit": fit, "e8_communication": comm, "e20_recommend": nps}
    if weeks is not None:
        given["e4_weeks_to_productive"] = weeks
    answers = [CleanAnswer(questions[key], number=Decimal(value)) for key, value in given.items()]
    response = submit_response(invitation=invitation, answers=answers, language="en", now=when)
    assert response is not None
    return response


@pytest.fixture
def world(alice: User, bob: User, rita: User) -> dict[str, SurveyResponse]:
    """The evaluations R0-R9 of the module's docstring, and a declined employer's short survey."""
    made = {
        "R1": evaluate(alice, Sector.HOSPITALITY, at(2026, 1, 10), 5, 4, 5, 9, 6, owner=rita),
        "R2": evaluate(alice, Sector.HOSPITALITY, at(2026, 2, 10), 4, 4, 3, 8, 8, owner=rita),
        "R3": evaluate(alice, Sector.HOSPITALITY, at(2026, 4, 1, 0, 30), 3, 2, 4, 6, owner=rita),
        "R4": evaluate(alice, Sector.HOSPITALITY, at(2026, 4, 15), 5, 5, 4, 10, 4),
        "R5": evaluate(alice, Sector.CLEANING, at(2026, 5, 20), 4, 3, 5, 7, 10),
        "R6": evaluate(alice, Sector.CLEANING, at(2026, 6, 30, 23, 0), 2, 3, 2, 5),
        "R7": evaluate(bob, Sector.HOSPITALITY, at(2026, 2, 20), 1, 1, 1, 0),
        "R8": evaluate(bob, Sector.RETAIL, at(2026, 5, 5), 3, 2, 3, 4),
        "R0": evaluate(alice, Sector.HOSPITALITY, at(2025, 12, 31, 23, 30), 5, 5, 5, 10, 2),
        "R9": evaluate(bob, Sector.HOSPITALITY, at(2026, 7, 1, 0, 30), 5, 5, 5, 10, 2),
    }
    declined = EmployerFactory.create(stage=Stage.DECLINED)
    contact = ContactFactory.create(employer=declined)
    invitation = invite_declined_employer(employer=declined, contact=contact, actor=None, now=at(2026, 5, 1))
    aware = active_template("employer_declined").questions.get(key="aware_of_coaching")
    submit_response(
        invitation=invitation, answers=[CleanAnswer(aware, choices=["yes"])], language="en", now=at(2026, 5, 2)
    )
    return made


def build(user: User, **filters: Any) -> Section:
    """The section for the reader over the period, with the filters given."""
    return employers.build(Scope(user=user, period=PERIOD, today=TODAY, **filters))


def column(table: Table, key: str) -> dict[str, Any]:
    """The cells of one column by row key: the value, or "hidden" when fewer than 5 stand behind it."""
    return {
        row.key: "hidden" if cell.suppressed else cell.value
        for row in table.rows
        for cell in [table.cell(row.key, key)]
    }


def test_the_network_lead_reads_every_evaluation_per_question(adam, world):
    questions = build(adam).table("by_question")

    answers, average = column(questions, "answers"), column(questions, "average")
    assert answers["expectations_met"] == 8 and average["expectations_met"] == pytest.approx(3.375)
    assert average["e3_candidate_fit"] == pytest.approx(3.0)
    assert average["e8_communication"] == pytest.approx(3.375)
    assert average["e20_recommend"] == pytest.approx(6.125)
    # Four answers: hidden, and the cell is not linked.
    assert answers["e4_weeks_to_productive"] == "hidden" and average["e4_weeks_to_productive"] == "hidden"
    weeks = questions.cell("e4_weeks_to_productive", "average")
    assert weeks.display() == "fewer than 5" and weeks.link == ""
    assert questions.cell("expectations_met", "average").link
    # The newest version's questions are all listed, answered or not, in survey order, in the reader's words.
    assert average["goals_reached"] == "hidden"
    keys = [row.key for row in questions.rows]
    assert keys.index("expectations_met") < keys.index("e3_candidate_fit") < keys.index("e20_recommend")
    assert questions.row("e3_candidate_fit").label == "Did the candidate match the profile of the job?"
    assert questions.cell("e20_recommend", "scale").value == "0–10"


def test_the_newest_wording_is_shown_in_the_readers_language(adam, world):
    with translation.override("nl"):
        questions = build(adam).table("by_question")

    assert questions.row("e3_candidate_fit").label == "Paste de kandidaat bij het profiel van de functie?"


def test_a_relationship_manager_reads_the_section_with_every_evaluation(rita, world):
    assert "employers" in [spec.key for spec in sections_for(Scope(user=rita, period=PERIOD, today=TODAY))]
    section = build(rita)

    assert column(section.table("by_question"), "answers")["expectations_met"] == 8
    dimensions = section.table("by_dimension")
    assert [row.key for row in dimensions.rows] == [
        "overall",
        "supply",
        "advice",
        "contact",
        "measures",
        "administration",
    ]
    assert column(dimensions, "answers") == {
        "overall": 8, "supply": 8, "advice": "hidden", "contact": 8, "measures": "hidden", "administration": "hidden"
    }  # fmt: skip
    assert column(dimensions, "average")["overall"] == pytest.approx(3.375)
    assert column(dimensions, "average")["supply"] == pytest.approx(3.0)
    assert column(dimensions, "average")["contact"] == pytest.approx(3.375)
    assert dimensions.chart is not None and dimensions.chart.kind == "bar"


def test_evaluations_per_sector(rita, world):
    sectors = build(rita).table("by_sector")

    assert column(sectors, "answers")["hospitality"] == 15
    assert column(sectors, "average")["hospitality"] == pytest.approx(3.4)
    assert sectors.cell("hospitality", "average").people == 5
    assert column(sectors, "average")["cleaning"] == "hidden"
    assert column(sectors, "average")["retail"] == "hidden"
    assert len(sectors.rows) == len(Sector.choices) + 1


def test_evaluations_per_quarter(rita, world):
    quarters = build(rita).table("over_time")

    assert [row.key for row in quarters.rows] == ["2026-Q1", "2026-Q2"]
    assert column(quarters, "responses") == {"2026-Q1": "hidden", "2026-Q2": 5}
    assert column(quarters, "average")["2026-Q2"] == pytest.approx(50 / 15)
    assert quarters.chart is not None and quarters.chart.kind == "line"


def test_a_coach_counts_only_the_answers_on_her_placements(alice, bob, carl, world):
    team = Team.objects.create(name="Noord")
    team.leads.add(carl)
    team.coaches.add(alice)

    for reader in (alice, carl):
        section = build(reader)
        questions = section.table("by_question")
        assert column(questions, "answers")["expectations_met"] == 6
        assert column(questions, "average")["expectations_met"] == pytest.approx(23 / 6)
        assert column(questions, "average")["e3_candidate_fit"] == pytest.approx(3.5)
        assert column(questions, "average")["e20_recommend"] == pytest.approx(7.5)
        assert column(section.table("over_time"), "responses") == {"2026-Q1": "hidden", "2026-Q2": "hidden"}
        assert "placements you may see" in section.intro
        found = employers.rows(
            Scope(user=reader, period=PERIOD, today=TODAY), "by_question", "expectations_met", "answers"
        )
        assert found is not None
        assert set(found.queryset) == {world[key] for key in ("R1", "R2", "R3", "R4", "R5", "R6")}

    bobs = build(bob).table("by_question")
    assert column(bobs, "answers")["expectations_met"] == "hidden"
    assert bobs.cell("expectations_met", "average").display() == "fewer than 5"
    assert bobs.cell("expectations_met", "average").link == ""


def test_the_manager_sector_and_coach_filters_narrow_the_evaluations(adam, rita, alice, world):
    mine = build(rita, manager_id=rita.pk).table("by_question")
    hospitality = build(adam, sector=Sector.HOSPITALITY).table("by_question")
    alices = build(adam, coach_id=alice.pk).table("by_question")

    assert column(mine, "answers")["expectations_met"] == "hidden"
    assert mine.cell("expectations_met", "answers").value == 3
    assert column(hospitality, "average")["expectations_met"] == pytest.approx(3.6)
    assert column(alices, "average")["expectations_met"] == pytest.approx(23 / 6)


def test_the_gender_filter_does_not_apply_and_the_intro_says_so(adam, alice, world):
    plain, filtered = build(adam), build(adam, gender="man")

    assert "does not apply" in filtered.intro and "does not apply" not in plain.intro
    assert column(filtered.table("by_question"), "answers") == column(plain.table("by_question"), "answers")
    assert column(build(alice, gender="man").table("by_question"), "answers")["expectations_met"] == 6


def test_the_drill_downs_list_the_evaluations(client, rita, world):
    scope = Scope(user=rita, period=PERIOD, today=TODAY)

    def found(table: str, row: str, col: str) -> set[SurveyResponse]:
        rows = employers.rows(scope, table, row, col)
        assert rows is not None and rows.kind == "responses"
        return set(rows.queryset)

    r = world
    assert found("by_question", "e4_weeks_to_productive", "answers") == {r["R1"], r["R2"], r["R4"], r["R5"]}
    assert found("by_dimension", "supply", "average") == {
        r[k] for k in ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8")
    }
    assert found("by_sector", "cleaning", "answers") == {r["R5"], r["R6"]}
    assert found("over_time", "2026-Q2", "responses") == {r["R3"], r["R4"], r["R5"], r["R6"], r["R8"]}
    assert employers.rows(scope, "by_question", "no_such_question", "answers") is None
    assert employers.rows(scope, "by_dimension", "", "answers") is None

    client.force_login(rita)
    link = build(rita).table("by_sector").cell("hospitality", "average").link
    response = client.get(link)
    assert response.status_code == 200
    assert response.context["total"] == 5
    assert link.startswith(reverse("reports:rows", args=["employers", "by_sector"]))


def test_the_section_runs_the_same_queries_for_few_and_many_evaluations(
    adam, alice, bob, world, django_assert_max_num_queries
):
    for reader in (adam, alice):
        build(reader)  # the reader's roles and supervised coaches are read once per user object
    with CaptureQueriesContext(connection) as few_lead:
        build(adam)
    with CaptureQueriesContext(connection) as few_coach:
        build(alice)

    for n in range(12):
        evaluate(alice if n % 2 else bob, Sector.CARE, at(2026, 1 + n % 6, 3 + n), 1 + n % 5, 3, 4, n % 11, n)

    with django_assert_max_num_queries(len(few_lead.captured_queries)):
        lead = build(adam)
    with django_assert_max_num_queries(len(few_coach.captured_queries)):
        build(alice)
    assert len(few_lead.captured_queries) == 5
    assert column(lead.table("by_question"), "answers")["expectations_met"] == 20


def test_the_page_and_the_workbook_show_the_section(client, rita, world):
    client.force_login(rita)
    params = {"start": PERIOD.start.isoformat(), "end": PERIOD.end.isoformat()}

    page = client.get(reverse("reports:section", args=["employers"]), params)
    workbook = client.get(reverse("reports:xlsx"), params)

    html = page.content.decode()
    assert page.status_code == 200 and 'id="section-employers"' in html
    assert "Did the candidate match the profile of the job?" in html and "fewer than 5" in html
    assert workbook.status_code == 200
