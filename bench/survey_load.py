"""Load test: 1,000 survey submissions posted to a running server, with throughput and latency percentiles.

    .venv/bin/python bench/survey_load.py [--count 1000] [--threads 8] [--workers 2] [--postgres URL]
                                          [--url http://127.0.0.1:8765]

Builds a scratch SQLite database (var/bench/surveys.sqlite3, made afresh each run; with --postgres URL,
e.g. postgres://postgres@127.0.0.1:5432/wb_survey_load, that database is dropped, created and
migrated; or set DATABASE_URL to a fresh PostgreSQL database of your own), creates N placements with
one invitation each, and starts gunicorn on a loopback port with the same settings (or posts to --url,
a server started with the same SECRET_KEY and database). Each of the bounded pool of threads posts
complete answers to its links; every post must end in the redirect to the thank-you page. The rate
limit stays on, counted in Redis (db 14), with a limit high enough for one address to send everything.

Besides the latencies it reports the CPU time each request cost the server (gunicorn's master and
workers), the client threads and, on PostgreSQL, the database's backends, read from /proc (Linux):
on a machine shared with other work the wall-clock figures swing with the load average (printed
before and after), while the CPU per request shows how many requests per second the CPUs could
serve on their own: `cpu_bound_per_second` = CPUs / (server + client + database CPU per request).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-for-survey-load",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SURVEY_POSTS_PER_MINUTE": "1000000",
    "SURVEY_GETS_PER_MINUTE": "1000000",
    # Plain HTTP on the loopback: no redirect to HTTPS (production runs behind TLS).
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SURVEY_CACHE_URL": "redis://127.0.0.1:6379/14",
    # Nothing is enqueued here, but keep any stray task away from the real broker database.
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
    "LOG_LEVEL": "WARNING",
}


def recreate_postgres(url: str) -> None:
    """Drop and create the database the URL names (a scratch database: never point this at real data)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"--postgres must name a scratch database, not {name!r}")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(db: Path, postgres: str = "") -> None:
    """Point Django at a fresh scratch database and start it."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(BENCH_ENV)
    if postgres:
        recreate_postgres(postgres)
        os.environ["DATABASE_URL"] = postgres
    os.environ.setdefault("SQLITE_PATH", str(db))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    db.parent.mkdir(parents=True, exist_ok=True)
    if "DATABASE_URL" not in os.environ:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    import django

    django.setup()


def build(count: int) -> tuple[list[str], dict[str, str]]:
    """Migrate, then N placements with one invitation each; returns the links and complete form data."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from crm.models import Contact, Employer
    from outreach.surveys.links import new_token
    from outreach.surveys.models import SurveyInvitation
    from outreach.surveys.services import active_template
    from placements.models import Client, Placement
    from tests.outreach.surveys.helpers import full_answers

    call_command("migrate", verbosity=0)
    coach = get_user_model().objects.create_user(username="bench-coach", password=None)
    employer = Employer.objects.create(name="Bench Employer")
    mentor = Contact.objects.create(employer=employer, first_name="Marleen", email="mentor@example.org")
    clients = Client.objects.bulk_create(
        Client(reference=f"L-{n:05d}", first_name="Bench", coach=coach) for n in range(count)
    )
    placements = Placement.objects.bulk_create(
        Placement(
            client=c, employer=employer, mentor=mentor, coach=coach, job_title="Medewerker", start_on="2026-01-05"
        )
        for c in clients
    )
    template, now = active_template("employer_end"), timezone.now()
    tokens = [new_token() for _ in placements]
    SurveyInvitation.objects.bulk_create(
        SurveyInvitation(
            template=template,
            placement=p,
            employer=employer,
            contact=mentor,
            email=mentor.email,
            language="nl",
            token_prefix=t.prefix,
            token_hash=t.hash,
            token_seed=t.seed,
            created_at=now,
            expires_at=now + dt.timedelta(days=30),
        )
        for p, t in zip(placements, tokens, strict=True)
    )
    return [t.link for t in tokens], {key: str(value) for key, value in full_answers(template).items()}


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    """gunicorn on loopback with the bench settings; waits until /healthz answers."""
    env = {**os.environ, **BENCH_ENV}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("The server exited; see its output above")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("The server did not start")


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) one process has used so far; 0.0 when it is gone or there is no /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    """The process and every process below it that is still running (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(child) for child in task.read_text().split())
            except OSError:
                continue
    return found


def _database_backends() -> list[int]:
    """The PostgreSQL backends serving the bench's database now (none on SQLite): their CPU is the database's."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [int(row[0]) for row in cursor.fetchall()]


