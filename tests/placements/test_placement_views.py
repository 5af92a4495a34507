"""Recording a placement from a vacancy or an employer, and activating, moving, ending and cancelling it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from crm.choices import ContactRole, Stage, VacancyKind, VacancyStatus
from placements.choices import ClientStatus, EndedBy, PlacementStatus, StepKind, StepStatus
from placements.models import AftercarePlan, AftercareStep, KindPlan, Placement
from placements.services import activate_placement, complete_step, end_placement, move_step
from tests.crm.factories import ContactFactory, EmployerFactory, VacancyFactory
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 2)  # a Monday
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC), tick=False):
        yield


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def new_url(client) -> str:
    return reverse("placements:placement-new", args=[client.pk])


def form_data(employer, **values) -> dict:
    data = {
        "employer": employer.pk,
        "kind": VacancyKind.PAID_JOB,
        "job_title": "Keukenhulp",
        "start_on": "2026-11-16",
        "planned_end_on": "",
        "hours_per_week": "24",
        "schedule": "day",
        "contract_type": "fixed_term",
        "employment_measure": "",
        "mentor": "",
        "plan": "",
    }
    data.update(values)
    return data


def active_placement(coach, **kwargs) -> Placement:
    placement = PlacementFactory.create(client=ClientFactory(coach=coach), start_on=dt.date(2026, 10, 5), **kwargs)
    activate_placement(placement=placement, actor=None, now=dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    placement.refresh_from_db()
    return placement


# --- Picking a vacancy or an employer -------------------------------------------------------------


def test_the_picker_lists_open_vacancies_with_employer_kind_and_hours(alice):
    client = ClientFactory(coach=alice)
    open_one = VacancyFactory(title="Afwasser", kind=VacancyKind.TRIAL_DAY, hours_per_week=Decimal("8"))
    VacancyFactory(title="Al vervuld", status=VacancyStatus.FILLED)
    VacancyFactory(title="Nog concept", status=VacancyStatus.DRAFT)

    response = signed_in(alice).get(new_url(client))

    assert [v.pk for v in response.context["vacancies"]] == [open_one.pk]
    page = text(response)
    assert "Afwasser" in page and open_one.employer.name in page and "Trial day" in page and 'Hours">8</td>' in page
    assert "Al vervuld" not in page and "Nog concept" not in page


def test_the_picker_searches_vacancies_by_employer_or_job_and_finds_employers(alice):
    client = ClientFactory(coach=alice)
    bakery = EmployerFactory(name="Bakkerij Jansen")
    VacancyFactory(employer=bakery, title="Broodbakker")
    VacancyFactory(title="Magazijnmedewerker")

    response = signed_in(alice).get(new_url(client), {"q": "bakkerij"})

    assert [v.title for v in response.context["vacancies"]] == ["Broodbakker"]
    assert [e.pk for e in response.context["employers"]] == [bakery.pk]


def test_the_picker_finds_employers_and_their_vacancies_as_the_employer_list_does(alice):
    """The employer list's rule (EmployerQuerySet.matching): the name folded, the city, the registration number."""
    client = ClientFactory(coach=alice)
    cafe = EmployerFactory(name="Eetcafé De Hoek B.V.", city="Zwolle", registration_number="74804656")
    VacancyFactory(employer=cafe, title="Afwasser")
    VacancyFactory(employer=EmployerFactory(name="Schoonmaak Noord", city="Groningen"), title="Schoonmaker")
    browser = signed_in(alice)

    for query in ("eetcafe", "EETCAFÉ de hoek bv", "zwolle", "74804656"):
        response = browser.get(new_url(client), {"q": query})
        assert [v.title for v in response.context["vacancies"]] == ["Afwasser"], query
        assert [e.pk for e in response.context["employers"]] == [cafe.pk], query
    response = browser.get(new_url(client), {"q": "schoonmaker"})  # a job title finds the vacancy only
    assert [v.title for v in response.context["vacancies"]] == ["Schoonmaker"]
    assert list(response.context["employers"]) == []


