"""The gender section: coaching minutes, extra support, gender-typical trades, hours against hours wanted.

The dataset (alice's clients; period 1 January to 30 June 2026, today 10 June; every placement below runs
from 5 January and is active unless said otherwise). Per client: gender, the employer's trade, the weekly
hours of the placement / the hours she wants, the minutes of the follow-up steps done in the period (plan
steps) and the steps added by hand beyond the plan.

    w1 woman  mostly women   20 / 32    30 + 30 = 60 min     added step due 03-01 (planned)      -> extra
    w2 woman  mostly men     24 / 24    45 min               added step due 07-05 (after the period)
    w3 woman  mixed          16 / 36    90 min               added step due 02-01, cancelled
    w4 woman  unknown        32 / 30    20 min, done 01-01 at 00:30 local (31 December in UTC);
                                        500 min done 31 December 2025 at 23:30 local: before the period
    w5 woman  mostly women   19.5 / 20  120 min; a skipped step with 60 min and a done one without minutes
    m1 man    mostly men     38 / 38    30 min               added step due 04-01 (done)         -> extra
    m2 man    mostly women   20 / 40    60 min
    n1 non-binary, mostly women, 30 / (not said)  no minutes
    w6 woman  placement 2025-06-01 to 2025-12-20, completed: ran before the period
    m3 man    placement planned from 02-01: never started
    bob's b1 woman, mostly women, 10 / 40, 1000 min: never in alice's figures

Coaching minutes, women: 20 45 60 90 120 -> 5 clients, 335 min, 67 per client, median 60. Men: 30 60 -> 2
clients (hidden), 90 min, median 45. Everyone: 20 30 45 60 60 90 120 -> 7 clients, 425 min, median 60.
Extra support: clients with a placement that ran in the period: w1-w5, m1, m2, n1 = 8 (women 5, men 2,
non-binary 1); with extra support w1 and m1 -> women 1 of 5 = 20 %, everyone 2 of 8 = 25 %.
Trades (placements started in the period): typical w1, w5, m1 (3); atypical w2, m2 (2); mixed w3 (1);
unknown w4 (trade not recorded) and n1 (neither woman nor man) (2).
Hours (running today, both hours known; n1 has no wish recorded): women 5 placements, worked
(20 + 24 + 16 + 32 + 19.5) / 5 = 22.3, wanted (32 + 24 + 36 + 30 + 20) / 5 = 28.4, fewer than wanted w1, w3,
w5 = 3 -> 60 %. Men 2: worked 29, wanted 39, fewer 1 (m2). Everyone 7: worked 169.5 / 7, wanted 220 / 7,
fewer 4 -> 4 / 7.
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

from crm.choices import SectorGender
from crm.models import Employer
from placements.choices import Gender, PlacementStatus, StepStatus
from placements.models import AftercarePlan, AftercareStep, AftercareStepTemplate, Client, Placement
from reports.scope import Scope
from reports.sections import gender
from reports.tables import Period
from tests.crm.factories import EmployerFactory
from tests.placements.factories import ClientFactory, PlacementFactory

PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
TODAY = dt.date(2026, 6, 10)
LOCAL = ZoneInfo("Europe/Amsterdam")


def d(month: int, day: int, year: int = 2026) -> dt.date:
    """A date in 2026 unless said otherwise."""
    return dt.date(year, month, day)


def templates() -> list[AftercareStepTemplate]:
    """The default plan's step templates, to mark steps as planned ones."""
    return list(AftercarePlan.objects.get(is_default=True).templates.order_by("order"))


def done(placement: Placement, minutes: int | None, at: dt.datetime, order: int = 0, **extra: Any) -> AftercareStep:
    """A plan step recorded as done at `at` (local time) with the minutes it took."""
    return AftercareStep.objects.create(
        placement=placement,
        template=templates()[order],
        title="Call",
        due_on=at.date(),
        assignee=placement.coach,
        status=extra.pop("status", StepStatus.DONE),
        minutes_spent=minutes,
        completed_at=at.replace(tzinfo=LOCAL),
        **extra,
    )


