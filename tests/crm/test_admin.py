"""The employer-network admin: query counts, permissions and pipeline moves through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from crm.choices import Stage, VacancyStatus
from crm.models import Contact, Employer, EmployerStageChange, Interaction, LadderStep, Vacancy
from tests.crm.factories import ContactFactory, EmployerFactory, InteractionFactory, VacancyFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
INLINES = ("contacts", "interactions", "vacancies", "stage_changes")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff(user: User) -> User:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def url(model: str, view: str, *args) -> str:
    return reverse(f"admin:crm_{model}_{view}", args=args)


def employer_form(employer=None, new_rows=None, **fields) -> dict[str, str]:
    """POST data for the employer page: the main form plus every inline's management form."""
    data = {"name": "Bakkerij De Vries", "ownership": "profit", "country": "NL", "new_stage": "", "stage_note": ""}
    if employer is not None:
        data.update(
            name=employer.name,
            registration_number=employer.registration_number,
            postcode=employer.postcode,
            city=employer.city,
            sector=employer.sector,
            ownership=employer.ownership,
            country=employer.country,
            do_not_engage="on" if employer.do_not_engage else "",
            do_not_engage_reason=employer.do_not_engage_reason,
        )
    data.update(fields)
    for prefix in INLINES:
        existing = list(getattr(employer, prefix).values_list("pk", flat=True)) if employer else []
        rows = (new_rows or {}).get(prefix, [])
        data[f"{prefix}-TOTAL_FORMS"] = str(len(existing) + len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(existing))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, pk in enumerate(existing):
            data[f"{prefix}-{i}-id"] = str(pk)
            data[f"{prefix}-{i}-employer"] = str(employer.pk)
        for i, row in enumerate(rows, start=len(existing)):
            data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return {key: value for key, value in data.items() if value != ""}


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# --- Query counts -------------------------------------------------------------------------------


def _employers(n):
    for employer in EmployerFactory.create_batch(n):
        VacancyFactory(employer=employer)
        InteractionFactory(employer=employer, contact=ContactFactory(employer=employer))


def _stage_changes(n):
    for employer in EmployerFactory.create_batch(n):
        EmployerStageChange.objects.create(employer=employer, to_stage=Stage.PROSPECT)


def _contacts(n):
    ContactFactory.create_batch(n)


def _interactions(n):
    for contact in ContactFactory.create_batch(n):
        InteractionFactory(employer=contact.employer, contact=contact)


def _vacancies(n):
    steps = list(LadderStep.objects.filter(position__in=[18, 19]))
    for vacancy in VacancyFactory.create_batch(n):
        vacancy.ladder_steps.set(steps)


def _ladder_steps(n):
    last = LadderStep.objects.count()
    LadderStep.objects.bulk_create(LadderStep(position=p, name=f"Step {p}") for p in range(last + 1, n + 1))
    for step in LadderStep.objects.all():
        VacancyFactory().ladder_steps.add(step)


CHANGELISTS = [
    ("employer", _employers, Employer, 1),
    ("employerstagechange", _stage_changes, EmployerStageChange, 1),
    ("contact", _contacts, Contact, 1),
    ("interaction", _interactions, Interaction, 1),
    ("vacancy", _vacancies, Vacancy, 1),
    ("ladderstep", _ladder_steps, LadderStep, 23),
]


