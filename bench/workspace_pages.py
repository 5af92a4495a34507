"""Benchmark: server time of the workspace pages with the 50,000-employer demo network.

    .venv/bin/python bench/workspace_pages.py [--employers 50000] [--db var/bench/workspace.sqlite3] [--repeat 9]

Builds (once) a scratch SQLite database with `seed_demo --employers N --users`, gives the demo coaches
alice and bob a caseload of active placements with their aftercare schedules, then requests each page
through Django's test client (the whole stack: middleware, views, templates; no network) as the user
who would open it. Reports the median and the slowest time per page, and the number of queries.
Set DATABASE_URL to measure PostgreSQL instead of the scratch SQLite file.
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
from typing import Any

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
    """Migrate, seed the demo network when it is smaller than asked, and give the coaches a caseload."""
    from django.core.management import call_command
    from django.db import connection

    from crm.models import Employer

    call_command("migrate", verbosity=0)
    if Employer.objects.count() < employers:
        call_command("seed_demo", employers=employers, users=True)
    for username in ("alice", "bob"):
        give_caseload(username)
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


def pages() -> list[tuple[str, str, str]]:
    """(user, page, path) for every page measured."""
    from django.contrib.auth import get_user_model

    from crm.models import Employer
    from placements.calendar import issue_feed_token
    from placements.models import Placement

    alice = get_user_model().objects.get(username="alice")
    employer = Employer.objects.filter(interactions__isnull=False).order_by("pk").first()
    placement = Placement.objects.filter(coach=alice).order_by("pk").first()
    assert employer is not None and placement is not None
    return [
        ("rita", "home (relationship manager)", "/"),
        ("rita", "employers, first page", "/network/employers/"),
        ("rita", "employers, search 'bakkerij'", "/network/employers/?q=bakkerij"),
        ("rita", "employers, mine needing follow-up", "/network/employers/?owner=me&follow_up=on"),
        ("rita", "employers, offering ladder step 19", "/network/employers/?step=19"),
        ("rita", "pipeline board (mine)", "/network/board/"),
        ("rita", "pipeline board (everyone)", "/network/board/?everyone=on"),
        ("rita", "employer page", f"/network/employers/{employer.pk}/"),
        ("rita", "network coverage", "/network/coverage/"),
        ("rita", "import page", "/network/import/"),
        ("alice", "home (coach)", "/"),
        ("alice", "my follow-ups", "/followups/"),
        ("alice", "my clients", "/clients/"),
        ("alice", "client page", f"/clients/{placement.client_id}/"),
        ("alice", "placement page", f"/placements/{placement.pk}/"),
        ("", "calendar feed (.ics, her open steps)", f"/calendar/{issue_feed_token(user=alice)}.ics"),
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
    for username, label, path in pages():
        if username not in clients:
            clients[username] = Client()
            if username:  # the calendar feed is fetched without a session, as a calendar app does
                clients[username].force_login(get_user_model().objects.get(username=username))
        client = clients[username]
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        query_count = len(queries)  # now: a later connect() clears the log the context reads from
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(path)
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
