"""The case manager's team page: his coaches' overdue steps, their caseloads, and giving work to another coach."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from crm.roles import Role
from placements.choices import ClientStatus, PlacementStatus, StepStatus
from placements.models import AftercareStep, Team
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 2)  # a Monday
LOCAL = ZoneInfo("Europe/Amsterdam")
TEAM = reverse("placements:team")


@pytest.fixture(autouse=True)
def frozen_today(settings):
    settings.FOLLOWUP_ESCALATE_AFTER_DAYS = 3
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC), tick=False):
        yield


def coach(username: str) -> User:
    user = User.objects.create_user(
        username=username, email=f"{username}@werkbrug.test", first_name=username.capitalize()
    )
    user.groups.add(Group.objects.get(name=Role.COACH))
    return user


@pytest.fixture
def dora(db) -> User:
    """A second coach in Carl's team."""
    return coach("dora")


@pytest.fixture
def teams(alice, bob, carl, cora, dora):
    """Carl leads Noord (Alice and Dora); Cora leads Zuid (Bob)."""
    north = Team.objects.create(name="Noord")
    north.leads.add(carl)
    north.coaches.add(alice, dora)
    south = Team.objects.create(name="Zuid")
    south.leads.add(cora)
    south.coaches.add(bob)
    return north, south


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def placement_of(user: User, **kwargs):
    kwargs.setdefault("status", PlacementStatus.ACTIVE)
    return PlacementFactory(client=ClientFactory(coach=user), start_on=dt.date(2026, 9, 1), **kwargs)


def step(placement, due: dt.date, title: str = "Belafspraak", **kwargs) -> AftercareStep:
    kwargs.setdefault("assignee", placement.coach)
    return AftercareStep.objects.create(placement=placement, title=title, due_on=due, **kwargs)


def done(placement, due: dt.date, completed: dt.datetime, **kwargs) -> AftercareStep:
    return step(placement, due, status=StepStatus.DONE, completed_at=completed, outcome="Gesproken", **kwargs)


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def grouped(response) -> dict[str, list[tuple[str, int, bool]]]:
    return {
        load.coach.username: [(line.step.title, line.days_overdue, line.escalated) for line in load.overdue_steps]
        for load in response.context["with_overdue"]
    }


def caseload(response, username: str):
    return next(load for load in response.context["loads"] if load.coach.username == username)


# --- The team page ------------------------------------------------------------------------------


def test_overdue_steps_are_grouped_by_coach_with_days_overdue_and_escalated_from_the_threshold(
    alice, bob, carl, dora, teams
):
    alices = placement_of(alice)
    step(alices, days_ago(1), "Gisteren")
    step(alices, days_ago(3), "Drie dagen")
    step(alices, TODAY, "Vandaag")
    step(placement_of(dora), days_ago(10), "Lang geleden")
    step(placement_of(bob), days_ago(5), "Bij Bob")

    response = signed_in(carl).get(TEAM)

    assert response.status_code == 200
    assert grouped(response) == {
        "alice": [("Drie dagen", 3, True), ("Gisteren", 1, False)],
        "dora": [("Lang geleden", 10, True)],
    }
    page = response.content.decode()
    assert "Bij Bob" not in page and "Vandaag" not in page
    assert "3 days overdue" in page and "escalated" in page


def test_a_done_or_skipped_step_is_not_on_the_team_page(alice, carl, teams):
    placement = placement_of(alice)
    done(placement, days_ago(4), dt.datetime(2026, 10, 30, 10, tzinfo=LOCAL), title="Gedaan")
    step(placement, days_ago(4), "Overgeslagen", status=StepStatus.SKIPPED)

    assert grouped(signed_in(carl).get(TEAM)) == {}


def test_the_caseload_counts_active_clients_placements_due_this_week_and_overdue(alice, carl, dora, teams):
    running = placement_of(alice)
    placement_of(alice, status=PlacementStatus.PLANNED)
    ClientFactory(coach=alice, status=ClientStatus.CLOSED, closing_reason="moved")
    ClientFactory(coach=alice, status=ClientStatus.PAUSED)
    for due in (TODAY, TODAY + dt.timedelta(days=7), TODAY + dt.timedelta(days=8), days_ago(1), days_ago(6)):
        step(running, due)

    response = signed_in(carl).get(TEAM)

    alices = caseload(response, "alice")
    assert (alices.active_clients, alices.active_placements) == (2, 1)
    assert (alices.due_this_week, alices.overdue, alices.escalated) == (2, 2, 1)
    doras = caseload(response, "dora")
    assert (doras.active_clients, doras.active_placements, doras.due_this_week, doras.overdue) == (0, 0, 0, 0)
    assert doras.on_time_percent is None


