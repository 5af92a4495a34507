"""The workplace mentor's page: its server time, and the concern posts per second it holds on the loopback.

    .venv/bin/python bench/mentor_page.py [--placements 300] [--gets 2] [--posts 600] [--threads 8] [--workers 2]
                                          [--no-evaluation] [--postgres URL]

Builds a scratch database (var/bench/mentor_page.sqlite3, made afresh each run; with --postgres URL,
e.g. postgres://postgres@127.0.0.1:5432/wb_mentor_page, that database is dropped, created and
migrated), N active placements on the default plan, each with its own employer, mentor, consent to
share, a working mentor link and an open end-of-placement evaluation (the page at its longest: the
evaluation's questions to answer on it; --no-evaluation leaves it out), and starts gunicorn on a
loopback port (DEBUG off), as bench/survey_load.py does, with the same settings (the public pages'
rate limit stays on, counted in Redis db 14, with a limit one address cannot reach here).

1. Page time: one client GETs every link in turn, `--gets` rounds; a GET only reads. In the first round,
   her first visit, each GET is followed by the POST her browser sends once the page has loaded (it
   notes when she opened it, one conditional update), timed apart. On the loopback with one client,
   the latency is the server's time for the page.
2. Concern posts: `--posts` concerns from a bounded pool of threads, spread over the links, each with
   a fresh form key (the key makes a double click store once; distinct keys store every one). Each
   stores the concern, makes the coach's urgent follow-up, logs the timeline line and queues two
   mails (coach and case manager), published to the bench's broker database (Redis db 15) after
   commit; no worker runs, and the queue is emptied at the end. Every post must end in the redirect
   back to the page, and every concern must be stored
   with its follow-up and its mails, or the script fails. The posts' figures include the CPU each
   post cost the server, the client and the database (survey_load.CpuMeter) and the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from survey_load import BENCH_ENV, CpuMeter, NoRedirect, free_port, recreate_postgres, start_server

ROOT = Path(__file__).resolve().parent.parent


def setup_django(db: Path, postgres: str) -> None:
    """Point Django at a fresh scratch database and start it."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(BENCH_ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if postgres:
        recreate_postgres(postgres)
        os.environ["DATABASE_URL"] = postgres
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(db)
        db.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    import django

    django.setup()


def collect_static() -> None:
    """DEBUG is off, so pages name the hashed static files, as in production: collect them unless done since."""
    from django.conf import settings
    from django.core.management import call_command

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    sources = [path.stat().st_mtime for folder in settings.STATICFILES_DIRS for path in Path(folder).rglob("*")]
    if not manifest.exists() or manifest.stat().st_mtime < max(sources, default=0):
        call_command("collectstatic", interactive=False, verbosity=0)


def build(count: int, *, evaluation: bool) -> list[str]:
    """Migrate, then N active placements with a working mentor link each (and an open evaluation, unless told
    not to); returns the pages' paths."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from crm.choices import ContactRole
    from crm.models import Contact, Employer
    from outreach.mentors.services import issue_link, link_text
    from outreach.packs.models import ProgrammeProfile, StaffCard
    from outreach.surveys.services import invite_for_placement
    from placements.models import Client, ConsentRecord, Placement
    from placements.services import activate_placement

    call_command("migrate", verbosity=0)
    collect_static()
    users = get_user_model().objects
    coach = users.create_user("bench-coach", email="coach@werkbrug.example", first_name="Fatima", last_name="Bakr")
    manager = users.create_user("bench-manager", email="cm@werkbrug.example", first_name="Pieter", last_name="Smit")
    StaffCard.objects.create(user=coach, phone="+31 30 222 33 44")
    ProgrammeProfile.objects.update(contact_phone="+31 30 700 10 10", on_call_phone="+31 6 5000 9999")
    now = timezone.now()
    start = timezone.localdate() - dt.timedelta(days=14)
    paths = []
    for i in range(count):
        employer = Employer.objects.create(name=f"Bakkerij Van Dijk {i}", city="Utrecht")
        mentor = Contact.objects.create(
            employer=employer,
            first_name="Sanne",
            last_name=f"de Vries {i}",
            role=ContactRole.MENTOR,
            email=f"mentor{i}@example.org",
            phone="+31 6 1234 5678",
            preferred_language="nl",
        )
        client = Client.objects.create(reference=f"M-{i:05d}", first_name="Amina", coach=coach, case_manager=manager)
        ConsentRecord.objects.create(client=client, purpose="share_with_employer", given_on=start)
        placement = Placement.objects.create(
            client=client, employer=employer, mentor=mentor, coach=coach, job_title="Medewerker", start_on=start
        )
        activate_placement(placement=placement, actor=coach, now=now - dt.timedelta(days=15))
        if evaluation:
            invite_for_placement(placement=placement, actor=coach, now=now)
        paths.append(f"/m/{link_text(issue_link(placement=placement, actor=coach, now=now))}/")
    return paths


def request(base: str, path: str, body: bytes | None = None) -> tuple[float, int]:
    """One GET (a POST with a body): (seconds, status); redirects are the answer, not followed."""
    opener = urllib.request.build_opener(NoRedirect)
    method = "GET" if body is None else "POST"
    req = urllib.request.Request(f"{base}{path}", data=body, method=method)  # noqa: S310 (loopback)
    if body is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    started = time.perf_counter()
    try:
        with opener.open(req, timeout=30) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return time.perf_counter() - started, status


def summary(results: list[tuple[float, int]], wall: float) -> dict[str, Any]:
    """Count, throughput, latency percentiles and status counts."""
    latencies = sorted(seconds for seconds, _status in results)
    statuses: dict[int, int] = {}
    for _seconds, status in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "requests": len(results),
        "wall_seconds": round(wall, 2),
        "per_second": round(len(results) / wall, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
        "max_ms": round(1000 * latencies[-1], 1),
        "statuses": statuses,
    }


def drop_published() -> None:
    """Empty the bench's broker queue: no worker sends the concern mails published during the run."""
    import redis

    redis.Redis.from_url(BENCH_ENV["CELERY_BROKER_URL"]).delete("celery")


