"""The audit trail: changes to a client's rows are kept with who made them, and nobody can alter the trail."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from placements.models import Client, Placement
from privacy import access
from privacy.audit import entries_for_client
from privacy.models import AccessEvent, AccessKind
from tests.placements.factories import ClientFactory, PlacementFactory
from tests.privacy.helpers import login

pytestmark = pytest.mark.django_db


def _entries(model, pk) -> list[LogEntry]:
    return list(LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id=pk))


def test_a_workspace_edit_of_her_file_is_logged_with_the_coach_and_the_old_and_new_values(client, alice):
    amina = ClientFactory.create(coach=alice, first_name="Amina", phone="")
    login(client, alice)

    response = client.post(
        reverse("placements:client-edit", args=[amina.pk]),
        {"first_name": "Amina", "phone": "+31 6 1111", "preferred_language": "nl"},
    )

    assert response.status_code == 302
    updates = [e for e in _entries(Client, amina.pk) if e.action == LogEntry.Action.UPDATE]
    assert len(updates) == 1
    assert updates[0].actor == alice
    assert updates[0].changes_dict["phone"] == ["", "+31 6 1111"]
    assert updates[0].remote_addr == "127.0.0.1"


@pytest.mark.parametrize(("proxies", "recorded"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_the_address_in_the_trail_is_the_one_the_trusted_proxies_vouch_for(client, alice, settings, proxies, recorded):
    settings.TRUSTED_PROXY_COUNT = proxies
    amina = ClientFactory.create(coach=alice, first_name="Amina", phone="")
    login(client, alice)

    client.post(
        reverse("placements:client-edit", args=[amina.pk]),
        {"first_name": "Amina", "phone": "+31 6 2222", "preferred_language": "nl"},
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7",
    )

    updates = [e for e in _entries(Client, amina.pk) if e.action == LogEntry.Action.UPDATE]
    assert [e.remote_addr for e in updates] == [recorded]


def test_an_api_change_with_a_token_is_logged_with_the_token_user(alice):
    placement = PlacementFactory.create(client=ClientFactory(coach=alice))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")

    response = api.patch(f"/api/v1/placements/{placement.pk}/", {"job_title": "Kok"}, format="json")

    assert response.status_code == 200, response.content
    entry = [e for e in _entries(Placement, placement.pk) if e.action == LogEntry.Action.UPDATE][-1]
    assert entry.actor == alice
    assert entry.changes_dict["job_title"] == ["Medewerker bediening", "Kok"]


def test_the_client_history_holds_her_related_rows_and_not_another_clients(alice):
    amina = ClientFactory.create(coach=alice)
    other = ClientFactory.create(coach=alice)
    mine = PlacementFactory.create(client=amina)
    PlacementFactory.create(client=other)
    Placement.objects.filter(pk=mine.pk).update(job_title="Schoonmaker")  # a bulk update is audited too

    history = list(entries_for_client(amina))

    assert {e.object_repr.split(" ")[0] for e in history} == {amina.reference}
    assert any(e.changes_dict.get("job_title") == ["Medewerker bediening", "Schoonmaker"] for e in history)


@pytest.mark.parametrize("model", ["auditlog/logentry", "privacy/accessevent"])
def test_an_administrator_cannot_add_change_or_delete_log_rows_in_the_admin(client, adam, alice, model):
    amina = ClientFactory.create(coach=alice)
    amina.first_name = "Changed"
    amina.save()
    access.record(adam, AccessKind.VIEWED, client=amina)
    row = (LogEntry if model.startswith("auditlog") else AccessEvent).objects.order_by("-pk").first()
    before = type(row).objects.filter(pk=row.pk).values().get()
    login(client, adam)
    base = f"/admin/{model}/"

    assert client.get(base).status_code == 200
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    page = client.get(f"{base}{row.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    client.post(f"{base}{row.pk}/change/", {"detail": "rewritten", "changes": "{}"})
    client.post(base, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
    assert type(row).objects.filter(pk=row.pk).values().get() == before


def test_staff_who_are_not_administrators_cannot_read_the_logs_in_the_admin(client, carl):
    carl.is_staff = True
    carl.save()
    login(client, carl)

    assert client.get("/admin/auditlog/logentry/").status_code == 403
    assert client.get("/admin/privacy/accessevent/").status_code == 403


def test_an_access_event_cannot_be_changed_or_deleted_through_the_model(alice):
    event = access.record(alice, AccessKind.VIEWED, client=ClientFactory(coach=alice))

    event.detail = "rewritten"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AccessEvent.objects.filter(pk=event.pk).update(detail="rewritten")
    with pytest.raises(PermissionDenied):
        AccessEvent.objects.all().delete()
    assert AccessEvent.objects.get(pk=event.pk).detail == ""


def test_an_unknown_access_kind_is_refused_and_writes_nothing(alice):
    with pytest.raises(ValueError, match="Unknown access kind"):
        access.record(alice, "peeked")

    assert not AccessEvent.objects.exists()


def test_deleting_a_client_keeps_her_access_events_with_her_reference(alice, adam):
    amina = ClientFactory.create(coach=alice)
    reference = amina.reference
    access.record(adam, AccessKind.VIEWED, client=amina)

    amina.delete()

    event = AccessEvent.objects.get()
    assert (event.client, event.client_reference, event.user) == (None, reference, adam)
    deleted = [e for e in LogEntry.objects.all() if e.action == LogEntry.Action.DELETE]
    assert [e.object_repr for e in deleted] == [reference]