def added(placement: Placement, due_on: dt.date, status: str = StepStatus.PLANNED) -> AftercareStep:
    """A step added by hand beyond the plan (no template)."""
    completed = dt.datetime(2026, 4, 1, 12, tzinfo=LOCAL) if status == StepStatus.DONE else None
    return AftercareStep.objects.create(
        placement=placement,
        title="Extra visit",
        due_on=due_on,
        assignee=placement.coach,
        status=status,
        reason="She asked for it",
        completed_at=completed,
    )


def employer(trade: str) -> Employer:
    """An employer whose trade is mostly men, mostly women, mixed or unknown."""
    return EmployerFactory.create(sector_gender=trade)


def working(coach: User, who: str, trade: str, hours: str, wants: str | None, **extra: Any) -> Placement:
    """A client of `coach` with a placement from 5 January at an employer of that trade."""
    client = ClientFactory.create(coach=coach, gender=who, hours_wanted=Decimal(wants) if wants else None)
    return PlacementFactory.create(
        client=client,
        employer=employer(trade),
        start_on=extra.pop("start_on", d(1, 5)),
        status=extra.pop("status", PlacementStatus.ACTIVE),
        hours_per_week=Decimal(hours),
        **extra,
    )


def at(month: int, day: int, hour: int = 12, minute: int = 0, year: int = 2026) -> dt.datetime:
    """A local moment (naive; `done` makes it Amsterdam time)."""
    return dt.datetime(year, month, day, hour, minute)


@pytest.fixture
def placements(alice: User, bob: User) -> dict[str, Placement]:
    """The dataset of the module docstring."""
    woman, man = Gender.WOMAN, Gender.MAN
    female, male, mixed, unknown = SectorGender.FEMALE, SectorGender.MALE, SectorGender.MIXED, SectorGender.UNKNOWN
    made = {
        "w1": working(alice, woman, female, "20", "32"),
        "w2": working(alice, woman, male, "24", "24"),
        "w3": working(alice, woman, mixed, "16", "36"),
        "w4": working(alice, woman, unknown, "32", "30"),
        "w5": working(alice, woman, female, "19.5", "20"),
        "m1": working(alice, man, male, "38", "38"),
        "m2": working(alice, man, female, "20", "40"),
        "n1": working(alice, Gender.NON_BINARY, female, "30", None),
        "w6": working(
            alice,
            woman,
            female,
            "20",
            "20",
            start_on=d(6, 1, 2025),
            actual_end_on=d(12, 20, 2025),
            status=PlacementStatus.COMPLETED,
        ),
        "m3": working(alice, man, male, "20", "20", start_on=d(2, 1), status=PlacementStatus.PLANNED),
        "b1": working(bob, woman, female, "10", "40"),
    }
    done(made["w1"], 30, at(2, 1), order=0)
    done(made["w1"], 30, at(3, 1), order=1)
    done(made["w2"], 45, at(2, 2))
    done(made["w3"], 90, at(6, 30, 23, 30))
    done(made["w4"], 20, at(1, 1, 0, 30), order=0)
    done(made["w4"], 500, at(12, 31, 23, 30, year=2025), order=1)
    done(made["w5"], 120, at(4, 4), order=0)
    done(made["w5"], 60, at(4, 5), order=1, status=StepStatus.SKIPPED)
    done(made["w5"], None, at(4, 6), order=2)
    done(made["m1"], 30, at(5, 5))
    done(made["m2"], 60, at(5, 6))
    done(made["b1"], 1000, at(5, 7))
    added(made["w1"], d(3, 1))
    added(made["w2"], d(7, 5))
    added(made["w3"], d(2, 1), StepStatus.CANCELLED)
    added(made["m1"], d(4, 1), StepStatus.DONE)
    added(made["b1"], d(4, 1))
    return made


def scope(user: User, **extra: Any) -> Scope:
    """The report's scope for `user` over the test period."""
    return Scope(user=user, period=PERIOD, today=TODAY, **extra)


def refs(queryset: Any) -> set[str]:
    """The client references behind a drill-down of clients or of placements."""
    if queryset.model is Client:
        return set(queryset.values_list("reference", flat=True))
    return set(queryset.values_list("client__reference", flat=True))


