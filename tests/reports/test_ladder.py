"""The ladder section: time per step, clients per step today, moves up and down, and where files close.

The dataset (alice's clients unless said otherwise; period 1 January to 30 June 2026, today 10 June, so an
open stay counts up to 10 June). Each line: gender, then stays as step (entered -> left), "open" = not left.

    c1 woman   10 (01-01 -> 01-06)  11 (01-06 -> 01-09)  10 (01-09 -> 01-16)  12 (01-16 -> open)
    c2 woman   10 (02-01 -> 02-21)  11 (02-21 -> open)
    c3 man     10 (03-01 -> 03-05)  11 (03-05 -> open)
    c4 man     10 (04-01 -> 04-09)   9 (04-09 -> open)
    c5 woman    9 (2025-11-01 -> 2025-12-01)  10 (2025-12-01 -> 01-31)  11 (01-31 -> open)
    c6 man      8 (04-01 -> 05-20)  10 (05-20 -> open)
    c7 not said 10 (2025-01-01 -> 2025-06-01)  9 (2025-06-01 -> open)
    c8 woman    5 (01-10 -> 03-15); file closed 03-15, dropped out
    c9 man      5 (2025-10-01 -> 2025-11-01)  6 (2025-11-01 -> 04-01); file closed 04-01, goal reached
    c10 woman   no stays; file closed 05-01, dropped out
    c11 woman   5 (2025-01-01 -> 2025-12-31); file closed 2025-12-31 (before the period)
    bob's b1 man 10 (01-01 -> 04-11)  11 (04-11 -> open): never in alice's figures

Days on step 10 per client (stays overlapping the period): c1 5 + 7 = 12 (the move down and back adds
up); c2 20; c3 4; c4 8; c5 61 (2025-12-01 -> 01-31: the stay counts from the day she entered it); c6 21
(05-20 -> today 06-10, open stay capped at today); c7's stay ended before the period. Sorted 4 8 12 20 21 61,
n = 6: Q1 at rank 1 + 5/4 = 2.25 -> 8 + 0.25 * (12 - 8) = 9; median at rank 3.5 -> 12 + 0.5 * 8 = 16;
Q3 at rank 4.75 -> 20 + 0.75 * (21 - 20) = 20.75.
Step 11: c1 3, c2 109, c3 97, c5 130 -> 4 clients, hidden. Step 9: c4 62 (04-09 -> 06-10), c7 374.
Step 12: c1 145. Step 8: c6 49. Step 5: c8 64 (c9's and c11's stays there ended before the period).
Step 6: c9 151.

Moves entered in the period: up c1 10->11 (01-06), c1 10->12 (01-16), c2, c3, c5 (01-31), c6 -> 6 moves
by 5 clients (women: 4 moves by 3 clients; men: 2 by 2). Down: c1 11->10 (01-09), c4 10->9 -> 2 moves,
2 clients. c5's 9->10 (2025-12-01), c7's and c9's moves were before the period.

Today (06-10), open files: c1 on 12; c2, c3, c5 on 11; c6 on 10; c4, c7 on 9.
Files closed in the period: c8 (last step 5, dropped out), c9 (last step 6), c10 (no step, dropped out).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import LadderStep
from placements.choices import ClientStatus, ClosingReason, Gender
from placements.models import Client, LadderPosition, Team
from placements.services.ladder import place_on_ladder
from reports.scope import Scope
from reports.sections import ladder
from reports.tables import Period
from tests.placements.factories import ClientFactory

PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
TODAY = dt.date(2026, 6, 10)


def d(month: int, day: int, year: int = 2026) -> dt.date:
    """A date in 2026 unless said otherwise."""
    return dt.date(year, month, day)


def stays(client: Client, *history: tuple[int, dt.date, dt.date | None]) -> None:
    """Record a client's stays: (step position, entered, left or None), through the ladder service.

    Each stay is left on the day the next one is entered (as a move does); the last one is left on its
    own date when it has one (a closed file).
    """
    for (position, entered, left), following in zip(history, [*history[1:], None], strict=True):
        assert following is None or following[1] == left, "a stay ends on the day the next one begins"
        place_on_ladder(client=client, step=LadderStep.objects.get(position=position), on=entered)
    last_left = history[-1][2]
    if last_left is not None:
        LadderPosition.objects.filter(client=client, left_on__isnull=True).update(left_on=last_left)


def closed(coach: User, gender: str, on: dt.date, reason: str) -> Client:
    """A client whose file closed on `on` for `reason`."""
    return ClientFactory.create(
        coach=coach, gender=gender, status=ClientStatus.CLOSED, closing_reason=reason, closed_on=on
    )


@pytest.fixture
def clients(alice: User, bob: User) -> dict[str, Client]:
    """The dataset of the module docstring."""
    made: dict[str, Client] = {}
    genders = {"c1": "woman", "c2": "woman", "c3": "man", "c4": "man", "c5": "woman", "c6": "man", "c7": ""}
    for name, gender in genders.items():
        made[name] = ClientFactory.create(coach=alice, gender=gender)
    stays(made["c1"], (10, d(1, 1), d(1, 6)), (11, d(1, 6), d(1, 9)), (10, d(1, 9), d(1, 16)), (12, d(1, 16), None))
    stays(made["c2"], (10, d(2, 1), d(2, 21)), (11, d(2, 21), None))
    stays(made["c3"], (10, d(3, 1), d(3, 5)), (11, d(3, 5), None))
    stays(made["c4"], (10, d(4, 1), d(4, 9)), (9, d(4, 9), None))
    stays(made["c5"], (9, d(11, 1, 2025), d(12, 1, 2025)), (10, d(12, 1, 2025), d(1, 31)), (11, d(1, 31), None))
    stays(made["c6"], (8, d(4, 1), d(5, 20)), (10, d(5, 20), None))
    stays(made["c7"], (10, d(1, 1, 2025), d(6, 1, 2025)), (9, d(6, 1, 2025), None))
    made["c8"] = closed(alice, Gender.WOMAN, d(3, 15), ClosingReason.DROPPED_OUT)
    stays(made["c8"], (5, d(1, 10), d(3, 15)))
    made["c9"] = closed(alice, Gender.MAN, d(4, 1), ClosingReason.GOAL_REACHED)
    stays(made["c9"], (5, d(10, 1, 2025), d(11, 1, 2025)), (6, d(11, 1, 2025), d(4, 1)))
    made["c10"] = closed(alice, Gender.WOMAN, d(5, 1), ClosingReason.DROPPED_OUT)
    made["c11"] = closed(alice, Gender.WOMAN, d(12, 31, 2025), ClosingReason.DROPPED_OUT)
    stays(made["c11"], (5, d(1, 1, 2025), d(12, 31, 2025)))
    made["b1"] = ClientFactory.create(coach=bob, gender=Gender.MAN)
    stays(made["b1"], (10, d(1, 1), d(4, 11)), (11, d(4, 11), None))
    return made


def scope(user: User, **extra: Any) -> Scope:
    """The report's scope for `user` over the test period."""
    return Scope(user=user, period=extra.pop("period", PERIOD), today=extra.pop("today", TODAY), **extra)


