"""Throttled sign-in (django-axes): the sign-in page, the admin's and the API token endpoint lock one
username from one client address after too many wrong passwords, and nothing else."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"  # the named users' password in tests/conftest.py
ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    """The production limits, stated here so the tests say what they rely on."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    settings.TRUSTED_PROXY_COUNT = 0


def _sign_in(client: Client, username: str, password: str, *, path: str = "/accounts/login/", **extra: Any) -> Any:
    extra.setdefault("REMOTE_ADDR", ADDRESS)
    return client.post(path, {"username": username, "password": password}, **extra)


def _fail(client: Client, username: str, times: int, **extra: Any) -> list[int]:
    return [_sign_in(client, username, "wrong-password", **extra).status_code for _ in range(times)]


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_sixth_try_is_refused_even_with_the_right_password(alice: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    statuses = _fail(client, "alice", 5)
    response = _sign_in(client, "alice", PASSWORD)
    html = response.content.decode()
    assert statuses == [200, 200, 200, 200, 429]  # the form again with its error, then the lockout
    assert response.status_code == 429
    assert "Signing in is paused" in html
    assert "Try again in 15 minutes." in html
    assert not _signed_in(client)


def test_four_wrong_passwords_still_let_the_right_one_in_and_clear_the_count(alice: User) -> None:
    client = Client()
    _fail(client, "alice", 4)
    assert _sign_in(client, "alice", PASSWORD).status_code == 302
    assert _signed_in(client)
    other = Client()
    _fail(other, "alice", 4)
    assert _sign_in(other, "alice", PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off(alice: User) -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _fail(client, "alice", 5)
        assert _sign_in(client, "alice", PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert _sign_in(client, "alice", PASSWORD).status_code == 429
    # The refused try at minute 14 started the wait again.
    with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
        assert _sign_in(client, "alice", PASSWORD).status_code == 302


def test_another_address_behind_the_trusted_proxy_is_not_locked(alice: User, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    proxy: dict[str, Any] = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client()
    _fail(attacker, "alice", 5, HTTP_X_FORWARDED_FOR="198.51.100.66", **proxy)
    assert _sign_in(attacker, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.66", **proxy).status_code == 429
    colleague = Client()
    response = _sign_in(colleague, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.50", **proxy)
    assert response.status_code == 302
    assert _signed_in(colleague)


def test_without_a_trusted_proxy_a_forged_forwarded_header_does_not_escape_the_lockout(alice: User) -> None:
    client = Client()
    _fail(client, "alice", 5)
    response = _sign_in(client, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert response.status_code == 429


def test_another_username_from_the_same_address_is_not_locked(alice: User, bob: User) -> None:
    client = Client()
    _fail(client, "alice", 5)
    assert _sign_in(client, "bob", PASSWORD).status_code == 302


def test_the_admin_sign_in_is_throttled(adam: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _fail(client, "adam", 5, path="/admin/login/")
    response = _sign_in(client, "adam", PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()
    assert not _signed_in(client)


def test_the_token_endpoint_is_throttled_and_answers_json(alice: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = "/api/v1/auth/token/"
    wrong = [_sign_in(client, "alice", "wrong-password", path=url).status_code for _ in range(5)]
    response = _sign_in(client, "alice", PASSWORD, path=url)
    assert wrong == [400, 400, 400, 400, 429]  # the fifth failure locks
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "Try again in 15 minutes." in response.json()["detail"]
    assert not Token.objects.filter(user=alice).exists()
    elsewhere = _sign_in(Client(), "alice", PASSWORD, path=url, REMOTE_ADDR="203.0.113.8")
    assert elsewhere.status_code == 200
    assert elsewhere.json()["token"] == Token.objects.get(user=alice).key


def test_failures_on_the_page_and_the_token_endpoint_count_together(alice: User) -> None:
    client = Client()
    _fail(client, "alice", 3)
    for _ in range(2):
        _sign_in(client, "alice", "wrong-password", path="/api/v1/auth/token/")
    assert _sign_in(client, "alice", PASSWORD).status_code == 429


def test_the_lockout_page_is_in_the_readers_language(alice: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    _fail(client, "alice", 5)
    response = _sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert '<html lang="nl">' in response.content.decode()


def test_the_test_clients_login_without_a_request_still_works(alice: User) -> None:
    """Server-side code that calls authenticate() without a request has no address to count."""
    client = Client()
    assert client.login(username="alice", password=PASSWORD)
    assert not client.login(username="alice", password="wrong-password")
