"""Benchmark: render a placement info pack, and build 1,000 packs through a real Celery worker.

    .venv/bin/python bench/render_packs.py [--renders 50] [--packs 1000] [--workers N] [--postgres URL]

Builds a scratch database (a SQLite file under var/bench/ by default; with --postgres URL, e.g.
postgres://postgres@127.0.0.1:5432/wb_packs, that database is dropped, created and migrated) with
--placements active placements at bakeries, cleaners and care homes, each with a mentor, a coach with
a phone, a case manager and its aftercare schedule from the default plan. Then it

1. renders one Dutch placement pack --renders times with the pure renderer (data gathered once) and
   reports the median, p90 and fastest time, the page count and the PDF size; and the median of a
   full build (gather from the database + render) for comparison;
2. starts a Celery worker subprocess (prefork, --workers processes, default the CPU count) on a
   throwaway queue of the Redis at --redis, warms it with one pack per process, then generates
   --packs pack versions (one row each, Dutch, Swedish and English in turn, over the placements) through
   `outreach.packs.services.generate_info_pack`, which enqueues one build task per row on commit, and
   times from the first enqueue until every row is ready: packs per second.

The worker is stopped and the queue deleted afterwards; the PDFs stay under var/bench/packs_media.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
MEDIA = BENCH_DIR / "packs_media"
NOW = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)
LANGUAGES = ("nl", "sv", "en")


def _configure(args: argparse.Namespace) -> dict[str, str]:
    """Point Django (here and in the worker) at the scratch database, media folder and broker."""
    env = {
        "DEBUG": "1",
        "CELERY_BROKER_URL": args.redis,
        "MEDIA_ROOT": str(MEDIA),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if args.postgres:
        _recreate_postgres(args.postgres)
        env["DATABASE_URL"] = args.postgres
        os.environ.pop("SQLITE_PATH", None)
    else:
        path = BENCH_DIR / "render_packs.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(path)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    return env


def _recreate_postgres(url: str) -> None:
    """Drop and create the database the URL names (a scratch database: never point this at real data)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"--postgres must name a scratch database, not {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(placements: int) -> list[Any]:
    """Active placements with everything a placement pack shows."""
    from django.contrib.auth.models import User

    from crm.choices import ContactRole
    from crm.models import Contact, Employer
    from outreach.packs.models import ProgrammeProfile, StaffCard
    from placements.models import Client, ConsentRecord, Placement
    from placements.services import activate_placement

    ProgrammeProfile.objects.update(contact_phone="+31 30 700 10 10", on_call_phone="+31 6 5000 9999")
    coach = User.objects.create_user("coach", email="coach@werkbrug.example", first_name="Fatima", last_name="Bakr")
    manager = User.objects.create_user("manager", email="cm@werkbrug.example", first_name="Pieter", last_name="Smit")
    StaffCard.objects.create(user=coach, phone="+31 30 222 33 44")
    rows = []
    for i in range(placements):
        trade = ("Bakkerij", "Schoonmaakbedrijf", "Zorggroep")[i % 3]
        employer = Employer.objects.create(name=f"{trade} Van Dijk {i}", postcode=f"{1000 + i} AB", city="Utrecht")
        mentor = Contact.objects.create(
            employer=employer,
            first_name="Sanne",
            last_name=f"de Vries {i}",
            role=ContactRole.MENTOR,
            email=f"mentor{i}@example.org",
            phone="+31 6 1234 5678",
        )
        client = Client.objects.create(reference=f"C-{i:05d}", first_name="Amina", coach=coach, case_manager=manager)
        ConsentRecord.objects.create(client=client, purpose="share_with_employer", given_on=dt.date(2026, 1, 1))
        placement = Placement.objects.create(
            client=client,
            employer=employer,
            mentor=mentor,
            coach=coach,
            job_title="Medewerker",
            start_on=dt.date(2027, 1, 4),
            planned_end_on=dt.date(2027, 12, 31),
            hours_per_week=24,
        )
        activate_placement(placement=placement, actor=coach, now=NOW)
        rows.append(placement)
    return rows


