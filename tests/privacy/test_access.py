"""Access events: viewing a client's file and every export are logged; administrators see the log on her page."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import Employer
from privacy.models import AccessEvent, AccessKind
from tests.crm.factories import EmployerFactory
from tests.placements.factories import ClientFactory
from tests.privacy.helpers import full_file, login

pytestmark = pytest.mark.django_db


def test_viewing_a_client_page_is_an_access_event_with_who_and_whom(client, alice):
    amina = ClientFactory.create(coach=alice)
    login(client, alice)

    assert client.get(reverse("placements:client", args=[amina.pk])).status_code == 200

    event = AccessEvent.objects.get()
    assert (event.user, event.username, event.kind, event.client, event.client_reference) == (
        alice,
        "alice",
        AccessKind.VIEWED,
        amina,
        amina.reference,
    )


def test_a_client_page_refused_to_another_coach_is_not_logged_as_viewed(client, alice, bob):
    amina = ClientFactory.create(coach=alice)
    login(client, bob)

    assert client.get(reverse("placements:client", args=[amina.pk])).status_code == 404
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize("url", ["reports:xlsx", "reports:pdf"])
def test_each_report_export_is_an_access_event(client, adam, url):
    login(client, adam)

    response = client.get(reverse(url))

    assert response.status_code == 200
    event = AccessEvent.objects.get()
    assert event.kind == AccessKind.EXPORTED and event.user == adam
    assert event.detail.endswith(".xlsx" if url.endswith("xlsx") else ".pdf")


def test_the_export_command_is_an_access_event(tmp_path):
    EmployerFactory.create()

    call_command("export", "employers", "-o", str(tmp_path / "employers.xlsx"), stderr=io.StringIO())

    event = AccessEvent.objects.get()
    assert event.kind == AccessKind.EXPORTED and event.user is None
    assert event.detail == "manage.py export employers as xlsx"


def test_the_admin_export_is_an_access_event_by_the_signed_in_user(client, adam):
    EmployerFactory.create()
    login(client, adam)

    response = client.post(
        "/admin/crm/employer/export/",
        {"format": "0", "resource": "", **{f"employerresource_{n}": "on" for n in ("name",)}},
    )

    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].startswith("attachment")
    event = AccessEvent.objects.get()
    assert (event.kind, event.user) == (AccessKind.EXPORTED, adam)
    assert str(Employer._meta.verbose_name_plural) in event.detail


def test_an_administrator_sees_the_changes_and_access_events_on_the_client_page(client, adam, alice):
    amina = full_file(alice)
    login(client, alice)
    client.get(reverse("placements:client", args=[amina.pk]))
    client.logout()
    login(client, adam)

    page = client.get(reverse("placements:client", args=[amina.pk])).content.decode()

    assert 'id="audit-title"' in page
    assert "alice" in page  # her coach viewed the file
    assert "Coaching agreement" in page or "coaching agreement" in page
    assert reverse("privacy:subject-access", args=[amina.pk]) in page


def test_a_coach_does_not_see_the_audit_section(client, alice):
    amina = ClientFactory.create(coach=alice)
    login(client, alice)

    page = client.get(reverse("placements:client", args=[amina.pk])).content.decode()

    assert 'id="audit-title"' not in page
    assert reverse("privacy:subject-access", args=[amina.pk]) not in page


def test_the_audit_section_reads_a_constant_number_of_queries(client, adam, alice):
    amina = full_file(alice)
    login(client, adam)
    client.get(reverse("placements:client", args=[amina.pk]))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("placements:client", args=[amina.pk]))
    for n in range(10):  # ten more views and changes: the section lists them, in the same queries
        client.get(reverse("placements:client", args=[amina.pk]))
        amina.phone = f"+31 6 {n}"
        amina.save()

    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("placements:client", args=[amina.pk])).content.decode()

    assert "+31 6 9" in page
    assert len(many.captured_queries) == len(few.captured_queries)
