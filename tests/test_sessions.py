"""Session expiry: a sign-in lasts SESSION_HOURS from the sign-in, then the workspace asks for the password."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def test_a_sign_in_lasts_eight_hours_by_default() -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is False


def test_the_session_cookie_carries_the_age_and_is_hidden_from_scripts(alice: User) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert response.status_code == 302
    assert cookie["max-age"] == 8 * 3600
    assert cookie["httponly"]


def test_after_the_session_age_the_workspace_asks_to_sign_in_again(alice: User) -> None:
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    with time_machine.travel(start + dt.timedelta(hours=7, minutes=50), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=8, minutes=10), tick=False):
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_browser_session_cookie_when_it_must_end_with_the_browser(alice: User, settings: Any) -> None:
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    response = Client().post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == ""
