"""Security headers: the Content-Security-Policy on every page, HTTPS by default in production, and no
inline script or style left in the templates the policy would refuse."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from common.csp import svg_presentation_attributes
from reports.charts import _draw
from tests.outreach.surveys.helpers import invite, survey_caches
from tests.placements.factories import PlacementFactory

ROOT = Path(__file__).resolve().parent.parent
# Rendered to PDF files by WeasyPrint (or into a sandboxed preview with its own policy), never served as pages.
NOT_PAGES = {"reports/report_pdf.html", "outreach/packs/pack.html", "privacy/subject_access.html"}


def _policy(response: Any) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.mark.django_db
def test_workspace_pages_get_a_strict_policy(client: Client, alice: User) -> None:
    client.force_login(alice)
    policy = _policy(client.get("/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]


@pytest.mark.django_db
def test_the_sign_in_page_and_the_survey_page_get_the_policy(client: Client, settings: Any) -> None:
    settings.CACHES = survey_caches()
    _invitation, link = invite(PlacementFactory.create())
    for url in ("/accounts/login/", f"/s/{link}/"):
        response = client.get(url)
        assert response.status_code == 200
        assert _policy(response)["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_swagger_ui_inline_code_carries_the_nonce_of_its_own_response(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get("/api/docs/")
    html = response.content.decode()
    nonce = re.search(r'<style nonce="([^"]+)">', html)
    assert nonce is not None
    assert f"'nonce-{nonce.group(1)}'" in _policy(response)["style-src"]
    assert f'<script nonce="{nonce.group(1)}">' in html
    assert f"'nonce-{nonce.group(1)}'" in _policy(response)["script-src"]
    assert _policy(client.get("/api/docs/"))["style-src"] != _policy(response)["style-src"]  # a fresh nonce


@pytest.mark.django_db
def test_only_the_redoc_page_allows_inline_styles_and_never_inline_scripts(client: Client, alice: User) -> None:
    client.force_login(alice)
    policy = _policy(client.get("/api/redoc/"))
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_the_500_page_style_is_allowed_by_its_hash(settings: Any) -> None:
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.common.error_urls"
    client = Client()
    client.raise_request_exception = False
    response = client.get("/boom/")
    style = re.search(r"<style>(.*?)</style>", response.content.decode(), re.DOTALL)
    assert response.status_code == 500 and style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in _policy(response)["style-src"]


def test_no_template_served_as_a_page_has_inline_code_the_policy_would_refuse() -> None:
    offences = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        name = path.relative_to(ROOT / "templates").as_posix()
        if name in NOT_PAGES:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, what in (
            (r"<script(?![^>]*\b(?:src|nonce)=)[^>]*>", "inline <script> without the nonce"),
            (r"\son[a-z]+\s*=", "inline event handler"),
            (r"\sstyle\s*=", "style attribute"),
            (r"<style(?![^>]*\bnonce=)[^>]*>", "<style> without the nonce"),
            (r"javascript:", "javascript: URL"),
        ):
            if re.search(pattern, text) and not (name == "500.html" and what == "<style> without the nonce"):
                offences.append(f"{name}: {what}")
    # The ReDoc page allows inline styles on purpose (config/urls.py); the 500 page by its hash.
    assert [offence for offence in offences if offence != "api/redoc.html: <style> without the nonce"] == []


def test_charts_carry_their_colours_as_attributes_not_inline_styles() -> None:
    svg = _draw("bar", ["Care", "Retail"], [("Women", (3.0, 5.0)), ("Men", (2.0, None))], "people")
    assert "style=" not in svg
    assert "<style" not in svg
    assert 'fill="#0072b2"' in svg.lower()
    assert svg.startswith('<svg stroke-linejoin="round" stroke-linecap="butt"')


def test_a_declaration_that_is_no_presentation_attribute_keeps_its_style() -> None:
    svg = '<svg><path style="fill: #fff; mix-blend-mode: multiply; stroke-width: 0.8"/></svg>'
    assert svg_presentation_attributes(svg) == (
        '<svg><path fill="#fff" stroke-width="0.8" style="mix-blend-mode: multiply"/></svg>'
    )


def _production_settings(**env: str) -> dict[str, Any]:
    """The HTTPS settings as a fresh process reads them from the environment."""
    names = (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
    )
    script = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        f" print(json.dumps({{k: getattr(s, k, None) for k in {names!r}}}))"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ENV_FILE": "/nonexistent",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "example.org",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_production_redirects_to_https_and_sends_hsts_by_default() -> None:
    values = _production_settings(DEBUG="0")
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_development_has_no_https_redirect_or_hsts_and_settings_override_the_defaults() -> None:
    assert _production_settings(DEBUG="1")["SECURE_SSL_REDIRECT"] is False
    assert _production_settings(DEBUG="1")["SECURE_HSTS_SECONDS"] == 0
    assert _production_settings(DEBUG="0", SECURE_SSL_REDIRECT="0")["SECURE_SSL_REDIRECT"] is False
    behind_proxy = _production_settings(DEBUG="0", TRUSTED_PROXY_COUNT="1")
    assert behind_proxy["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.django_db
def test_with_the_redirect_on_plain_http_goes_to_https_except_the_health_check(client: Client, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    assert client.get("/healthz").status_code == 200
    secure = client.get("/accounts/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=3600")