@pytest.mark.parametrize("rows", [1, 30])
def test_the_vacancy_picker_runs_the_same_queries_for_1_and_30_rows(alice, django_assert_max_num_queries, rows):
    client = ClientFactory(coach=alice)
    browser = signed_in(alice)
    for _ in range(rows):
        VacancyFactory(employer=EmployerFactory(stage=Stage.ACTIVE))
    browser.get(new_url(client))  # the session and permissions are read once

    with django_assert_max_num_queries(8):
        response = browser.get(new_url(client))

    assert len(response.context["vacancies"]) == rows
    assert len(response.context["employers"]) == min(rows, 20)


# --- Recording a placement --------------------------------------------------------------------------


def test_the_form_from_a_vacancy_is_prefilled_and_offers_only_the_employers_active_contacts(alice):
    client = ClientFactory(coach=alice)
    vacancy = VacancyFactory(title="Keukenhulp", hours_per_week=Decimal("24"), schedule="shifts")
    mentor = ContactFactory(employer=vacancy.employer, role=ContactRole.MENTOR, first_name="Mila")
    ContactFactory(employer=vacancy.employer, is_active=False, first_name="Weg")
    ContactFactory(first_name="Elders")

    response = signed_in(alice).get(new_url(client), {"vacancy": vacancy.pk})

    form = response.context["form"]
    assert form["job_title"].value() == "Keukenhulp" and form["schedule"].value() == "shifts"
    page = text(response)
    assert f'value="{mentor.pk}"' in page and "Mila" in page
    assert "Weg" not in page and "Elders" not in page
    assert response.context["plan"] == AftercarePlan.objects.get(is_default=True)


def test_previewing_a_trial_day_shows_its_plan_and_records_nothing(alice):
    client = ClientFactory(coach=alice)
    vacancy = VacancyFactory(kind=VacancyKind.TRIAL_DAY, title="Proefdag keuken")
    data = form_data(vacancy.employer, vacancy=vacancy.pk, kind=VacancyKind.TRIAL_DAY, action="preview")

    response = signed_in(alice).post(new_url(client), data)

    assert response.status_code == 200
    assert not Placement.objects.exists()
    assert response.context["plan"].name == "Trial day"
    titles = [row.title for row in response.context["schedule"]]
    assert titles == ["Debrief with the client the day after", "Check-in with the employer about the day"]
    assert [row.due_on for row in response.context["schedule"]] == [dt.date(2026, 11, 17)] * 2
    assert 'value="confirm"' in text(response)


def test_confirming_records_the_trial_day_on_its_plan_and_activation_makes_no_long_aftercare(alice):
    client = ClientFactory(coach=alice)
    vacancy = VacancyFactory(kind=VacancyKind.TRIAL_DAY, title="Proefdag keuken")
    mentor = ContactFactory(employer=vacancy.employer)
    browser = signed_in(alice)
    data = form_data(vacancy.employer, vacancy=vacancy.pk, kind=VacancyKind.TRIAL_DAY, mentor=mentor.pk)

    response = browser.post(new_url(client), {**data, "action": "confirm"})

    placement = Placement.objects.get()
    assert response.url == reverse("placements:placement", args=[placement.pk])
    assert (placement.vacancy, placement.mentor, placement.plan.name) == (vacancy, mentor, "Trial day")
    assert placement.planned_end_on == placement.start_on == dt.date(2026, 11, 16)
    browser.post(reverse("placements:placement-activate", args=[placement.pk]), {"action": "confirm"})
    steps = list(AftercareStep.objects.filter(placement=placement))
    assert {s.due_on for s in steps} == {dt.date(2026, 11, 17)}
    assert not {StepKind.EMPLOYER_EVALUATION, StepKind.CLOSING} & {s.kind for s in steps}
    assert not any("month" in s.title.lower() for s in steps)


