"""Benchmark: server time of the workspace pages with the 50,000-employer demo network.

    .venv/bin/python bench/workspace_pages.py [--employers 50000] [--db var/bench/workspace.sqlite3] [--repeat 9]

Builds (once) a scratch SQLite database with `seed_demo --employers N --users`, gives the demo coaches
alice and bob a caseload of active placements with their aftercare schedules, and makes sure of what the
pages need (the demo team led by carl, a planned placement and an agreement of alice's, a general pack of
one of rita's employers); it migrates an existing database first. Then it requests each page through
Django's test client (the whole stack: middleware, views, templates; no network) as the user who would
open it, with the htmx header for the pieces htmx loads. Reports the median and the slowest time per page,
and the number of queries. Set DATABASE_URL to measure PostgreSQL instead of the scratch SQLite file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
CASELOAD = 35  # active placements per demo coach


def setup_django(db: Path) -> None:
    """Point Django at the scratch database and start it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SQLITE_PATH", str(db))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    db.parent.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def build(employers: int) -> None:
    """Migrate (an existing file too), seed the demo network when smaller than asked, add what the pages need."""
    from django.core.management import call_command
    from django.db import connection

    from crm.models import Employer

    call_command("migrate", verbosity=0)
    if Employer.objects.count() < employers:
        call_command("seed_demo", employers=employers, users=True)
    for username in ("alice", "bob"):
        give_caseload(username)
    ensure_team()
    ensure_planned_placement("alice")
    ensure_agreement("alice")
    ensure_general_pack()
    if connection.vendor == "postgresql":
        # Planner statistics, as autovacuum keeps them on a live server; without them PostgreSQL
        # guesses row counts for the freshly loaded tables and picks slow plans.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def give_caseload(username: str) -> None:
    """Active placements with their aftercare steps, started over the past year, for one demo coach."""
    from django.contrib.auth import get_user_model

    from crm.choices import Stage
    from crm.models import Employer
    from placements.models import Client, Placement
    from placements.services import activate_placement

    coach = get_user_model().objects.get(username=username)
    have = Placement.objects.filter(coach=coach).count()
    partners = list(Employer.objects.filter(stage=Stage.ACTIVE).order_by("pk")[:CASELOAD])
    today = dt.date.today()
    for n in range(have, CASELOAD):
        client = Client.objects.create(reference=f"B-{username[:1].upper()}-{n:04d}", first_name="Bench", coach=coach)
        employer = partners[n % len(partners)]
        placement = Placement.objects.create(
            client=client,
            employer=employer,
            mentor=employer.contacts.first(),
            job_title="Medewerker",
            start_on=today - dt.timedelta(days=10 * n),
            coach=coach,
        )
        activate_placement(placement=placement, actor=coach)


def ensure_team() -> None:
    """The demo team: carl (case manager) leads alice and bob, as `seed_demo` makes it; kept when it exists."""
    from django.contrib.auth import get_user_model

    from placements.demo import DEMO_TEAM
    from placements.models import Team

    users = {user.username: user for user in get_user_model().objects.filter(username__in=("alice", "bob", "carl"))}
    team, _ = Team.objects.get_or_create(name=DEMO_TEAM)
    team.leads.add(users["carl"])
    team.coaches.add(users["alice"], users["bob"])


def ensure_planned_placement(username: str) -> None:
    """One planned placement (starting in two weeks) for the coach, so the activation preview has one to show."""
    from django.contrib.auth import get_user_model

    from crm.choices import Stage
    from crm.models import Employer
    from placements.choices import PlacementStatus
    from placements.models import Client, Placement

    coach = get_user_model().objects.get(username=username)
    if Placement.objects.filter(coach=coach, status=PlacementStatus.PLANNED).exists():
        return
    employer = Employer.objects.filter(stage=Stage.ACTIVE, do_not_engage=False).order_by("pk").first()
    assert employer is not None
    client, _ = Client.objects.get_or_create(
        reference=f"B-{username[:1].upper()}-PLAN", defaults={"first_name": "Bench", "coach": coach}
    )
    Placement.objects.create(
        client=client,
        employer=employer,
        mentor=employer.contacts.first(),
        job_title="Medewerker",
        start_on=dt.date.today() + dt.timedelta(days=14),
        coach=coach,
    )