def page_rounds(base: str, paths: list[str], rounds: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every page in turn from one client, `rounds` times; in the first, her browser's "opened" post after each."""
    reports = []
    opened: list[tuple[float, int]] = []
    opened_wall = 0.0
    for number in range(rounds):
        started = time.perf_counter()
        results = []
        for path in paths:
            results.append(request(base, path))
            if number == 0:
                posted = time.perf_counter()
                opened.append(request(base, path, urllib.parse.urlencode({"action": "opened"}).encode()))
                opened_wall += time.perf_counter() - posted
        elapsed = time.perf_counter() - started - (opened_wall if number == 0 else 0.0)
        reports.append(summary(results, elapsed))
    return reports, summary(opened, opened_wall)


def concern_posts(base: str, paths: list[str], posts: int, threads: int, server_pid: int) -> dict[str, Any]:
    """`posts` concerns over the links from a bounded pool, each with a fresh form key; with their CPU per post."""
    jobs = []
    for n in range(posts):
        form = {
            "action": "concern",
            "key": secrets.token_urlsafe(24),
            "what_happened": f"Ze kwam vandaag niet opdagen ({n}).",
            "urgency": ("today", "this_week", "no_hurry")[n % 3],
            "call_back": "yes",
        }
        jobs.append((paths[n % len(paths)] + "?lang=nl", urllib.parse.urlencode(form).encode()))
    meter = CpuMeter(server_pid)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(lambda job: request(base, job[0], job[1]), jobs))
    return {**summary(results, time.perf_counter() - started), **meter.report(len(results))}


def main() -> None:
    """Build, serve, time the pages, post the concerns, verify, report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--placements", type=int, default=300)
    parser.add_argument("--gets", type=int, default=2, help="rounds of GETs over every page")
    parser.add_argument("--posts", type=int, default=600)
    parser.add_argument("--no-evaluation", action="store_true", help="no open evaluation on the pages")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--postgres", default="", help="a scratch database URL; it is dropped and recreated")
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "mentor_page.sqlite3")
    args = parser.parse_args()
    setup_django(args.db, args.postgres)
    started = time.perf_counter()
    paths = build(args.placements, evaluation=not args.no_evaluation)
    built = time.perf_counter() - started
    port = free_port()
    server = start_server(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        for _worker in range(2 * args.workers):  # the workers' first requests load templates and translations
            request(base, "/m/warm-up/")
        pages, opened = page_rounds(base, paths, args.gets)
        concerns = concern_posts(base, paths, args.posts, args.threads, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
        drop_published()
    from django.db import connection

    from outreach.mentors.models import MentorConcern, MentorLink, MentorMail

    print(f"{'database':>22}: {connection.vendor}")
    print(
        f"{'placements (built in)':>22}: {args.placements} ({built:.1f} s), evaluation open: {not args.no_evaluation}"
    )
    for number, report in enumerate(pages, start=1):
        label = "page GET, first visit" if number == 1 else f"page GET, round {number}"
        print(f"{label:>22}: {report}")
    print(f"{'opened POST':>22}: {opened}")
    print(f"{'concern POST':>22}: {concerns} ({args.threads} threads)")
    stored = {
        "concerns": MentorConcern.objects.count(),
        "follow_ups": MentorConcern.objects.filter(step__isnull=False).count(),
        "mails": MentorMail.objects.count(),
        "opened": MentorLink.objects.filter(last_opened_at__isnull=False).count(),
    }
    print(f"{'stored':>22}: {stored}")
    pages_ok = all(report["statuses"] == {200: args.placements} for report in pages)
    expected = {"concerns": args.posts, "follow_ups": args.posts, "mails": 2 * args.posts, "opened": args.placements}
    opened_ok = opened["statuses"] == {204: args.placements}
    if not pages_ok or not opened_ok or concerns["statuses"] != {302: args.posts} or stored != expected:
        raise SystemExit("Some requests failed or were not stored")


if __name__ == "__main__":
    main()
