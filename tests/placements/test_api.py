"""The placements REST API: row-level visibility per coach, workflow actions, and query counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from placements import services
from placements.choices import ClientStatus, PlacementStatus, StepStatus
from placements.models import (
    AftercarePlan,
    AftercareStep,
    AftercareStepTemplate,
    Client,
    CoachingAgreement,
    KindPlan,
    Placement,
)
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"
TODAY = dt.date(2027, 1, 4)
NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """The API reads today's date; pin it so dates in the tests mean what they say."""
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user: User | None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_login(user)
    return api


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response) -> set[int]:
    return {row["id"] for row in results(response)}


def _caseload(coach: User, reference: str) -> dict[str, int]:
    """A client with an active placement, its agreement and its steps; primary keys by name."""
    client = ClientFactory.create(coach=coach, reference=reference)
    services.record_consent(client=client, purpose="share_with_employer", given_on=dt.date(2026, 12, 1), actor=None)
    placement = PlacementFactory.create(client=client, start_on=TODAY)
    services.activate_placement(placement=placement, actor=None, now=NOW)
    agreement = services.revise_agreement(
        client=client,
        actor=None,
        fields={
            "parties": "Client, coach, employer",
            "joint_work": "Settle in",
            "expected_result": "Contract extended",
            "success_measure": "Mentor's feedback",
            "share_with_employer": "Prefers written instructions",
            "agreed_on": dt.date(2026, 12, 15),
        },
        change_note="",
        now=NOW,
    )
    step = AftercareStep.objects.filter(placement=placement).order_by("due_on", "pk")[1]
    return {"client": client.pk, "placement": placement.pk, "agreement": agreement.pk, "step": step.pk}


@pytest.fixture
def mine(alice) -> dict[str, int]:
    return _caseload(alice, "C-ALICE")


@pytest.fixture
def theirs(bob) -> dict[str, int]:
    return _caseload(bob, "C-BOB")


# --- Access -----------------------------------------------------------------------------------

READS = [
    "/clients/{client}/",
    "/placements/{placement}/",
    "/agreements/{agreement}/",
    "/steps/{step}/",
]
WRITES: list[tuple[str, str, dict]] = [
    ("patch", "/clients/{client}/", {"first_name": "X"}),
    ("delete", "/clients/{client}/", {}),
    ("post", "/clients/{client}/reassign-coach/", {"coach": 0}),
    ("post", "/clients/{client}/consent/", {"purpose": "reference"}),
    ("post", "/clients/{client}/withdraw-consent/", {"purpose": "share_with_employer"}),
    ("post", "/clients/{client}/move-on-ladder/", {"step": 22}),
    ("post", "/clients/{client}/close/", {"reason": "referred"}),
    ("patch", "/placements/{placement}/", {"job_title": "X"}),
    ("delete", "/placements/{placement}/", {}),
    ("post", "/placements/{placement}/activate/", {}),
    ("post", "/placements/{placement}/reschedule/", {"start_on": "2027-02-01"}),
    ("post", "/placements/{placement}/end/", {"end_on": "2027-01-04", "completed": True}),
    ("post", "/placements/{placement}/cancel/", {"reason": "X"}),
    ("patch", "/agreements/{agreement}/", {"joint_work": "X"}),
    ("delete", "/agreements/{agreement}/", {}),
    ("post", "/steps/{step}/complete/", {"outcome": "X"}),
    ("post", "/steps/{step}/skip/", {"reason": "X"}),
    ("post", "/steps/{step}/move/", {"due_on": "2027-03-01", "reason": "X"}),
]


def _snapshot() -> tuple:
    """Everything a refused request must leave alone."""
    return (
        list(Client.objects.order_by("pk").values_list("pk", "coach", "first_name", "status")),
        list(Placement.objects.order_by("pk").values_list("pk", "status", "job_title", "start_on")),
        list(CoachingAgreement.objects.order_by("pk").values_list("pk", "joint_work")),
        list(AftercareStep.objects.order_by("pk").values_list("pk", "status", "due_on", "assignee")),
    )


@pytest.mark.parametrize("path", READS)
def test_a_coach_gets_404_for_another_coachs_object(alice, mine, theirs, path):
    assert client_for(alice).get(API + path.format(**mine)).status_code == 200

    response = client_for(alice).get(API + path.format(**theirs))

    assert response.status_code == 404