def test_the_on_time_share_counts_steps_done_in_the_last_four_weeks_on_or_before_their_due_date(alice, carl, teams):
    placement = placement_of(alice)
    # On its due day, late in the evening local time (already the next day in UTC): on time.
    done(placement, days_ago(1), dt.datetime(2026, 11, 1, 23, 30, tzinfo=LOCAL))
    done(placement, days_ago(5), dt.datetime(2026, 10, 25, 9, tzinfo=LOCAL))  # early: on time
    done(placement, days_ago(20), dt.datetime(2026, 10, 20, 9, tzinfo=LOCAL))  # a week late
    done(placement, days_ago(27), dt.datetime(2026, 10, 6, 9, tzinfo=LOCAL))  # the window's first day, on time
    done(placement, days_ago(40), dt.datetime(2026, 10, 5, 9, tzinfo=LOCAL))  # the day before the window
    step(placement, days_ago(2), status=StepStatus.SKIPPED, completed_at=dt.datetime(2026, 10, 31, 9, tzinfo=LOCAL))

    alices = caseload(signed_in(carl).get(TEAM), "alice")

    assert (alices.done_on_time, alices.done_in_window, alices.on_time_percent) == (3, 4, 75)


def test_the_team_page_counts_steps_by_assignee_even_on_another_coachs_placement(alice, bob, carl, teams):
    lent = step(placement_of(bob), days_ago(2), "Geleend", assignee=alice)

    response = signed_in(carl).get(TEAM)

    assert grouped(response) == {"alice": [(lent.title, 2, False)]}


# --- Who sees what ------------------------------------------------------------------------------


def test_a_coach_and_a_relationship_manager_get_a_403(alice, bob, rita, teams):
    step_pk = step(placement_of(alice), days_ago(4)).pk
    for user in (bob, rita):
        client = signed_in(user)
        assert client.get(TEAM).status_code == 403
        assert client.get(reverse("placements:step-reassign", args=[step_pk])).status_code == 403
        assert client.get(reverse("placements:client-reassign", args=[1])).status_code == 403


def test_another_case_manager_sees_none_of_carls_team(alice, bob, cora, dora, teams):
    alices = placement_of(alice)
    overdue = step(alices, days_ago(4), "Bij Alice")
    client = signed_in(cora)

    response = client.get(TEAM)

    assert [load.coach for load in response.context["loads"]] == [bob]
    assert "Bij Alice" not in response.content.decode()
    assert client.get(reverse("placements:step-reassign", args=[overdue.pk])).status_code == 404
    response = client.post(
        reverse("placements:step-reassign", args=[overdue.pk]), {"new_assignee": bob.pk, "reason": "Ziek"}
    )
    assert response.status_code == 404
    assert (
        client.post(reverse("placements:client-reassign", args=[alices.client_id]), {"new_coach": bob.pk}).status_code
        == 404
    )
    overdue.refresh_from_db()
    assert overdue.assignee == alice


def test_an_administrator_sees_every_team(adam, alice, bob, dora, teams):
    response = signed_in(adam).get(TEAM)

    assert {load.coach for load in response.context["loads"]} == {alice, bob, dora}
    assert response.context["teams"] == ["Noord", "Zuid"]


def test_a_case_manager_without_a_team_is_told_so(carl):
    response = signed_in(carl).get(TEAM)

    assert response.status_code == 200 and response.context["loads"] == []
    assert "You supervise no coaches yet" in response.content.decode()


def test_the_nav_shows_the_team_link_to_case_managers_only(alice, carl, teams):
    assert f'href="{TEAM}"' in signed_in(carl).get(reverse("placements:followups")).content.decode()
    assert f'href="{TEAM}"' not in signed_in(alice).get(reverse("placements:followups")).content.decode()


# --- Reassigning a step -------------------------------------------------------------------------


def test_a_case_manager_gives_an_overdue_step_to_another_coach_of_his_team_with_the_reason(alice, carl, dora, teams):
    overdue = step(placement_of(alice), days_ago(4), status=StepStatus.DUE)
    url = reverse("placements:step-reassign", args=[overdue.pk])
    client = signed_in(carl)

    form = client.get(url)
    assert list(form.context["form"].fields["new_assignee"].queryset) == [dora]

    response = client.post(url, {"new_assignee": dora.pk, "reason": "Alice is ziek"})

    assert response.status_code == 302 and response["Location"] == f"{TEAM}#coach-{dora.pk}"
    overdue.refresh_from_db()
    assert (overdue.assignee, overdue.status, overdue.reason) == (dora, StepStatus.DUE, "Alice is ziek")
    assert overdue.due_on == days_ago(4)


@pytest.mark.parametrize(
    ("data", "field"),
    [({"reason": "Alice is ziek"}, "new_assignee"), ({"reason": ""}, "reason")],
    ids=["coach-outside-his-teams", "no-reason"],
)
def test_a_step_goes_only_to_a_coach_he_supervises_and_with_a_reason(alice, bob, carl, dora, teams, data, field):
    overdue = step(placement_of(alice), days_ago(4))
    data = {"new_assignee": bob.pk if field == "new_assignee" else dora.pk, **data}

    response = signed_in(carl).post(reverse("placements:step-reassign", args=[overdue.pk]), data)

    assert response.status_code == 200 and response.context["form"].errors[field]
    overdue.refresh_from_db()
    assert overdue.assignee == alice and overdue.reason == ""


