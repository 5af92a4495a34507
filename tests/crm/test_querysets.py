"""The filters the network screens ask for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.choices import Stage, VacancyStatus
from crm.models import Employer, LadderStep, Vacancy
from tests.crm.factories import EmployerFactory, InteractionFactory, VacancyFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)


def test_an_employer_with_a_next_step_due_today_needs_follow_up():
    employer = EmployerFactory(stage=Stage.ACTIVE)
    InteractionFactory(employer=employer, occurred_at=_at(TODAY), next_step="Bellen", next_step_due=TODAY)

    assert list(Employer.objects.needing_follow_up(today=TODAY)) == [employer]


def test_a_next_step_due_next_week_or_already_done_needs_no_follow_up():
    employer = EmployerFactory(stage=Stage.ACTIVE)
    InteractionFactory(
        employer=employer, occurred_at=_at(TODAY), next_step="Later", next_step_due=TODAY + dt.timedelta(days=7)
    )
    InteractionFactory(
        employer=employer, occurred_at=_at(TODAY), next_step="Gedaan", next_step_due=TODAY, next_step_done_at=_at(TODAY)
    )

    assert not Employer.objects.needing_follow_up(today=TODAY).exists()


def test_a_live_employer_we_have_not_spoken_to_in_90_days_needs_follow_up():
    silent = EmployerFactory(stage=Stage.ENGAGED)
    InteractionFactory(employer=silent, occurred_at=_at(TODAY - dt.timedelta(days=120)))
    recent = EmployerFactory(stage=Stage.ENGAGED)
    InteractionFactory(employer=recent, occurred_at=_at(TODAY - dt.timedelta(days=10)))
    EmployerFactory(stage=Stage.DECLINED)

    assert list(Employer.objects.needing_follow_up(today=TODAY)) == [silent]


def test_do_not_engage_employers_never_need_follow_up():
    employer = EmployerFactory(stage=Stage.ACTIVE, do_not_engage=True, do_not_engage_reason="Zwartwerk")
    InteractionFactory(employer=employer, occurred_at=_at(TODAY), next_step="Bellen", next_step_due=TODAY)

    assert not Employer.objects.needing_follow_up(today=TODAY).exists()


def test_open_vacancies_per_ladder_step():
    step19, step20 = LadderStep.objects.get(position=19), LadderStep.objects.get(position=20)
    both = VacancyFactory()
    both.ladder_steps.set([step19, step20])
    VacancyFactory().ladder_steps.set([step19])
    VacancyFactory(status=VacancyStatus.CLOSED).ladder_steps.set([step20])

    assert Vacancy.objects.open_per_step() == {19: 2, 20: 1}
    assert Vacancy.objects.open().at_step(20).count() == 1
    assert Vacancy.objects.open().at_step(step19).count() == 2


def test_supply_counts_open_vacancies_their_places_and_employers_per_step():
    step = LadderStep.objects.get(position=19)
    active = EmployerFactory(stage=Stage.ACTIVE)
    VacancyFactory(employer=active, places=2).ladder_steps.set([step])
    VacancyFactory(employer=active, places=3).ladder_steps.set([step])
    VacancyFactory(employer=EmployerFactory(stage=Stage.PROSPECT), places=1).ladder_steps.set([step])
    VacancyFactory(employer=active, places=9, status=VacancyStatus.CLOSED).ladder_steps.set([step])

    supply = {s.position: s for s in LadderStep.objects.with_supply()}

    assert (supply[19].open_vacancies, supply[19].open_places, supply[19].offering_employers) == (3, 6, 2)
    assert (supply[20].open_vacancies, supply[20].open_places, supply[20].offering_employers) == (0, 0, 0)
    assert list(LadderStep.objects.supplied().values_list("position", flat=True)) == list(range(13, 23))


def test_open_vacancy_count_is_zero_not_none_and_counts_only_open_vacancies(db):
    busy, quiet = EmployerFactory(name="A"), EmployerFactory(name="B")
    VacancyFactory.create_batch(2, employer=busy, status=VacancyStatus.OPEN)
    VacancyFactory(employer=busy, status=VacancyStatus.CLOSED)
    VacancyFactory(employer=quiet, status=VacancyStatus.CLOSED)

    counts = dict(Employer.objects.with_open_vacancy_count().values_list("name", "open_vacancy_count"))

    assert counts == {"A": 2, "B": 0}


def test_the_per_employer_figures_are_subqueries_so_a_page_and_its_count_join_no_vacancies(db):
    employers = Employer.objects.with_open_vacancy_count().order_by("name", "pk")

    page_sql = str(employers[:50].query).upper()
    with CaptureQueriesContext(connection) as counted:
        employers.count()

    # No join and no grouping of every employer before the LIMIT: each figure is looked up per returned row.
    assert "GROUP BY" not in page_sql
    assert "JOIN" not in page_sql
    # The last contact is the row's own column, no look-up in the interactions.
    assert "CRM_INTERACTION" not in page_sql
    # The paginator's count carries neither figure.
    count_sql = counted.captured_queries[-1]["sql"].upper()
    assert "CRM_VACANCY" not in count_sql
    assert "CRM_INTERACTION" not in count_sql


def test_employers_sort_on_their_open_vacancy_count(db):
    busy, quiet, middle = EmployerFactory(name="A"), EmployerFactory(name="B"), EmployerFactory(name="C")
    VacancyFactory.create_batch(3, employer=busy, status=VacancyStatus.OPEN)
    VacancyFactory(employer=middle, status=VacancyStatus.OPEN)

    ordered = list(Employer.objects.with_open_vacancy_count().order_by("-open_vacancy_count", "pk"))

    assert ordered == [busy, middle, quiet]
