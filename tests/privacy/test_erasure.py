"""Erasure: her personal data is replaced everywhere, and the reports give the same figures before and after."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from crm.models import Interaction
from placements import services
from placements.choices import ClientStatus, Gender, PlacementStatus
from placements.models import Client, Placement
from privacy.erasure import erase_client, is_erased
from privacy.models import AccessEvent, AccessKind
from reports.counting import count_sections
from reports.scope import Scope
from reports.tables import Section
from tests.placements.factories import ClientFactory, PlacementFactory
from tests.privacy.helpers import ANSWER, GOAL, NOTE, NOW, PERSONAL, full_file, login

pytestmark = pytest.mark.django_db


def figures(sections: list[Section]) -> list[Any]:
    """Every table's title and cells in order."""
    return [
        (section.key, table.title, [[(c.value, c.people) for c in row.cells] for row in table.rows])
        for section in sections
        for table in section.tables
    ]


def _closed_file(coach) -> Client:
    client = full_file(coach)
    services.close_client(client=client, actor=None, reason="goal_reached", closed_on=dt.date(2026, 10, 1), now=NOW)
    client.refresh_from_db()
    return client


def _network(coach) -> None:
    """Other clients around hers, so the report has figures in several gender columns."""
    for n in range(8):
        other = ClientFactory.create(coach=coach, gender=Gender.MAN if n % 3 == 0 else Gender.WOMAN)
        PlacementFactory.create(
            client=other, status=PlacementStatus.ACTIVE, start_on=dt.date(2026, 2, 2) + dt.timedelta(days=9 * n)
        )


def _dump() -> str:
    """Every row of every table, as JSON text."""
    return "\n".join(serializers.serialize("json", model._base_manager.all()) for model in apps.get_models())


def test_the_reports_give_the_same_totals_before_and_after_erasure(adam, alice):
    zeynep = _closed_file(alice)
    _network(alice)
    scope, _form = Scope.from_query(adam, {"start": "2026-01-01", "end": "2026-12-31"})
    before = figures(count_sections(scope))
    employer_history = (
        Placement.objects.filter(employer=zeynep.placements.get().employer).count(),
        Interaction.objects.count(),
    )

    erase_client(zeynep, adam)

    after = figures(count_sections(scope))
    assert after == before
    assert any(value for _key, _title, rows in after for row in rows for value, _people in row)  # not all empty
    assert employer_history == (
        Placement.objects.filter(employer=zeynep.placements.get().employer).count(),
        Interaction.objects.count(),
    )


def test_her_personal_data_is_gone_from_every_table_and_the_audit_trail(adam, alice):
    zeynep = _closed_file(alice)
    secrets = [*PERSONAL.values(), GOAL, NOTE, ANSWER]
    assert all(secret in _dump() for secret in secrets)  # the search can find them

    erase_client(zeynep, adam)

    dump = _dump()
    assert [secret for secret in secrets if secret in dump] == []
    zeynep.refresh_from_db()
    assert zeynep.first_name == f"Erased client {zeynep.reference}"
    assert (zeynep.email, zeynep.phone, zeynep.gender_description) == ("", "", "")
    assert (zeynep.reference, zeynep.gender, zeynep.status) == ("C-2026-0500", Gender.WOMAN, ClientStatus.CLOSED)
    assert AccessEvent.objects.get(kind=AccessKind.ERASED).user == adam


def test_another_clients_data_is_left_alone(adam, alice, bob):
    zeynep = _closed_file(alice)
    other = full_file(bob, reference="C-2026-0999")

    erase_client(zeynep, adam)

    other.refresh_from_db()
    assert other.first_name == PERSONAL["first_name"] and other.email == PERSONAL["email"]
    assert other.agreements.get().goals_private == GOAL


def test_an_open_file_is_not_erased_and_nothing_changes(adam, alice):
    amina = ClientFactory.create(coach=alice, first_name="Amina", email="amina@example.org")
    before = _dump()

    with pytest.raises(ValidationError, match="Close her file"):
        erase_client(amina, adam)

    assert _dump() == before


def test_a_file_is_erased_once(adam, alice):
    zeynep = _closed_file(alice)
    erase_client(zeynep, adam)

    with pytest.raises(ValidationError, match="already been erased"):
        erase_client(zeynep, adam)

    assert AccessEvent.objects.filter(kind=AccessKind.ERASED).count() == 1


def test_the_workspace_action_asks_for_her_reference_before_it_erases(client, adam, alice):
    zeynep = _closed_file(alice)
    url = reverse("privacy:erase", args=[zeynep.pk])
    login(client, adam)

    assert client.get(url).status_code == 200
    wrong = client.post(url, {"reference": "C-2026-0001"})
    assert wrong.status_code == 400 and not is_erased(zeynep)

    response = client.post(url, {"reference": zeynep.reference})

    assert response.status_code == 302 and response["Location"] == reverse("placements:client", args=[zeynep.pk])
    zeynep.refresh_from_db()
    assert zeynep.email == "" and is_erased(zeynep)


def test_a_coach_cannot_erase_her_client(client, alice):
    zeynep = _closed_file(alice)
    login(client, alice)

    assert client.post(reverse("privacy:erase", args=[zeynep.pk]), {"reference": zeynep.reference}).status_code == 403
    assert not is_erased(zeynep)


def test_the_command_needs_yes_and_erases(alice):
    zeynep = _closed_file(alice)

    with pytest.raises(CommandError, match="--yes"):
        call_command("erase_client", zeynep.reference)
    assert not is_erased(zeynep)

    call_command("erase_client", zeynep.reference, "--yes", stderr=io.StringIO())

    assert is_erased(zeynep)
    assert AccessEvent.objects.get(kind=AccessKind.ERASED).user is None