def test_a_kind_default_changed_by_an_administrator_is_proposed(alice):
    client = ClientFactory(coach=alice)
    own = AftercarePlan.objects.create(name="Volunteering plan")
    KindPlan.objects.create(kind=VacancyKind.VOLUNTEERING, plan=own)
    employer = EmployerFactory()

    signed_in(alice).post(new_url(client), {**form_data(employer, kind="volunteering"), "action": "confirm"})

    assert Placement.objects.get().plan == own


def test_a_mentor_from_another_employer_is_refused_and_the_input_is_kept(alice):
    client = ClientFactory(coach=alice)
    employer = EmployerFactory()
    stranger = ContactFactory()

    response = signed_in(alice).post(
        new_url(client), {**form_data(employer, mentor=stranger.pk, job_title="Kok"), "action": "confirm"}
    )

    assert not Placement.objects.exists()
    assert "The mentor must be an active contact at this employer." in text(response)
    assert response.context["form"]["job_title"].value() == "Kok"


def test_a_closed_clients_file_is_refused_with_a_message(alice):
    client = ClientFactory(coach=alice, status=ClientStatus.CLOSED, closing_reason="moved")

    response = signed_in(alice).post(new_url(client), {**form_data(EmployerFactory()), "action": "confirm"})

    assert not Placement.objects.exists()
    assert "The client&#x27;s file is closed" in text(response)


def test_changing_the_employer_reloads_the_mentor_options_with_htmx(alice):
    client = ClientFactory(coach=alice)
    employer = EmployerFactory()
    ContactFactory(employer=employer, first_name="Mila")
    ContactFactory(first_name="Elders")

    response = signed_in(alice).get(new_url(client), {"part": "mentor", "employer": employer.pk}, **HTMX)

    page = text(response)
    assert 'id="mentor-field"' in page and "Mila" in page and "Elders" not in page


def test_without_javascript_the_form_posts_back_for_the_new_employers_contacts(alice):
    client = ClientFactory(coach=alice)
    employer = EmployerFactory()
    ContactFactory(employer=employer, first_name="Mila")

    response = signed_in(alice).post(new_url(client), {**form_data(employer, job_title="Kok"), "action": "employer"})

    assert "Mila" in text(response) and not Placement.objects.exists()
    assert response.context["form"]["job_title"].value() == "Kok"


def test_a_planned_placement_can_be_edited(alice):
    placement = PlacementFactory(client=ClientFactory(coach=alice))
    data = form_data(placement.employer, job_title="Gastvrouw", start_on="2027-01-11", action="confirm")

    signed_in(alice).post(reverse("placements:placement-edit", args=[placement.pk]), data)

    placement.refresh_from_db()
    assert (placement.job_title, placement.start_on) == ("Gastvrouw", dt.date(2027, 1, 11))


# --- Activate, move, end, cancel ----------------------------------------------------------------------


def test_the_activation_page_shows_the_schedule_and_changes_nothing_until_confirmed(alice):
    placement = PlacementFactory(client=ClientFactory(coach=alice))
    url = reverse("placements:placement-activate", args=[placement.pk])
    browser = signed_in(alice)

    response = browser.get(url)

    assert len(response.context["changes"]) == 15
    assert {row["change"] for row in response.context["changes"]} == {"added"}
    assert "Welcome visit at the workplace" in text(response)
    assert not AftercareStep.objects.exists()
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.PLANNED

    browser.post(url, {"action": "confirm"})

    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ACTIVE and placement.steps.count() == 15