def ensure_agreement(username: str) -> None:
    """A coaching agreement in force for one of the coach's clients (the demo clients have them; bench ones not)."""
    from django.contrib.auth import get_user_model

    from placements.models import Client
    from placements.services import revise_agreement

    coach = get_user_model().objects.get(username=username)
    if Client.objects.filter(coach=coach, agreements__isnull=False, agreements__superseded_at__isnull=True).exists():
        return
    client = Client.objects.filter(coach=coach).order_by("pk").first()
    assert client is not None
    terms = {
        "parties": "The client and her coach.",
        "joint_work": "Weekly talks about the work and what gets in its way.",
        "expected_result": "She keeps her job past the trial period.",
        "success_measure": "A contract after six months.",
        "duration_weeks": 26,
    }
    revise_agreement(client=client, actor=coach, fields=terms, change_note="")


def rita_employer() -> Any:
    """An active employer of rita's with contacts, vacancies and a timeline: her forms and pack pages open it."""
    from crm.choices import Stage
    from crm.models import Employer

    employer = (
        Employer.objects.filter(
            owner__username="rita", stage=Stage.ACTIVE, do_not_engage=False, contacts__is_active=True
        )
        .filter(vacancies__isnull=False, interactions__isnull=False)
        .order_by("pk")
        .first()
    )
    assert employer is not None
    return employer


def ensure_general_pack() -> None:
    """A general pack (one row per contact language) of rita's employer, as she requests it; not built here."""
    from unittest import mock

    from django.contrib.auth import get_user_model

    from outreach.packs import services as pack_services
    from outreach.packs.models import InfoPack

    employer = rita_employer()
    if InfoPack.objects.filter(employer=employer, placement__isnull=True).exists():
        return
    # The service queues the PDF build for the task worker; the pages measured show a pack either way.
    with mock.patch.object(pack_services, "_enqueue_build"):
        pack_services.generate_info_pack(actor=get_user_model().objects.get(username="rita"), employer=employer)


class Page(NamedTuple):
    """One measured request: who opens which page, and whether htmx asks for it (a piece of a page)."""

    user: str
    label: str
    path: str
    htmx: bool = False


