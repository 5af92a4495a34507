"""Relationship managers keep an employer's contacts and vacancies on the employer page, without the admin."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from crm import services
from crm.choices import ContactRole, Language, Schedule, Stage, VacancyKind, VacancyStatus
from crm.models import Contact, LadderStep, Vacancy
from placements.choices import PlacementStatus
from tests.crm.factories import ContactFactory, EmployerFactory, VacancyFactory
from tests.placements.factories import PlacementFactory

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def contact_form(**changes: str) -> dict[str, str]:
    form = {
        "first_name": "Petra",
        "last_name": "Smit",
        "role": ContactRole.MENTOR,
        "job_title": "Teamleider keuken",
        "email": "Petra.Smit@Zorggroep.example",
        "phone": "+31 6 1234 5678",
        "preferred_language": Language.SV,
        "notes": "",
    }
    return form | changes


def vacancy_form(*steps: LadderStep, **changes: str) -> dict[str, object]:
    form: dict[str, object] = {
        "title": "Leerwerkplek keuken",
        "reference": "KEU-01",
        "kind": VacancyKind.WORK_EXPERIENCE,
        "contact": "",
        "ladder_steps": [str(step.pk) for step in steps],
        "places": "2",
        "hours_per_week": "24",
        "schedule": Schedule.DAY,
        "contract_type": "",
        "starts_on": "2027-02-01",
        "ends_on": "2027-07-31",
        "language_level": "A2",
        "description": "Meehelpen in de keuken.",
    }
    return form | changes


def employer_url(obj: Contact | Vacancy) -> str:
    kind = "contact" if isinstance(obj, Contact) else "vacancy"
    return f"{reverse('crm:employer', args=[obj.employer_id])}#{kind}-{obj.pk}"


# --- Contacts ---------------------------------------------------------------------------------


def test_a_relationship_manager_adds_a_contact_with_role_and_language(rita):
    employer = EmployerFactory(owner=rita)

    response = signed_in(rita).post(reverse("crm:contact-new", args=[employer.pk]), contact_form())

    contact = Contact.objects.get(employer=employer)
    assert response.status_code == 302 and response["Location"] == employer_url(contact)
    assert (contact.full_name, contact.role, contact.preferred_language) == ("Petra Smit", "mentor", "sv")
    assert contact.email == "petra.smit@zorggroep.example" and contact.phone == "+31 6 1234 5678"
    page = text(signed_in(rita).get(reverse("crm:employer", args=[employer.pk])))
    assert "Petra Smit" in page and "Workplace mentor" in page and "Swedish" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "petra@", "Enter a valid email address."),
        ("phone", "06-bel-me", "Enter a phone number of 6 to 15 digits"),
        ("phone", "123", "Enter a phone number of 6 to 15 digits"),
        ("first_name", "   ", "This field is required."),
        ("role", "boss", "Select a valid choice."),
        ("preferred_language", "de", "Select a valid choice."),
    ],
)
def test_a_contact_with_bad_input_is_refused_and_the_form_keeps_what_was_typed(rita, field, value, message):
    employer = EmployerFactory(owner=rita)

    response = signed_in(rita).post(
        reverse("crm:contact-new", args=[employer.pk]), contact_form(**{field: value}, job_title="Chef-kok")
    )

    assert response.status_code == 200
    assert not Contact.objects.exists()
    assert message in text(response)
    assert 'value="Chef-kok"' in text(response)


def test_an_email_address_belongs_to_one_contact_whatever_its_case(rita):
    ContactFactory(email="petra.smit@zorggroep.example")
    employer = EmployerFactory()

    response = signed_in(rita).post(reverse("crm:contact-new", args=[employer.pk]), contact_form())

    assert response.status_code == 200
    assert "A contact with this email address already exists." in text(response)
    assert not Contact.objects.filter(employer=employer).exists()


def test_editing_a_contact_changes_her_details(rita):
    contact = ContactFactory(first_name="Petra", role=ContactRole.HR, preferred_language=Language.NL)

    response = signed_in(rita).post(
        reverse("crm:contact-edit", args=[contact.pk]),
        contact_form(role=ContactRole.DECISION_MAKER, preferred_language=Language.EN, phone="030 123 45 67"),
    )

    assert response.status_code == 302 and response["Location"] == employer_url(contact)
    contact.refresh_from_db()
    assert (contact.role, contact.preferred_language, contact.phone) == ("decision_maker", "en", "030 123 45 67")


def test_the_edit_form_shows_the_contact_as_she_is(rita):
    contact = ContactFactory(first_name="Petra", job_title="Bedrijfsleider")

    page = text(signed_in(rita).get(reverse("crm:contact-edit", args=[contact.pk])))

    assert 'value="Petra"' in page and 'value="Bedrijfsleider"' in page


def test_a_refused_edit_changes_nothing_and_keeps_what_was_typed(rita):
    ContactFactory(email="taken@example.org")
    contact = ContactFactory(first_name="Petra", email="petra@example.org")

    response = signed_in(rita).post(
        reverse("crm:contact-edit", args=[contact.pk]), contact_form(first_name="Petronella", email="TAKEN@example.org")
    )

    assert response.status_code == 200
    assert "A contact with this email address already exists." in text(response)
    assert 'value="Petronella"' in text(response)
    contact.refresh_from_db()
    assert (contact.first_name, contact.email) == ("Petra", "petra@example.org")


def test_a_deactivated_contact_is_listed_apart_and_can_be_reactivated(rita):
    employer = EmployerFactory()
    contact = ContactFactory(employer=employer, first_name="Karin", last_name="Oud")
    ContactFactory(employer=employer, first_name="Nina", last_name="Nieuw")
    client = signed_in(rita)

    response = client.post(reverse("crm:contact-deactivate", args=[contact.pk]))

    assert response.status_code == 302 and response["Location"] == employer_url(contact)
    contact.refresh_from_db()
    assert not contact.is_active
    page = client.get(reverse("crm:employer", args=[employer.pk]))
    assert [c.full_name for c in page.context["contacts"]] == ["Nina Nieuw"]
    assert [c.full_name for c in page.context["inactive_contacts"]] == ["Karin Oud"]
    assert "1 former contact" in text(page)
    assert reverse("crm:contact-reactivate", args=[contact.pk]) in text(page)

    client.post(reverse("crm:contact-reactivate", args=[contact.pk]))

    contact.refresh_from_db()
    assert contact.is_active


def test_deactivating_an_inactive_contact_says_so_and_changes_nothing(rita):
    contact = ContactFactory(is_active=False)

    response = signed_in(rita).post(reverse("crm:contact-deactivate", args=[contact.pk]), follow=True)

    assert "is already inactive." in text(response)
    assert Contact.objects.get(pk=contact.pk).is_active is False


def test_the_mentor_of_a_running_placement_is_deactivated_only_after_a_warning_listing_it(rita):
    employer = EmployerFactory()
    mentor = ContactFactory(employer=employer, first_name="Mila")
    running = PlacementFactory(employer=employer, mentor=mentor, job_title="Hulpkok", status=PlacementStatus.ACTIVE)
    PlacementFactory(employer=employer, mentor=mentor, job_title="Afgerond", status=PlacementStatus.COMPLETED)
    client = signed_in(rita)

    warned = client.post(reverse("crm:contact-deactivate", args=[mentor.pk]))

    assert warned.status_code == 200
    page = text(warned)
    assert "is the workplace mentor of 1 running placement" in page
    assert "Hulpkok" in page and reverse("placements:placement", args=[running.pk]) in page
    assert "Afgerond" not in page
    assert Contact.objects.get(pk=mentor.pk).is_active

    confirmed = client.post(reverse("crm:contact-deactivate", args=[mentor.pk]), {"acknowledged": str(running.pk)})

    assert confirmed.status_code == 302
    assert not Contact.objects.get(pk=mentor.pk).is_active


def test_a_placement_that_started_after_the_warning_is_warned_about_again(rita):
    employer = EmployerFactory()
    mentor = ContactFactory(employer=employer)
    first = PlacementFactory(employer=employer, mentor=mentor, status=PlacementStatus.ACTIVE)
    PlacementFactory(employer=employer, mentor=mentor, status=PlacementStatus.ACTIVE)

    with pytest.raises(services.MentorOfRunningPlacementsError) as refused:
        services.deactivate_contact(contact=mentor, actor=rita, acknowledged=[first.pk])

    assert len(refused.value.placements) == 2
    assert Contact.objects.get(pk=mentor.pk).is_active


def test_a_relationship_manager_may_change_the_contacts_of_another_managers_employer(rita, adam):
    contact = ContactFactory(employer=EmployerFactory(owner=adam), first_name="Petra")

    response = signed_in(rita).post(reverse("crm:contact-edit", args=[contact.pk]), contact_form(first_name="Pia"))

    assert response.status_code == 302
    assert Contact.objects.get(pk=contact.pk).first_name == "Pia"


# --- Vacancies --------------------------------------------------------------------------------


def test_a_vacancy_is_saved_as_a_draft_with_the_ladder_steps_it_serves(rita):
    employer = EmployerFactory(owner=rita)
    step18, step19 = LadderStep.objects.get(position=18), LadderStep.objects.get(position=19)

    response = signed_in(rita).post(reverse("crm:vacancy-new", args=[employer.pk]), vacancy_form(step18, step19))

    vacancy = Vacancy.objects.get(employer=employer)
    assert response.status_code == 302 and response["Location"] == employer_url(vacancy)
    assert vacancy.status == VacancyStatus.DRAFT and vacancy.opened_at is None
    assert sorted(s.position for s in vacancy.ladder_steps.all()) == [18, 19]
    assert (vacancy.places, vacancy.starts_on, vacancy.language_level) == (2, dt.date(2027, 2, 1), "A2")


def test_save_and_open_publishes_the_vacancy_at_once(rita):
    employer = EmployerFactory()

    signed_in(rita).post(reverse("crm:vacancy-new", args=[employer.pk]), vacancy_form(open_now="1"))

    vacancy = Vacancy.objects.get(employer=employer)
    assert vacancy.status == VacancyStatus.OPEN and vacancy.opened_at is not None


def test_save_and_open_at_a_do_not_engage_employer_saves_nothing_and_keeps_the_form(rita):
    employer = EmployerFactory(do_not_engage=True, do_not_engage_reason="Zwartwerk")

    response = signed_in(rita).post(
        reverse("crm:vacancy-new", args=[employer.pk]), vacancy_form(open_now="1", title="Afwasser")
    )

    assert response.status_code == 200
    assert "This employer is flagged do-not-engage." in text(response)
    assert 'value="Afwasser"' in text(response)
    assert not Vacancy.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": "2027-01-31"}, "The end date cannot be before the start date."),
        ({"places": "0"}, "A vacancy offers at least one place."),
        ({"title": ""}, "This field is required."),
        ({"hours_per_week": "80"}, "Ensure this value is less than or equal to 60."),
    ],
)
def test_a_vacancy_with_bad_input_is_refused_and_nothing_is_saved(rita, changes, message):
    employer = EmployerFactory()
    step = LadderStep.objects.get(position=19)

    response = signed_in(rita).post(
        reverse("crm:vacancy-new", args=[employer.pk]), vacancy_form(step, **changes, description="Zie rooster")
    )

    assert response.status_code == 200
    # Once in the error summary at the top of the form, once at its field.
    summary, _, fields = text(response).partition('class="error-summary"')[2].partition("</div>")
    assert (summary.count(message), fields.count(message)) == (1, 1)
    assert "Zie rooster" in text(response)
    assert re.search(rf'<input type="checkbox" name="ladder_steps" value="{step.pk}"[^>]* checked>', text(response))
    assert not Vacancy.objects.exists()


def test_a_vacancy_reference_is_unique_per_employer(rita):
    employer = EmployerFactory()
    VacancyFactory(employer=employer, reference="KEU-01")

    response = signed_in(rita).post(reverse("crm:vacancy-new", args=[employer.pk]), vacancy_form())

    assert "This employer already has a vacancy with this reference." in text(response)
    assert Vacancy.objects.filter(employer=employer).count() == 1


def test_the_contact_of_a_vacancy_must_be_an_active_contact_of_its_employer(rita):
    employer = EmployerFactory()
    stranger = ContactFactory()
    former = ContactFactory(employer=employer, is_active=False)
    client = signed_in(rita)

    for contact in (stranger, former):
        response = client.post(reverse("crm:vacancy-new", args=[employer.pk]), vacancy_form(contact=str(contact.pk)))
        assert "Select a valid choice." in text(response)

    assert not Vacancy.objects.exists()


def test_the_form_lists_the_steps_employers_offer_places_at_first_and_the_others_apart(rita):
    employer = EmployerFactory()

    response = signed_in(rita).get(reverse("crm:vacancy-new", args=[employer.pk]))

    place_steps = [box.data["value"].instance.position for box in response.context["place_steps"]]
    other_steps = [box.data["value"].instance.position for box in response.context["other_steps"]]
    assert place_steps == sorted(LadderStep.objects.filter(offers_places=True).values_list("position", flat=True))
    assert place_steps == list(range(13, 23))
    assert other_steps == sorted(other_steps) and 1 in other_steps and 13 not in other_steps
    page = text(response)
    assert page.index("Steps at which employers offer places") < page.index("Other steps")


def test_editing_a_vacancy_replaces_its_ladder_steps_and_keeps_its_status(rita):
    vacancy = VacancyFactory(status=VacancyStatus.OPEN, title="Oud")
    vacancy.ladder_steps.add(LadderStep.objects.get(position=18))
    step20 = LadderStep.objects.get(position=20)

    response = signed_in(rita).post(
        reverse("crm:vacancy-edit", args=[vacancy.pk]), vacancy_form(step20, title="Nieuw", reference="")
    )

    assert response.status_code == 302
    vacancy.refresh_from_db()
    assert vacancy.title == "Nieuw" and vacancy.status == VacancyStatus.OPEN
    assert [s.position for s in vacancy.ladder_steps.all()] == [20]


def test_a_refused_vacancy_edit_changes_nothing(rita):
    vacancy = VacancyFactory(title="Oud", starts_on=dt.date(2027, 1, 1))
    step = LadderStep.objects.get(position=18)
    vacancy.ladder_steps.add(step)

    response = signed_in(rita).post(
        reverse("crm:vacancy-edit", args=[vacancy.pk]), vacancy_form(title="Nieuw", ends_on="2020-01-01")
    )

    assert response.status_code == 200 and 'value="Nieuw"' in text(response)
    vacancy.refresh_from_db()
    assert vacancy.title == "Oud" and vacancy.ends_on is None
    assert list(vacancy.ladder_steps.all()) == [step]


def test_a_vacancy_goes_from_draft_to_open_to_filled_and_reopens_when_a_place_frees_up(rita):
    vacancy = VacancyFactory(status=VacancyStatus.DRAFT)
    client = signed_in(rita)

    opened = client.post(reverse("crm:vacancy-open", args=[vacancy.pk]))
    assert opened["Location"] == employer_url(vacancy)
    vacancy.refresh_from_db()
    assert vacancy.status == VacancyStatus.OPEN

    client.post(reverse("crm:vacancy-fill", args=[vacancy.pk]))
    vacancy.refresh_from_db()
    assert vacancy.status == VacancyStatus.FILLED and vacancy.closed_at is not None

    client.post(reverse("crm:vacancy-open", args=[vacancy.pk]))
    vacancy.refresh_from_db()
    assert vacancy.status == VacancyStatus.OPEN and vacancy.closed_at is None


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (VacancyStatus.DRAFT, "A draft cannot be filled: open it first."),
        (VacancyStatus.FILLED, "This vacancy is already filled."),
        (VacancyStatus.CLOSED, "This vacancy is closed: reopen it first."),
    ],
)
def test_only_an_open_vacancy_can_be_filled(rita, status, message):
    vacancy = VacancyFactory(status=status)

    response = signed_in(rita).post(reverse("crm:vacancy-fill", args=[vacancy.pk]), follow=True)

    assert message in text(response)
    assert Vacancy.objects.get(pk=vacancy.pk).status == status


def test_closing_through_the_old_service_as_filled_follows_the_same_rule(rita):
    vacancy = VacancyFactory(status=VacancyStatus.DRAFT)

    with pytest.raises(ValidationError, match="A draft cannot be filled"):
        services.close_vacancy(vacancy=vacancy, actor=rita, filled=True)

    assert Vacancy.objects.get(pk=vacancy.pk).status == VacancyStatus.DRAFT


def test_closing_a_vacancy_needs_a_reason_and_keeps_it(rita):
    vacancy = VacancyFactory(status=VacancyStatus.OPEN)
    client = signed_in(rita)

    refused = client.post(reverse("crm:vacancy-close", args=[vacancy.pk]), {"reason": "  "})

    assert refused.status_code == 200
    assert "Say why the vacancy closed without being filled." in text(refused)
    assert Vacancy.objects.get(pk=vacancy.pk).status == VacancyStatus.OPEN

    closed = client.post(reverse("crm:vacancy-close", args=[vacancy.pk]), {"reason": "Budget ingetrokken"})

    assert closed["Location"] == employer_url(vacancy)
    vacancy.refresh_from_db()
    assert (vacancy.status, vacancy.close_reason) == (VacancyStatus.CLOSED, "Budget ingetrokken")
    page = text(client.get(reverse("crm:employer", args=[vacancy.employer_id])))
    assert "Budget ingetrokken" in page


def test_a_closed_vacancy_cannot_be_closed_again_but_can_be_reopened(rita):
    vacancy = VacancyFactory(status=VacancyStatus.CLOSED, close_reason="Seizoen voorbij")
    client = signed_in(rita)

    refused = client.post(reverse("crm:vacancy-close", args=[vacancy.pk]), {"reason": "Nog eens"})

    assert "This vacancy is already closed." in text(refused)
    assert Vacancy.objects.get(pk=vacancy.pk).close_reason == "Seizoen voorbij"

    client.post(reverse("crm:vacancy-open", args=[vacancy.pk]))

    vacancy.refresh_from_db()
    assert (vacancy.status, vacancy.close_reason) == (VacancyStatus.OPEN, "")


def test_an_open_vacancy_cannot_be_opened_again(rita):
    vacancy = VacancyFactory(status=VacancyStatus.OPEN)

    response = signed_in(rita).post(reverse("crm:vacancy-open", args=[vacancy.pk]), follow=True)

    assert "This vacancy is already open." in text(response)


def test_a_relationship_manager_may_change_the_vacancies_of_another_managers_employer(rita, adam):
    vacancy = VacancyFactory(employer=EmployerFactory(owner=adam), status=VacancyStatus.OPEN)

    signed_in(rita).post(reverse("crm:vacancy-fill", args=[vacancy.pk]))

    assert Vacancy.objects.get(pk=vacancy.pk).status == VacancyStatus.FILLED


# --- Who may ----------------------------------------------------------------------------------


def _every_form(employer_pk: int, contact_pk: int, vacancy_pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("crm:contact-new", args=[employer_pk])),
        ("post", reverse("crm:contact-new", args=[employer_pk])),
        ("get", reverse("crm:contact-edit", args=[contact_pk])),
        ("post", reverse("crm:contact-edit", args=[contact_pk])),
        ("post", reverse("crm:contact-deactivate", args=[contact_pk])),
        ("post", reverse("crm:contact-reactivate", args=[contact_pk])),
        ("get", reverse("crm:vacancy-new", args=[employer_pk])),
        ("post", reverse("crm:vacancy-new", args=[employer_pk])),
        ("get", reverse("crm:vacancy-edit", args=[vacancy_pk])),
        ("post", reverse("crm:vacancy-edit", args=[vacancy_pk])),
        ("post", reverse("crm:vacancy-open", args=[vacancy_pk])),
        ("post", reverse("crm:vacancy-fill", args=[vacancy_pk])),
        ("get", reverse("crm:vacancy-close", args=[vacancy_pk])),
        ("post", reverse("crm:vacancy-close", args=[vacancy_pk])),
    ]


def test_a_coach_gets_403_on_every_contact_and_vacancy_form_and_nothing_changes(alice):
    employer = EmployerFactory()
    contact = ContactFactory(employer=employer, first_name="Petra")
    vacancy = VacancyFactory(employer=employer, status=VacancyStatus.OPEN, title="Kok")
    client = signed_in(alice)

    for method, url in _every_form(employer.pk, contact.pk, vacancy.pk):
        data = contact_form(first_name="Hack") if "contact" in url else vacancy_form(title="Hack", reason="x")
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == 403, (method, url)

    assert list(Contact.objects.values_list("first_name", "is_active")) == [("Petra", True)]
    assert list(Vacancy.objects.values_list("title", "status")) == [("Kok", VacancyStatus.OPEN)]


def test_the_employer_page_shows_the_actions_only_to_who_may_use_them(alice, rita):
    employer = EmployerFactory(stage=Stage.ENGAGED)
    contact = ContactFactory(employer=employer)
    vacancy = VacancyFactory(employer=employer, status=VacancyStatus.OPEN)
    url = reverse("crm:employer", args=[employer.pk])
    actions = [
        reverse("crm:contact-new", args=[employer.pk]),
        reverse("crm:contact-edit", args=[contact.pk]),
        reverse("crm:contact-deactivate", args=[contact.pk]),
        reverse("crm:vacancy-new", args=[employer.pk]),
        reverse("crm:vacancy-edit", args=[vacancy.pk]),
        reverse("crm:vacancy-fill", args=[vacancy.pk]),
        reverse("crm:vacancy-close", args=[vacancy.pk]),
    ]

    for_coach, for_manager = text(signed_in(alice).get(url)), text(signed_in(rita).get(url))

    assert not [action for action in actions if action in for_coach]
    assert [action for action in actions if action not in for_manager] == []
    assert reverse("crm:vacancy-open", args=[vacancy.pk]) not in for_manager  # it is open already


def test_the_employer_list_still_counts_open_vacancies(rita):
    employer = EmployerFactory(name="Bakkerij Brood")
    VacancyFactory(employer=employer, status=VacancyStatus.OPEN)
    VacancyFactory(employer=employer, status=VacancyStatus.FILLED)

    response = signed_in(rita).get(reverse("crm:employers"))

    row = next(row for row in response.context["page"].rows if row.pk == employer.pk)
    assert row.open_vacancy_count == 1


# --- Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 30])
def test_the_employer_page_runs_the_same_queries_for_1_and_many_contacts_and_vacancies(
    rita, django_assert_max_num_queries, rows
):
    employer = EmployerFactory(owner=rita)
    steps = list(LadderStep.objects.filter(position__in=[18, 19]))
    for n in range(rows):
        contact = ContactFactory(employer=employer, is_active=n % 3 != 0)
        vacancy = VacancyFactory(employer=employer, contact=contact, status=list(VacancyStatus)[n % 4])
        vacancy.ladder_steps.add(*steps)
    client = signed_in(rita)

    # The same bound as the page's own test: the sections add no query per contact or vacancy.
    with django_assert_max_num_queries(19):
        response = client.get(reverse("crm:employer", args=[employer.pk]))

    shown = len(response.context["contacts"]) + len(response.context["inactive_contacts"])
    assert shown == rows and len(response.context["vacancies"]) == rows
    assert text(response).count('class="step vacancy-') == rows
