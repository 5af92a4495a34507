"""The public survey page: token rules, GET shows and POST submits once, validation, headers, rate limit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from crm.models import Interaction
from outreach.surveys.answers import field_name
from outreach.surveys.models import Answer, SurveyResponse
from outreach.surveys.services import cancel_invitation
from placements.models import Placement
from tests.outreach.surveys.helpers import full_answers, invite, survey_caches
from tests.placements.factories import ConsentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolated_rate_limit(settings: Any) -> None:
    """Each test counts posts under its own key prefix on the real Redis (db 13)."""
    settings.CACHES = survey_caches()


def url(link: str) -> str:
    return f"/s/{link}/"


def unknown_page(client: HttpClient) -> tuple[int, bytes]:
    response = client.get(url("A" * 51))
    return response.status_code, response.content


def test_a_valid_link_shows_the_survey_in_the_mentors_language(client: HttpClient, placement: Placement) -> None:
    _invitation, link = invite(placement)
    response = client.get(url(link))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Paste de kandidaat bij het profiel van de functie?" in body
    assert placement.job_title in body
    assert '<meta name="robots" content="noindex' in body
    assert 'name="viewport"' in body
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_clients_first_name_shows_only_with_her_consent(client: HttpClient, placement: Placement) -> None:
    _invitation, link = invite(placement)
    assert "Amina" not in client.get(url(link)).content.decode()
    ConsentFactory(client=placement.client, purpose="share_with_employer", given_on=dt.date(2026, 1, 1))
    assert "Amina" in client.get(url(link)).content.decode()


def test_the_language_switch_shows_the_survey_in_swedish(client: HttpClient, placement: Placement) -> None:
    _invitation, link = invite(placement)
    body = client.get(url(link) + "?lang=sv").content.decode()
    assert "Motsvarade kandidaten profilen för tjänsten?" in body
    assert '<html lang="sv">' in body


def test_the_language_switch_names_each_language_in_its_own_words(client: HttpClient, placement: Placement) -> None:
    _invitation, link = invite(placement)
    body = client.get(url(link) + "?lang=sv").content.decode()
    assert '<nav class="langs" aria-label="Språk">' in body
    for code, name in (("en", "English"), ("nl", "Nederlands"), ("sv", "Svenska")):
        assert f'hreflang="{code}" lang="{code}"' in body and f">{name}</a>" in body


@pytest.mark.parametrize(
    ("accept", "title", "text"),
    [
        ("nl", "Deze link werkt niet", "Antwoord dan gewoon op de mail van uw jobcoach."),
        ("sv", "Länken fungerar inte", "Svara då på mejlet från er jobbcoach."),
        ("en", "This link does not work", "simply reply to the mail from your job coach."),
    ],
)
def test_a_link_that_does_not_work_answers_in_the_browsers_language(
    client: HttpClient, make_placement: Callable[..., Placement], accept: str, title: str, text: str
) -> None:
    """An expired link of a Dutch-speaking mentor says no more than an unknown one: both follow the browser."""
    placement = make_placement(mentor_language="nl")
    _invitation, expired = invite(placement, now=timezone.now() - dt.timedelta(days=31))
    headers = {"accept-language": f"{accept},en;q=0.5"}
    pages = [client.get(url(expired), headers=headers), client.get(url("A" * 51), headers=headers)]
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 404
        assert f"<h1>{title}</h1>" in body and text in body
        assert f'<html lang="{accept}">' in body
        assert response["Content-Language"] == accept
    assert pages[0].content == pages[1].content


def test_a_link_that_does_not_work_keeps_the_language_the_page_was_in(client: HttpClient) -> None:
    response = client.post(url("A" * 51) + "?lang=sv", {}, headers={"accept-language": "nl"})
    assert response.status_code == 404
    assert "<h1>Länken fungerar inte</h1>" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "accept", "title"),
    [("?lang=sv", "nl", "Tack!"), ("", "sv", "Tack!"), ("", "nl", "Bedankt!"), ("", "de", "Thank you!")],
)
def test_the_thank_you_page_follows_the_links_language_else_the_browsers(
    client: HttpClient, query: str, accept: str, title: str
) -> None:
    body = client.get("/s/thanks/" + query, headers={"accept-language": accept}).content.decode()
    assert f"<h1>{title}</h1>" in body


def _tampered(link: str) -> str:
    last = "A" if link[-1] != "A" else "B"
    return link[:-1] + last


@pytest.mark.parametrize("case", ["tampered", "expired", "used", "cancelled", "short"])
def test_broken_links_all_get_the_same_polite_page(
    client: HttpClient, make_placement: Callable[..., Placement], case: str
) -> None:
    placement = make_placement()
    now = timezone.now()
    if case == "expired":
        _invitation, link = invite(placement, now=now - dt.timedelta(days=31))
    else:
        invitation, link = invite(placement, now=now)
    if case == "tampered":
        link = _tampered(link)
    elif case == "short":
        link = link[:-3]
    elif case == "used":
        assert client.post(url(link), full_answers(invitation.template)).status_code == 302
    elif case == "cancelled":
        cancel_invitation(invitation=invitation, actor=None)
    expected_status, expected_body = unknown_page(client)
    for response in (client.get(url(link)), client.post(url(link), full_answers(placement_template(placement)))):
        assert (response.status_code, response.content) == (expected_status, expected_body)
    assert expected_status == 404


def placement_template(placement: Placement) -> Any:
    return placement.survey_invitations.get().template


def test_opening_the_link_changes_nothing(client: HttpClient, placement: Placement) -> None:
    invitation, link = invite(placement)
    before = Interaction.objects.count()
    for _ in range(3):
        assert client.get(url(link)).status_code == 200
    invitation.refresh_from_db()
    assert invitation.submitted_at is None
    assert SurveyResponse.objects.count() == 0
    assert Interaction.objects.count() == before


def test_a_complete_answer_is_stored_once_and_thanked(client: HttpClient, placement: Placement) -> None:
    invitation, link = invite(placement)
    response = client.post(url(link), full_answers(invitation.template))
    assert response.status_code == 302
    assert response["Location"] == "/s/thanks/?lang=nl"
    thanks = client.get(response["Location"])
    assert "Bedankt!" in thanks.content.decode()
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None
    saved = SurveyResponse.objects.get(invitation=invitation)
    assert saved.language == "nl"
    assert Answer.objects.filter(response=saved).count() == invitation.template.questions.count()
    assert saved.interaction is not None
    interaction = saved.interaction
    assert interaction.employer_id == placement.employer_id
    assert interaction.initiated_by == "employer"
    assert interaction.kind == "email"
    assert "4.0 of 5" in interaction.summary and "9 of 10" in interaction.summary
    placement.employer.refresh_from_db()
    assert placement.employer.last_contact_at == interaction.occurred_at


def test_a_second_post_is_refused_and_stores_nothing_more(client: HttpClient, placement: Placement) -> None:
    invitation, link = invite(placement)
    data = full_answers(invitation.template)
    assert client.post(url(link), data).status_code == 302
    first = invitation.template.questions.get(order=1)
    second = client.post(url(link), {**data, field_name(first): "1"})
    assert second.status_code == 404
    assert SurveyResponse.objects.count() == 1
    assert Answer.objects.filter(number=1).count() == 0


def test_invalid_answers_get_a_message_per_question_and_keep_what_was_given(
    client: HttpClient, placement: Placement
) -> None:
    invitation, link = invite(placement)
    data = full_answers(invitation.template)
    weeks = invitation.template.questions.get(key="e4_weeks_to_productive")
    fit = invitation.template.questions.get(key="e3_candidate_fit")
    data[field_name(weeks)] = "a few"
    del data[field_name(fit)]
    data[field_name(invitation.template.questions.get(key="e25_learn"))] = "Meer bezoeken in het begin"
    response = client.post(url(link), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Vul een getal in, bijvoorbeeld 6." in body
    assert "Beantwoord deze vraag alstublieft." in body
    assert 'value="a few"' in body
    assert "Meer bezoeken in het begin" in body
    assert 'value="9" checked' in body
    invitation.refresh_from_db()
    assert invitation.submitted_at is None
    assert SurveyResponse.objects.count() == 0


def test_an_optional_question_may_stay_empty(client: HttpClient, placement: Placement) -> None:
    invitation, link = invite(placement)
    data = full_answers(invitation.template)
    data[field_name(invitation.template.questions.get(key="e25_learn"))] = ""
    assert client.post(url(link), data).status_code == 302
    assert not Answer.objects.filter(question__key="e25_learn").exists()


def test_answer_messages_are_worded_in_the_pages_language(client: HttpClient, placement: Placement) -> None:
    invitation, link = invite(placement)
    data = full_answers(invitation.template)
    data[field_name(invitation.template.questions.get(key="e4_weeks_to_productive"))] = "a few"
    data[field_name(invitation.template.questions.get(key="e3_candidate_fit"))] = "7"
    body = client.post(url(link) + "?lang=sv", data).content.decode()
    assert "Ange ett tal, till exempel 6." in body
    assert "Välj ett värde från 1 till 5." in body
    assert "Några svar behöver er uppmärksamhet; de är markerade nedan." in body
    assert "Vul een getal in" not in body


def test_a_choice_that_is_not_offered_is_refused(client: HttpClient, placement: Placement) -> None:
    invitation, link = invite(placement)
    data = full_answers(invitation.template)
    data[field_name(invitation.template.questions.get(key="e18_followup_duration"))] = "forever"
    response = client.post(url(link), data)
    assert response.status_code == 400
    assert "Kies een van de mogelijkheden." in response.content.decode()


def test_posts_are_rate_limited_per_address_through_redis(client: HttpClient, settings: Any) -> None:
    settings.SURVEY_POSTS_PER_MINUTE = 3
    with time_machine.travel(dt.datetime(2027, 3, 1, 10, 0, 5, tzinfo=dt.UTC), tick=False):
        statuses = [client.post(url("A" * 51), {}, REMOTE_ADDR="203.0.113.7").status_code for _ in range(4)]
        other = client.post(url("A" * 51), {}, REMOTE_ADDR="203.0.113.8").status_code
    assert statuses == [404, 404, 404, 429]
    assert other == 404
    with time_machine.travel(dt.datetime(2027, 3, 1, 10, 1, 5, tzinfo=dt.UTC), tick=False):
        assert client.post(url("A" * 51), {}, REMOTE_ADDR="203.0.113.7").status_code == 404


def test_a_rate_limited_post_gets_a_polite_page_and_changes_nothing(
    client: HttpClient, placement: Placement, settings: Any
) -> None:
    settings.SURVEY_POSTS_PER_MINUTE = 1
    invitation, link = invite(placement)
    assert client.post(url("A" * 51), {}).status_code == 404
    response = client.post(url(link) + "?lang=nl", full_answers(invitation.template))
    assert response.status_code == 429
    assert "Probeer het over een minuut opnieuw" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.submitted_at is None


def test_a_post_from_a_browser_that_sends_no_referrer_is_accepted(placement: Placement) -> None:
    """With Referrer-Policy: no-referrer browsers post with `Origin: null`; the link is the credential."""
    invitation, link = invite(placement)
    browser = HttpClient(enforce_csrf_checks=True)
    response = browser.post(url(link), full_answers(invitation.template), HTTP_ORIGIN="null")
    assert response.status_code == 302