def pages() -> list[Page]:
    """Every page measured, as the user who would open it."""
    from urllib.parse import urlencode

    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from crm.models import Employer, Vacancy
    from outreach.packs.models import InfoPack
    from placements.calendar import issue_feed_token
    from placements.choices import PlacementStatus
    from placements.models import Client, Placement

    alice = get_user_model().objects.get(username="alice")
    employer = Employer.objects.filter(interactions__isnull=False).order_by("pk").first()
    placement = Placement.objects.filter(coach=alice).order_by("pk").first()
    active = Placement.objects.filter(coach=alice, status=PlacementStatus.ACTIVE).order_by("pk").first()
    planned = Placement.objects.filter(coach=alice, status=PlacementStatus.PLANNED).order_by("pk").first()
    in_force = Client.objects.filter(agreements__isnull=False, agreements__superseded_at__isnull=True)
    agreed = in_force.filter(coach=alice).order_by("pk").first()
    vacancy = Vacancy.objects.open().filter(employer__do_not_engage=False).order_by("pk").first()
    mine = rita_employer()
    pack = InfoPack.objects.filter(employer=mine, placement__isnull=True).order_by("-version", "pk").first()
    assert employer is not None and placement is not None and active is not None and planned is not None
    assert agreed is not None and vacancy is not None and pack is not None
    typed = urlencode({"name": mine.name.lower(), "postcode": mine.postcode})
    pack_args = {"pk": mine.pk, "pack_pk": pack.pk}
    return [
        Page("rita", "home (relationship manager)", "/"),
        Page("rita", "employers, first page", "/network/employers/"),
        Page("rita", "employers, search 'bakkerij'", "/network/employers/?q=bakkerij"),
        # A rarer name (a few hundred of 50,000) and a city: the trigram indexes' cases (crm migration 0008).
        Page("rita", "employers, search 'kastanje'", "/network/employers/?q=kastanje"),
        Page("rita", "employers, search a city 'Zwolle'", "/network/employers/?q=Zwolle"),
        Page("rita", "employers, mine needing follow-up", "/network/employers/?owner=me&follow_up=on"),
        Page("rita", "employers, offering ladder step 19", "/network/employers/?step=19"),
        Page("rita", "pipeline board (mine)", "/network/board/"),
        Page("rita", "pipeline board (everyone)", "/network/board/?everyone=on"),
        Page("rita", "pipeline board, search 'bakkerij' (everyone)", "/network/board/?everyone=on&q=bakkerij"),
        Page("rita", "employer page", f"/network/employers/{employer.pk}/"),
        Page("rita", "new employer form", reverse("crm:employer-new")),
        # The name and postcode of an employer she already has, typed into the new-employer form: one match.
        Page("rita", "duplicate check as you type (htmx)", f"{reverse('crm:employer-duplicates')}?{typed}", True),
        Page("rita", "employer edit form", reverse("crm:employer-edit", args=[mine.pk])),
        Page("rita", "employer vetting form", reverse("crm:employer-vetting", args=[mine.pk])),
        Page("rita", "employer profile form", reverse("crm:employer-profile", args=[mine.pk])),
        Page("rita", "new contact form", reverse("crm:contact-new", args=[mine.pk])),
        Page("rita", "new vacancy form", reverse("crm:vacancy-new", args=[mine.pk])),
        Page("rita", "network coverage", reverse("placements:coverage")),
        Page("rita", "coverage, step 19 drill-down", reverse("placements:coverage-step", args=[19])),
        Page("rita", "import page", "/network/import/"),
        Page("rita", "general pack section (htmx)", reverse("outreach:employer-pack-section", args=[mine.pk]), True),
        Page("rita", "general pack preview", reverse("outreach:employer-pack-preview", kwargs=pack_args)),
        Page("rita", "general pack document (HTML)", reverse("outreach:employer-pack-document", kwargs=pack_args)),
        Page("rita", "general pack send form", reverse("outreach:employer-pack-send", kwargs=pack_args)),
        Page("alice", "home (coach)", "/"),
        Page("alice", "my follow-ups", "/followups/"),
        Page("alice", "my clients", "/clients/"),
        Page("alice", "client page", f"/clients/{placement.client_id}/"),
        Page("alice", "new client form", reverse("placements:client-new")),
        Page("alice", "agreement page", reverse("placements:agreement", args=[agreed.pk])),
        Page("alice", "new placement: picker", reverse("placements:placement-new", args=[active.client_id])),
        Page(
            "alice",
            "new placement: picker, search 'bakkerij'",
            f"{reverse('placements:placement-new', args=[active.client_id])}?q=bakkerij",
        ),
        Page(
            "alice",
            "new placement: form from a vacancy",
            f"{reverse('placements:placement-new', args=[active.client_id])}?vacancy={vacancy.pk}",
        ),
        Page("alice", "placement page", f"/placements/{placement.pk}/"),
        Page("alice", "activate preview (planned)", reverse("placements:placement-activate", args=[planned.pk])),
        Page("alice", "move dates form (active)", reverse("placements:placement-dates", args=[active.pk])),
        Page("alice", "end form (active)", reverse("placements:placement-end", args=[active.pk])),
        Page("", "calendar feed (.ics, her open steps)", f"/calendar/{issue_feed_token(user=alice)}.ics"),
        Page("carl", "home (case manager)", "/"),
        Page("carl", "team page", reverse("placements:team")),
    ]


def measure(repeat: int) -> list[dict[str, Any]]:
    """Time every page `repeat` times after one warm-up request."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment(debug=False)
    clients: dict[str, Client] = {}
    results = []
    for username, label, path, htmx in pages():
        if username not in clients:
            clients[username] = Client()
            if username:  # the calendar feed is fetched without a session, as a calendar app does
                clients[username].force_login(get_user_model().objects.get(username=username))
        client = clients[username]
        headers = {"HX-Request": "true"} if htmx else {}
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        query_count = len(queries)  # now: a later connect() clears the log the context reads from
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(path, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
        results.append(
            {
                "page": label,
                "path": path,
                "median_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1),
                "queries": query_count,
            }
        )
    return results


def main() -> None:
    """Build the data when needed, measure, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employers", type=int, default=50_000)
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "workspace.sqlite3")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--json", type=Path, help="Also write the results to this file.")
    args = parser.parse_args()
    setup_django(args.db)
    build(args.employers)
    from django.db import connection

    from crm.models import Employer, Interaction

    results = measure(args.repeat)
    print(
        f"{connection.vendor}, {Employer.objects.count()} employers, {Interaction.objects.count()} interactions, "
        f"median of {args.repeat} requests\n"
    )
    print("| page | median ms | slowest ms | queries |\n| --- | ---: | ---: | ---: |")
    for row in results:
        print(f"| {row['page']} | {row['median_ms']} | {row['max_ms']} | {row['queries']} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