def names(placements: dict[str, Placement], *keys: str) -> set[str]:
    """The references of the named test clients."""
    return {placements[key].client.reference for key in keys}


# --- Coaching minutes ------------------------------------------------------------------------------


def test_coaching_minutes_per_client_by_gender(alice: User, placements: dict[str, Placement]) -> None:
    table = gender.build(scope(alice)).table("coach_minutes")

    assert [row.key for row in table.rows] == ["minutes_total", "clients", "minutes_per_client", "median_minutes"]
    # Women: 20 45 60 90 120 (w4's 20 minutes on 1 January local count; her 500 of 31 December do not).
    assert table.cell("minutes_total", "woman").value == 335
    assert table.cell("clients", "woman").value == 5
    assert table.cell("minutes_per_client", "woman").value == pytest.approx(67)
    assert table.cell("median_minutes", "woman").value == pytest.approx(60)
    assert not table.cell("median_minutes", "woman").suppressed
    # Everyone: 20 30 45 60 60 90 120.
    assert table.cell("minutes_total", "total").value == 425
    assert table.cell("clients", "total").value == 7
    assert table.cell("minutes_per_client", "total").value == pytest.approx(425 / 7)
    assert table.cell("median_minutes", "total").value == pytest.approx(60)


def test_small_groups_are_hidden_and_not_linked(alice: User, placements: dict[str, Placement]) -> None:
    table = gender.build(scope(alice)).table("coach_minutes")

    # Men: m1 30, m2 60 -> 2 clients; their figures are hidden, their links too.
    for row in ("minutes_total", "clients", "minutes_per_client", "median_minutes"):
        assert table.cell(row, "man").suppressed
        assert table.cell(row, "man").display() == "fewer than 5"
        assert table.cell(row, "man").link == ""
    assert table.cell("median_minutes", "man").value == pytest.approx(45)
    # Nobody non-binary has minutes: hidden as well, never a zero that could be read as a person.
    assert table.cell("clients", "non_binary").suppressed
    assert table.cell("clients", "woman").link != ""


def test_coaching_minutes_drill_down(alice: User, placements: dict[str, Placement]) -> None:
    clients = gender.rows(scope(alice), "coach_minutes", "clients", "woman")
    steps = gender.rows(scope(alice), "coach_minutes", "minutes_total", "man")

    assert clients is not None and clients.kind == "clients"
    assert refs(clients.queryset) == names(placements, "w1", "w2", "w3", "w4", "w5")
    assert steps is not None and steps.kind == "steps"
    assert sorted(steps.queryset.values_list("minutes_spent", flat=True)) == [30, 60]


# --- Extra support ---------------------------------------------------------------------------------


def test_extra_support_counts_steps_added_beyond_the_plan(alice: User, placements: dict[str, Placement]) -> None:
    table = gender.build(scope(alice)).table("extra_support")

    assert table.cell("clients", "woman").value == 5
    assert table.cell("with_extra", "woman").value == 1
    assert table.cell("share", "woman").value == pytest.approx(20)
    assert table.cell("clients", "total").value == 8
    assert table.cell("with_extra", "total").value == 2
    assert table.cell("share", "total").value == pytest.approx(25)
    assert table.cell("share", "man").suppressed
    extra = gender.rows(scope(alice), "extra_support", "with_extra", "total")
    assert extra is not None and refs(extra.queryset) == names(placements, "w1", "m1")
    ran = gender.rows(scope(alice), "extra_support", "clients", "total")
    assert ran is not None and refs(ran.queryset) == names(placements, "w1", "w2", "w3", "w4", "w5", "m1", "m2", "n1")


# --- Gender-typical trades -------------------------------------------------------------------------