@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=[f"{m} {p}" for m, p, _b in WRITES])
def test_a_coach_cannot_change_another_coachs_object(alice, bob, mine, theirs, method, path, body):
    if "coach" in body:
        body = {"coach": alice.pk}
    before = _snapshot()

    response = getattr(client_for(alice), method)(API + path.format(**theirs), body, format="json")

    assert response.status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize(("method", "path", "body"), [("get", p, {}) for p in READS] + WRITES)
def test_anonymous_requests_are_refused_and_change_nothing(mine, method, path, body):
    before = _snapshot()

    response = getattr(APIClient(), method)(API + path.format(**mine), body, format="json")

    assert response.status_code == 401
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("path", "key"),
    [("/clients/", "client"), ("/placements/", "placement"), ("/agreements/", "agreement"), ("/steps/", "step")],
)
def test_each_coach_lists_only_her_own_rows(alice, bob, mine, theirs, path, key):
    alices = ids(client_for(alice).get(API + path))
    bobs = ids(client_for(bob).get(API + path))

    assert mine[key] in alices
    assert theirs[key] in bobs
    assert not alices & bobs


def test_a_relationship_manager_reads_the_placements_at_her_employers_but_cannot_change_them(rita, mine, theirs):
    placement = Placement.objects.select_related("employer", "client").get(pk=mine["placement"])
    placement.employer.owner = rita
    placement.employer.save()
    client = client_for(rita)

    assert ids(client.get(f"{API}/placements/")) == {mine["placement"]}  # not the one at another's employer
    row = client.get(f"{API}/placements/{placement.pk}/").json()
    assert (row["client"], row["client_reference"]) == (placement.client_id, placement.client.reference)
    response = client.post(f"{API}/placements/{placement.pk}/cancel/", {"reason": "X"}, format="json")
    assert response.status_code == 403


def test_a_relationship_manager_reads_no_client_steps_or_agreements(rita, mine):
    employer = Placement.objects.get(pk=mine["placement"]).employer
    employer.owner = rita
    employer.save()
    client = client_for(rita)

    assert client.get(f"{API}/clients/").status_code == 403
    assert client.get(f"{API}/clients/{mine['client']}/").status_code == 403
    assert client.get(f"{API}/agreements/").status_code == 403
    assert ids(client.get(f"{API}/steps/")) == set()


def test_a_relationship_manager_who_also_coaches_cannot_change_a_placement_she_only_sees(rita, mine):
    from django.contrib.auth.models import Group

    from crm.roles import Role

    rita.groups.add(Group.objects.get(name=Role.COACH))
    placement = Placement.objects.select_related("employer").get(pk=mine["placement"])
    placement.employer.owner = rita
    placement.employer.save()
    client = client_for(User.objects.get(pk=rita.pk))

    assert client.get(f"{API}/placements/{placement.pk}/").status_code == 200
    response = client.post(f"{API}/placements/{placement.pk}/cancel/", {"reason": "X"}, format="json")
    assert response.status_code == 404
    assert client.patch(f"{API}/placements/{placement.pk}/", {"job_title": "X"}, format="json").status_code == 404
    assert Placement.objects.get(pk=placement.pk).status == placement.status


def test_a_coach_cannot_create_a_placement_for_another_coachs_client(alice, theirs):
    placement = Placement.objects.get(pk=theirs["placement"])
    body = {
        "client": theirs["client"],
        "employer": placement.employer_id,
        "job_title": "Kok",
        "start_on": "2027-02-01",
    }

    response = client_for(alice).post(f"{API}/placements/", body, format="json")

    assert response.status_code == 400
    assert "client" in response.json()
    assert Placement.objects.count() == 1


def test_a_coach_cannot_add_a_step_to_another_coachs_placement(alice, theirs):
    before = AftercareStep.objects.count()
    body = {"placement": theirs["placement"], "title": "Call", "due_on": "2027-02-01", "reason": "Why"}

    response = client_for(alice).post(f"{API}/steps/", body, format="json")

    assert response.status_code == 400
    assert AftercareStep.objects.count() == before


def test_a_coach_cannot_add_a_client_for_another_coach(alice, bob):
    response = client_for(alice).post(f"{API}/clients/", {"reference": "C-NEW", "coach": bob.pk}, format="json")

    assert response.status_code == 400
    assert not Client.objects.filter(reference="C-NEW").exists()


# --- Clients ----------------------------------------------------------------------------------