def render_timings(placement: Any, renders: int) -> dict[str, float]:
    """Median, p90 and fastest render of one placement pack; the median of gather + render."""
    from django.utils import timezone
    from pypdf import PdfReader

    from outreach.packs.render import gather_pack_data, render_pack_pdf

    def gather() -> Any:
        return gather_pack_data(
            employer=placement.employer,
            placement=placement,
            language="nl",
            version=1,
            issued_on=timezone.localdate(NOW),
        )

    data = gather()
    pdf = render_pack_pdf(data)  # warm-up: fonts, templates, stylesheets
    renders_s = []
    for _ in range(renders):
        started = time.perf_counter()
        render_pack_pdf(data)
        renders_s.append(time.perf_counter() - started)
    builds_s = []
    for _ in range(max(renders // 5, 5)):
        started = time.perf_counter()
        render_pack_pdf(gather())
        builds_s.append(time.perf_counter() - started)
    renders_s.sort()
    return {
        "render_median_s": statistics.median(renders_s),
        "render_p90_s": renders_s[int(0.9 * (len(renders_s) - 1))],
        "render_min_s": renders_s[0],
        "build_median_s": statistics.median(builds_s),
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "pdf_bytes": len(pdf),
    }


def start_worker(env: dict[str, str], queue: str, workers: int) -> subprocess.Popen[bytes]:
    """A real Celery worker on the throwaway queue, in its own process group."""
    command = [
        str(ROOT / ".venv" / "bin" / "celery"),
        "-A",
        "config",
        "worker",
        "-Q",
        queue,
        "-c",
        str(workers),
        "--pool",
        "prefork",
        "-n",
        f"{queue}@%h",
        "-l",
        "warning",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)


def wait_until_ready(pks: list[int], timeout: float) -> float:
    """Poll the database until every pack is built; the moment it happened. Failed packs are an error."""
    from django.db.models import Count

    from outreach.packs.models import InfoPack

    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        counts = dict(InfoPack.objects.filter(pk__in=pks).values_list("status").annotate(n=Count("pk")))
        if counts.get("failed"):
            error = InfoPack.objects.filter(pk__in=pks, status="failed").values_list("error", flat=True).first()
            raise SystemExit(f"{counts['failed']} packs failed to build: {error}")
        if counts.get("ready", 0) == len(pks):
            return time.perf_counter()
        time.sleep(0.1)
    raise SystemExit(f"Timed out: {counts}")


def generate(placements: list[Any], count: int, actor: Any) -> list[int]:
    """`count` pack versions over the placements, one language each; every row is enqueued on commit."""
    from outreach.packs.services import generate_info_pack

    pks = []
    for i in range(count):
        placement = placements[i % len(placements)]
        [pack] = generate_info_pack(actor=actor, placement=placement, languages=[LANGUAGES[i % 3]])
        pks.append(pack.pk)
    return pks


def throughput(args: argparse.Namespace, env: dict[str, str], placements: list[Any]) -> dict[str, float]:
    """Generate --packs versions and time the worker building them all."""
    from config.celery import app

    queue = f"bench-packs-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    app.conf.task_routes = {"outreach.tasks.*": {"queue": queue}}
    worker = start_worker(env, queue, args.workers)
    try:
        actor = placements[0].coach
        warm = generate(placements, args.workers, actor)
        wait_until_ready(warm, timeout=120)
        started = time.perf_counter()
        pks = generate(placements, args.packs, actor)
        enqueued = time.perf_counter()
        finished = wait_until_ready(pks, timeout=args.timeout)
    finally:
        worker.send_signal(signal.SIGTERM)  # warm shutdown: the main process lets its children finish
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        import redis

        redis.Redis.from_url(args.redis).delete(queue)  # the Redis transport keeps a queue as a list
    return {
        "packs": args.packs,
        "workers": args.workers,
        "enqueue_s": enqueued - started,
        "total_s": finished - started,
        "packs_per_s": args.packs / (finished - started),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--packs", type=int, default=1000)
    parser.add_argument("--placements", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--postgres", default="", help="a scratch database URL; it is dropped and recreated")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()
    env = _configure(args)

    import django
    from django.core.management import call_command

    django.setup()
    shutil.rmtree(MEDIA, ignore_errors=True)
    database = "PostgreSQL" if args.postgres else "SQLite (file, WAL)"
    print(f"Info packs · {database} · Python {platform.python_version()} · {os.cpu_count()} CPUs", flush=True)
    call_command("migrate", verbosity=0)
    placements = seed(args.placements)
    render = render_timings(placements[0], args.renders)
    print(
        f"  render placement pack (N={args.renders}): median {render['render_median_s'] * 1000:.0f} ms, "
        f"p90 {render['render_p90_s'] * 1000:.0f} ms, fastest {render['render_min_s'] * 1000:.0f} ms; "
        f"{render['pages']:.0f} pages, {render['pdf_bytes'] / 1024:.0f} KiB",
        flush=True,
    )
    print(f"  gather + render (one build):        median {render['build_median_s'] * 1000:.0f} ms", flush=True)
    result = throughput(args, env, placements)
    print(
        f"  {result['packs']} packs via Celery ({result['workers']} worker processes): "
        f"{result['total_s']:.1f} s = {result['packs_per_s']:.2f} packs/s "
        f"(enqueueing took {result['enqueue_s']:.1f} s)",
        flush=True,
    )


if __name__ == "__main__":
    main()
