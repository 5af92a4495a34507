"""Signing out says so, on the sign-in page, in her language."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "sign_in"), [("en", "Sign in"), ("nl", "Aanmelden"), ("sv", "Logga in")])
def test_signing_out_lands_on_the_sign_in_page_with_a_message(alice, language, sign_in):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(alice)

    response = client.post("/accounts/logout/", follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert f'<html lang="{language}">' in html
    assert sign_in in html
    assert '<div role="status"><ul class="messages">' in html  # a list inside the status region keeps its items
    assert "_auth_user_id" not in client.session


def test_the_message_says_signed_out_and_shows_once(alice):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(alice)

    first = client.post("/accounts/logout/", follow=True).content.decode()
    again = client.get("/accounts/login/").content.decode()

    assert "You are signed out." in first
    assert "You are signed out." not in again
