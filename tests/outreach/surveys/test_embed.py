"""Answering a placement's surveys from the mentor's page (outreach/surveys/embed.py) and the one question markup."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.utils import timezone

from outreach.surveys.embed import (
    REFUSED,
    answer_from_page,
    open_invitations,
    page_surveys,
    question_context,
    submit_on_page,
)
from outreach.surveys.models import SurveyInvitation, SurveyResponse
from outreach.surveys.services import active_template, cancel_invitation, create_invitation
from placements.models import Placement
from tests.crm.factories import ContactFactory
from tests.outreach.surveys.helpers import full_answers, invite, survey_caches

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolated_rate_limit(settings: Any) -> None:
    settings.CACHES = survey_caches()


def form(data: dict[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in data.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    return query


def test_the_open_check_in_and_evaluation_of_the_mentor_oldest_first(
    make_placement: Callable[..., Placement],
) -> None:
    now = timezone.now()
    placement, other = make_placement(), make_placement()
    check_in, _link = invite(placement, now=now - dt.timedelta(days=10), kind="mid_placement")
    evaluation, _link = invite(placement, now=now - dt.timedelta(days=1))
    invite(other, now=now)
    colleague = ContactFactory.create(employer=placement.employer)
    create_invitation(
        template=active_template("employer_end"), contact=colleague, actor=None, placement=placement, now=now
    )
    assert open_invitations(placement, now=now) == [check_in, evaluation]
    assert [i.contact for i in open_invitations(placement, now=now, contact=colleague)] == [colleague]

    cancel_invitation(invitation=check_in, actor=None, now=now)
    assert open_invitations(placement, now=now) == [evaluation]
    later = evaluation.expires_at
    assert open_invitations(placement, now=later) == []


def test_an_answered_invitation_is_no_longer_open(placement: Placement) -> None:
    now = timezone.now()
    invitation, _link = invite(placement, now=now)
    assert submit_on_page(invitation, form(full_answers(invitation.template)), now=now) == (True, {})
    assert open_invitations(placement, now=now) == []


def test_a_placement_without_a_mentor_has_nothing_open(make_placement: Callable[..., Placement]) -> None:
    placement = make_placement()
    invite(placement)
    Placement.objects.filter(pk=placement.pk).update(mentor=None)
    placement.refresh_from_db()
    assert open_invitations(placement, now=timezone.now()) == []


def test_the_open_invitations_take_the_same_queries_for_one_or_many(
    make_placement: Callable[..., Placement], django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    placement = make_placement()
    invite(placement, now=now, kind="mid_placement")
    with django_assert_max_num_queries(3) as one:
        for invitation in open_invitations(placement, now=now):
            question_context(invitation, language="nl")
    invite(placement, now=now)
    with django_assert_max_num_queries(len(one.captured_queries)):
        for invitation in open_invitations(placement, now=now):
            question_context(invitation, language="nl")


def test_a_refused_answer_keeps_what_was_typed_and_links_each_error(placement: Placement) -> None:
    now = timezone.now()
    invitation, _link = invite(placement, now=now)
    data = full_answers(invitation.template)
    data.update({"q_e3_candidate_fit": "", "q_e4_weeks_to_productive": "a few", "q_e25_learn": "Visit more often."})
    posted = form(data)

    stored, errors = submit_on_page(invitation, posted, now=now, language="nl")

    assert not stored and not SurveyResponse.objects.exists()
    assert errors == {
        "e3_candidate_fit": "Beantwoord deze vraag alstublieft.",
        "e4_weeks_to_productive": "Vul een getal in, bijvoorbeeld 6.",
    }
    context = question_context(invitation, language="nl", data=posted, errors=errors, prefix="eval-")
    html = render_to_string("outreach/surveys/_questions.html", context)
    assert 'id="eval-error-summary"' in html
    assert "4. Paste de kandidaat bij het profiel van de functie? — Beantwoord deze vraag alstublieft.</a>" in html
    assert 'href="#eval-q_e3_candidate_fit"' in html and 'href="#eval-q_e4_weeks_to_productive"' in html
    assert html.count('aria-invalid="true"') == 5 + 1  # the five radios of the scale, the number's input
    assert 'aria-describedby="eval-q_e3_candidate_fit-error"' in html
    assert 'id="eval-q_e4_weeks_to_productive" value="a few"' in html
    assert 'aria-describedby="eval-q_e4_weeks_to_productive-help eval-q_e4_weeks_to_productive-error"' in html
    assert "Visit more often.</textarea>" in html
    assert 'name="q_e20_recommend" id="eval-q_e20_recommend-9" value="9" checked required' in html
    assert "(optional)" in html  # the optional ones are marked; the required ones carry `required`


def test_a_second_answer_is_refused_and_stores_nothing(placement: Placement) -> None:
    now = timezone.now()
    invitation, _link = invite(placement, now=now)
    data = form(full_answers(invitation.template))
    other_tab = SurveyInvitation.objects.get(pk=invitation.pk)

    assert submit_on_page(invitation, data, now=now) == (True, {})
    stored, errors = submit_on_page(other_tab, data, now=now, language="en")

    assert not stored and list(errors) == [REFUSED]
    assert SurveyResponse.objects.count() == 1
    response = SurveyResponse.objects.get()
    assert (response.language, response.answers.count()) == ("nl", invitation.template.questions.count())


def test_the_survey_page_renders_the_same_questions(client: HttpClient, placement: Placement) -> None:
    invitation, link = invite(placement)
    page = client.get(f"/s/{link}/").content.decode()
    assert 'id="q_e3_candidate_fit"' in page and "error-summary" not in page
    data = full_answers(invitation.template)
    data["q_e1_overall"] = ""
    refused = client.post(f"/s/{link}/", data)
    html = refused.content.decode()
    assert refused.status_code == 400
    assert 'id="error-summary"' in html and 'href="#q_e1_overall"' in html
    assert 'id="q_e1_overall" value="1"' in html and 'aria-invalid="true"' in html


def test_the_page_section_shows_each_open_survey_with_its_own_ids_and_keeps_what_was_typed_in_one(
    make_placement: Callable[..., Placement],
) -> None:
    now = timezone.now()
    placement = make_placement()
    check_in, _link = invite(placement, now=now - dt.timedelta(days=2), kind="mid_placement")
    evaluation, _link = invite(placement, now=now)
    posted = form({**full_answers(evaluation.template), "invitation": str(evaluation.pk), "q_e1_overall": ""})

    stored, errors = answer_from_page(placement, posted, now=now, language="nl")
    surveys = page_surveys(placement, now=now, language="nl", data=posted, errors=errors)

    assert not stored and list(errors) == ["e1_overall"]
    assert [survey["invitation"] for survey in surveys] == [check_in, evaluation]
    assert [survey["errors"] for survey in surveys] == [False, True]
    html = render_to_string(
        "outreach/surveys/_page_surveys.html", {"surveys": surveys, "path": "/m/x/", "language": "nl"}
    )
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # two forms on one page never share an id
    assert f'name="invitation" value="{check_in.pk}"' in html and f'name="invitation" value="{evaluation.pk}"' in html
    assert f'href="#survey-{evaluation.pk}-q_e1_overall"' in html
    chosen = evaluation.template.questions.exclude(type__in=["number", "short_text", "long_text"]).exclude(
        key="e1_overall"
    )
    assert html.count(" checked") == chosen.count()  # what was chosen in the evaluation; the check-in is empty


def test_an_answer_from_the_page_is_stored_once_and_only_for_an_open_invitation_of_the_placement(
    make_placement: Callable[..., Placement],
) -> None:
    now = timezone.now()
    placement, other = make_placement(), make_placement()
    invitation, _link = invite(placement, now=now)
    foreign, _link = invite(other, now=now)
    data = full_answers(invitation.template)

    refused, errors = answer_from_page(placement, form({**data, "invitation": str(foreign.pk)}), now=now, language="en")
    assert not refused and list(errors) == [REFUSED] and not SurveyResponse.objects.exists()

    posted = form({**data, "invitation": str(invitation.pk)})
    assert answer_from_page(placement, posted, now=now, language="nl") == (True, {})
    assert answer_from_page(placement, posted, now=now, language="nl")[0] is False
    assert SurveyResponse.objects.get().invitation == invitation
