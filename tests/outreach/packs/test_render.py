"""The info pack renderer: what a PDF says, in which language, and what it never says or fetches."""

from __future__ import annotations

import base64
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.formats import date_format

from outreach.packs.models import InfoPackKind, ProgrammeProfile
from outreach.packs.render import (
    PackDataError,
    StaticOnlyFetcher,
    gather_pack_data,
    html_to_pdf,
    render_pack_html,
    render_pack_pdf,
    static_roots,
)
from tests.outreach.packs.helpers import (
    PRIVATE_NOTE,
    SHARED_TEXT,
    pdf_pages,
    pdf_text,
    placement_scenario,
    set_office_phones,
    today,
)

pytestmark = pytest.mark.django_db


def _local_date(day, language: str) -> str:
    with translation.override(language):
        return date_format(day, "DATE_FORMAT")


def _placement_pdf(scenario, language: str, version: int = 1) -> bytes:
    data = gather_pack_data(
        employer=scenario.employer,
        placement=scenario.placement,
        language=language,
        version=version,
        issued_on=today(),
        as_of=today(),
    )
    return render_pack_pdf(data)


def test_seeded_programme_texts_exist_in_english_dutch_and_swedish():
    profiles = {p.language: p for p in ProgrammeProfile.objects.all()}

    assert set(profiles) == {"en", "nl", "sv"}
    assert "jobcoach" in profiles["nl"].coach_role
    assert "jobbcoachen" in profiles["sv"].coach_role
    assert all(len(p.questions_and_answers.split("\n\n")) >= 5 for p in profiles.values())


def test_dutch_placement_pack_shows_employer_contacts_dates_and_dutch_headings(alice, carl):
    set_office_phones("nl")
    scenario = placement_scenario(coach=alice, case_manager=carl, consent=True)

    text = pdf_text(_placement_pdf(scenario, "nl"))

    assert "Bakkerij De Korenschoof" in text
    for heading in (
        "Informatiepakket bij de plaatsing",
        "Belangrijke contactpersonen",
        "Opvolgingsschema",
        "Opvolging met u",
        "Stappenplan voor het inwerken",
        "Wat de jobcoach niet doet",
        "Bel ons op tijd",
        "Vragen en antwoorden",
        "Vertrouwelijkheid",
    ):
        assert heading in text
    assert "Sanne de Vries" in text and "+31 6 1234 5678" in text and scenario.mentor.email in text
    assert "Alice" in text and "+31 30 222 33 44" in text and "alice@werkbrug.test" in text
    assert "Trajectbegeleider" in text and "Carl" in text
    assert "+31 6 5000 9999" in text  # the on-call line
    for step in scenario.steps:
        assert _local_date(step.due_on, "nl") in text
    assert "4 januari 2027" in text
    assert "Afgerond op 1 februari 2027" in text
    assert "Welkomstbezoek op de werkplek" in text
    assert "Pagina 1 van" in text
    assert "Versie 1" in text


def test_swedish_placement_pack_is_written_in_swedish(alice):
    scenario = placement_scenario(coach=alice, consent=True, language="sv")

    text = pdf_text(_placement_pdf(scenario, "sv", version=3))

    assert "Bakkerij De Korenschoof" in text
    for heading in (
        "Informationspaket för placeringen",
        "Viktiga kontakter",
        "Uppföljningsschema",
        "Uppföljning med er",
        "Stegplan för introduktionen",
        "Vad jobbcoachen inte gör",
        "Frågor och svar",
        "Vad vi inte kan lova",
    ):
        assert heading in text
    assert "Handledare på arbetsplatsen" in text and "Sanne de Vries" in text
    assert "4 januari 2027" in text
    assert "Välkomstbesök på arbetsplatsen" in text
    assert "Uppföljning på arbetsplatsen med arbetsgivaren efter 3 månader" in text
    assert "Sida 1 av" in text
    assert "Version 3" in text
    assert "Opvolgingsschema" not in text


def test_english_general_pack_has_no_placement_and_names_the_relationship_manager(rita):
    scenario = placement_scenario(coach=rita, consent=True)
    scenario.employer.owner = rita
    scenario.employer.save()

    data = gather_pack_data(employer=scenario.employer, placement=None, language="en", version=2, issued_on=today())
    text = pdf_text(render_pack_pdf(data))

    assert data.kind == InfoPackKind.GENERAL
    assert "Information pack for employers" in text
    assert "Your contact person" in text and "Rita" in text
    assert "What the job coach does not do" in text
    assert "Follow-up schedule" not in text
    assert "Amina" not in text


def test_pack_leaves_out_what_the_client_did_not_consent_to_share(alice):
    scenario = placement_scenario(coach=alice, consent=False)

    text = pdf_text(_placement_pdf(scenario, "nl"))

    assert "Amina" not in text
    assert SHARED_TEXT not in text
    assert "Wat uw nieuwe collega met u wil delen" not in text
    # Never in any pack, consent or not: her contact details, private goals and the coach's notes.
    assert "amina.private@example.org" not in text and "+31 6 9876 5432" not in text
    assert "Rijbewijs" not in text
    assert PRIVATE_NOTE not in text and "Goed gestart" not in text


def test_the_clients_own_follow_up_calendar_is_shown_only_with_her_consent(alice):
    client_track = "Opvolging met uw nieuwe collega"
    employer_track = "Opvolging met u"

    without = pdf_text(_placement_pdf(placement_scenario(coach=alice, consent=False), "nl"))
    with_consent = pdf_text(_placement_pdf(placement_scenario(coach=alice, consent=True), "nl"))

    assert employer_track in without and client_track not in without
    assert employer_track in with_consent and client_track in with_consent


