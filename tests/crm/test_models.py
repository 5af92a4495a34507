"""Rules about one row of the employer network, held by the database and by clean()."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from crm.models import Contact, Employer, Interaction, LadderStep, Vacancy, normalise_name
from tests.crm.factories import ContactFactory, EmployerFactory, VacancyFactory

pytestmark = pytest.mark.django_db


def test_the_igma_ladder_is_seeded_with_23_steps_in_three_languages():
    steps = list(LadderStep.objects.all())

    assert [s.position for s in steps] == list(range(1, 24))
    last = steps[-1]
    assert "half a year" in last.label("en")
    assert "half jaar" in last.label("nl")
    assert "halvår" in last.label("sv")


def test_a_registration_number_is_unique_when_present():
    EmployerFactory(registration_number="12345678")

    with pytest.raises(IntegrityError), transaction.atomic():
        EmployerFactory(registration_number="12345678")


def test_many_employers_may_have_no_registration_number():
    EmployerFactory(registration_number="", name="A")
    EmployerFactory(registration_number="", name="B")

    assert Employer.objects.filter(registration_number="").count() == 2


def test_the_same_normalised_name_at_the_same_postcode_is_refused_by_the_database():
    EmployerFactory(name="Brasserie De Kade B.V.", postcode="3011 AB", registration_number="")

    with pytest.raises(IntegrityError), transaction.atomic():
        EmployerFactory(name="brasserie de kade", postcode="3011ab", registration_number="")


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Bakkerij De Vries B.V.", "bakkerij de vries"),
        ("Städbolaget Norrsken AB", "stadbolaget norrsken"),
        ("Wasserij Het Anker vzw", "wasserij het anker"),
        ("Konsum Norr ek. för.", "konsum norr"),
        ("  Café   't Hoekje ", "cafe t hoekje"),
    ],
)
def test_names_are_normalised_for_duplicate_detection(raw, normalised):
    assert normalise_name(raw) == normalised


def test_a_next_step_without_a_due_date_is_refused_by_the_database():
    employer = EmployerFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.create(employer=employer, kind="call", summary="x", next_step="Bellen")


def test_do_not_engage_needs_a_reason():
    employer = EmployerFactory.build(do_not_engage=True, do_not_engage_reason="")

    with pytest.raises(ValidationError) as caught:
        employer.full_clean()
    assert "do_not_engage_reason" in caught.value.message_dict


def test_a_share_of_women_above_100_percent_is_invalid():
    employer = EmployerFactory.build(share_women_pct=120)

    with pytest.raises(ValidationError) as caught:
        employer.full_clean()
    assert "share_women_pct" in caught.value.message_dict


def test_contact_emails_are_unique_whatever_their_case():
    ContactFactory(email="Sanne@Example.org")

    assert Contact.objects.get().email == "sanne@example.org"
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(email="sanne@example.org")


def test_a_vacancy_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        VacancyFactory(starts_on=dt.date(2027, 2, 1), ends_on=dt.date(2027, 1, 1))


def test_a_vacancy_has_at_least_one_place():
    vacancy = VacancyFactory.build(places=0, employer=EmployerFactory())

    with pytest.raises(ValidationError):
        vacancy.full_clean()


def test_a_vacancy_contact_must_work_at_the_employer():
    vacancy = Vacancy(employer=EmployerFactory(), contact=ContactFactory(), title="Kok")

    with pytest.raises(ValidationError) as caught:
        vacancy.full_clean()
    assert "contact" in caught.value.message_dict


def test_the_vetting_score_counts_confirmed_conditions():
    employer = EmployerFactory.build(vet_no_prejudice=True, vet_quality_jobs=True)

    assert employer.vetting_score == 2
    assert not employer.is_vetted