def test_placements_in_typical_and_atypical_trades(alice: User, placements: dict[str, Placement]) -> None:
    table = gender.build(scope(alice)).table("typical_sectors")

    assert [row.key for row in table.rows] == ["typical", "atypical", "mixed", "unknown"]
    assert (table.cell("typical", "woman").value, table.cell("typical", "man").value) == (2, 1)
    assert table.cell("typical", "total").value == 3
    assert (table.cell("atypical", "woman").value, table.cell("atypical", "man").value) == (1, 1)
    assert table.cell("mixed", "total").value == 1
    assert table.cell("unknown", "woman").value == 1
    assert table.cell("unknown", "non_binary").value == 1
    assert table.cell("unknown", "total").value == 2
    found = gender.rows(scope(alice), "typical_sectors", "atypical", "total")
    assert found is not None and found.kind == "placements"
    assert refs(found.queryset) == names(placements, "w2", "m2")


# --- Hours -----------------------------------------------------------------------------------------


def test_hours_worked_against_hours_wanted(alice: User, placements: dict[str, Placement]) -> None:
    table = gender.build(scope(alice)).table("hours")

    assert table.cell("placements", "woman").value == 5
    assert table.cell("hours_worked", "woman").value == pytest.approx(22.3)
    assert table.cell("hours_wanted", "woman").value == pytest.approx(28.4)
    assert table.cell("fewer_than_wanted", "woman").value == 3
    assert table.cell("share_fewer", "woman").value == pytest.approx(60)
    assert table.cell("hours_worked", "man").value == pytest.approx(29)
    assert table.cell("hours_worked", "man").suppressed
    assert table.cell("placements", "total").value == 7
    assert table.cell("hours_worked", "total").value == pytest.approx(169.5 / 7)
    assert table.cell("hours_wanted", "total").value == pytest.approx(220 / 7)
    assert table.cell("share_fewer", "total").value == pytest.approx(100 * 4 / 7)
    fewer = gender.rows(scope(alice), "hours", "fewer_than_wanted", "total")
    assert fewer is not None and refs(fewer.queryset) == names(placements, "w1", "w3", "w5", "m2")


# --- Who sees what ---------------------------------------------------------------------------------


def test_a_coach_never_counts_another_coachs_clients(bob: User, placements: dict[str, Placement]) -> None:
    section = gender.build(scope(bob))

    assert section.table("coach_minutes").cell("minutes_total", "total").value == 1000
    assert section.table("extra_support").cell("with_extra", "total").value == 1
    assert section.table("typical_sectors").cell("typical", "total").value == 1
    assert section.table("hours").cell("placements", "total").value == 1


def test_a_relationship_manager_gets_no_client_rows(rita: User, placements: dict[str, Placement]) -> None:
    section = gender.build(scope(rita))

    for table in section.tables:
        for row in table.rows:
            for cell in row.cells:
                assert cell.value in (0, None), (table.key, row.key)
    found = gender.rows(scope(rita), "typical_sectors", "typical", "total")
    assert found is not None and not found.queryset.exists()
    minutes = gender.rows(scope(rita), "coach_minutes", "clients", "total")
    assert minutes is not None and not minutes.queryset.exists()


def test_unknown_figures_have_no_rows(alice: User) -> None:
    assert gender.rows(scope(alice), "hours", "share_fewer", "total") is None
    assert gender.rows(scope(alice), "nothing", "clients", "total") is None


def test_the_gender_filter_keeps_one_column(alice: User, placements: dict[str, Placement]) -> None:
    table = gender.build(scope(alice, gender=Gender.WOMAN)).table("coach_minutes")

    assert table.column_keys == ["woman"]
    assert table.cell("median_minutes", "woman").value == pytest.approx(60)


# --- Queries ---------------------------------------------------------------------------------------


def test_build_runs_the_same_queries_for_small_and_larger_data(
    alice: User, placements: dict[str, Placement], django_assert_max_num_queries: Any
) -> None:
    with CaptureQueriesContext(connection) as small:
        gender.build(scope(alice))
    for _n in range(25):
        placement = working(alice, Gender.MAN, SectorGender.FEMALE, "10", "30")
        done(placement, 10, at(3, 3))
        added(placement, d(3, 4))

    with django_assert_max_num_queries(len(small.captured_queries)):
        section = gender.build(scope(alice))

    assert section.table("typical_sectors").cell("atypical", "man").value == 1 + 25
    assert section.table("coach_minutes").cell("clients", "man").value == 2 + 25
    assert len(small.captured_queries) <= 10