def test_a_coach_adds_a_client_she_coaches(alice):
    response = client_for(alice).post(f"{API}/clients/", {"reference": "C-NEW"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["coach"] == alice.pk
    assert Client.objects.get(reference="C-NEW").coach == alice


def test_the_coach_cannot_be_changed_by_editing_the_client(alice, bob, mine):
    response = client_for(alice).patch(f"{API}/clients/{mine['client']}/", {"coach": bob.pk}, format="json")

    assert response.status_code == 200
    assert Client.objects.get(pk=mine["client"]).coach == alice


def test_reassigning_the_coach_moves_the_open_steps_and_hands_the_client_over(alice, bob, mine):
    api = client_for(alice)

    response = api.post(f"{API}/clients/{mine['client']}/reassign-coach/", {"coach": bob.pk}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["coach"] == bob.pk
    steps = AftercareStep.objects.filter(placement_id=mine["placement"])
    assert set(steps.values_list("assignee", flat=True)) == {bob.pk}
    assert api.get(f"{API}/clients/{mine['client']}/").status_code == 404


def test_consent_and_ladder_actions_show_on_the_client(alice, mine):
    api = client_for(alice)

    api.post(f"{API}/clients/{mine['client']}/consent/", {"purpose": "reference", "given_on": "2027-01-02"})
    response = api.post(f"{API}/clients/{mine['client']}/move-on-ladder/", {"step": 22, "on": "2027-01-04"})

    body = response.json()
    assert response.status_code == 200, body
    assert body["current_step"] == 22
    assert {c["purpose"] for c in body["consents"]} == {"share_with_employer", "reference"}
    assert [p["position"] for p in body["ladder_positions"]] == [21, 22]


def test_closing_a_file_with_a_running_placement_is_refused_then_works_once_it_ended(alice, mine):
    api = client_for(alice)
    url = f"{API}/clients/{mine['client']}/close/"

    refused = api.post(url, {"reason": "goal_reached", "destination": "employment"})
    api.post(f"{API}/placements/{mine['placement']}/end/", {"end_on": "2027-01-04", "completed": True})
    closed = api.post(url, {"reason": "goal_reached", "destination": "employment", "closed_on": "2027-01-05"})

    assert refused.status_code == 400
    assert closed.status_code == 200, closed.json()
    assert (closed.json()["status"], closed.json()["closing_reason"]) == ("closed", "goal_reached")


def test_a_client_with_placements_cannot_be_deleted(alice, mine):
    response = client_for(alice).delete(f"{API}/clients/{mine['client']}/")

    assert response.status_code == 400
    assert Client.objects.filter(pk=mine["client"]).exists()


# --- Placements -------------------------------------------------------------------------------


def test_a_coach_creates_and_activates_a_placement(alice, mine):
    existing = Placement.objects.get(pk=mine["placement"])
    api = client_for(alice)
    body = {"client": mine["client"], "employer": existing.employer_id, "job_title": "Kok", "start_on": "2027-02-01"}

    created = api.post(f"{API}/placements/", body, format="json")
    activated = api.post(f"{API}/placements/{created.json()['id']}/activate/")
    again = api.post(f"{API}/placements/{created.json()['id']}/activate/")

    assert created.status_code == 201, created.content
    assert created.json()["coach"] == alice.pk
    assert (activated.status_code, activated.json()["status"]) == (200, PlacementStatus.ACTIVE)
    assert again.status_code == 200
    assert AftercareStep.objects.filter(placement_id=created.json()["id"]).count() == 15


def test_a_mentor_from_another_employer_is_refused(alice, mine, theirs):
    existing = Placement.objects.get(pk=mine["placement"])
    other_mentor = Placement.objects.get(pk=theirs["placement"]).mentor
    assert other_mentor is not None
    body = {
        "client": mine["client"],
        "employer": existing.employer_id,
        "mentor": other_mentor.pk,
        "job_title": "Kok",
        "start_on": "2027-02-01",
    }

    response = client_for(alice).post(f"{API}/placements/", body, format="json")

    assert response.status_code == 400
    assert "mentor" in response.json()


def test_rescheduling_moves_the_pending_steps(alice, mine):
    response = client_for(alice).post(
        f"{API}/placements/{mine['placement']}/reschedule/", {"start_on": "2027-01-11"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["start_on"] == "2027-01-11"
    assert AftercareStep.objects.get(pk=mine["step"]).due_on == dt.date(2027, 1, 18)


def test_a_planned_end_before_the_start_is_a_400_that_changes_nothing(alice, mine):
    before = _snapshot()

    response = client_for(alice).post(
        f"{API}/placements/{mine['placement']}/reschedule/", {"planned_end_on": "2026-01-01"}, format="json"
    )

    assert response.status_code == 400
    assert "planned_end_on" in response.json()
    assert _snapshot() == before


def test_ending_early_records_who_and_why(alice, mine):
    body = {"end_on": "2027-01-04", "completed": False, "ended_by": "employer", "reason": "Closed the shop"}

    response = client_for(alice).post(f"{API}/placements/{mine['placement']}/end/", body, format="json")

    data = response.json()
    assert response.status_code == 200, data
    assert (data["status"], data["ended_by"], data["end_reason"]) == ("ended_early", "employer", "Closed the shop")
    assert data["end_recorded_by"] == alice.pk
    assert AftercareStep.objects.get(pk=mine["step"]).status == StepStatus.CANCELLED


def test_an_early_end_without_a_reason_is_a_400(alice, mine):
    before = _snapshot()

    response = client_for(alice).post(
        f"{API}/placements/{mine['placement']}/end/", {"end_on": "2027-01-04", "completed": False}, format="json"
    )

    assert response.status_code == 400
    assert "ended_by" in response.json()
    assert _snapshot() == before


def test_cancelling_leaves_no_open_steps(alice, mine):
    response = client_for(alice).post(f"{API}/placements/{mine['placement']}/cancel/", {"reason": "No show"})

    assert response.status_code == 200, response.content
    assert not AftercareStep.objects.filter(placement_id=mine["placement"]).open().exists()
    assert Client.objects.get(pk=mine["client"]).status == ClientStatus.ACTIVE


def test_dates_of_a_placement_are_not_edited_directly(alice, mine):
    response = client_for(alice).patch(
        f"{API}/placements/{mine['placement']}/", {"start_on": "2027-03-01", "job_title": "Chef"}, format="json"
    )

    assert response.status_code == 200
    placement = Placement.objects.get(pk=mine["placement"])
    assert (placement.start_on, placement.job_title) == (TODAY, "Chef")


# --- Steps ------------------------------------------------------------------------------------


def test_completing_a_step_twice_is_refused_the_second_time(alice, bob, mine):
    url = f"{API}/steps/{mine['step']}/complete/"

    first = client_for(alice).post(url, {"outcome": "All fine", "minutes_spent": 20}, format="json")
    second = client_for(alice).post(url, {"outcome": "Again"}, format="json")

    assert first.status_code == 200, first.content
    assert (first.json()["status"], first.json()["completed_by"]) == (StepStatus.DONE, alice.pk)
    assert second.status_code == 400
    assert AftercareStep.objects.get(pk=mine["step"]).outcome == "All fine"


def test_skipping_needs_a_reason(alice, mine):
    response = client_for(alice).post(f"{API}/steps/{mine['step']}/skip/", {"reason": ""}, format="json")

    assert response.status_code == 400
    assert AftercareStep.objects.get(pk=mine["step"]).status == StepStatus.PLANNED


def test_moving_a_step_marks_it_moved_by_hand(alice, mine):
    body = {"due_on": "2027-01-20", "reason": "Client asked"}

    response = client_for(alice).post(f"{API}/steps/{mine['step']}/move/", body, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["due_on"], response.json()["moved_by_hand"]) == ("2027-01-20", True)


def test_a_coach_adds_a_step_to_her_placement(alice, mine):
    body = {"placement": mine["placement"], "title": "Extra call", "due_on": "2027-02-01", "reason": "Shift change"}

    response = client_for(alice).post(f"{API}/steps/", body, format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["template"], response.json()["assignee"]) == (None, alice.pk)


def test_steps_are_not_edited_or_deleted_directly(alice, mine):
    api = client_for(alice)

    assert api.patch(f"{API}/steps/{mine['step']}/", {"status": "done"}, format="json").status_code == 405
    assert api.delete(f"{API}/steps/{mine['step']}/").status_code == 405
    assert AftercareStep.objects.get(pk=mine["step"]).status == StepStatus.PLANNED


def test_steps_filter_by_open_and_overdue(alice, mine):
    api = client_for(alice)
    first = AftercareStep.objects.filter(placement_id=mine["placement"]).order_by("due_on", "pk").first()
    assert first is not None
    AftercareStep.objects.filter(pk=first.pk).update(due_on=dt.date(2027, 1, 1))

    overdue = ids(api.get(f"{API}/steps/", {"overdue": "true"}))
    open_count = len(results(api.get(f"{API}/steps/", {"open": "true"})))

    assert overdue == {first.pk}
    assert open_count == 15


# --- Agreements and plans ---------------------------------------------------------------------


def test_withdrawn_consent_hides_what_the_employer_may_see(alice, mine):
    api = client_for(alice)
    url = f"{API}/agreements/{mine['agreement']}/"
    assert api.get(url).json()["employer_may_see"] == "Prefers written instructions"

    api.post(f"{API}/clients/{mine['client']}/withdraw-consent/", {"purpose": "share_with_employer"})

    body = api.get(url).json()
    assert body["employer_may_see"] == ""
    assert body["share_with_employer"] == "Prefers written instructions"


def test_plans_are_read_with_their_steps_and_not_written(alice, adam):
    rows = results(client_for(alice).get(f"{API}/plans/"))
    seeded = AftercarePlan.objects.count()

    # The default plan and the plans seeded for a trial day and a short work-experience place.
    assert sorted(len(row["templates"]) for row in rows) == [2, 5, 15]
    assert client_for(alice).post(f"{API}/plans/", {"name": "Mine"}, format="json").status_code == 403
    assert client_for(adam).post(f"{API}/plans/", {"name": "Mine"}, format="json").status_code == 405
    assert AftercarePlan.objects.count() == seeded


# --- Query counts -----------------------------------------------------------------------------


def _clients(user: User, rows: int) -> None:
    for index in range(rows):
        client = ClientFactory.create(coach=user)
        services.record_consent(client=client, purpose="coaching", given_on=dt.date(2026, 1, 1), actor=None)
        services.move_client_to_step(client=client, step=20 + index % 3, on=dt.date(2026, 6, 1), actor=None)


def _placements(user: User, rows: int) -> None:
    for _index in range(rows):
        PlacementFactory(client=ClientFactory(coach=user))


def _agreements(user: User, rows: int) -> None:
    for _index in range(rows):
        CoachingAgreement.objects.create(
            client=ClientFactory.create(coach=user),
            parties="Client, coach",
            joint_work="Settle in",
            expected_result="Keeps the job",
            success_measure="Three months",
        )


def _plans(user: User, rows: int) -> None:
    # The migrations seed three plans (the default, a trial day, a short work-experience place); one row
    # means the default plan alone.
    KindPlan.objects.all().delete()
    AftercarePlan.objects.exclude(is_default=True).delete()
    for index in range(rows - 1):
        plan = AftercarePlan.objects.create(name=f"Plan {user.username} {index}")
        AftercareStepTemplate.objects.create(plan=plan, order=1, title="Call", offset_days=7)


def _steps(user: User, rows: int) -> None:
    plan = AftercarePlan.objects.create(name=f"Dense plan of {user.username}")
    for order in range(rows):
        AftercareStepTemplate.objects.create(plan=plan, order=order, title=f"Call {order}", offset_days=order)
    placement = PlacementFactory.create(client=ClientFactory(coach=user), plan=plan)
    services.activate_placement(placement=placement, actor=None, now=NOW)


LISTS: list[tuple[str, Callable[[User, int], None]]] = [
    ("/clients/", _clients),
    ("/placements/", _placements),
    ("/agreements/", _agreements),
    ("/plans/", _plans),
    ("/steps/", _steps),
]


@pytest.mark.parametrize(("path", "make"), LISTS, ids=[path for path, _make in LISTS])
@pytest.mark.parametrize("rows", [1, 50])
def test_every_list_runs_a_constant_number_of_queries(alice, bob, django_assert_max_num_queries, path, make, rows):
    make(alice, rows)
    if path != "/plans/":  # plans are shared by everyone; other lists must not show another coach's rows
        make(bob, 3)
    api = client_for(alice)

    # Session, user, two permission look-ups, one role look-up (kept on the user), the page, its prefetches.
    with django_assert_max_num_queries(8):
        response = api.get(API + path)

    assert len(results(response)) == rows


def test_the_reason_in_words_is_left_out_of_a_relationship_managers_restricted_view(rita, alice, mine):
    placement = Placement.objects.select_related("employer").get(pk=mine["placement"])
    placement.employer.owner = rita
    placement.employer.save()
    services.end_placement(
        placement=placement, actor=alice, end_on=TODAY, completed=False, ended_by="client", reason="Haar moeder is ziek"
    )

    ritas = client_for(rita).get(f"{API}/placements/{placement.pk}/").json()
    alices = client_for(alice).get(f"{API}/placements/{placement.pk}/").json()

    assert (ritas["status"], ritas["ended_by"], ritas["end_reason"]) == ("ended_early", "client", "")
    assert alices["end_reason"] == "Haar moeder is ziek"
