"""The API docs (Swagger UI and ReDoc): for signed-in users, served from the app's own static files."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

DOCS = ["api-docs", "api-redoc"]
# Every address a page loads or links to: src= and href= attributes.
ADDRESS = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", DOCS)
def test_an_anonymous_visitor_is_sent_to_the_sign_in_page(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_the_schema_needs_a_signed_in_user(client, rita):
    assert client.get(reverse("api-schema")).status_code in (401, 403)
    assert signed_in(rita).get(reverse("api-schema")).status_code == 200


@pytest.mark.parametrize("name", DOCS)
def test_the_docs_load_only_the_apps_own_static_files(rita, name):
    response = signed_in(rita).get(reverse(name))
    page = response.content.decode()

    assert response.status_code == 200
    assert reverse("api-schema") in page
    for word in ("cdn", "jsdelivr", "unpkg", "googleapis", "gstatic", "http://", "https://"):
        assert word not in page.lower(), word
    addresses = ADDRESS.findall(page)
    scripts = [a for a in addresses if a.endswith(".js")]
    assert scripts, "the page loads no script of its own"
    for address in addresses:
        assert address.startswith(settings.STATIC_URL), address
        assert finders.find(address.removeprefix(settings.STATIC_URL)), f"{address} is not among the static files"
