"""The placements admin: row visibility, actions through the services, plan versions and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as WebClient
from django.urls import reverse

from placements import services
from placements.choices import PlacementStatus, StepStatus
from placements.models import AftercarePlan, AftercareStep, AftercareStepTemplate, Client, Placement, Team
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 1, 1, 9, 0, tzinfo=dt.UTC)


def _browser(user) -> WebClient:
    user.is_staff = True
    user.save()
    browser = WebClient()
    browser.force_login(user)
    return browser


def _active(**fields) -> Placement:
    placement = PlacementFactory.create(**fields)
    services.activate_placement(placement=placement, actor=None, now=NOW)
    return placement


def _changelist(model: str) -> str:
    return reverse(f"admin:placements_{model}_changelist")


# --- Visibility -------------------------------------------------------------------------------


def test_a_coach_sees_only_her_own_clients_in_the_admin(alice, bob):
    ClientFactory(coach=alice, reference="C-ALICE")
    ClientFactory(coach=bob, reference="C-BOB")

    response = _browser(alice).get(_changelist("client"))

    assert response.status_code == 200
    assert "C-ALICE" in response.text
    assert "C-BOB" not in response.text


def test_a_coach_cannot_open_another_coachs_client(alice, bob):
    other = ClientFactory(coach=bob)

    response = _browser(alice).get(reverse("admin:placements_client_change", args=[other.pk]))

    assert response.status_code == 302  # the admin redirects when the object is not in the queryset


def test_a_coach_sees_only_her_own_steps(alice, bob):
    _active(client=ClientFactory(coach=alice, reference="C-ALICE"))
    _active(client=ClientFactory(coach=bob, reference="C-BOB"))

    response = _browser(alice).get(_changelist("aftercarestep"))

    assert response.context["cl"].result_count == 15
    assert "C-BOB" not in response.text


def test_clients_can_be_searched_by_reference(adam):
    ClientFactory(reference="C-2027-0042")
    ClientFactory(reference="C-2027-0099")

    response = _browser(adam).get(_changelist("client"), {"q": "0042"})

    assert [c.reference for c in response.context["cl"].result_list] == ["C-2027-0042"]


# --- Actions ----------------------------------------------------------------------------------


def test_the_activate_action_creates_the_schedule(adam):
    placement = PlacementFactory()

    response = _browser(adam).post(
        _changelist("placement"), {"action": "activate", "_selected_action": [placement.pk]}, follow=True
    )

    assert response.status_code == 200
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ACTIVE
    assert AftercareStep.objects.filter(placement=placement).count() == 15


def test_the_mark_completed_action_ends_the_placement_on_its_planned_end(adam):
    placement = _active(start_on=dt.date(2026, 1, 5), planned_end_on=dt.date(2026, 6, 30))

    _browser(adam).post(_changelist("placement"), {"action": "mark_completed", "_selected_action": [placement.pk]})

    placement.refresh_from_db()
    assert (placement.status, placement.actual_end_on) == (PlacementStatus.COMPLETED, dt.date(2026, 6, 30))


def test_the_cancel_action_without_a_reason_is_refused_with_a_message(adam):
    placement = PlacementFactory()

    response = _browser(adam).post(
        _changelist("placement"), {"action": "cancel", "_selected_action": [placement.pk], "reason": ""}, follow=True
    )

    assert "Say why the placement is cancelled." in response.text
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.PLANNED


def test_the_complete_action_records_the_outcome_once(adam):
    step = AftercareStep.objects.filter(placement=_active()).first()
    assert step is not None
    browser = _browser(adam)
    data = {"action": "complete", "_selected_action": [step.pk], "text": "Called, all fine", "minutes": "15"}

    browser.post(_changelist("aftercarestep"), data)
    response = browser.post(_changelist("aftercarestep"), {**data, "text": "Again"}, follow=True)

    step.refresh_from_db()
    assert (step.status, step.outcome, step.minutes_spent, step.completed_by) == (
        StepStatus.DONE,
        "Called, all fine",
        15,
        adam,
    )
    assert "already done" in response.text


def test_the_skip_action_needs_a_reason(adam):
    step = AftercareStep.objects.filter(placement=_active()).first()
    assert step is not None

    _browser(adam).post(_changelist("aftercarestep"), {"action": "skip", "_selected_action": [step.pk], "text": ""})

    step.refresh_from_db()
    assert step.status == StepStatus.PLANNED


def test_changing_the_coach_in_the_admin_moves_her_open_steps(adam, alice, bob):
    client = ClientFactory(coach=alice)
    _active(client=client)
    url = reverse("admin:placements_client_change", args=[client.pk])
    data = {
        "reference": client.reference,
        "first_name": client.first_name,
        "preferred_language": client.preferred_language,
        "coach": bob.pk,
        "status": client.status,
        **{
            f"{prefix}-{key}": value
            for prefix in ("consents", "ladder_positions", "agreements")
            for key, value in _empty_formset()
        },
    }

    response = _browser(adam).post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    client.refresh_from_db()
    assert client.coach == bob
    assert set(AftercareStep.objects.filter(placement__client=client).values_list("assignee", flat=True)) == {bob.pk}


def _empty_formset() -> list[tuple[str, str]]:
    return [("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"), ("MIN_NUM_FORMS", "0"), ("MAX_NUM_FORMS", "1000")]


# --- Plans ------------------------------------------------------------------------------------


def _plan_form(plan: AftercarePlan, **changes) -> dict[str, object]:
    templates = list(plan.templates.order_by("order"))
    data: dict[str, object] = {
        "name": plan.name,
        "description": plan.description,
        "is_default": "on" if plan.is_default else "",
        "is_active": "on" if plan.is_active else "",
        "templates-TOTAL_FORMS": str(len(templates)),
        "templates-INITIAL_FORMS": str(len(templates)),
        "templates-MIN_NUM_FORMS": "0",
        "templates-MAX_NUM_FORMS": "1000",
    }
    for index, template in enumerate(templates):
        for field in services.TEMPLATE_FIELDS:
            data[f"templates-{index}-{field}"] = getattr(template, field)
        data[f"templates-{index}-id"] = template.pk
        data[f"templates-{index}-plan"] = plan.pk
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_saving_a_used_plan_in_the_admin_makes_a_new_version(adam):
    plan = AftercarePlan.objects.get(is_default=True)
    placement = _active()
    data = _plan_form(plan, **{"templates-1-offset_days": 10})

    response = _browser(adam).post(reverse("admin:placements_aftercareplan_change", args=[plan.pk]), data)

    assert response.status_code == 302
    new = AftercarePlan.objects.get(previous=plan)
    assert (new.version, new.is_default) == (2, True)
    assert new.templates.get(order=20).offset_days == 10
    plan.refresh_from_db()
    assert plan.templates.get(order=20).offset_days == 7
    assert not plan.is_default
    assert AftercareStep.objects.get(placement=placement, template__order=20).due_on == dt.date(2027, 1, 11)


def test_saving_an_unused_plan_in_the_admin_edits_it_in_place(adam):
    plan = AftercarePlan.objects.get(is_default=True)
    plans = AftercarePlan.objects.count()
    data = _plan_form(plan, **{"templates-1-offset_days": 10})

    _browser(adam).post(reverse("admin:placements_aftercareplan_change", args=[plan.pk]), data)

    assert AftercarePlan.objects.count() == plans
    assert plan.templates.get(order=20).offset_days == 10


# --- Query counts -----------------------------------------------------------------------------


def _clients(count: int, coach) -> None:
    for _ in range(count):
        ClientFactory(coach=coach)


def _placements(count: int, coach) -> None:
    for _ in range(count):
        PlacementFactory(client=ClientFactory(coach=coach))


def _steps(count: int, coach) -> None:
    plan = AftercarePlan.objects.create(name=f"Dense plan {AftercarePlan.objects.count()}")
    for order in range(count):
        AftercareStepTemplate.objects.create(plan=plan, order=order, title=f"Call {order}", offset_days=order)
    _active(client=ClientFactory(coach=coach), plan=plan)


def _plans(count: int, coach) -> None:
    for _ in range(count):
        plan = AftercarePlan.objects.create(name=f"Plan {AftercarePlan.objects.count()}")
        AftercarePlan.objects.create(name=plan.name, version=2, previous=plan)


MODELS = {"client": Client, "placement": Placement, "aftercarestep": AftercareStep, "aftercareplan": AftercarePlan}


@pytest.mark.parametrize(
    ("model", "make"),
    [("client", _clients), ("placement", _placements), ("aftercarestep", _steps), ("aftercareplan", _plans)],
)
def test_every_changelist_runs_a_constant_number_of_queries(alice, django_assert_max_num_queries, model, make):
    browser = _browser(alice)
    make(1, alice)
    # The admin's navigation asks every registered app for its permissions, which costs a few queries
    # that other apps decide; the bound is generous, and 50 more rows must cost exactly what 1 row did.
    with django_assert_max_num_queries(24) as few:
        response = browser.get(_changelist(model))
    few_rows = MODELS[model].objects.count()
    assert response.context["cl"].result_count == few_rows
    make(50, alice)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = browser.get(_changelist(model))

    assert response.context["cl"].result_count == MODELS[model].objects.count() >= few_rows + 50


def test_the_team_changelist_runs_a_constant_number_of_queries(adam, alice, carl, django_assert_max_num_queries):
    browser = _browser(adam)
    Team.objects.create(name="Team 0").leads.add(carl)
    with django_assert_max_num_queries(24) as few:
        response = browser.get(_changelist("team"))
    assert response.context["cl"].result_count == 1
    for n in range(1, 30):
        team = Team.objects.create(name=f"Team {n}")
        team.leads.add(carl)
        team.coaches.add(alice)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = browser.get(_changelist("team"))

    assert response.context["cl"].result_count == 30
    assert "Carl" in response.content.decode()
