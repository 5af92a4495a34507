"""The subject-access export: a ZIP with a readable PDF and JSON of everything held about her, and nobody else."""

from __future__ import annotations

import io
import json
import zipfile

import pypdf
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from privacy.models import AccessEvent, AccessKind
from privacy.sar import export_client
from tests.privacy.helpers import ANSWER, GOAL, NOTE, PERSONAL, full_file, login

pytestmark = pytest.mark.django_db


def _open(data: bytes, reference: str) -> tuple[str, dict]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == [f"{reference}.json", f"{reference}.pdf"]
    reader = pypdf.PdfReader(io.BytesIO(archive.read(f"{reference}.pdf")))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), json.loads(archive.read(f"{reference}.json"))


def test_the_zip_holds_a_readable_pdf_and_json_with_everything_about_her(alice):
    zeynep = full_file(alice)

    text, data = _open(export_client(zeynep), zeynep.reference)

    assert zeynep.reference in text and PERSONAL["first_name"] in text and GOAL in text
    assert data["client"]["first_name"] == PERSONAL["first_name"]
    assert data["client"]["email"] == PERSONAL["email"]
    assert data["client"]["gender"]["value"] == "woman"
    assert [c["purpose"]["value"] for c in data["consents"]] == ["share_with_employer"]
    assert data["coaching_agreements"][0]["goals_private"] == GOAL
    assert data["placements"][0]["end_reason"] == NOTE
    assert any(step["notes"] == NOTE for step in data["aftercare_steps"])
    assert data["survey_responses"][0]["answers"][0]["text"] == ANSWER
    assert any(entry["row"] == zeynep.reference and entry["action"] for entry in data["audit_trail"])
    assert len(data["aftercare_steps"]) > 3


def test_the_export_holds_nothing_of_another_client(alice, bob):
    zeynep = full_file(alice)
    other = full_file(bob, reference="C-2026-0999", first_name="Someoneelse", email="else@example.org")

    data = export_client(zeynep)
    text, structured = _open(data, zeynep.reference)
    raw = json.dumps(structured)

    assert other.reference not in raw and other.reference not in text
    assert "Someoneelse" not in raw and "else@example.org" not in raw
    assert "mentor@example.org" not in raw  # a third party's address is not hers to receive


def test_an_administrator_downloads_it_with_a_post_and_the_export_is_logged(client, adam, alice):
    zeynep = full_file(alice)
    login(client, adam)

    assert client.get(reverse("privacy:subject-access", args=[zeynep.pk])).status_code == 405
    response = client.post(reverse("privacy:subject-access", args=[zeynep.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    _text, data = _open(response.content, zeynep.reference)
    assert data["client"]["reference"] == zeynep.reference
    event = AccessEvent.objects.get(kind=AccessKind.SUBJECT_ACCESS)
    assert (event.user, event.client) == (adam, zeynep)


def test_her_own_coach_cannot_take_the_export_and_nothing_is_logged(client, alice):
    zeynep = full_file(alice)
    login(client, alice)

    assert client.post(reverse("privacy:subject-access", args=[zeynep.pk])).status_code == 403
    assert not AccessEvent.objects.filter(kind=AccessKind.SUBJECT_ACCESS).exists()


def test_the_command_writes_the_zip_and_logs_it(alice, tmp_path):
    zeynep = full_file(alice)
    target = tmp_path / "sar.zip"

    call_command("subject_access", zeynep.reference, "--output", str(target), stderr=io.StringIO())

    _text, data = _open(target.read_bytes(), zeynep.reference)
    assert data["client"]["first_name"] == PERSONAL["first_name"]
    assert AccessEvent.objects.get(kind=AccessKind.SUBJECT_ACCESS).client == zeynep


def test_the_command_refuses_an_unknown_reference_and_writes_nothing(tmp_path):
    target = tmp_path / "sar.zip"

    with pytest.raises(CommandError, match="C-NOPE"):
        call_command("subject_access", "C-NOPE", "--output", str(target))

    assert not target.exists()
    assert not AccessEvent.objects.exists()