def test_a_closed_step_is_not_reassigned(alice, carl, dora, teams):
    closed = done(placement_of(alice), days_ago(4), dt.datetime(2026, 10, 30, 10, tzinfo=LOCAL))
    url = reverse("placements:step-reassign", args=[closed.pk])
    client = signed_in(carl)

    assert "only an open step goes to another coach" in client.get(url).content.decode()
    response = client.post(url, {"new_assignee": dora.pk, "reason": "Alice is ziek"})

    assert response.status_code == 200
    assert "This step is already done." in response.context["form"].non_field_errors()
    closed.refresh_from_db()
    assert closed.assignee == alice and closed.status == StepStatus.DONE


# --- Reassigning a client -----------------------------------------------------------------------


def test_a_case_manager_gives_a_client_to_another_coach_of_his_team(alice, carl, dora, teams):
    placement = placement_of(alice)
    open_step = step(placement, days_ago(4))
    url = reverse("placements:client-reassign", args=[placement.client_id])

    response = signed_in(carl).post(url, {"new_coach": dora.pk})

    assert response.status_code == 302
    placement.refresh_from_db()
    open_step.refresh_from_db()
    assert (placement.client.coach, placement.coach, open_step.assignee) == (dora, dora, dora)


def test_a_client_goes_only_to_a_coach_he_supervises(alice, bob, carl, teams):
    placement = placement_of(alice)
    url = reverse("placements:client-reassign", args=[placement.client_id])

    response = signed_in(carl).post(url, {"new_coach": bob.pk})

    assert response.status_code == 200 and response.context["form"].errors["new_coach"]
    placement.client.refresh_from_db()
    assert placement.client.coach == alice


def test_a_client_of_a_coach_outside_his_teams_is_not_found(bob, carl, teams):
    bobs = placement_of(bob)

    assert signed_in(carl).get(reverse("placements:client-reassign", args=[bobs.client_id])).status_code == 404


# --- The home page ------------------------------------------------------------------------------


def test_the_case_managers_home_page_shows_escalated_steps_and_the_coaches_with_most_overdue(
    alice, bob, carl, dora, teams
):
    alices, doras = placement_of(alice), placement_of(dora)
    step(alices, days_ago(5), "Al vijf dagen")
    step(alices, days_ago(1), "Gisteren")
    step(alices, days_ago(2), "Eergisteren")
    step(doras, days_ago(1), "Bij Dora")
    step(placement_of(bob), days_ago(9), "Bij Bob")
    step(placement_of(carl), TODAY, "Carls eigen stap")

    response = signed_in(carl).get("/")

    lead = response.context["lead"]
    assert lead["escalated_count"] == 1 and [item["step"].title for item in lead["escalated"]] == ["Al vijf dagen"]
    assert [(coach["name"], coach["overdue"]) for coach in lead["busiest"]] == [("Alice", 3), ("Dora", 1)]
    page = response.content.decode()
    assert f"{TEAM}#coach-{alice.pk}" in page and "Bij Bob" not in page
    assert "Carls eigen stap" in page  # his own follow-ups due today


def test_a_coachs_home_page_has_no_team_part(alice, teams):
    assert "lead" not in signed_in(alice).get("/").context


# --- Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 12])
def test_the_team_page_runs_the_same_queries_for_1_and_many_coaches_and_steps(
    carl, teams, django_assert_max_num_queries, rows
):
    north = teams[0]
    for n in range(rows):
        member = coach(f"coach{n}")
        north.coaches.add(member)
        placement = placement_of(member)
        for day in range(rows):
            step(placement, days_ago(day + 1))
        done(placement, days_ago(3), dt.datetime(2026, 10, 30, 10, tzinfo=LOCAL))
    client = signed_in(carl)

    with django_assert_max_num_queries(12):
        response = client.get(TEAM)

    assert sum(len(load.overdue_steps) for load in response.context["loads"]) == rows * rows


@pytest.mark.parametrize("rows", [1, 12])
def test_the_case_managers_home_page_runs_the_same_queries_for_1_and_many_coaches(
    carl, teams, django_assert_max_num_queries, rows
):
    north = teams[0]
    for n in range(rows):
        member = coach(f"coach{n}")
        north.coaches.add(member)
        step(placement_of(member), days_ago(n + 1))
    client = signed_in(carl)

    # 1 of them for the concerns from mentors.
    with django_assert_max_num_queries(11):
        response = client.get("/")

    assert len(response.context["lead"]["busiest"]) == min(rows, 5)