def refs(queryset: Any) -> set[str]:
    """The references of the clients in a drill-down."""
    return set(queryset.values_list("reference", flat=True))


def names(clients: dict[str, Client], *keys: str) -> set[str]:
    """The references of the named test clients."""
    return {clients[key].reference for key in keys}


# --- Time per step ---------------------------------------------------------------------------------


def test_time_per_step_adds_a_return_to_a_step_and_caps_open_stays_at_today(
    alice: User, clients: dict[str, Client]
) -> None:
    table = ladder.build(scope(alice)).table("time_per_step")

    assert [row.key for row in table.rows] == ["5", "6", "8", "9", "10", "11", "12"]
    # Step 10: 4 8 12 20 21 61 -> n 6, Q1 9, median 16, Q3 20.75 (see the module docstring).
    assert table.cell("10", "clients").value == 6
    assert table.cell("10", "q1").value == pytest.approx(9)
    assert table.cell("10", "median").value == pytest.approx(16)
    assert table.cell("10", "q3").value == pytest.approx(20.75)
    assert not table.cell("10", "median").suppressed
    # c1 alone on step 12 since 01-16, open: 145 days to today; one client, so hidden.
    assert table.cell("12", "median").value == pytest.approx(145)
    assert table.cell("12", "median").suppressed
    assert table.row("10").label == str(LadderStep.objects.get(position=10))


