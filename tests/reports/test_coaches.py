"""The coach KPI section: employer contacts per week, caseload, follow-ups on time, overdue, minutes.

The dataset (TODAY is Monday 2 November 2026; the period is the four weeks 5 October - 1 November, so
`weeks` is 28 / 7 = 4.0; Europe/Amsterdam is UTC+2 until 25 October and UTC+1 after):

Alice (coach)
  contacts: 8 in the period (8 / 4 weeks = 2.0 a week); not counted: 4 October 23:30 local (before),
            2 November 00:30 local (= 1 November 23:30 UTC, but the local date is after the period)
  clients:  placed (woman, her placement P1), in coaching (woman), in coaching (man, placement P2),
            intake (prefers not to say) -> caseload 4; paused and closed do not count
  done steps in the period (all hers):
            P1 due 10 Oct, done 9 Oct 10:00, 30 min     -> on time
            P1 due 20 Oct, done 21 Oct 00:30 local      -> late (22:30 UTC on the 20th, but locally the 21st)
            P2 due 12 Oct, done 15 Oct, 45 min          -> late
            P1 due 28 Oct, done 28 Oct 09:00, 15 min    -> on time (on its day)
            -> done 4, on time 2 = 50 %, minutes 30 + 45 + 15 = 90
            not counted: done 4 Oct (before), skipped on 20 Oct
  overdue:  P1 open due 1 Nov, P1 due (status due) 1 Oct -> 2; P1 open due today does not count
Bob (coach)
  contacts: 2 in the period -> 0.5 a week
  clients:  aftercare (man, placement P3) -> caseload 1; closed does not count
  done:     P3 due 20 Oct, done 19 Oct, 60 min -> done 1, on time 1 = 100 %, minutes 60
  overdue:  P3 open due 30 Oct -> 1
Rita (relationship manager) records 1 contact in the period: she is not a coach, it is in no row.

All coaches (Alice + Bob): contacts 10, per week per coach 10 / 4 / 2 = 1.25, caseload 5, done 5,
on time 3 of 5 = 60 %, overdue 3, minutes 150.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User

from crm.roles import Role
from placements.choices import ClientStatus, Gender, PlacementStatus, StepStatus
from placements.models import AftercareStep, Placement, Team
from placements.views.team import caseloads
from reports.registry import sections_for
from reports.scope import Scope
from reports.sections import coaches
from reports.tables import Period, Section, Table
from tests.crm.factories import InteractionFactory
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 2)
PERIOD = Period(dt.date(2026, 10, 5), dt.date(2026, 11, 1))
LOCAL = ZoneInfo("Europe/Amsterdam")


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=LOCAL)


def coach(username: str) -> User:
    user = User.objects.create_user(username=username, first_name=username.capitalize())
    user.groups.add(Group.objects.get(name=Role.COACH))
    return user


def contact(author: User, when: dt.datetime) -> None:
    InteractionFactory(author=author, occurred_at=when)


def step(placement: Placement, due: dt.date, **kwargs) -> AftercareStep:
    kwargs.setdefault("assignee", placement.coach)
    return AftercareStep.objects.create(placement=placement, title="Belafspraak", due_on=due, **kwargs)


def done(placement: Placement, due: dt.date, completed: dt.datetime, minutes: int | None = None) -> AftercareStep:
    return step(placement, due, status=StepStatus.DONE, completed_at=completed, minutes_spent=minutes, outcome="Ok")


def placement_for(client) -> Placement:
    return cast(Placement, PlacementFactory(client=client, status=PlacementStatus.ACTIVE, start_on=dt.date(2026, 9, 1)))


@dataclass
class Data:
    p1: Placement
    p2: Placement
    p3: Placement


@pytest.fixture
def data(alice, bob, rita) -> Data:
    """The dataset of the module docstring."""
    for day in (5, 6, 12, 13, 19, 26, 31):
        contact(alice, at(10, day))
    contact(alice, at(11, 1, 23, 30))  # the period's last day, late in the evening: counts (the 8th)
    contact(alice, at(10, 4, 23, 30))  # the day before the period
    contact(alice, at(11, 2, 0, 30))  # 1 November in UTC, 2 November locally: after the period
    contact(bob, at(10, 7))
    contact(bob, at(10, 29))
    contact(rita, at(10, 8))

    placed = ClientFactory(coach=alice, status=ClientStatus.PLACED, gender=Gender.WOMAN)
    ClientFactory(coach=alice, status=ClientStatus.ACTIVE, gender=Gender.WOMAN)
    coached = ClientFactory(coach=alice, status=ClientStatus.ACTIVE, gender=Gender.MAN)
    ClientFactory(coach=alice, status=ClientStatus.INTAKE, gender=Gender.NOT_SAID)
    ClientFactory(coach=alice, status=ClientStatus.PAUSED, gender=Gender.WOMAN)
    ClientFactory(coach=alice, status=ClientStatus.CLOSED, closing_reason="moved", gender=Gender.WOMAN)
    aftercare = ClientFactory(coach=bob, status=ClientStatus.AFTERCARE, gender=Gender.MAN)
    ClientFactory(coach=bob, status=ClientStatus.CLOSED, closing_reason="moved", gender=Gender.MAN)
    p1, p2, p3 = placement_for(placed), placement_for(coached), placement_for(aftercare)

    done(p1, dt.date(2026, 10, 10), at(10, 9), 30)
    done(p1, dt.date(2026, 10, 20), at(10, 21, 0, 30))
    done(p2, dt.date(2026, 10, 12), at(10, 15), 45)
    done(p1, dt.date(2026, 10, 28), at(10, 28, 9), 15)
    done(p1, dt.date(2026, 10, 4), at(10, 4, 12), 99)  # before the period
    step(p1, dt.date(2026, 10, 20), status=StepStatus.SKIPPED, completed_at=at(10, 20))
    step(p1, dt.date(2026, 11, 1))  # overdue
    step(p1, dt.date(2026, 10, 1), status=StepStatus.DUE)  # overdue
    step(p1, TODAY)  # due today: not overdue

    done(p3, dt.date(2026, 10, 20), at(10, 19), 60)
    step(p3, dt.date(2026, 10, 30))  # overdue
    return Data(p1, p2, p3)


def table(user: User, period: Period = PERIOD, **filters) -> Table:
    section: Section = coaches.build(Scope(user=user, period=period, today=TODAY, **filters))
    return section.table("coaches")


def values(table: Table, row: str) -> dict[str, object]:
    return {key: cell.value for key, cell in zip(table.column_keys, table.row(row).cells, strict=True)}


def test_the_network_lead_sees_every_coach_and_the_sum(adam, alice, bob, data):
    result = table(adam)

    assert [row.key for row in result.rows] == [str(alice.pk), str(bob.pk), "all"]
    assert [row.label for row in result.rows] == ["Alice", "Bob", "All coaches"]
    assert values(result, str(alice.pk)) == {
        "contacts_per_week": 2.0,
        "contacts": 8,
        "caseload": 4,
        "done": 4,
        "on_time": 50.0,
        "overdue": 2,
        "minutes": 90,
    }
    assert values(result, str(bob.pk)) == {
        "contacts_per_week": 0.5,
        "contacts": 2,
        "caseload": 1,
        "done": 1,
        "on_time": 100.0,
        "overdue": 1,
        "minutes": 60,
    }
    assert values(result, "all") == {
        "contacts_per_week": 1.25,
        "contacts": 10,
        "caseload": 5,
        "done": 5,
        "on_time": 60.0,
        "overdue": 3,
        "minutes": 150,
    }


def test_no_figure_is_hidden_without_a_gender_filter_and_the_chart_shows_contacts_per_week(adam, alice, data):
    result = table(adam)

    # Bob's caseload is 1 and his on-time share is over one step: neither is a group of persons.
    assert not any(cell.suppressed for row in result.rows for cell in row.cells)
    assert result.chart is not None and list(result.chart.columns or []) == [0]
    assert result.column_keys[0] == "contacts_per_week"
    assert "not the gender filter" in result.note


def test_every_figure_links_to_the_rows_behind_it(adam, alice, data):
    cell = table(adam).cell(str(alice.pk), "overdue")

    link = urlparse(cell.link)
    assert link.path == "/reports/coaches/coaches/rows/"
    assert parse_qs(link.query)["row"] == [str(alice.pk)] and parse_qs(link.query)["column"] == ["overdue"]


def test_the_drill_downs_list_the_contacts_clients_and_steps_behind_the_figures(adam, alice, bob, data):
    scope = Scope(user=adam, period=PERIOD, today=TODAY)
    alices = str(alice.pk)

    found = coaches.rows(scope, "coaches", alices, "contacts")
    assert found is not None and found.kind == "interactions" and found.queryset.count() == 8
    found = coaches.rows(scope, "coaches", alices, "caseload")
    assert found is not None and found.kind == "clients" and found.queryset.count() == 4
    found = coaches.rows(scope, "coaches", alices, "on_time")
    assert found is not None and found.kind == "steps"
    assert sorted(s.due_on.day for s in found.queryset) == [10, 12, 20, 28]
    found = coaches.rows(scope, "coaches", alices, "overdue")
    assert found is not None and [s.due_on for s in found.queryset] == [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    found = coaches.rows(scope, "coaches", "all", "overdue")
    assert found is not None and found.queryset.count() == 3
    assert coaches.rows(scope, "coaches", alices, "nonsense") is None
    assert coaches.rows(scope, "other", alices, "overdue") is None


def test_a_coach_sees_only_her_own_row(alice, bob, data):
    result = table(alice)

    assert [row.key for row in result.rows] == [str(alice.pk)]
    assert values(result, str(alice.pk))["overdue"] == 2
    scope = Scope(user=alice, period=PERIOD, today=TODAY)
    assert coaches.rows(scope, "coaches", str(bob.pk), "contacts") is None


def test_a_case_manager_sees_the_coaches_he_supervises_and_himself_once_he_coaches_clients(alice, bob, carl, data):
    team = Team.objects.create(name="Noord")
    team.leads.add(carl)
    team.coaches.add(alice)

    result = table(carl)

    assert [row.key for row in result.rows] == [str(alice.pk)]
    assert values(result, str(alice.pk)) == values(table(User.objects.get(pk=alice.pk)), str(alice.pk))

    ClientFactory(coach=carl, status=ClientStatus.ACTIVE)
    result = table(User.objects.get(pk=carl.pk))

    assert [row.key for row in result.rows] == [str(alice.pk), str(carl.pk), "all"]
    assert values(result, str(carl.pk))["caseload"] == 1


def test_a_relationship_manager_does_not_get_the_section(rita, data):
    scope = Scope(user=rita, period=PERIOD, today=TODAY)

    assert coaches.KEY not in [spec.key for spec in sections_for(scope)]
    assert coaches.build(scope).table("coaches").rows == []


def test_the_coach_filter_narrows_to_one_coach(adam, alice, bob, data):
    result = table(adam, coach_id=bob.pk)

    assert [row.key for row in result.rows] == [str(bob.pk)]


def test_the_period_changes_the_on_time_share(adam, alice, data):
    # 5-14 October: only the step done on 9 October (on time) -> 1 of 1 = 100 %.
    early = table(adam, Period(dt.date(2026, 10, 5), dt.date(2026, 10, 14)))
    assert values(early, str(alice.pk))["done"] == 1 and values(early, str(alice.pk))["on_time"] == 100.0
    # 15 October - 1 November: done 15 Oct (late), 21 Oct (late), 28 Oct (on time) -> 1 of 3.
    late = table(adam, Period(dt.date(2026, 10, 15), dt.date(2026, 11, 1)))
    assert values(late, str(alice.pk))["done"] == 3
    assert values(late, str(alice.pk))["on_time"] == pytest.approx(100 / 3)


def test_the_gender_filter_narrows_clients_and_steps_but_not_employer_contacts(adam, alice, data):
    result = table(adam, gender=Gender.WOMAN)

    # Alice's women: the placed client (P1) and one in coaching -> caseload 2, hidden (under five people).
    # Her done steps on P1 only: 9 Oct on time, 21 Oct late, 28 Oct on time -> 2 of 3, 30 + 15 = 45 min.
    alices = values(result, str(alice.pk))
    assert (alices["contacts"], alices["caseload"], alices["done"], alices["minutes"]) == (8, 2, 3, 45)
    assert alices["on_time"] == pytest.approx(200 / 3)
    assert result.cell(str(alice.pk), "caseload").suppressed
    assert result.cell(str(alice.pk), "caseload").link == ""


def test_the_team_page_and_the_report_share_the_on_time_rule(adam, alice, bob, data):
    # The team page looks at the 28 days up to today: 6 October - 2 November.
    window = Period(dt.date(2026, 10, 6), TODAY)
    loads, _more = caseloads([alice.pk, bob.pk], today=TODAY)

    result = table(adam, window)

    for load in loads:
        row = values(result, str(load.coach.pk))
        assert (row["done"], row["caseload"], row["overdue"]) == (
            load.done_in_window,
            load.active_clients,
            load.overdue,
        )
        assert row["on_time"] == pytest.approx(100 * load.done_on_time / load.done_in_window)


@pytest.mark.parametrize("size", [2, 10])
def test_the_section_runs_the_same_queries_for_2_and_10_coaches(carl, size, django_assert_max_num_queries):
    team = Team.objects.create(name="Noord")
    team.leads.add(carl)
    for n in range(size):
        member = coach(f"coach{n}")
        team.coaches.add(member)
        placement = placement_for(ClientFactory(coach=member))
        for day in range(1, 4):
            contact(member, at(10, 5 + day))
            done(placement, dt.date(2026, 10, 10 + day), at(10, 12), 20)
            step(placement, dt.date(2026, 10, 20 + day))
    reader = User.objects.get(pk=carl.pk)  # no roles or supervision read yet

    with django_assert_max_num_queries(7):
        result = table(reader)

    assert len(result.rows) == size + 1
    assert values(result, "all")["overdue"] == 3 * size