def test_pack_shows_first_name_and_agreed_text_when_the_client_consented(alice):
    scenario = placement_scenario(coach=alice, consent=True)

    text = pdf_text(_placement_pdf(scenario, "nl"))

    assert "Uw nieuwe collega Amina" in text
    assert SHARED_TEXT in text
    assert "amina.private@example.org" not in text
    assert "Vrouw" not in text and "Woman" not in text
    assert PRIVATE_NOTE not in text


def test_withdrawn_consent_hides_the_client_again(alice):
    scenario = placement_scenario(coach=alice, consent=True)
    consent = scenario.placement.client.consents.get()
    consent.withdrawn_on = today()
    consent.save()

    text = pdf_text(_placement_pdf(scenario, "nl"))

    assert "Amina" not in text
    assert SHARED_TEXT not in text


def test_missing_programme_texts_are_a_clear_error(alice):
    scenario = placement_scenario(coach=alice, consent=False)
    ProgrammeProfile.objects.filter(language="sv").delete()

    with pytest.raises(PackDataError, match="no programme texts in Swedish"):
        gather_pack_data(employer=scenario.employer, placement=None, language="sv", version=1, issued_on=today())


def test_rendering_is_a_pure_function_of_the_data(alice):
    scenario = placement_scenario(coach=alice, consent=True)
    data = gather_pack_data(
        employer=scenario.employer, placement=scenario.placement, language="nl", version=1, issued_on=today()
    )

    assert render_pack_html(data) == render_pack_html(data)
    assert pdf_pages(render_pack_pdf(data)) >= 4


def test_renderer_reads_our_stylesheet_and_logo_from_the_static_files(alice):
    scenario = placement_scenario(coach=alice, consent=False)
    data = gather_pack_data(employer=scenario.employer, placement=None, language="nl", version=1, issued_on=today())
    fetcher = StaticOnlyFetcher()

    render_pack_pdf(data, fetcher=fetcher)

    assert any(url.endswith("/outreach/pack.css") for url in fetcher.served)
    assert any(url.endswith("/outreach/logo.svg") for url in fetcher.served)
    assert fetcher.refused == []


def test_an_uploaded_logo_is_inlined_as_a_data_uri(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    profile = ProgrammeProfile.objects.get(language="nl")
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    profile.logo.save("logo.png", ContentFile(png))
    scenario = placement_scenario(coach=alice, consent=False)
    data = gather_pack_data(employer=scenario.employer, placement=None, language="nl", version=1, issued_on=today())
    fetcher = StaticOnlyFetcher()

    render_pack_pdf(data, fetcher=fetcher)

    assert data.logo.startswith("data:image/png;base64,")
    assert any(url.startswith("data:image/png") for url in fetcher.served)
    assert not any(url.endswith("logo.svg") for url in fetcher.served)


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on the loopback interface that records every request it gets."""
    _RecordingHandler.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _RecordingHandler.requests
    finally:
        server.shutdown()
        server.server_close()


def test_renderer_fetches_nothing_outside_our_static_files(local_server):
    base, requests = local_server
    outside = Path(static_roots()[0]).parent / "pyproject.toml"
    hostile = [
        f"{base}/tracker.png",
        f"{base}/evil.css",
        f"{base}/font.woff",
        f"{base}/imported.css",
        "file:///etc/passwd",
        outside.as_uri(),
        "outreach/../../pyproject.toml",
        "https://example.org/logo.png",
    ]
    html = f"""<html><head>
      <link rel="stylesheet" href="{hostile[1]}">
      <style>@import url("{hostile[3]}"); @font-face {{ font-family: X; src: url("{hostile[2]}"); }}
             body {{ font-family: X; background: url("{hostile[4]}"); }}</style>
      </head><body><p>Body text</p>
      <img src="{hostile[0]}"><img src="{hostile[4]}"><img src="{hostile[5]}"><img src="{hostile[6]}">
      <img src="{hostile[7]}"><object data="{hostile[4]}"></object>
      </body></html>"""
    fetcher = StaticOnlyFetcher()

    pdf = html_to_pdf(html, fetcher=fetcher)

    assert requests == []
    assert fetcher.served == []
    refused = set(fetcher.refused)
    for url in (hostile[0], hostile[1], hostile[2], hostile[3], hostile[4], hostile[5], hostile[7]):
        assert url in refused
    assert any(url.endswith("pyproject.toml") for url in refused)  # the relative escape, resolved
    text = pdf_text(pdf)
    assert "Body text" in text
    assert "root:" not in text and "[project]" not in text


def test_a_pack_whose_logo_points_outside_fetches_nothing(alice, local_server):
    base, requests = local_server
    scenario = placement_scenario(coach=alice, consent=False)
    data = gather_pack_data(employer=scenario.employer, placement=None, language="en", version=1, issued_on=today())
    hostile = type(data)(**{**data.__dict__, "logo": f"{base}/logo.png"})
    fetcher = StaticOnlyFetcher()

    text = pdf_text(render_pack_pdf(hostile, fetcher=fetcher))

    assert requests == []
    assert f"{base}/logo.png" in fetcher.refused
    assert "Information pack for employers" in text


def test_footer_strings_are_escaped_for_css(alice):
    scenario = placement_scenario(coach=alice, consent=False)
    profile = ProgrammeProfile.objects.get(language="nl")
    profile.organisation_name = 'Evil"; } body { display: none } </style><script>'
    profile.save()
    data = gather_pack_data(employer=scenario.employer, placement=None, language="nl", version=1, issued_on=today())

    html = render_pack_html(data)
    text = pdf_text(render_pack_pdf(data))

    assert "</style><script>" not in html
    assert "Over het programma" in text
    assert "Informatiepakket voor werkgevers" in text
