"""Survey versions and results: a change after answers makes a new version; counts, averages, spreads, exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient

from outreach.surveys.answers import field_name
from outreach.surveys.models import Answer, Question, SurveyInvitation, SurveyTemplate
from outreach.surveys.results import answers_for, export_results, summarise
from outreach.surveys.services import active_template, revise_template
from placements.models import Placement
from tests.outreach.surveys.helpers import full_answers, invite, survey_caches

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolated_rate_limit(settings: Any) -> None:
    settings.CACHES = survey_caches()


def answer(client: HttpClient, placement: Placement, **overrides: str) -> SurveyInvitation:
    """Answer the placement's end-of-placement survey, with some answers changed by question key."""
    invitation, link = invite(placement)
    data = full_answers(invitation.template)
    for key, value in overrides.items():
        data[field_name(invitation.template.questions.get(key=key))] = value
    assert client.post(f"/s/{link}/", data).status_code == 302
    return invitation


def by_key(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in results}


def test_the_seeded_surveys_are_in_three_languages() -> None:
    end = active_template("employer_end")
    assert end.questions.count() == 22
    assert active_template("employer_declined").questions.count() == 4
    assert active_template("mid_placement").questions.count() == 5
    for question in Question.objects.all():
        assert question.text_en and question.text_nl and question.text_sv and question.source
        for option in question.options:
            assert option["key"] and option["en"] and option["nl"] and option["sv"]
    assert {"e3_candidate_fit", "e20_recommend", "e24_reference", "e25_learn"} <= set(
        end.questions.values_list("key", flat=True)
    )


def test_an_unanswered_template_is_edited_in_place() -> None:
    template = active_template("employer_end")
    assert revise_template(template=template, actor=None) == template
    assert SurveyTemplate.objects.filter(kind="employer_end").count() == 1


def test_an_answered_template_gets_a_new_version_and_old_answers_keep_their_questions(
    client: HttpClient, placement: Placement
) -> None:
    old = active_template("employer_end")
    answer(client, placement)
    new = revise_template(template=old, actor=None)
    new.questions.filter(key="e3_candidate_fit").update(text_en="Did the candidate fit the job?")
    old.refresh_from_db()
    assert (new.version, new.previous, new.is_active, old.is_active) == (2, old, True, False)
    assert new.questions.count() == old.questions.count()
    kept = Answer.objects.get(question__key="e3_candidate_fit")
    assert kept.question.template == old
    assert kept.question.text_en == "Did the candidate match the profile of the job?"
    assert active_template("employer_end") == new


def test_results_count_average_and_spread_per_question(
    client: HttpClient, make_placement: Callable[..., Placement]
) -> None:
    first, second, third = make_placement(), make_placement(), make_placement()
    answer(client, first, e3_candidate_fit="5", e20_recommend="10", e18_followup_duration="too_short")
    answer(
        client,
        second,
        e3_candidate_fit="2",
        e20_recommend="3",
        e25_learn="Call us earlier",
        e18_followup_duration="right",
    )
    answer(client, third, e3_candidate_fit="4", e20_recommend="9", e24_reference="no")
    results = by_key(summarise(answers_for(invitations=SurveyInvitation.objects.all())))
    fit = results["e3_candidate_fit"]
    assert (fit["count"], fit["average"]) == (3, 3.67)
    assert [item["count"] for item in fit["distribution"]] == [0, 1, 0, 1, 1]
    assert results["e20_recommend"]["nps"] == 33  # two promoters, one detractor
    duration = {item["key"]: item["count"] for item in results["e18_followup_duration"]["distribution"]}
    assert duration == {"too_short": 2, "right": 1, "too_long": 0}
    assert sorted(results["e25_learn"]["texts"]) == [
        "Call us earlier",
        "More visits in the first month.",
        "More visits in the first month.",
    ]
    reference = {item["key"]: item["count"] for item in results["e24_reference"]["distribution"]}
    assert reference == {"yes": 2, "no": 1}


@pytest.mark.parametrize(("language", "labels"), [("en", ["Yes", "No"]), ("nl", ["Ja", "Nee"]), ("sv", ["Ja", "Nej"])])
def test_yes_and_no_are_labelled_in_the_language_asked_for(
    client: HttpClient, placement: Placement, language: str, labels: list[str]
) -> None:
    answer(client, placement, e24_reference="no")
    results = by_key(summarise(answers_for(invitations=SurveyInvitation.objects.all()), language=language))
    distribution = results["e24_reference"]["distribution"]
    assert [(item["label"], item["count"]) for item in distribution] == [(labels[0], 0), (labels[1], 1)]


def test_results_per_placement_and_per_employer(client: HttpClient, make_placement: Callable[..., Placement]) -> None:
    first, second = make_placement(), make_placement()
    answer(client, first, e3_candidate_fit="5")
    answer(client, second, e3_candidate_fit="1")
    everyone = SurveyInvitation.objects.all()
    one = by_key(summarise(answers_for(invitations=everyone, placement=first)))
    assert one["e3_candidate_fit"]["average"] == 5
    other = by_key(summarise(answers_for(invitations=everyone, employer=second.employer)))
    assert other["e3_candidate_fit"]["average"] == 1


def test_exports_escape_formulae(client: HttpClient, placement: Placement) -> None:
    answer(client, placement, e25_learn='=HYPERLINK("http://evil")')
    results = summarise(answers_for(invitations=SurveyInvitation.objects.all()))
    content, content_type = export_results(results, file_format="csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    learn = next(row for row in rows if row[0] == "e25_learn")
    assert learn[-1].startswith("'=HYPERLINK")
    assert content_type.startswith("text/csv")
    xlsx, _type = export_results(results, file_format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    cells = [row for row in sheet.iter_rows(values_only=True) if row[0] == "e25_learn"]
    assert str(cells[0][-1]).startswith("'=HYPERLINK")


@pytest.mark.parametrize(
    ("type_", "options"),
    [
        ("single_choice", [{"key": "a", "en": "A"}]),
        ("single_choice", [{"key": "a", "en": "A"}, {"key": "a", "en": "B"}]),
        ("multiple_choice", [{"en": "No key"}, {"key": "b", "en": "B"}]),
        ("scale_1_5", [{"key": "1", "en": "Low"}, {"key": "5", "en": "High"}]),
        ("yes_no", "not a list"),
    ],
)
def test_a_question_with_unusable_options_is_refused(type_: str, options: Any) -> None:
    question = Question(
        template=active_template("mid_placement"),
        order=99,
        key="new",
        type=type_,
        text_en="Q",
        text_nl="V",
        text_sv="F",
        options=options,
    )
    with pytest.raises(ValidationError) as error:
        question.full_clean()
    assert "options" in error.value.message_dict


def test_every_seeded_question_passes_its_own_validation() -> None:
    for question in Question.objects.all():
        question.full_clean()