def test_time_per_step_hides_groups_under_five_and_does_not_link_them(alice: User, clients: dict[str, Client]) -> None:
    table = ladder.build(scope(alice)).table("time_per_step")

    # Step 11: c1, c2, c3, c5 -> 4 clients.
    hidden = table.cell("11", "clients")
    assert hidden.value == 4
    assert hidden.suppressed
    assert hidden.display() == "fewer than 5"
    assert hidden.href and hidden.link == ""
    assert table.cell("11", "median").display() == "fewer than 5"
    assert table.cell("10", "clients").link == table.cell("10", "clients").href != ""


def test_time_per_step_in_a_past_period_counts_up_to_its_end(alice: User, clients: dict[str, Client]) -> None:
    january = Period(d(1, 1), d(1, 31))
    table = ladder.build(scope(alice, period=january)).table("time_per_step")

    # Step 10 in January: c1 12, c5 61 (left 01-31); c2, c3, c4 and c6 entered later. c7 left in 2025.
    assert table.cell("10", "clients").value == 2
    assert table.cell("10", "median").value == pytest.approx((12 + 61) / 2)
    # c1 on step 12 from 01-16, open: counted to the period's end, 01-31 -> 15 days.
    assert table.cell("12", "median").value == pytest.approx(15)


def test_time_per_step_drills_down_to_the_clients_with_a_stay(alice: User, clients: dict[str, Client]) -> None:
    found = ladder.rows(scope(alice), "time_per_step", "10", "clients")

    assert found is not None and found.kind == "clients"
    assert refs(found.queryset) == names(clients, "c1", "c2", "c3", "c4", "c5", "c6")


# --- Clients per step today ------------------------------------------------------------------------


def test_clients_per_step_today_by_gender(alice: User, clients: dict[str, Client]) -> None:
    table = ladder.build(scope(alice)).table("at_step")

    assert [row.key for row in table.rows] == ["9", "10", "11", "12"]
    assert table.column_keys[-1] == "total"
    # Step 11: c2, c5 women, c3 man -> 3 (hidden, fewer than five); step 9: c4 man, c7 not said.
    assert table.cell("11", "woman").value == 2
    assert table.cell("11", "man").value == 1
    assert table.cell("11", "total").value == 3
    assert table.cell("11", "total").suppressed
    assert table.cell("9", "not_said").value == 1
    assert table.cell("9", "total").value == 2
    found = ladder.rows(scope(alice), "at_step", "11", "woman")
    assert found is not None and refs(found.queryset) == names(clients, "c2", "c5")


# --- Moves -----------------------------------------------------------------------------------------


def test_moves_up_and_down_in_the_period(alice: User, clients: dict[str, Client]) -> None:
    table = ladder.build(scope(alice)).table("moves")

    assert [row.key for row in table.rows] == ["up", "down"]
    # Up: 6 moves by 5 clients, shown; women 4 moves by 3 clients and men 2 by 2, hidden.
    assert table.cell("up", "total").value == 6
    assert table.cell("up", "total").people == 5
    assert not table.cell("up", "total").suppressed
    assert table.cell("up", "woman").value == 4
    assert table.cell("up", "woman").people == 3
    assert table.cell("up", "woman").suppressed
    assert table.cell("up", "man").value == 2
    # Down: c1 11 -> 10 and c4 10 -> 9.
    assert table.cell("down", "total").value == 2
    assert table.cell("down", "woman").value == 1
    assert table.cell("down", "man").value == 1


def test_moves_drill_down_to_the_clients_who_moved(alice: User, clients: dict[str, Client]) -> None:
    up = ladder.rows(scope(alice), "moves", "up", "total")
    down_men = ladder.rows(scope(alice), "moves", "down", "man")

    assert up is not None and refs(up.queryset) == names(clients, "c1", "c2", "c3", "c5", "c6")
    assert down_men is not None and refs(down_men.queryset) == names(clients, "c4")


# --- Where clients stop ----------------------------------------------------------------------------


