"""The Outcomes section: placements, early ends, closed files, retention and ladder step 23, by gender.

The dataset below is small enough to count by hand; every expected figure is worked out in a comment.
Period: the year 2027; today: 15 January 2028. "+N" is add_months(start, N).

Alice's clients (coach alice):
  W1 woman   2027-01-04 to 2027-12-20 completed; closed 2027-12-22 goal reached, employment;
             step 23 on 07-05 (left 07-20), back on 23 on 08-01 (left 12-22)
  W2 woman   2027-01-10 active (runs to today); file "closed_on" 2027-03-01 but reopened (status active);
             step 23 on 07-10
  W3 woman   2027-02-01 to 03-15 ended early (employer, language); 2027-04-01 active (17 days later);
             step 23 since 2026-12-01 (before the period)
  W4 woman   2027-03-01 to 04-10 ended early (client, care); closed 2027-05-01 dropped out, destination unknown
  W5 woman   2027-05-03 to 06-30 ended early (employer, language); 2027-09-01 to 10-31 completed
             (63 days later); closed 2027-11-15 works independently, employment
  W6 woman   2027-06-01 to 07-15 ended early (mutual, no reason recorded); closed 2027-08-01 handed back,
             another programme
  W7 woman   no placement; closed 2027-04-20 goal reached, employment
  M1 man     2026-11-02 to 2027-02-26 completed; closed 2027-03-10 goal reached, employment
  M2 man     2027-02-15 active; step 23 on 08-15
  N1 non-binary  planned 2027-03-01, cancelled 2027-04-01; closed 2027-06-30 dropped out, not working
  X1 prefers not to say  2027-07-01 to 09-30 completed; closed 2027-12-30 goal reached, employment

Bob's clients (coach bob, supervised by carl):
  BW1 woman  2027-01-05 to 12-01 completed; closed 2027-12-10 goal reached, employment
  BW2 woman  2027-03-01 to 05-01 ended early (employer, language)
  BW3 woman  2027-04-01 active
  BM1 man    2027-02-01 active; step 23 on 08-20
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import LadderStep
from placements.choices import (
    ClientStatus,
    ClosingReason,
    Destination,
    EndCause,
    EndedBy,
    Gender,
    PlacementStatus,
)
from placements.models import LadderPosition, Team
from reports.scope import Scope
from reports.sections import outcomes
from reports.tables import Period, Section
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = pytest.mark.django_db

PERIOD = Period(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
TODAY = dt.date(2028, 1, 15)
D = dt.date


def scope_for(user: Any, **filters: Any) -> Scope:
    """The 2027 report for the user, read on 15 January 2028."""
    return Scope(user=user, period=PERIOD, today=TODAY, **filters)


def job(client: Any, start: dt.date, end: dt.date | None, status: str, **extra: Any) -> Any:
    """A placement of the client with these dates and status (an early end says why)."""
    if status == PlacementStatus.ENDED_EARLY:
        extra.setdefault("end_reason", "Ended before the planned end.")
    return PlacementFactory(client=client, start_on=start, actual_end_on=end, status=status, **extra)


def closed(on: dt.date, reason: str, destination: str) -> dict[str, Any]:
    """The fields of a file closed on that day."""
    return {"status": ClientStatus.CLOSED, "closed_on": on, "closing_reason": reason, "destination": destination}


def on_step(client: Any, position: int, entered: dt.date, left: dt.date | None = None) -> None:
    """A stay of the client on a ladder step."""
    LadderPosition.objects.create(
        client=client, step=LadderStep.objects.get(position=position), entered_on=entered, left_on=left
    )


DONE, EARLY, ACTIVE = PlacementStatus.COMPLETED, PlacementStatus.ENDED_EARLY, PlacementStatus.ACTIVE


@pytest.fixture
def data(alice, bob, carl) -> dict[str, Any]:
    """The dataset of the module docstring; carl leads the team bob coaches in."""
    team = Team.objects.create(name="North")
    team.leads.add(carl)
    team.coaches.add(bob)

    def client(coach: Any, gender: str, **extra: Any) -> Any:
        """A client of the coach."""
        return ClientFactory(coach=coach, gender=gender, **extra)

    woman, man = Gender.WOMAN, Gender.MAN
    employment = Destination.EMPLOYMENT
    goal = ClosingReason.GOAL_REACHED
    c: dict[str, Any] = {
        "W1": client(alice, woman, **closed(D(2027, 12, 22), goal, employment)),
        "W2": client(alice, woman, closed_on=D(2027, 3, 1)),
        "W3": client(alice, woman),
        "W4": client(alice, woman, **closed(D(2027, 5, 1), ClosingReason.DROPPED_OUT, "")),
        "W5": client(alice, woman, **closed(D(2027, 11, 15), ClosingReason.AUTONOMOUS, employment)),
        "W6": client(alice, woman, **closed(D(2027, 8, 1), ClosingReason.HANDED_BACK, Destination.OTHER_PROGRAMME)),
        "W7": client(alice, woman, **closed(D(2027, 4, 20), goal, employment)),
        "M1": client(alice, man, **closed(D(2027, 3, 10), goal, employment)),
        "M2": client(alice, man),
        "N1": client(alice, Gender.NON_BINARY, **closed(D(2027, 6, 30), ClosingReason.DROPPED_OUT, "not_working")),
        "X1": client(alice, "", **closed(D(2027, 12, 30), goal, employment)),
        "BW1": client(bob, woman, **closed(D(2027, 12, 10), goal, employment)),
        "BW2": client(bob, woman),
        "BW3": client(bob, woman),
        "BM1": client(bob, man),
    }
    p = {
        "W1": job(c["W1"], D(2027, 1, 4), D(2027, 12, 20), DONE),
        "W2": job(c["W2"], D(2027, 1, 10), None, ACTIVE),
        "W3a": job(
            c["W3"], D(2027, 2, 1), D(2027, 3, 15), EARLY, ended_by=EndedBy.EMPLOYER, end_cause=EndCause.LANGUAGE
        ),
        "W3b": job(c["W3"], D(2027, 4, 1), None, ACTIVE),
        "W4": job(c["W4"], D(2027, 3, 1), D(2027, 4, 10), EARLY, ended_by=EndedBy.CLIENT, end_cause=EndCause.CARE),
        "W5a": job(
            c["W5"], D(2027, 5, 3), D(2027, 6, 30), EARLY, ended_by=EndedBy.EMPLOYER, end_cause=EndCause.LANGUAGE
        ),
        "W5b": job(c["W5"], D(2027, 9, 1), D(2027, 10, 31), DONE),
        "W6": job(c["W6"], D(2027, 6, 1), D(2027, 7, 15), EARLY, ended_by=EndedBy.MUTUAL),
        "M1": job(c["M1"], D(2026, 11, 2), D(2027, 2, 26), DONE),
        "M2": job(c["M2"], D(2027, 2, 15), None, ACTIVE),
        "N1a": job(c["N1"], D(2027, 3, 1), None, PlacementStatus.PLANNED),
        "N1b": job(c["N1"], D(2027, 4, 1), None, PlacementStatus.CANCELLED),
        "X1": job(c["X1"], D(2027, 7, 1), D(2027, 9, 30), DONE),
        "BW1": job(c["BW1"], D(2027, 1, 5), D(2027, 12, 1), DONE),
        "BW2": job(
            c["BW2"], D(2027, 3, 1), D(2027, 5, 1), EARLY, ended_by=EndedBy.EMPLOYER, end_cause=EndCause.LANGUAGE
        ),
        "BW3": job(c["BW3"], D(2027, 4, 1), None, ACTIVE),
        "BM1": job(c["BM1"], D(2027, 2, 1), None, ACTIVE),
    }
    on_step(c["W1"], 23, D(2027, 7, 5), D(2027, 7, 20))
    on_step(c["W1"], 22, D(2027, 7, 20), D(2027, 8, 1))
    on_step(c["W1"], 23, D(2027, 8, 1), D(2027, 12, 22))
    on_step(c["W2"], 23, D(2027, 7, 10))
    on_step(c["W3"], 23, D(2026, 12, 1))
    on_step(c["M2"], 23, D(2027, 8, 15))
    on_step(c["BM1"], 23, D(2027, 8, 20))
    return {"clients": c, "placements": p}


def values(section: Section, table: str, row: str) -> dict[str, Any]:
    """The values of one row, by column key."""
    found = section.table(table)
    return {key: found.cell(row, key).value for key in found.column_keys}


COLUMNS = ["woman", "man", "non_binary", "self_described", "not_said", "total"]


def test_alice_sees_the_placements_and_early_ends_of_her_own_clients(alice, data):
    section = outcomes.build(scope_for(alice))
    assert section.table("placements").column_keys == COLUMNS

    # Started in 2027 and worked: W1, W2, W3 twice, W4, W5 twice, W6 = 8 women; M2 = 1 man (M1 started in
    # 2026); X1 = 1 not said; N1's planned and cancelled placements are not counted. Bob's are not hers.
    assert values(section, "placements", "started") == {
        "woman": 8,
        "man": 1,
        "non_binary": 0,
        "self_described": 0,
        "not_said": 1,
        "total": 10,
    }
    # Completed in 2027: W1 (12-20), W5's second (10-31); M1 (02-26); X1 (09-30).
    assert values(section, "placements", "completed") == {
        **dict.fromkeys(COLUMNS, 0),
        "woman": 2,
        "man": 1,
        "not_said": 1,
        "total": 4,
    }
    # Ended early in 2027: W3, W4, W5, W6.
    assert values(section, "placements", "ended_early")["woman"] == 4

    started = section.table("placements").cell("started", "woman")
    assert started.display() == "8" and not started.suppressed
    assert started.link.startswith("/") and "row=started" in started.link and "column=woman" in started.link
    hidden = section.table("placements").cell("completed", "woman")
    assert hidden.suppressed and hidden.display() == "fewer than 5" and hidden.link == ""
    assert section.table("placements").chart is not None

    # Who ended them: employer W3, W5; client W4; mutual W6; nobody from the organisation.
    assert [row.key for row in section.table("ended_by").rows] == ["client", "employer", "organisation", "mutual"]
    assert values(section, "ended_by", "employer")["woman"] == 2
    assert values(section, "ended_by", "client")["total"] == 1
    assert values(section, "ended_by", "mutual")["total"] == 1
    assert values(section, "ended_by", "organisation")["total"] == 0
    # Main reason: language W3, W5; care W4; W6 has none recorded.
    end_cause = section.table("end_cause")
    assert end_cause.rows[0].key == "not_recorded" and end_cause.rows[0].label == "Not recorded"
    assert values(section, "end_cause", "language")["woman"] == 2
    assert values(section, "end_cause", "care")["woman"] == 1
    assert values(section, "end_cause", "not_recorded")["woman"] == 1
    assert values(section, "end_cause", "health")["total"] == 0


def test_closed_files_by_destination_and_reason(alice, data):
    section = outcomes.build(scope_for(alice))
    # Closed in 2027 (status closed): W1, W4, W5, W6, W7, M1, N1, X1 = 8. W2 has a closing date but an
    # open file; bob's BW1 is not hers.
    # Employment: W1, W5, W7 (3 women), M1 (1 man), X1 (1 not said) = 5, the one figure shown.
    assert values(section, "destinations", "employment") == {
        "woman": 3,
        "man": 1,
        "non_binary": 0,
        "self_described": 0,
        "not_said": 1,
        "total": 5,
    }
    employment = section.table("destinations").cell("employment", "total")
    assert employment.display() == "5" and employment.link
    assert values(section, "destinations", "unknown")["woman"] == 1  # W4
    assert values(section, "destinations", "other_programme")["woman"] == 1  # W6
    assert values(section, "destinations", "not_working")["non_binary"] == 1  # N1
    assert sum(values(section, "destinations", row.key)["total"] for row in section.table("destinations").rows) == 8
    # Reasons: goal reached W1, W7, M1, X1; dropped out W4, N1; independent W5; handed back W6.
    assert values(section, "closing_reasons", "goal_reached")["total"] == 4
    assert values(section, "closing_reasons", "goal_reached")["woman"] == 2
    assert values(section, "closing_reasons", "dropped_out")["total"] == 2
    assert values(section, "closing_reasons", "autonomous")["total"] == 1
    assert values(section, "closing_reasons", "handed_back")["total"] == 1
    assert "" not in [row.key for row in section.table("closing_reasons").rows]


def test_retention_across_jobs_and_step_23(alice, data):
    section = outcomes.build(scope_for(alice))
    retention = section.table("retention")
    assert retention.note
    # Cohort: first worked placement in 2027, as of 15 Jan 2028.
    #   W1 01-04..12-20: eligible 3, 6, 12 (+12 = 2028-01-04); kept 3, 6 (12 would need 2028-01-04).
    #   W2 01-10..today: eligible and kept 3, 6, 12 (+12 = 2028-01-10 <= 2028-01-15).
    #   W3 02-01..03-15 + 04-01..today (17 days apart: one span): eligible 3, 6 (not 12); kept 3, 6.
    #   W4 03-01..04-10: eligible 3, 6; kept none.  W5 05-03..06-30, 09-01..10-31 (63 days apart):
    #   eligible 3, 6; kept none.  W6 06-01..07-15: eligible 3 (09-01), 6 (12-01); kept none.
    #   M2 02-15..today: eligible and kept 3, 6.  M1 started in 2026: not in the cohort.
    #   X1 07-01..09-30: eligible 3 (10-01), 6 (2028-01-01); kept none (+3 = 10-01 > 09-30).
    # Women 3: 3 of 6 = 50 %; 6: 3 of 6 = 50 %; 12: 1 of 2. Total 3 and 6: 4 of 8 = 50 %.
    # A share is hidden when either of its groups is under five (3 retained women would show through).
    assert retention.cell("3", "woman").value == 50.0 and retention.cell("3", "woman").people == 3
    assert retention.cell("3", "woman").display() == "fewer than 5"
    assert retention.cell("6", "woman").value == 50.0
    assert retention.cell("3", "total").value == 50.0 and retention.cell("3", "total").people == 4
    assert retention.cell("6", "total").people == 4 and retention.cell("6", "total").link == ""
    twelve = retention.cell("12", "woman")
    assert twelve.value == 50.0 and twelve.people == 1 and twelve.suppressed and twelve.link == ""
    assert retention.cell("3", "man").people == 1 and retention.cell("3", "man").value == 100.0
    assert retention.cell("3", "not_said").value == 0.0
    assert retention.cell("3", "non_binary").value is None and retention.cell("3", "non_binary").suppressed

    # Step 23 entered in 2027: W1 (twice, counted once), W2, M2; W3 entered it in 2026.
    assert values(section, "step23", "23") == {**dict.fromkeys(COLUMNS, 0), "woman": 2, "man": 1, "total": 3}


def test_the_network_lead_sees_every_client(adam, data):
    section = outcomes.build(scope_for(adam))
    # Started: alice's 10 + bob's BW1, BW2, BW3, BM1 = 14; women 8 + 3 = 11.
    assert values(section, "placements", "started")["total"] == 14
    assert values(section, "placements", "started")["woman"] == 11
    # Retention at 3 months: alice's 4 of 8, plus BW1 (kept: 01-05..12-01), BW2 (not: 03-01..05-01),
    # BW3 (kept, running), BM1 (kept, running): 7 of 12 = 58.3 %. Women: 3 + 2 of 6 + 3 = 5 of 9 = 55.6 %.
    retention = section.table("retention")
    assert retention.cell("3", "total").people == 7
    assert retention.cell("3", "total").value == pytest.approx(700 / 12)
    assert retention.cell("3", "total").display() == "58 %"
    assert retention.cell("3", "woman").value == pytest.approx(500 / 9)
    # Step 23: W1, W2, M2, BM1 = 4.
    assert values(section, "step23", "23")["total"] == 4


def test_a_case_manager_sees_his_supervised_coaches_clients(carl, data):
    section = outcomes.build(scope_for(carl))
    # Bob's only: started BW1, BW2, BW3 (3 women), BM1 (1 man).
    assert values(section, "placements", "started") == {**dict.fromkeys(COLUMNS, 0), "woman": 3, "man": 1, "total": 4}
    assert values(section, "placements", "ended_early")["woman"] == 1  # BW2
    assert values(section, "ended_by", "employer")["total"] == 1
    assert values(section, "destinations", "employment")["total"] == 1  # BW1
    # Retention at 3 months: BW1, BW3, BM1 kept of the 4 = 75 %; women 2 of 3.
    assert section.table("retention").cell("3", "total").value == 75.0
    assert section.table("retention").cell("3", "woman").people == 2
    assert values(section, "step23", "23")["total"] == 1  # BM1


def test_a_relationship_manager_gets_no_client_figures(rita, data):
    scope = scope_for(rita)
    assert not scope.clients().exists()
    section = outcomes.build(scope)
    for table in section.tables:
        for row in table.rows:
            for cell in row.cells:
                assert cell.value in (0, None) and cell.suppressed and cell.link == ""
    assert outcomes.rows(scope, "placements", "started", "total").queryset.count() == 0


def test_a_gender_filter_shows_one_column(alice, data):
    section = outcomes.build(scope_for(alice, gender=Gender.WOMAN))
    assert section.table("placements").column_keys == ["woman"]
    assert values(section, "placements", "started") == {"woman": 8}
    assert section.table("retention").cell("3", "woman").people == 3


def test_the_rows_behind_each_figure(alice, data):
    scope, c, p = scope_for(alice), data["clients"], data["placements"]

    def rows(table: str, row: str, column: str) -> set[Any]:
        """The rows behind one figure, as a set."""
        found = outcomes.rows(scope, table, row, column)
        assert found is not None
        return set(found.queryset)

    started_women = {p[k] for k in ("W1", "W2", "W3a", "W3b", "W4", "W5a", "W5b", "W6")}
    assert outcomes.rows(scope, "placements", "started", "woman").kind == "placements"
    assert rows("placements", "started", "woman") == started_women
    assert rows("placements", "started", "total") == started_women | {p["M2"], p["X1"]}
    assert rows("placements", "completed", "total") == {p["W1"], p["W5b"], p["M1"], p["X1"]}
    assert rows("ended_by", "employer", "woman") == {p["W3a"], p["W5a"]}
    assert rows("end_cause", "not_recorded", "total") == {p["W6"]}
    assert rows("end_cause", "language", "woman") == {p["W3a"], p["W5a"]}
    assert outcomes.rows(scope, "destinations", "employment", "total").kind == "clients"
    assert rows("destinations", "employment", "total") == {c[k] for k in ("W1", "W5", "W7", "M1", "X1")}
    assert rows("destinations", "unknown", "woman") == {c["W4"]}
    assert rows("closing_reasons", "goal_reached", "woman") == {c["W1"], c["W7"]}
    assert rows("retention", "3", "woman") == {c["W1"], c["W2"], c["W3"]}
    assert rows("retention", "3", "total") == {c["W1"], c["W2"], c["W3"], c["M2"]}
    assert rows("retention", "12", "total") == {c["W2"]}
    assert rows("step23", "23", "total") == {c["W1"], c["W2"], c["M2"]}

    for table, row, column in [
        ("placements", "planned", "woman"),
        ("ended_by", "", "woman"),
        ("end_cause", "", "total"),
        ("destinations", "", "total"),
        ("closing_reasons", "", "total"),
        ("retention", "9", "total"),
        ("step23", "22", "total"),
        ("placements", "started", "alien"),
        ("nonsense", "started", "total"),
    ]:
        assert outcomes.rows(scope, table, row, column) is None


def _population(coach: Any, n: int) -> None:
    """n clients, each with every kind of figure: placements, an early end, a closed file, step 23."""
    for i in range(n):
        gender = [Gender.WOMAN, Gender.MAN, ""][i % 3]
        client = ClientFactory(coach=coach, gender=gender, **closed(D(2027, 11, 1), ClosingReason.GOAL_REACHED, ""))
        job(client, D(2027, 1, 4), D(2027, 3, 1), EARLY, ended_by=EndedBy.CLIENT, end_cause=EndCause.HEALTH)
        job(client, D(2027, 3, 10), D(2027, 10, 31), DONE)
        on_step(client, 23, D(2027, 9, 1))


@pytest.mark.parametrize("user", ["adam", "alice"])
def test_build_runs_the_same_queries_for_one_client_and_for_twenty(request, django_assert_max_num_queries, user):
    reader = request.getfixturevalue(user)
    coach = request.getfixturevalue("alice")
    _population(coach, 1)
    outcomes.build(scope_for(reader))  # warm the reader's cached roles
    with CaptureQueriesContext(connection) as one:
        outcomes.build(scope_for(reader))
    assert len(one) <= 7  # one query per table
    _population(coach, 19)
    with django_assert_max_num_queries(len(one)):
        section = outcomes.build(scope_for(reader))
    # 20 clients, each with two placements started in 2027, retained 6 months (01-04..10-31 with a 9-day gap).
    assert section.table("placements").cell("started", "total").value == 40
    assert section.table("retention").cell("6", "total").value == 100.0
    assert section.table("step23").cell("23", "total").value == 20
