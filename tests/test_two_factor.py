"""Two-step sign-in (django-otp TOTP): optional for staff, required for administrators by a setting."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def _code(device: TOTPDevice, *, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


def _sign_in(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _turn_on(client: Client) -> TOTPDevice:
    page = client.post("/accounts/two-step/", {"action": "start"})
    assert "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post("/accounts/two-step/", {"action": "confirm", "code": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_without_a_second_factor_the_password_is_enough(alice: User) -> None:
    assert _sign_in("alice").get("/").status_code == 200


def test_a_coach_turns_it_on_and_the_next_sign_in_asks_for_a_code(alice: User) -> None:
    device = _turn_on(_sign_in("alice"))
    client = _sign_in("alice")
    response = client.get("/clients/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-step/code/?next=/clients/"
    assert client.get("/api/v1/employers/").status_code == 403
    wrong = client.post("/accounts/two-step/code/?next=/clients/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/clients/").status_code == 302
    assert device.user_id == alice.pk


def test_the_right_code_opens_the_workspace(alice: User, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = _turn_on(_sign_in("alice"))
    client = _sign_in("alice")
    response = client.post("/accounts/two-step/code/", {"code": _code(device, offset=1), "next": "/clients/"})
    assert response.status_code == 302
    assert response["Location"] == "/clients/"
    assert client.get("/clients/").status_code == 200


def test_a_code_page_never_sends_her_to_another_site(alice: User, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = _turn_on(_sign_in("alice"))
    client = _sign_in("alice")
    response = client.post("/accounts/two-step/code/", {"code": _code(device, offset=1), "next": "https://evil.test/"})
    assert response["Location"] == "/"


def test_turning_it_off_needs_a_code(alice: User, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client = _sign_in("alice")
    device = _turn_on(client)
    client.post("/accounts/two-step/", {"action": "disable", "code": "000000"})
    assert TOTPDevice.objects.filter(user=alice).exists()
    client.post("/accounts/two-step/", {"action": "disable", "code": _code(device, offset=1)})
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_administrators_must_set_it_up_when_the_setting_says_so(adam: User, alice: User, settings: Any) -> None:
    settings.OTP_REQUIRED_FOR_ADMINISTRATORS = True
    client = _sign_in("adam")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-step/?next=/admin/"
    assert "As an administrator you need two-step sign-in" in client.get("/accounts/two-step/").content.decode()
    device = _turn_on(client)
    assert client.get("/admin/").status_code == 200
    client.post("/accounts/two-step/", {"action": "disable", "code": _code(device, offset=1)})
    assert TOTPDevice.objects.filter(user=adam).exists()
    assert _sign_in("alice").get("/").status_code == 200  # a coach is not asked


def test_administrators_are_not_asked_when_the_setting_is_off(adam: User) -> None:
    assert _sign_in("adam").get("/admin/").status_code == 200


def test_repeated_wrong_codes_are_slowed_down(alice: User) -> None:
    device = _turn_on(_sign_in("alice"))
    client = _sign_in("alice")
    for _ in range(3):
        client.post("/accounts/two-step/code/", {"code": "000000"})
    # Throttled: even the right code is refused until the wait is over.
    client.post("/accounts/two-step/code/", {"code": _code(device, offset=1)})
    assert client.get("/clients/").status_code == 302