class CpuMeter:
    """CPU time spent by the server, the client (this process) and the database while a run lasts.

    Read from /proc, so only on Linux (elsewhere the server and database figures are 0). The server's
    workers and the database's backends live through the run (persistent connections on PostgreSQL),
    so the difference between two readings is what the run cost them.
    """

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.started = self._read()
        self.load_before = os.getloadavg()[0]

    def _read(self) -> dict[str, Any]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        pids = _descendants(self.server_pid) if self.server_pid else []
        return {
            "server": {pid: _proc_cpu(pid) for pid in pids},
            "client": usage.ru_utime + usage.ru_stime,
            "database": {pid: _proc_cpu(pid) for pid in _database_backends()},
        }

    def report(self, requests: int) -> dict[str, Any]:
        """CPU milliseconds per request for each part, and the requests per second the CPUs alone would allow."""
        now = self._read()

        def spent(part: str) -> float:
            return sum(cpu - self.started[part].get(pid, 0.0) for pid, cpu in now[part].items())

        per_request = {
            "server": spent("server") / requests,
            "client": (now["client"] - self.started["client"]) / requests,
            "database": spent("database") / requests,
        }
        total = sum(per_request.values())
        return {
            **{f"{part}_cpu_ms": round(1000 * seconds, 2) for part, seconds in per_request.items()},
            "cpu_bound_per_second": round((os.cpu_count() or 1) / total) if total else None,
            "load_average": f"{self.load_before:.1f} before, {os.getloadavg()[0]:.1f} after",
        }


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep the 302 to the thank-you page as the answer; do not follow it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post(base: str, link: str, body: bytes) -> tuple[float, int]:
    """One submission: (seconds, status)."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(f"{base}/s/{link}/", data=body, method="POST")  # noqa: S310 (loopback)
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return time.perf_counter() - started, status


def run(base: str, links: list[str], data: dict[str, str], threads: int, server_pid: int | None) -> dict[str, Any]:
    """Post every link once from a bounded pool; timings, status counts and CPU per request."""
    body = urllib.parse.urlencode(data).encode()
    meter = CpuMeter(server_pid)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(lambda link: post(base, link, body), links))
    wall = time.perf_counter() - started
    latencies = sorted(seconds for seconds, _status in results)
    statuses: dict[int, int] = {}
    for _seconds, status in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "submissions": len(results),
        "wall_seconds": round(wall, 2),
        "per_second": round(len(results) / wall, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1),
        "max_ms": round(1000 * latencies[-1], 1),
        "statuses": statuses,
        **meter.report(len(results)),
    }


def main() -> None:
    """Build, serve, post, verify, report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers when the script starts the server")
    parser.add_argument("--port", type=int, default=0, help="port for the started server; a free one by default")
    parser.add_argument("--url", default="", help="post to this running server instead of starting one")
    parser.add_argument("--postgres", default="", help="a scratch database URL; it is dropped and recreated")
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "surveys.sqlite3")
    args = parser.parse_args()
    setup_django(args.db, args.postgres)
    links, data = build(args.count)
    port = args.port or free_port()
    server = None if args.url else start_server(port, args.workers)
    base = args.url.rstrip("/") or f"http://127.0.0.1:{port}"
    try:
        report = run(base, links, data, args.threads, server.pid if server is not None else None)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
    from django.db import connection

    from outreach.surveys.models import Answer, SurveyResponse

    report["database"] = connection.vendor
    report["threads"] = args.threads
    report["responses_stored"] = SurveyResponse.objects.count()
    report["answers_stored"] = Answer.objects.count()
    for key, value in report.items():
        print(f"{key:>18}: {value}")
    if report["statuses"] != {302: args.count} or report["responses_stored"] != args.count:
        raise SystemExit("Some submissions failed")


if __name__ == "__main__":
    main()
