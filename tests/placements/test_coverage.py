"""Network coverage as supply and demand: figures per step, the gap rule, the trend, the drill-down's privacy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from crm.choices import VacancyStatus
from crm.models import Employer, LadderStep
from placements.choices import ClientStatus, ClosingReason
from placements.coverage import coverage, month_ends, step_coverage
from placements.models import Client, LadderPosition
from tests.crm.factories import EmployerFactory, VacancyFactory
from tests.placements.factories import ClientFactory

TODAY = dt.date(2026, 6, 15)

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def steps(*positions: int) -> list[LadderStep]:
    found = {s.position: s for s in LadderStep.objects.filter(position__in=positions)}
    return [found[p] for p in positions]


def place(client: Client, position: int, entered: str, left: str | None = None) -> None:
    LadderPosition.objects.create(
        client=client,
        step=LadderStep.objects.get(position=position),
        entered_on=d(entered),
        left_on=d(left) if left else None,
    )


def signed_in(user: User) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


@pytest.fixture
def network(alice: User, bob: User, carl: User) -> dict[str, object]:
    """Two employers with places at steps 19 and 20, and seven clients of Alice and Bob on steps 12-21."""
    s19, s20 = steps(19, 20)
    anker, oost = EmployerFactory.create(name="Bakkerij Het Anker"), EmployerFactory.create(name="Wasserij Oost")
    opened = {"status": VacancyStatus.OPEN}
    VacancyFactory.create(employer=anker, places=3, opened_at=at(d("2026-01-10")), **opened).ladder_steps.add(s19, s20)
    VacancyFactory.create(employer=anker, places=1, opened_at=at(d("2025-06-01")), **opened).ladder_steps.add(s19)
    VacancyFactory.create(employer=oost, places=2, opened_at=at(d("2026-05-31")), **opened).ladder_steps.add(s19)
    VacancyFactory.create(
        employer=oost,
        places=9,
        status=VacancyStatus.CLOSED,
        opened_at=at(d("2025-10-01")),
        closed_at=at(d("2026-03-31"), 10),
    ).ladder_steps.add(s19)
    VacancyFactory.create(employer=oost, places=5, status=VacancyStatus.DRAFT).ladder_steps.add(s19)

    noor = ClientFactory.create(coach=alice, first_name="Noor", reference="C-NOOR")
    place(noor, 18, "2025-09-01", "2026-02-01")
    place(noor, 19, "2026-02-01")
    fatima = ClientFactory.create(coach=alice, first_name="Fatima", reference="C-FATIMA")
    place(fatima, 18, "2026-04-10")
    sara = ClientFactory.create(coach=bob, first_name="Sara", reference="C-SARA", case_manager=carl)
    place(sara, 19, "2025-08-15")
    lina = ClientFactory.create(coach=bob, first_name="Lina", reference="C-LINA")
    place(lina, 20, "2026-03-01")
    hiba = ClientFactory.create(coach=bob, first_name="Hiba", reference="C-HIBA")
    place(hiba, 18, "2025-07-01", "2025-11-30")
    place(hiba, 19, "2025-11-30", "2026-01-15")
    place(hiba, 20, "2026-01-15")
    # A closed file whose last position was never left still counts until the day it closed, not after.
    rana = ClientFactory.create(
        coach=bob,
        first_name="Rana",
        reference="C-RANA",
        status=ClientStatus.CLOSED,
        closing_reason=ClosingReason.GOAL_REACHED,
        closed_on=d("2026-03-01"),
    )
    place(rana, 21, "2025-12-01")
    yara = ClientFactory.create(coach=bob, first_name="Yara", reference="C-YARA")
    place(yara, 12, "2026-05-01")
    return {"anker": anker, "oost": oost}


def by_position(rows):
    return {row.step.position: row for row in rows}


# --- Supply, demand, gaps ----------------------------------------------------------------------


def test_only_steps_where_employers_offer_places_are_shown():
    assert [row.step.position for row in coverage(today=TODAY)] == list(range(13, 23))


def test_supply_and_demand_per_step_are_exact(network):
    rows = by_position(coverage(today=TODAY))

    figures = {
        p: (r.employers, r.vacancies, r.places, r.at_step, r.next_up, r.demand, r.balance) for p, r in rows.items()
    }
    assert figures[19] == (2, 3, 6, 2, 1, 3, 3)
    assert figures[20] == (1, 1, 3, 2, 2, 4, -1)
    assert figures[21] == (0, 0, 0, 0, 2, 2, -2)  # Rana's file is closed
    assert figures[13] == (0, 0, 0, 0, 1, 1, -1)  # Yara on coaching step 12 is next to move up
    assert figures[22] == (0, 0, 0, 0, 0, 0, 0)
    assert rows[19].below.position == 18


def test_a_gap_is_demand_above_supply_and_the_worst_is_demand_without_any_place(network):
    rows = by_position(coverage(today=TODAY))

    assert {p for p, r in rows.items() if r.is_gap} == {13, 18, 20, 21}
    assert {p for p, r in rows.items() if r.is_unserved} == {13, 18, 21}  # Fatima is on 18 itself
    assert not rows[19].is_gap  # 6 places for 3 clients
    assert not rows[22].is_gap  # nobody needs it: no supply and no demand is no gap


def test_a_coaching_step_is_never_a_gap(network):
    LadderStep.objects.filter(position=20).update(offers_places=False)

    rows = by_position(coverage(today=TODAY))
    step20 = step_coverage(LadderStep.objects.get(position=20), today=TODAY)

    assert 20 not in rows
    assert rows[21].next_up == 2  # the clients on the coaching step still need step 21
    assert (step20.places, step20.demand, step20.is_gap) == (3, 4, False)


def test_the_step_below_is_the_active_step_below_whatever_its_position(network):
    LadderStep.objects.filter(position=18).update(is_active=False)

    rows = by_position(coverage(today=TODAY))

    assert rows[19].below.position == 17
    assert rows[19].next_up == 0


# --- Trend -------------------------------------------------------------------------------------


def test_the_trend_has_a_point_per_month_end_and_today_last():
    days = month_ends(TODAY)

    assert days[0] == d("2025-07-31")
    assert days[7] == d("2026-02-28")
    assert days[-2:] == [d("2026-05-31"), TODAY]
    assert len(days) == 12
    assert month_ends(d("2026-01-31"))[-2:] == [d("2025-12-31"), d("2026-01-31")]


def test_the_trend_counts_places_open_and_clients_at_the_step_on_each_month_end(network):
    rows = by_position(coverage(today=TODAY))

    trend = rows[19].trend
    assert [p.places for p in trend] == [1, 1, 1, 10, 10, 10, 13, 13, 4, 4, 6, 6]
    assert [p.at_step for p in trend] == [0, 1, 1, 1, 2, 2, 1, 2, 2, 2, 2, 2]
    assert [p.next_up for p in trend] == [1, 1, 2, 2, 1, 1, 1, 0, 0, 1, 1, 1]
    assert [p.is_gap for p in trend] == [False, True, True] + [False] * 9
    # Rana counted on step 21 from December until her file closed on 1 March.
    assert [p.at_step for p in rows[21].trend] == [0] * 5 + [1, 1, 1] + [0] * 4
    # Today's point is the demand now.
    assert (trend[-1].at_step, trend[-1].next_up) == (rows[19].at_step, rows[19].next_up)


# --- Pages -------------------------------------------------------------------------------------


def test_the_page_keeps_the_network_address_and_shows_the_gaps(network, rita):
    response = signed_in(rita).get("/network/coverage/")

    assert reverse("placements:coverage") == "/network/coverage/"
    assert response.status_code == 200
    assert response.context["gaps"] == 4
    assert response.context["unserved"] == 3
    assert "<svg" in response.content.decode()
    assert reverse("placements:coverage-step", args=[19]) in response.content.decode()


def test_the_drill_down_lists_the_employers_with_their_open_places(network, rita):
    response = signed_in(rita).get(reverse("placements:coverage-step", args=[19]))

    employers = [(e["employer__name"], e["places"], e["vacancies"]) for e in response.context["employers"]]
    assert employers == [("Bakkerij Het Anker", 4, 2), ("Wasserij Oost", 2, 1)]
    assert reverse("crm:employer", args=[network["anker"].pk]) in response.content.decode()


def test_a_relationship_manager_sees_counts_and_never_a_client_name(network, rita):
    response = signed_in(rita).get(reverse("placements:coverage-step", args=[19]))
    page = response.content.decode()

    row = response.context["row"]
    assert (row.at_step, row.next_up) == (2, 1)
    assert response.context["by_coach"] is None
    assert response.context["own"] == []
    for client in Client.objects.all():
        assert client.first_name not in page
        assert client.reference not in page


def test_a_coach_sees_her_own_clients_names_and_counts_only_for_them(network, alice):
    response = signed_in(alice).get(reverse("placements:coverage-step", args=[19]))
    page = response.content.decode()

    assert [(c.coach, c.at_step, c.next_up) for c in response.context["by_coach"]] == [("Alice", 1, 1)]
    assert "Noor" in page and "Fatima" in page
    assert "Sara" not in page and "C-SARA" not in page
    assert (response.context["row"].at_step, response.context["row"].next_up) == (2, 1)  # totals of every file


def test_a_case_manager_sees_counts_per_coach_of_his_caseload_and_no_names(network, carl):
    response = signed_in(carl).get(reverse("placements:coverage-step", args=[19]))
    page = response.content.decode()

    assert [(c.coach, c.at_step, c.next_up) for c in response.context["by_coach"]] == [("Bob", 1, 0)]
    assert "Sara" not in page and "C-SARA" not in page


def test_an_unknown_or_inactive_step_is_not_found(rita):
    LadderStep.objects.filter(position=19).update(is_active=False)

    assert signed_in(rita).get(reverse("placements:coverage-step", args=[19])).status_code == 404
    assert signed_in(rita).get(reverse("placements:coverage-step", args=[99])).status_code == 404


def test_the_counted_figures_are_kept_until_someone_counts_again(network, rita, settings, django_assert_num_queries):
    settings.COVERAGE_CACHE_SECONDS = 300
    cache.clear()
    browser = signed_in(rita)
    first = browser.get(reverse("placements:coverage"))
    assert by_position(r for r, _spark in first.context["rows"])[19].places == 6
    assert "?fresh=1" in first.content.decode() and "Count again now" in first.content.decode()

    VacancyFactory.create(
        employer=network["oost"], places=4, status=VacancyStatus.OPEN, opened_at=at(d("2026-06-01"))
    ).ladder_steps.add(*steps(19))
    with django_assert_num_queries(4):  # session, user and her permissions: the figures are read back
        kept = browser.get(reverse("placements:coverage"))
    assert by_position(r for r, _spark in kept.context["rows"])[19].places == 6
    assert kept.context["counted_at"] == first.context["counted_at"]
    step = browser.get(reverse("placements:coverage-step", args=[19]))
    assert step.context["row"].places == 10  # not counted yet: counted now

    again = browser.get(reverse("placements:coverage") + "?fresh=1")
    assert by_position(r for r, _spark in again.context["rows"])[19].places == 10
    assert again.context["counted_at"] > first.context["counted_at"]
    assert by_position(r for r, _spark in browser.get(reverse("placements:coverage")).context["rows"])[19].places == 10
    cache.clear()


def test_with_nothing_kept_the_page_says_nothing_about_counting(network, rita):
    page = signed_in(rita).get(reverse("placements:coverage")).content.decode()

    assert "Count again now" not in page


# --- Query counts ------------------------------------------------------------------------------


def grow(rows: int, coaches: list[User]) -> None:
    """`rows` employers with an open vacancy at steps 19 and 20, `rows` clients on steps 18-20."""
    s18, s19, s20 = steps(18, 19, 20)
    for n in range(rows):
        employer = EmployerFactory.create()
        VacancyFactory.create(employer=employer, opened_at=at(d("2026-01-01"))).ladder_steps.add(s19, s20)
        client = ClientFactory.create(coach=coaches[n % len(coaches)], first_name=f"Client {n}")
        LadderPosition.objects.create(client=client, step=[s18, s19, s20][n % 3], entered_on=d("2025-10-01"))


@pytest.mark.parametrize("rows", [1, 40])
@pytest.mark.parametrize("who", ["rita", "alice", "carl"])
def test_the_pages_run_the_same_queries_for_1_and_many_employers_and_clients(
    request, django_assert_max_num_queries, alice, bob, rows, who
):
    grow(rows, [alice, bob])
    browser = signed_in(request.getfixturevalue(who))

    with django_assert_max_num_queries(10):
        page = browser.get(reverse("placements:coverage"))
    with django_assert_max_num_queries(14):
        step = browser.get(reverse("placements:coverage-step", args=[19]))

    assert by_position(r for r, _spark in page.context["rows"])[19].places == rows
    assert len(step.context["employers"]) == Employer.objects.count() == rows