@pytest.mark.parametrize(("model", "make", "model_class", "few"), CHANGELISTS, ids=[c[0] for c in CHANGELISTS])
@pytest.mark.parametrize("many", [False, True], ids=["few", "50"])
def test_every_changelist_runs_a_constant_number_of_queries(
    adam, django_assert_max_num_queries, model, make, model_class, few, many
):
    rows = 50 if many else few
    make(rows)
    client = client_for(adam)

    with django_assert_max_num_queries(7):
        response = client.get(url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == model_class.objects.count() == rows


def test_the_employer_list_shows_open_vacancies_and_the_last_interaction(adam):
    employer = EmployerFactory()
    VacancyFactory.create_batch(2, employer=employer, status=VacancyStatus.OPEN)
    VacancyFactory(employer=employer, status=VacancyStatus.CLOSED)
    InteractionFactory(employer=employer, occurred_at=NOW - dt.timedelta(days=5))
    InteractionFactory(employer=employer, occurred_at=NOW)

    response = client_for(adam).get(url("employer", "changelist"))

    (row,) = response.context["cl"].result_list
    assert (row.open_vacancy_count, row.last_contact_at) == (2, NOW)


def test_the_employer_list_finds_an_employer_by_a_contacts_email(adam):
    employer = EmployerFactory(name="Zorggroep Oost")
    ContactFactory(employer=employer, email="an@zorggroep.example")
    ContactFactory(employer=employer, email="piet@zorggroep.example")
    EmployerFactory(name="Andere")

    response = client_for(adam).get(url("employer", "changelist"), {"q": "zorggroep.example"})

    assert list(response.context["cl"].result_list) == [employer]


def test_the_employer_list_finds_a_postcode_typed_with_a_space(adam):
    employer = EmployerFactory(name="Brasserie De Kade", postcode="3511AB")
    EmployerFactory(name="Andere", postcode="1012CD")

    response = client_for(adam).get(url("employer", "changelist"), {"q": "3511 ab"})

    assert list(response.context["cl"].result_list) == [employer]


def test_the_employer_page_shows_profile_vetting_and_history(adam):
    employer = EmployerFactory(stage=Stage.CONTACTED)
    EmployerStageChange.objects.create(employer=employer, from_stage=Stage.PROSPECT, to_stage=Stage.CONTACTED)
    InteractionFactory(employer=employer)
    VacancyFactory(employer=employer)
    ContactFactory(employer=employer)

    response = client_for(adam).get(url("employer", "change", employer.pk))

    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Flora III.5.C.b", "Flora IV.3 werkgever A.b", "stage history", "move to stage", "0 / 9"):
        assert text in content


# --- Permissions ------------------------------------------------------------------------------------


def test_a_staff_coach_can_view_employers_but_not_change_them(alice):
    employer = EmployerFactory(name="Zorggroep Oost", city="Utrecht")
    client = client_for(staff(alice))

    listed = client.get(url("employer", "changelist"))
    page = client.get(url("employer", "change", employer.pk))
    posted = client.post(url("employer", "change", employer.pk), employer_form(employer, city="Zwolle"))
    add_page = client.get(url("employer", "add"))

    assert (listed.status_code, page.status_code) == (200, 200)
    assert 'name="_save"' not in page.content.decode()
    assert "move to stage" not in page.content.decode()
    assert (posted.status_code, add_page.status_code) == (403, 403)
    employer.refresh_from_db()
    assert employer.city == "Utrecht"


def test_a_coach_cannot_import_employers_but_a_relationship_manager_can(alice, rita):
    coach, manager = client_for(staff(alice)), client_for(staff(rita))

    assert coach.get(url("employer", "import")).status_code == 403
    assert manager.get(url("employer", "import")).status_code == 200
    assert "import/" not in coach.get(url("employer", "changelist")).content.decode()


def test_a_coach_who_is_not_staff_is_sent_to_the_login_page(alice):
    response = client_for(alice).get(url("employer", "changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_stage_history_cannot_be_added_or_edited_even_by_an_administrator(adam):
    change = EmployerStageChange.objects.create(employer=EmployerFactory(), to_stage=Stage.PROSPECT)
    client = client_for(adam)

    assert client.get(url("employerstagechange", "add")).status_code == 403
    posted = client.post(url("employerstagechange", "change", change.pk), {"to_stage": Stage.ACTIVE, "note": "x"})
    assert posted.status_code == 403
    change.refresh_from_db()
    assert change.to_stage == Stage.PROSPECT


# --- Pipeline moves ----------------------------------------------------------------------------------


def test_adding_an_employer_records_its_first_stage_and_an_asked_move(rita):
    client = client_for(staff(rita))

    response = client.post(
        url("employer", "add"), employer_form(postcode="3511 ab", owner=str(rita.pk), new_stage=Stage.CONTACTED)
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    employer = Employer.objects.get()
    history = list(employer.stage_changes.order_by("pk").values_list("from_stage", "to_stage", "changed_by"))
    assert history == [("", Stage.PROSPECT, rita.pk), (Stage.PROSPECT, Stage.CONTACTED, rita.pk)]
    assert (employer.stage, employer.postcode, employer.owner) == (Stage.CONTACTED, "3511AB", rita)


def test_the_add_page_proposes_the_user_as_owner(rita):
    response = client_for(staff(rita)).get(url("employer", "add"))

    assert response.context["adminform"].form.initial["owner"] == rita.pk


def test_adding_an_employer_with_a_known_name_and_postcode_is_refused(rita):
    existing = EmployerFactory(name="Café Het Hoekje", postcode="1012AB", registration_number="")

    response = client_for(staff(rita)).post(
        url("employer", "add"), employer_form(name="cafe het hoekje", postcode="1012 ab")
    )

    assert response.status_code == 200
    assert f"#{existing.pk}" in str(response.context["adminform"].form.errors["name"])
    assert Employer.objects.count() == 1


def test_moving_the_stage_in_the_admin_keeps_history_with_the_note(rita):
    employer = EmployerFactory(stage=Stage.CONTACTED)

    response = client_for(staff(rita)).post(
        url("employer", "change", employer.pk),
        employer_form(employer, new_stage=Stage.ENGAGED, stage_note="Wil een werkervaringsplek"),
    )

    assert response.status_code == 302
    employer.refresh_from_db()
    change = employer.stage_changes.get()
    assert employer.stage == Stage.ENGAGED
    assert (change.from_stage, change.to_stage, change.note, change.changed_by) == (
        Stage.CONTACTED,
        Stage.ENGAGED,
        "Wil een werkervaringsplek",
        rita,
    )


def test_editing_an_employer_without_a_move_leaves_its_stage_and_history_alone(rita):
    employer = EmployerFactory(stage=Stage.ACTIVE)

    client_for(staff(rita)).post(url("employer", "change", employer.pk), employer_form(employer, city="Zwolle"))

    employer.refresh_from_db()
    assert (employer.stage, employer.city, employer.stage_changes.count()) == (Stage.ACTIVE, "Zwolle", 0)


def test_a_move_the_service_refuses_is_reported_and_the_stage_stays(rita):
    employer = EmployerFactory(stage=Stage.CONTACTED)

    response = client_for(staff(rita)).post(
        url("employer", "change", employer.pk),
        employer_form(employer, new_stage=Stage.ACTIVE, do_not_engage="on", do_not_engage_reason="Zwartwerk"),
        follow=True,
    )

    employer.refresh_from_db()
    assert (employer.stage, employer.do_not_engage, employer.stage_changes.count()) == (Stage.CONTACTED, True, 0)
    assert any("The stage did not change" in message and "Zwartwerk" in message for message in messages_of(response))


def test_an_interaction_added_on_the_employer_page_gets_its_author_and_moves_a_prospect_on(rita):
    employer = EmployerFactory(stage=Stage.PROSPECT)
    contact = ContactFactory(employer=employer)
    row = {
        "kind": "call",
        "summary": "Kennismaking",
        "minutes": "15",
        "initiated_by": "us",
        "occurred_at_0": "2026-11-02",
        "occurred_at_1": "10:00",
    }
    data = employer_form(employer, new_rows={"interactions": [row]})
    # The existing contact row is editable, so it is posted as the page would post it.
    data.update({"contacts-0-first_name": contact.first_name, "contacts-0-last_name": contact.last_name})
    data.update({"contacts-0-role": contact.role, "contacts-0-email": contact.email, "contacts-0-is_active": "on"})
    data["contacts-0-preferred_language"] = contact.preferred_language

    response = client_for(staff(rita)).post(url("employer", "change", employer.pk), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    interaction = Interaction.objects.get()
    employer.refresh_from_db()
    assert (interaction.author, interaction.summary, employer.stage) == (rita, "Kennismaking", Stage.CONTACTED)
    assert employer.stage_changes.get().to_stage == Stage.CONTACTED
    assert employer.last_contact_at == interaction.occurred_at


def test_the_interaction_rows_offer_only_this_employers_contacts(adam):
    employer = EmployerFactory()
    own = ContactFactory(employer=employer)
    ContactFactory()

    response = client_for(adam).get(url("employer", "change", employer.pk))

    formset = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "interactions")
    assert list(formset.formset.empty_form.fields["contact"].queryset) == [own]


def test_adding_an_interaction_on_its_own_page_records_the_author(rita):
    employer = EmployerFactory(stage=Stage.PROSPECT)

    response = client_for(staff(rita)).post(
        url("interaction", "add"),
        {
            "employer": employer.pk,
            "kind": "email",
            "summary": "Info gestuurd",
            "minutes": "5",
            "initiated_by": "us",
            "occurred_at_0": "2026-11-02",
            "occurred_at_1": "10:00",
        },
    )

    assert response.status_code == 302
    employer.refresh_from_db()
    assert (Interaction.objects.get().author, employer.stage) == (rita, Stage.CONTACTED)


def test_the_mark_done_action_completes_open_next_steps_only(rita):
    open_step = InteractionFactory(next_step="Bellen", next_step_due=NOW.date(), author=rita)
    no_step = InteractionFactory(author=rita)

    client_for(staff(rita)).post(
        url("interaction", "changelist"),
        {"action": "complete_next_steps", "_selected_action": [open_step.pk, no_step.pk]},
    )

    open_step.refresh_from_db()
    no_step.refresh_from_db()
    assert open_step.next_step_done_at is not None
    assert no_step.next_step_done_at is None


def _vacancy_form(vacancy: Vacancy, **fields) -> dict[str, str]:
    data = {
        "employer": str(vacancy.employer_id),
        "title": vacancy.title,
        "kind": vacancy.kind,
        "schedule": vacancy.schedule,
        "places": str(vacancy.places),
    }
    data.update(fields)
    return data


def test_opening_a_vacancy_in_the_admin_goes_through_the_service(rita):
    vacancy = VacancyFactory(status=VacancyStatus.DRAFT)

    response = client_for(staff(rita)).post(
        url("vacancy", "change", vacancy.pk), _vacancy_form(vacancy, status_change="open")
    )

    assert response.status_code == 302
    vacancy.refresh_from_db()
    assert vacancy.status == VacancyStatus.OPEN
    assert vacancy.opened_at is not None


def test_closing_a_vacancy_unfilled_in_the_admin_needs_a_reason(rita):
    vacancy = VacancyFactory(status=VacancyStatus.OPEN)
    client = client_for(staff(rita))

    refused = client.post(url("vacancy", "change", vacancy.pk), _vacancy_form(vacancy, status_change="closed"))
    vacancy.refresh_from_db()
    status_after_refusal = vacancy.status
    accepted = client.post(
        url("vacancy", "change", vacancy.pk), _vacancy_form(vacancy, status_change="closed", status_reason="Budget")
    )
    vacancy.refresh_from_db()

    assert refused.status_code == 200
    assert "status_reason" in refused.context["adminform"].form.errors
    assert status_after_refusal == VacancyStatus.OPEN
    assert accepted.status_code == 302
    assert (vacancy.status, vacancy.close_reason) == (VacancyStatus.CLOSED, "Budget")


def test_opening_a_vacancy_of_a_do_not_engage_employer_is_reported_and_changes_nothing(rita):
    employer = EmployerFactory(do_not_engage=True, do_not_engage_reason="Zwartwerk")
    vacancy = VacancyFactory(employer=employer, status=VacancyStatus.DRAFT)

    response = client_for(staff(rita)).post(
        url("vacancy", "change", vacancy.pk), _vacancy_form(vacancy, status_change="open"), follow=True
    )

    vacancy.refresh_from_db()
    assert vacancy.status == VacancyStatus.DRAFT
    assert any("The status did not change" in message for message in messages_of(response))


def test_ladder_step_names_are_edited_in_the_list(adam):
    step = LadderStep.objects.get(position=19)

    response = client_for(adam).post(
        url("ladderstep", "changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(step.pk),
            "form-0-name": "Work placement",
            "form-0-name_nl": "Werkplek",
            "form-0-name_sv": "Praktikplats",
            "form-0-is_active": "on",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.name, step.name_nl, step.name_sv) == ("Work placement", "Werkplek", "Praktikplats")


def test_the_mark_done_action_leaves_another_users_next_steps_alone(rita, alice):
    alices = InteractionFactory(next_step="Bellen", next_step_due=NOW.date(), author=alice)

    client_for(staff(rita)).post(
        url("interaction", "changelist"), {"action": "complete_next_steps", "_selected_action": [alices.pk]}
    )

    alices.refresh_from_db()
    assert alices.next_step_done_at is None


def test_another_users_interaction_is_read_only_in_the_admin_and_cannot_be_deleted(rita, alice):
    alices = InteractionFactory(author=alice, summary="Alice belde")
    client = client_for(staff(rita))

    page = client.get(url("interaction", "change", alices.pk))
    posted = client.post(url("interaction", "change", alices.pk), {"summary": "Rita was here", "kind": "call"})
    deleted = client.post(url("interaction", "delete", alices.pk), {"post": "yes"})

    assert page.status_code == 200 and b'name="summary"' not in page.content  # shown, not as a form
    assert posted.status_code == 403 and deleted.status_code == 403
    alices.refresh_from_db()
    assert alices.summary == "Alice belde"


def test_the_author_edits_her_own_interaction_in_the_admin(rita):
    ritas = InteractionFactory(author=rita)

    page = client_for(staff(rita)).get(url("interaction", "change", ritas.pk))

    assert page.status_code == 200 and b'name="summary"' in page.content


def test_the_employer_list_sorts_on_open_vacancies(adam):
    busy, quiet, middle = EmployerFactory(name="A"), EmployerFactory(name="B"), EmployerFactory(name="C")
    VacancyFactory.create_batch(3, employer=busy, status=VacancyStatus.OPEN)
    VacancyFactory(employer=middle, status=VacancyStatus.OPEN)

    # Column 5 of list_display is "open vacancies"; "-5" sorts on it, most first.
    response = client_for(adam).get(url("employer", "changelist"), {"o": "-5"})

    assert list(response.context["cl"].result_list) == [busy, middle, quiet]