def test_where_clients_stop(alice: User, clients: dict[str, Client]) -> None:
    table = ladder.build(scope(alice)).table("stops")

    # c8 on 5 (dropped out), c9 on 6, c10 without a step (dropped out); c11 closed before the period.
    assert [row.key for row in table.rows] == ["5", "6", "none"]
    assert (table.cell("5", "closed").value, table.cell("5", "dropped_out").value) == (1, 1)
    assert (table.cell("6", "closed").value, table.cell("6", "dropped_out").value) == (1, 0)
    assert (table.cell("none", "closed").value, table.cell("none", "dropped_out").value) == (1, 1)
    assert table.cell("5", "closed").display() == "fewer than 5"
    found = ladder.rows(scope(alice), "stops", "none", "dropped_out")
    assert found is not None and refs(found.queryset) == names(clients, "c10")


# --- Who sees what ---------------------------------------------------------------------------------


def test_a_coach_never_counts_another_coachs_clients(bob: User, alice: User, clients: dict[str, Client]) -> None:
    table = ladder.build(scope(bob)).table("time_per_step")

    # b1: 10 from 01-01 to 04-11 (100 days), 11 from 04-11 open (60 days to 06-10).
    assert [(row.key, row.cells[0].value, row.cells[2].value) for row in table.rows] == [("10", 1, 100), ("11", 1, 60)]
    found = ladder.rows(scope(bob), "moves", "up", "total")
    assert found is not None and refs(found.queryset) == names(clients, "b1")


def test_a_case_manager_counts_the_clients_of_the_coaches_he_supervises(
    carl: User, alice: User, clients: dict[str, Client]
) -> None:
    Team.objects.create(name="Noord").leads.add(carl)
    Team.objects.get(name="Noord").coaches.add(alice)

    table = ladder.build(scope(carl)).table("time_per_step")

    assert table.cell("10", "clients").value == 6


def test_a_relationship_manager_gets_no_client_rows(rita: User, clients: dict[str, Client]) -> None:
    section = ladder.build(scope(rita))

    assert section.table("time_per_step").rows == []
    assert section.table("at_step").rows == []
    assert section.table("stops").rows == []
    assert all(cell.value == 0 for row in section.table("moves").rows for cell in row.cells)
    for table, row in (("time_per_step", "10"), ("at_step", "11"), ("moves", "up"), ("stops", "none")):
        found = ladder.rows(scope(rita), table, row, "total" if table in ("at_step", "moves") else "closed")
        assert found is not None and not found.queryset.exists()


def test_unknown_figures_have_no_rows(alice: User) -> None:
    assert ladder.rows(scope(alice), "moves", "sideways", "total") is None
    assert ladder.rows(scope(alice), "nothing", "10", "total") is None
    assert ladder.rows(scope(alice), "stops", "10", "median") is None


def test_the_gender_filter_keeps_one_column(alice: User, clients: dict[str, Client]) -> None:
    table = ladder.build(scope(alice, gender=Gender.WOMAN)).table("at_step")

    assert table.column_keys == ["woman"]
    assert table.cell("11", "woman").value == 2


# --- Queries ---------------------------------------------------------------------------------------


def _more_clients(coach: User, how_many: int) -> None:
    """Clients who climb 1 -> 2 -> 3 in the period, and a closed file each."""
    for _n in range(how_many):
        client = ClientFactory.create(coach=coach, gender=Gender.WOMAN)
        stays(client, (1, d(1, 5), d(2, 5)), (2, d(2, 5), d(3, 5)), (3, d(3, 5), None))
        gone = closed(coach, Gender.MAN, d(3, 1), ClosingReason.DROPPED_OUT)
        stays(gone, (1, d(1, 5), d(3, 1)))


def test_build_runs_the_same_queries_for_small_and_larger_data(
    alice: User, clients: dict[str, Client], django_assert_max_num_queries: Any
) -> None:
    with CaptureQueriesContext(connection) as small:
        ladder.build(scope(alice))
    _more_clients(alice, 30)

    with django_assert_max_num_queries(len(small.captured_queries)):
        section = ladder.build(scope(alice))

    assert section.table("time_per_step").cell("2", "clients").value == 30
    assert section.table("moves").cell("up", "woman").value == 4 + 60
    assert len(small.captured_queries) <= 10