def test_moving_the_start_previews_moved_steps_and_those_moved_by_hand_then_confirms(alice):
    placement = active_placement(alice)
    by_hand = placement.steps.get(template__order=150)
    move_step(step=by_hand, actor=alice, due_on=dt.date(2027, 12, 1), reason="Op verzoek")
    url = reverse("placements:placement-dates", args=[placement.pk])
    browser = signed_in(alice)
    before = dict(placement.steps.values_list("pk", "due_on"))

    response = browser.post(url, {"start_on": "2026-10-12", "planned_end_on": "", "action": "preview"})

    assert dict(placement.steps.values_list("pk", "due_on")) == before
    changes = response.context["changes"]
    assert changes and {row["change"] for row in changes} == {"moved"}
    assert [s.pk for s in response.context["kept"]] == [by_hand.pk]
    assert "Moved by hand" in text(response)

    browser.post(url, {"start_on": "2026-10-12", "planned_end_on": "", "action": "confirm"})

    placement.refresh_from_db()
    assert placement.start_on == dt.date(2026, 10, 12)
    by_hand.refresh_from_db()
    assert by_hand.due_on == dt.date(2027, 12, 1)


def test_ending_early_previews_the_cancelled_steps_and_confirms_with_who_and_why(alice):
    placement = active_placement(alice)
    url = reverse("placements:placement-end", args=[placement.pk])
    browser = signed_in(alice)
    data = {
        "how": "early",
        "end_on": "2026-10-30",
        "ended_by": EndedBy.EMPLOYER,
        "cause": "economic",
        "reason": "Reorganisatie",
    }

    response = browser.post(url, {**data, "action": "preview"})

    changes = {row["change"] for row in response.context["changes"]}
    assert "cancelled" in changes and "moved" in changes
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ACTIVE
    assert not placement.steps.filter(status=StepStatus.CANCELLED).exists()

    browser.post(url, {**data, "action": "confirm"})

    placement.refresh_from_db()
    assert (placement.status, placement.ended_by, placement.end_cause, placement.end_reason) == (
        PlacementStatus.ENDED_EARLY,
        EndedBy.EMPLOYER,
        "economic",
        "Reorganisatie",
    )
    assert placement.end_recorded_by == alice


def test_an_early_end_without_who_or_why_shows_the_services_message(alice):
    placement = active_placement(alice)

    response = signed_in(alice).post(
        reverse("placements:placement-end", args=[placement.pk]),
        {"how": "early", "end_on": "2026-10-30", "ended_by": "", "cause": "health", "reason": "", "action": "confirm"},
    )
    without_cause = signed_in(alice).post(
        reverse("placements:placement-end", args=[placement.pk]),
        {"how": "early", "end_on": "2026-10-30", "ended_by": "client", "reason": "Ziek", "action": "confirm"},
    )

    assert "Say who ended the placement." in text(response)
    assert "Choose the main reason it ended early." in text(without_cause)
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ACTIVE


def test_a_planned_placement_is_cancelled_after_a_preview(alice):
    placement = PlacementFactory(client=ClientFactory(coach=alice))
    url = reverse("placements:placement-cancel", args=[placement.pk])
    browser = signed_in(alice)

    browser.post(url, {"reason": "Werkgever trok aanbod in", "action": "preview"})
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.PLANNED

    browser.post(url, {"reason": "Werkgever trok aanbod in", "action": "confirm"})
    placement.refresh_from_db()
    assert (placement.status, placement.end_reason) == (PlacementStatus.CANCELLED, "Werkgever trok aanbod in")


def test_the_placement_page_shows_the_status_line_the_plan_and_the_buttons_for_its_status(alice):
    planned = PlacementFactory(client=ClientFactory(coach=alice))
    browser = signed_in(alice)

    page = text(browser.get(reverse("placements:placement", args=[planned.pk])))

    assert "Activate it to make the aftercare schedule." in page
    assert reverse("placements:placement-activate", args=[planned.pk]) in page
    assert reverse("placements:placement-end", args=[planned.pk]) not in page
    assert "Standard aftercare (Flora)" in page

    running = active_placement(alice)
    page = text(browser.get(reverse("placements:placement", args=[running.pk])))
    assert reverse("placements:placement-end", args=[running.pk]) in page
    assert reverse("placements:placement-activate", args=[running.pk]) not in page


