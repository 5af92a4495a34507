"""Employer.last_contact_at follows every path that adds, moves or deletes an interaction."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from crm import services
from crm.choices import InteractionKind, Stage
from crm.models import Employer, Interaction
from tests.crm.factories import EmployerFactory, InteractionFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
API = "/api/v1"


def days_ago(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def last_contact(employer: Employer) -> dt.datetime | None:
    return Employer.objects.values_list("last_contact_at", flat=True).get(pk=employer.pk)


def latest_stored(employer: Employer) -> dt.datetime | None:
    """What the rule says: the latest interaction's moment, asked of the interactions themselves."""
    return (
        Interaction.objects.filter(employer=employer)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )


def admin_client(user: User) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def api_client(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


# --- The services ---------------------------------------------------------------------------------------------


def test_an_employer_without_interactions_has_no_last_contact():
    assert last_contact(EmployerFactory()) is None


def test_logging_an_interaction_sets_the_last_contact_and_an_older_one_logged_later_leaves_it(rita):
    employer = EmployerFactory(stage=Stage.ACTIVE)

    services.log_interaction(employer=employer, actor=rita, kind=InteractionKind.CALL, summary="Nu", occurred_at=NOW)
    services.log_interaction(
        employer=employer, actor=rita, kind=InteractionKind.CALL, summary="Vergeten", occurred_at=days_ago(30)
    )

    assert last_contact(employer) == NOW


def test_moving_the_latest_interaction_back_in_time_makes_an_older_one_the_last_contact(rita):
    employer = EmployerFactory()
    InteractionFactory(employer=employer, occurred_at=days_ago(10))
    latest = InteractionFactory(employer=employer, occurred_at=NOW)

    latest.occurred_at = days_ago(200)
    services.change_interaction(interaction=latest, actor=rita)

    assert last_contact(employer) == days_ago(10)


def test_moving_an_interaction_to_another_employer_refreshes_both(rita):
    left, joined = EmployerFactory(), EmployerFactory()
    InteractionFactory(employer=left, occurred_at=days_ago(40))
    moved = InteractionFactory(employer=left, occurred_at=NOW)
    InteractionFactory(employer=joined, occurred_at=days_ago(5))

    moved.employer = Employer.objects.get(pk=joined.pk)
    services.change_interaction(interaction=moved, actor=rita)

    assert (last_contact(left), last_contact(joined)) == (days_ago(40), NOW)


def test_deleting_the_latest_falls_back_and_deleting_the_only_one_clears_it(rita):
    employer, lonely = EmployerFactory(), EmployerFactory()
    InteractionFactory(employer=employer, occurred_at=days_ago(60))
    latest = InteractionFactory(employer=employer, occurred_at=NOW)
    only = InteractionFactory(employer=lonely, occurred_at=NOW)

    deleted = services.delete_interactions(
        interactions=Interaction.objects.filter(pk__in=[latest.pk, only.pk]), actor=rita
    )

    assert deleted == 2
    assert (last_contact(employer), last_contact(lonely)) == (days_ago(60), None)


def test_declining_an_employer_records_the_refusal_as_its_last_contact(rita):
    employer = EmployerFactory(stage=Stage.CONTACTED)

    services.change_employer_stage(
        employer=employer,
        stage=Stage.DECLINED,
        actor=rita,
        reason="Geen ruimte",
        retry_on=(NOW + dt.timedelta(days=180)).date(),
        now=NOW,
    )

    assert last_contact(employer) == NOW


def test_refresh_last_contact_with_none_sets_every_employer_after_a_bulk_load():
    talked, silent = EmployerFactory(), EmployerFactory()
    Interaction.objects.bulk_create(
        [Interaction(employer=talked, kind="call", summary=str(days), occurred_at=days_ago(days)) for days in (3, 1, 9)]
    )
    assert last_contact(talked) is None  # bulk_create passes no service

    assert services.refresh_last_contact(employer_ids=None) == 2

    assert (last_contact(talked), last_contact(silent)) == (days_ago(1), None)


def test_saving_an_employer_read_before_an_interaction_was_logged_keeps_the_new_last_contact(rita):
    employer = EmployerFactory()
    held = Employer.objects.get(pk=employer.pk)  # a form or a service holding the row
    InteractionFactory(employer=employer, occurred_at=NOW)

    held.city = "Utrecht"
    held.save()

    assert last_contact(employer) == NOW
    assert Employer.objects.get(pk=employer.pk).city == "Utrecht"


def test_the_follow_up_rule_reads_the_stored_last_contact():
    today = NOW.date()
    never = EmployerFactory(stage=Stage.CONTACTED)
    silent = EmployerFactory(stage=Stage.ACTIVE)
    InteractionFactory(employer=silent, occurred_at=days_ago(91))
    recent = EmployerFactory(stage=Stage.ACTIVE)
    InteractionFactory(employer=recent, occurred_at=days_ago(89))

    assert set(Employer.objects.needing_follow_up(today=today)) == {never, silent}


def test_the_follow_up_rule_asks_the_interactions_only_for_open_steps_not_for_their_dates():
    sql = str(Employer.objects.needing_follow_up(today=NOW.date()).query)

    assert "occurred_at" not in sql
    assert "last_contact_at" in sql


def _log(employer: Employer, when: dt.datetime) -> None:
    services.log_interaction(employer=employer, actor=None, kind="call", summary="x", occurred_at=when)


def _delete_the_oldest(employer: Employer, when: dt.datetime) -> None:
    oldest = Interaction.objects.filter(employer=employer).order_by("occurred_at").values_list("pk", flat=True)[:1]
    services.delete_interactions(interactions=Interaction.objects.filter(pk__in=list(oldest)), actor=None)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("second", [_log, _delete_the_oldest], ids=["logs-an-earlier-one", "deletes-an-old-one"])
def test_a_write_waiting_for_a_contact_logged_at_the_same_time_keeps_that_contact(second):
    """One transaction logs the latest contact and stays open; a second write to the same employer's
    interactions waits for it and must then count that contact, not store what it saw before."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time, so the two writes cannot overlap there")
    employer = EmployerFactory(stage=Stage.ACTIVE)
    InteractionFactory(employer=employer, occurred_at=days_ago(300))
    refreshed, release, failures = threading.Event(), threading.Event(), []

    def write(action, when: dt.datetime, *, hold: bool) -> None:
        try:
            with transaction.atomic():
                action(Employer.objects.get(pk=employer.pk), when)
                if hold:
                    refreshed.set()
                    assert release.wait(30)
        except Exception as exc:  # reported by the assertion below
            failures.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=write, args=(_log, NOW), kwargs={"hold": True})
    first.start()
    assert refreshed.wait(30)
    waiting = threading.Thread(target=write, args=(second, days_ago(1)), kwargs={"hold": False})
    waiting.start()
    with connection.cursor() as cursor:  # until the second write waits for the first one's row lock
        for _attempt in range(10_000):
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                break
    release.set()
    first.join(30)
    waiting.join(30)

    assert failures == []
    assert last_contact(employer) == NOW


# --- The REST API ---------------------------------------------------------------------------------------------


def test_the_api_keeps_the_last_contact_through_create_update_move_and_delete(adam):
    left, joined = EmployerFactory(stage=Stage.ACTIVE), EmployerFactory(stage=Stage.ACTIVE)
    older = InteractionFactory(employer=left, occurred_at=days_ago(30))
    client = api_client(adam)

    created = client.post(
        f"{API}/interactions/",
        {"employer": left.pk, "kind": "call", "summary": "Gebeld", "occurred_at": NOW.isoformat()},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert last_contact(left) == NOW

    moved_back = client.patch(f"{API}/interactions/{pk}/", {"occurred_at": days_ago(100).isoformat()}, format="json")
    assert moved_back.status_code == 200, moved_back.content
    assert last_contact(left) == older.occurred_at

    put = client.put(
        f"{API}/interactions/{pk}/",
        {"employer": joined.pk, "kind": "visit", "summary": "Bezocht", "occurred_at": days_ago(2).isoformat()},
        format="json",
    )
    assert put.status_code == 200, put.content
    assert (last_contact(left), last_contact(joined)) == (older.occurred_at, days_ago(2))

    assert client.delete(f"{API}/interactions/{pk}/").status_code == 204
    assert (last_contact(left), last_contact(joined)) == (older.occurred_at, None)


def test_the_api_still_publishes_the_last_contact_as_last_interaction_at(rita):
    employer = EmployerFactory()
    InteractionFactory(employer=employer, occurred_at=NOW)

    row = api_client(rita).get(f"{API}/employers/{employer.pk}/").json()

    assert dt.datetime.fromisoformat(row["last_interaction_at"]) == NOW
    assert "last_contact_at" not in row


# --- The admin --------------------------------------------------------------------------------------------------


def _admin_interaction(employer: Employer, when: dt.datetime, **fields: str) -> dict[str, str]:
    return {
        "employer": str(employer.pk),
        "kind": "call",
        "summary": "Gebeld",
        "minutes": "5",
        "initiated_by": "us",
        "occurred_at_0": when.date().isoformat(),
        "occurred_at_1": when.time().isoformat("minutes"),
        **fields,
    }


def test_the_admin_keeps_the_last_contact_through_add_change_and_delete(adam, settings):
    settings.TIME_ZONE = "UTC"
    left, joined = EmployerFactory(), EmployerFactory()
    older = InteractionFactory(employer=left, occurred_at=days_ago(30))
    client = admin_client(adam)

    added = client.post(reverse("admin:crm_interaction_add"), _admin_interaction(left, NOW))
    assert added.status_code == 302
    new = Interaction.objects.exclude(pk=older.pk).get()
    assert last_contact(left) == NOW

    changed = client.post(reverse("admin:crm_interaction_change", args=[new.pk]), _admin_interaction(joined, NOW))
    assert changed.status_code == 302
    assert (last_contact(left), last_contact(joined)) == (older.occurred_at, NOW)

    deleted = client.post(reverse("admin:crm_interaction_delete", args=[new.pk]), {"post": "yes"})
    assert deleted.status_code == 302
    assert last_contact(joined) is None


def test_the_admins_delete_selected_action_refreshes_every_employer_it_touched(adam):
    first, second = EmployerFactory(), EmployerFactory()
    kept = InteractionFactory(employer=first, occurred_at=days_ago(50))
    doomed = [InteractionFactory(employer=first, occurred_at=NOW), InteractionFactory(employer=second, occurred_at=NOW)]

    response = admin_client(adam).post(
        reverse("admin:crm_interaction_changelist"),
        {"action": "delete_selected", "_selected_action": [str(i.pk) for i in doomed], "post": "yes"},
    )

    assert response.status_code == 302
    assert (last_contact(first), last_contact(second)) == (kept.occurred_at, None)


def test_the_admin_list_sorts_employers_on_their_last_contact(adam):
    recent, old, never = EmployerFactory(name="A"), EmployerFactory(name="B"), EmployerFactory(name="C")
    InteractionFactory(employer=recent, occurred_at=NOW)
    InteractionFactory(employer=old, occurred_at=days_ago(300))

    # Column 6 of list_display is "last interaction"; "-6" sorts on it, latest first.
    response = admin_client(adam).get(reverse("admin:crm_employer_changelist"), {"o": "-6"})

    rows = list(response.context["cl"].result_list)
    # Where the employer never contacted goes depends on the database (NULLs first on PostgreSQL, last on SQLite).
    assert [row for row in rows if row != never] == [recent, old] and never in rows


# --- The migration -------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_fills_the_last_contact_of_the_employers_already_there():
    """Back to before the column, rows written as they were then, forward again: the backfill fills them."""
    executor = MigrationExecutor(connection)
    before, after = [("crm", "0008_search_trigram")], [("crm", "0009_employer_last_contact")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldEmployer = old_apps.get_model("crm", "Employer")
    OldInteraction = old_apps.get_model("crm", "Interaction")
    talked = OldEmployer.objects.create(name="Bakkerij", normalised_name="bakkerij", postcode="1000AA")
    silent = OldEmployer.objects.create(name="Garage", normalised_name="garage", postcode="1000AB")
    for days in (40, 2, 9):
        OldInteraction.objects.create(employer=talked, kind="call", summary="x", occurred_at=days_ago(days))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)

    new_apps = executor.loader.project_state(after).apps
    stored = dict(new_apps.get_model("crm", "Employer").objects.values_list("pk", "last_contact_at"))
    assert (stored[talked.pk], stored[silent.pk]) == (days_ago(2), None)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert latest_stored(Employer.objects.get(pk=talked.pk)) == days_ago(2)
