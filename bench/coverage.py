"""Benchmark: network coverage (supply against demand) with the 50,000-employer demo network.

    .venv/bin/python bench/coverage.py [--employers 50000] [--clients 3000] [--db var/bench/coverage.sqlite3]
        [--repeat 9]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wb_coverage_bench .venv/bin/python bench/coverage.py

Builds (once) a scratch database with `seed_demo --employers N --users`, adds `--clients` clients of the
demo coaches with a year of ladder history each (three to five positions on steps 8-22, the last one
current; one in ten files closed), runs ANALYZE on PostgreSQL, then times:

1. `placements.coverage.coverage()`: the four queries behind the coverage page;
2. `LadderStep.objects.with_supply()`: the supply annotation the API and the admin list;
3. the coverage page and the drill-down of step 19 through Django's test client (middleware, view,
   template), as the relationship manager rita and as the coach alice.

One warm-up run, counted for queries, then `--repeat` timed runs; prints the median and the slowest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "BENCH-COV-"


def setup_django(db: Path) -> None:
    """Point Django at the scratch database (unless DATABASE_URL is set) and start it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SQLITE_PATH", str(db))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    db.parent.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def build(employers: int, clients: int) -> None:
    """Migrate, seed the demo network when it is smaller than asked, and add the clients' ladder history."""
    from django.core.management import call_command
    from django.db import connection

    from crm.models import Employer

    call_command("migrate", verbosity=0)
    if Employer.objects.count() < employers:
        call_command("seed_demo", employers=employers, users=True)
    add_clients(clients)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def add_clients(count: int) -> None:
    """Clients of the demo coaches, each with a year of positions on the ladder; bulk inserts, once."""
    from django.contrib.auth import get_user_model

    from crm.models import LadderStep
    from placements.choices import ClientStatus, ClosingReason
    from placements.models import Client, LadderPosition

    have = Client.objects.filter(reference__startswith=PREFIX).count()
    if have >= count:
        return
    rng = random.Random(f"coverage-{have}")
    coaches = list(get_user_model().objects.filter(username__in=["alice", "bob"]))
    steps = {s.position: s for s in LadderStep.objects.filter(position__gte=8)}
    today = dt.date.today()
    new = []
    for n in range(have, count):
        closed = n % 10 == 9
        new.append(
            Client(
                reference=f"{PREFIX}{n:06d}",
                first_name="Bench",
                coach=coaches[n % len(coaches)],
                status=ClientStatus.CLOSED if closed else ClientStatus.ACTIVE,
                closing_reason=ClosingReason.GOAL_REACHED if closed else "",
                closed_on=today - dt.timedelta(days=rng.randint(1, 200)) if closed else None,
            )
        )
    made = Client.objects.bulk_create(new, batch_size=500)
    positions = []
    for client in made:
        position = rng.randint(8, 18)
        day = today - dt.timedelta(days=rng.randint(300, 400))
        for stay in range(rng.randint(3, 5)):
            step = steps[min(position, 22)]
            left = day + dt.timedelta(days=rng.randint(30, 100))
            last = stay == 4 or left >= today
            positions.append(LadderPosition(client=client, step=step, entered_on=day, left_on=None if last else left))
            if last:
                break
            day, position = left, position + rng.randint(1, 2)
        if client.closed_on is not None and positions[-1].left_on is None:
            positions[-1].left_on = max(client.closed_on, positions[-1].entered_on)
    LadderPosition.objects.bulk_create(positions, batch_size=1000)


def measure(work: Callable[[], Any], repeat: int) -> tuple[float, float, int]:
    """Median and slowest milliseconds over `repeat` runs after one warm-up; the warm-up's query count."""
    from django.db import connection

    count = 0

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), count


def main() -> None:
    """Build, then time the coverage computation, the supply annotation and both pages."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employers", type=int, default=50000)
    parser.add_argument("--clients", type=int, default=3000)
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "coverage.sqlite3")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    setup_django(args.db)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as Browser
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from crm.models import LadderStep, Vacancy
    from placements import coverage
    from placements.models import LadderPosition

    build(args.employers, args.clients)
    setup_test_environment(debug=False)  # lets the test client's host in, as for the other page benchmarks
    print(
        f"{connection.vendor}: {Vacancy.objects.count()} vacancies, {Vacancy.objects.open().count()} open, "
        f"{LadderPosition.objects.count()} ladder positions"
    )
    browsers = {}
    for username in ("rita", "alice"):
        browser = Browser()
        browser.force_login(get_user_model().objects.get(username=username))
        browsers[username] = browser

    def get(username: str, url: str) -> Callable[[], Any]:
        def run() -> None:
            response = browsers[username].get(url)
            assert response.status_code == 200, response.status_code

        return run

    cases: list[tuple[str, Callable[[], Any]]] = [
        ("coverage(): supply, demand, trend (10 steps)", coverage.coverage),
        ("LadderStep.objects.with_supply() (API, admin)", lambda: list(LadderStep.objects.with_supply())),
        ("coverage page, rita", get("rita", reverse("placements:coverage"))),
        ("drill-down step 19, rita", get("rita", reverse("placements:coverage-step", args=[19]))),
        (
            "drill-down step 19, alice (her clients' names)",
            get("alice", reverse("placements:coverage-step", args=[19])),
        ),
    ]
    print(f"{'measure':<50} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for label, work in cases:
        median, slowest, queries = measure(work, args.repeat)
        print(f"{label:<50} {median:>10.0f} {slowest:>8.0f} {queries:>8}")


if __name__ == "__main__":
    main()