# --- Privacy --------------------------------------------------------------------------------------------


def test_another_coach_gets_404_on_every_page_and_form_and_nothing_changes(alice, bob):
    client = ClientFactory(coach=alice)
    planned = PlacementFactory(client=client)
    running = active_placement(alice)
    browser = signed_in(bob)
    employer = EmployerFactory()
    pages = [
        (new_url(client), {**form_data(employer), "action": "confirm"}),
        (reverse("placements:placement-edit", args=[planned.pk]), {**form_data(employer), "action": "confirm"}),
        (reverse("placements:placement-activate", args=[planned.pk]), {"action": "confirm"}),
        (reverse("placements:placement-dates", args=[running.pk]), {"start_on": "2026-10-12", "action": "confirm"}),
        (
            reverse("placements:placement-end", args=[running.pk]),
            {"how": "completed", "end_on": "2026-10-30", "action": "confirm"},
        ),
        (reverse("placements:placement-cancel", args=[planned.pk]), {"reason": "x", "action": "confirm"}),
    ]
    steps_before = list(AftercareStep.objects.order_by("pk").values_list("pk", "due_on", "status"))

    for url, data in pages:
        assert browser.get(url).status_code == 404, url
        assert browser.post(url, data).status_code == 404, url
        assert browser.post(url, {**data, "action": "preview"}).status_code == 404, url

    assert Placement.objects.count() == 2
    planned.refresh_from_db()
    running.refresh_from_db()
    assert planned.status == PlacementStatus.PLANNED and running.status == PlacementStatus.ACTIVE
    assert running.start_on == dt.date(2026, 10, 5)
    assert list(AftercareStep.objects.order_by("pk").values_list("pk", "due_on", "status")) == steps_before


# --- A relationship manager's restricted view (Flora III.1.B) -------------------------------------


def test_a_relationship_manager_reads_a_placement_at_her_employer_without_the_clients_file(alice, rita):
    placement = active_placement(alice, employer=EmployerFactory(owner=rita))
    step = placement.steps.order_by("due_on", "pk").first()
    complete_step(step=step, actor=alice, outcome="Slaapt slecht sinds de scheiding")
    end_placement(
        placement=placement,
        actor=alice,
        end_on=dt.date(2026, 10, 30),
        completed=False,
        ended_by=EndedBy.CLIENT,
        reason="Zorg voor haar moeder",
    )

    page = text(signed_in(rita).get(reverse("placements:placement", args=[placement.pk])))
    coach_page = text(signed_in(alice).get(reverse("placements:placement", args=[placement.pk])))

    assert placement.client.reference in page and placement.mentor.full_name in page
    assert "Ended early on" in page and "Zorg voor haar moeder" not in page  # the reason in words is casework
    assert "Slaapt slecht" not in page  # so are the steps' outcomes
    assert reverse("placements:client", args=[placement.client_id]) not in page
    assert "part of the client&#x27;s casework" in page or "part of the client's casework" in page
    assert "Zorg voor haar moeder" in coach_page and "Slaapt slecht" in coach_page


def test_a_relationship_manager_has_no_actions_on_a_placement_at_another_employer_or_her_own(rita, alice):
    at_hers = active_placement(alice, employer=EmployerFactory(owner=rita))
    elsewhere = active_placement(alice)
    browser = signed_in(rita)

    assert browser.get(reverse("placements:placement", args=[elsewhere.pk])).status_code == 404
    assert browser.get(reverse("placements:placement-end", args=[at_hers.pk])).status_code == 403
    employer_page = text(browser.get(reverse("crm:employer", args=[at_hers.employer_id])))
    assert at_hers.client.reference in employer_page and at_hers.client.first_name not in employer_page
