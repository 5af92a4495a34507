"""The evaluation asks what Flora's employers valued (E1, E2, E12, E13; analysis §4.8-4.9): migration 0010.

The migration's function runs on a database in the state it meets: an answered evaluation without the
four questions. It adds a version; the answered one keeps its questions and its answers still count.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client as HttpClient
from django.utils import timezone

from outreach.surveys import defaults
from outreach.surveys.models import Question, SurveyInvitation, SurveyTemplate
from outreach.surveys.results import answers_for, summarise
from outreach.surveys.services import active_template
from placements.models import Placement
from reports.scope import Scope
from reports.sections import employers
from reports.tables import Period
from tests.outreach.surveys.helpers import full_answers, invite, survey_caches

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("outreach.migrations.0010_evaluation_employer_values")
VALUES = {
    "e1_overall": "overall",
    "e2_time_saved": "overall",
    "e2_hours_saved": "overall",
    "e12_employment_measures": "measures",
    "e12_measures_help": "measures",
    "e13_admin_support": "administration",
}


@pytest.fixture(autouse=True)
def _isolated_rate_limit(settings: Any) -> None:
    settings.CACHES = survey_caches()


def snapshot(template: SurveyTemplate) -> list[tuple[Any, ...]]:
    return list(template.questions.order_by("order").values_list("order", "key", "type", "text_en", "dimension"))


def keys(template: SurveyTemplate) -> list[str]:
    return list(template.questions.order_by("order").values_list("key", flat=True))


def an_answered_evaluation_without_the_four(client: HttpClient, placement: Placement) -> SurveyTemplate:
    """The state a database seeded before 0010 is in: the evaluation without E1/E2/E12/E13, answered once."""
    old = active_template("employer_end")
    old.questions.filter(key__in=VALUES).delete()
    _invitation, link = invite(placement)
    assert client.post(f"/s/{link}/", full_answers(old)).status_code == 302
    return old


def test_a_new_database_asks_the_four_with_their_dimensions_in_three_languages() -> None:
    end = active_template("employer_end")
    assert keys(end) == [row["key"] for row in defaults.EMPLOYER_END]
    found = {question.key: question for question in end.questions.filter(key__in=VALUES)}
    assert {key: question.dimension for key, question in found.items()} == VALUES
    for question in found.values():
        assert question.text_en and question.text_nl and question.text_sv and question.source.startswith("E")
    assert (found["e1_overall"].type, found["e1_overall"].required) == ("scale_1_5", True)
    assert (found["e2_hours_saved"].type, found["e2_hours_saved"].required) == ("number", False)
    assert found["e12_employment_measures"].type == "yes_no"
    # Not applicable is an empty answer: the question is optional and says so.
    assert (found["e13_admin_support"].type, found["e13_admin_support"].required) == ("scale_1_5", False)
    assert found["e13_admin_support"].help("nl")
    for question in found.values():
        question.full_clean()


def test_the_migration_writes_the_same_questions_as_the_defaults() -> None:
    seeded = {row["key"]: row for row in defaults.EMPLOYER_END if row["key"] in VALUES}
    for _after, row in MIGRATION.NEW_QUESTIONS:
        for name in ("type", "text_en", "text_nl", "text_sv", "source"):
            assert row[name] == seeded[row["key"]][name], (row["key"], name)
        assert row.get("required", True) == seeded[row["key"]].get("required", True)
        assert row.get("options", []) == seeded[row["key"]].get("options", [])
        assert row.get("help_nl", "") == seeded[row["key"]].get("help_nl", "")


def test_the_migration_adds_a_version_and_leaves_the_answered_one_as_it_was(
    client: HttpClient, placement: Placement
) -> None:
    old = an_answered_evaluation_without_the_four(client, placement)
    before = snapshot(old)

    MIGRATION.add_employer_values(apps, None)

    old.refresh_from_db()
    new = active_template("employer_end")
    assert (new.version, new.previous, new.is_active, old.is_active) == (old.version + 1, old, True, False)
    assert snapshot(old) == before
    assert keys(new) == [row["key"] for row in defaults.EMPLOYER_END]
    assert list(new.questions.values_list("order", flat=True)) == list(range(1, len(defaults.EMPLOYER_END) + 1))
    assert dict(new.questions.filter(key__in=VALUES).values_list("key", "dimension")) == VALUES
    kept = new.questions.get(key="e3_candidate_fit")
    assert (kept.text_nl, kept.dimension) == (old.questions.get(key="e3_candidate_fit").text_nl, "supply")


def test_it_runs_on_the_models_as_migration_0009_left_them(client: HttpClient, placement: Placement) -> None:
    """The function as the migration runs it: with the historical models of the state it follows."""
    old = an_answered_evaluation_without_the_four(client, placement)
    state = MigrationLoader(connection).project_state(("outreach", "0009_question_dimension"))
    MIGRATION.add_employer_values(state.apps, None)
    new = active_template("employer_end")
    assert (new.previous, new.version) == (old, old.version + 1)
    assert keys(new) == [row["key"] for row in defaults.EMPLOYER_END]


def test_the_old_versions_answers_still_count_in_the_results_and_the_report(
    client: HttpClient, make_placement: Any, rita: Any
) -> None:
    old = an_answered_evaluation_without_the_four(client, make_placement())
    MIGRATION.add_employer_values(apps, None)
    new = active_template("employer_end")
    invitation, link = invite(make_placement())
    assert invitation.template == new
    answers = {**full_answers(new), "q_e3_candidate_fit": "2", "q_e13_admin_support": ""}
    assert client.post(f"/s/{link}/", answers).status_code == 302

    results = {row["key"]: row for row in summarise(answers_for(invitations=SurveyInvitation.objects.all()))}
    assert (results["e3_candidate_fit"]["count"], results["e3_candidate_fit"]["average"]) == (2, 3.0)
    assert results["e1_overall"]["count"] == 1
    assert results["e2_hours_saved"]["average"] == 6.0
    assert "e13_admin_support" not in results  # not applicable: no answer, no score
    assert old.responses.count() == 1 and new.responses.count() == 1

    today = timezone.localdate()
    scope = Scope(user=rita, period=Period(today - dt.timedelta(days=30), today + dt.timedelta(days=1)), today=today)
    table = employers.build(scope).table("by_dimension")
    supply = table.cell("supply", "answers")
    # e3 and e5 of both versions (a 1-5 answer each, "4" unless told): the old version's still count.
    assert (supply.value, supply.people) == (4, 2)
    assert table.cell("administration", "answers").value == 0
    assert table.cell("measures", "answers").value == 1


def test_running_it_again_changes_nothing(client: HttpClient, placement: Placement) -> None:
    an_answered_evaluation_without_the_four(client, placement)
    MIGRATION.add_employer_values(apps, None)
    MIGRATION.add_employer_values(apps, None)
    assert SurveyTemplate.objects.filter(kind="employer_end").count() == 2


def test_a_new_question_whose_neighbour_was_removed_goes_at_the_end(client: HttpClient, placement: Placement) -> None:
    old = an_answered_evaluation_without_the_four(client, placement)
    old.questions.filter(key="goals_reached").update(key="goals_met")
    MIGRATION.add_employer_values(apps, None)
    assert keys(active_template("employer_end"))[-1] == "e1_overall"


def test_without_an_active_evaluation_nothing_is_made() -> None:
    SurveyTemplate.objects.filter(kind="employer_end").update(is_active=False)
    MIGRATION.add_employer_values(apps, None)
    assert SurveyTemplate.objects.filter(kind="employer_end").count() == 1
    assert not Question.objects.filter(template__is_active=True, template__kind="employer_end").exists()
