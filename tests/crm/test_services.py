"""The relationship manager's workflows in crm.services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from crm import services
from crm.choices import InteractionKind, Stage, VacancyStatus
from crm.models import Employer, EmployerStageChange, Interaction
from tests.crm.factories import ContactFactory, EmployerFactory, InteractionFactory, VacancyFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


def test_register_employer_records_the_first_stage_and_owner(rita):
    employer = services.register_employer(actor=rita, name="Bakkerij De Vries B.V.", postcode="3511 ab")

    assert employer.owner == rita
    assert employer.postcode == "3511AB"
    assert employer.normalised_name == "bakkerij de vries"
    change = EmployerStageChange.objects.get(employer=employer)
    assert (change.from_stage, change.to_stage, change.changed_by) == ("", Stage.PROSPECT, rita)


def test_register_employer_refuses_a_known_registration_number(rita):
    existing = EmployerFactory(registration_number="12345678")

    with pytest.raises(services.DuplicateEmployerError) as caught:
        services.register_employer(actor=rita, name="Iets Anders", registration_number="1234 5678")

    assert caught.value.matches == [existing]
    assert Employer.objects.count() == 1


def test_register_employer_finds_the_same_name_and_postcode_written_differently(rita):
    existing = EmployerFactory(name="Café  Het Hoekje", postcode="1012 AB", registration_number="")

    with pytest.raises(services.DuplicateEmployerError) as caught:
        services.register_employer(actor=rita, name="cafe het hoekje vof", postcode="1012ab")

    assert caught.value.matches == [existing]


def test_register_employer_allows_the_same_name_at_another_postcode(rita):
    EmployerFactory(name="Albert Heijn", postcode="1012AB", registration_number="")

    employer = services.register_employer(actor=rita, name="Albert Heijn", postcode="3511AB")

    assert employer.pk is not None


def test_change_stage_keeps_history_with_who_and_when(rita):
    employer = EmployerFactory(stage=Stage.CONTACTED)

    change = services.change_employer_stage(
        employer=employer, stage=Stage.ENGAGED, actor=rita, note="Vacature", now=NOW
    )

    employer.refresh_from_db()
    assert employer.stage == Stage.ENGAGED
    assert employer.stage_changed_at == NOW
    assert change is not None
    assert (change.from_stage, change.to_stage, change.changed_by, change.changed_at) == (
        Stage.CONTACTED,
        Stage.ENGAGED,
        rita,
        NOW,
    )


def test_change_stage_to_the_same_stage_changes_nothing(rita):
    employer = EmployerFactory(stage=Stage.ACTIVE)

    assert services.change_employer_stage(employer=employer, stage=Stage.ACTIVE, actor=rita) is None
    assert not EmployerStageChange.objects.filter(employer=employer).exists()


def test_change_stage_refuses_an_unknown_stage(rita):
    employer = EmployerFactory()

    with pytest.raises(ValidationError):
        services.change_employer_stage(employer=employer, stage="friends", actor=rita)


def test_a_do_not_engage_employer_cannot_become_active(rita):
    employer = EmployerFactory(stage=Stage.CONTACTED, do_not_engage=True, do_not_engage_reason="Zwartwerk")

    with pytest.raises(ValidationError):
        services.change_employer_stage(employer=employer, stage=Stage.ACTIVE, actor=rita)
    employer.refresh_from_db()
    assert employer.stage == Stage.CONTACTED


def test_log_interaction_moves_a_prospect_to_contacted_and_closes_open_next_steps(rita):
    employer = EmployerFactory(stage=Stage.PROSPECT)
    earlier = InteractionFactory(employer=employer, next_step="Terugbellen", next_step_due=dt.date(2026, 11, 1))

    interaction = services.log_interaction(
        employer=employer,
        actor=rita,
        kind=InteractionKind.VISIT,
        summary="Rondleiding",
        next_step="Infopakket sturen",
        next_step_due=dt.date(2026, 11, 9),
        now=NOW,
    )

    earlier.refresh_from_db()
    employer.refresh_from_db()
    assert earlier.next_step_done_at == NOW
    assert interaction.author == rita
    assert interaction.next_step_done_at is None
    assert employer.stage == Stage.CONTACTED


def test_log_interaction_with_a_next_step_but_no_due_date_saves_nothing(rita):
    employer = EmployerFactory()

    with pytest.raises(ValidationError) as caught:
        services.log_interaction(
            employer=employer, actor=rita, kind=InteractionKind.CALL, summary="x", next_step="Bellen"
        )

    assert "next_step_due" in caught.value.message_dict
    assert not Interaction.objects.exists()


def test_log_interaction_refuses_a_contact_of_another_employer(rita):
    employer = EmployerFactory()
    stranger = ContactFactory()

    with pytest.raises(ValidationError):
        services.log_interaction(
            employer=employer, actor=rita, kind=InteractionKind.CALL, summary="x", contact=stranger
        )


def test_open_and_close_a_vacancy(rita):
    vacancy = VacancyFactory(status=VacancyStatus.DRAFT)

    services.open_vacancy(vacancy=vacancy, actor=rita, now=NOW)
    assert (vacancy.status, vacancy.opened_at) == (VacancyStatus.OPEN, NOW)

    services.close_vacancy(vacancy=vacancy, actor=rita, filled=True, now=NOW)
    vacancy.refresh_from_db()
    assert (vacancy.status, vacancy.closed_at) == (VacancyStatus.FILLED, NOW)


def test_closing_an_unfilled_vacancy_needs_a_reason(rita):
    vacancy = VacancyFactory(status=VacancyStatus.OPEN)

    with pytest.raises(ValidationError):
        services.close_vacancy(vacancy=vacancy, actor=rita, filled=False)
    vacancy.refresh_from_db()
    assert vacancy.status == VacancyStatus.OPEN


def test_a_vacancy_cannot_be_opened_twice(rita):
    vacancy = VacancyFactory(status=VacancyStatus.OPEN)

    with pytest.raises(ValidationError):
        services.open_vacancy(vacancy=vacancy, actor=rita)
