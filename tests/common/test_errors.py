"""The error pages with DEBUG off: styled, in the reader's language, with a way back, never Django's debug page."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LANGUAGES = [("en", "Language"), ("nl", "Taal"), ("sv", "Språk")]


@pytest.fixture(autouse=True)
def production(settings):
    """What a deployment runs: DEBUG off, so Django's own error handling is in charge."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


def _client(language: str, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf, HTTP_ACCEPT_LANGUAGE=language)
    client.raise_request_exception = False
    return client


def _assert_styled(response, *, status: int, language: str, word: str) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert f'<html lang="{language}">' in html
    assert f'data-error="{status}' in html
    assert 'href="/"' in html  # the way back to the home page
    assert word in html or status == 500
    for debug in ("Traceback", "You're seeing this error because you have", "technical_500", "DEBUG = True"):
        assert debug not in html
    return html


@pytest.mark.parametrize(("language", "word"), LANGUAGES)
def test_a_page_that_does_not_exist_is_a_styled_404(language, word):
    response = _client(language).get("/no-such-page/")

    html = _assert_styled(response, status=404, language=language, word=word)
    assert "app.css" in html


def test_the_404_page_offers_the_page_she_came_from_when_it_is_ours():
    response = _client("en").get("/no-such-page/", HTTP_REFERER="http://testserver/followups/")

    html = response.content.decode()
    assert "Back to the previous page" in html
    assert 'href="http://testserver/followups/"' in html


def test_the_404_page_never_links_back_to_another_site():
    response = _client("en").get("/no-such-page/", HTTP_REFERER="https://evil.example/phish")

    assert "evil.example" not in response.content.decode()


@pytest.mark.parametrize(("language", "word"), LANGUAGES)
def test_the_language_cookie_chooses_the_language_of_the_404_page(settings, language, word):
    client = _client("en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    _assert_styled(client.get("/no-such-page/"), status=404, language=language, word=word)


@pytest.mark.parametrize(("language", "word"), LANGUAGES)
def test_a_page_her_role_does_not_allow_is_a_styled_403(alice, language, word):
    client = _client(language)
    client.force_login(alice)

    response = client.get("/network/import/")

    html = _assert_styled(response, status=403, language=language, word=word)
    assert "Alice" in html  # the workspace header, so she can go elsewhere


@pytest.mark.parametrize(("language", "word"), LANGUAGES)
def test_a_form_without_its_security_token_gets_a_styled_403(alice, language, word):
    client = _client(language, csrf=True)
    client.force_login(alice)

    response = client.post("/accounts/logout/")

    html = _assert_styled(response, status=403, language=language, word=word)
    assert 'data-error="403-csrf"' in html
    assert "CSRF verification failed" not in html


@pytest.mark.parametrize(("language", "word"), LANGUAGES)
def test_a_bug_is_a_styled_500_from_the_real_handler(settings, language, word):
    settings.ROOT_URLCONF = "tests.common.error_urls"

    response = _client(language).get("/boom/")

    html = _assert_styled(response, status=500, language=language, word=word)
    assert "a bug" not in html
    assert "<style>" in html  # self-contained: no stylesheet needed


def test_the_500_page_renders_without_a_request_or_a_database(django_assert_num_queries):
    from django.template import loader
    from django.utils import translation

    with translation.override("sv"), django_assert_num_queries(0):
        html = loader.get_template("500.html").render()

    assert '<html lang="sv">' in html


def test_a_wrong_address_under_the_survey_links_gets_the_employers_page():
    response = _client("nl").get("/s/some/thing/else/")

    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="nl">' in html
    assert 'data-error="404"' not in html  # not the staff workspace
    assert 'name="robots" content="noindex, nofollow"' in html
    assert "site-nav" not in html
