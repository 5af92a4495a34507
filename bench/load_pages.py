"""Load benchmark: every staff page and API list served by gunicorn to four concurrent users, next to /healthz.

    .venv/bin/python bench/load_pages.py [--employers 50000] [--placements 100000] [--steps 1000000]
        [--contacts 200000] [--db var/bench/load.sqlite3] [--requests 40] [--concurrency 4] [--workers 2]
        [--mix] [--only TEXT] [--slow 2] [--slow-requests 8] [--json FILE]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wb_load_bench .venv/bin/python bench/load_pages.py
    .venv/bin/python bench/load_pages.py --employers 2000 --placements 4000 --steps 40000 --contacts 8000 \
        --db var/bench/load_small.sqlite3 --requests 12               # a quick run

Data: the issue's network (50,000 employers, 200,000 contacts, 100,000 placements, 1,000,000 aftercare
steps) in a database of its own: SQLite at --db, or the PostgreSQL database in DATABASE_URL (created when
missing). The build is programme_reports.py's (seed_demo, clients with placements, steps, ladder stays,
evaluations, interactions, in committed chunks: an interrupted run carries on where it stopped) with the
clients spread over --coaches coaches (400: about 150 clients each over three years, as a real caseload,
alice and bob among them; carl is the case manager of the first ten coaches' clients), then contacts at
random employers with bulk inserts in committed chunks until there are --contacts overall, then what the
workspace pages need (workspace_pages.py's build: the team, a planned placement, an agreement, a pack).

Serving: gunicorn with --workers sync workers on a free loopback port, DEBUG off, static files collected,
with the settings of survey_load.py (its start_server). Sync workers are gunicorn's default and what a
deployment runs (`gunicorn config.wsgi`); the pages are CPU-bound in Python (templates, serializers), so
threads in a worker would share one interpreter lock and not add capacity on two CPUs. With four
clients and two workers, a request may wait for a free worker: that wait is part of what a user sees.

Signing in: each user signs in once through the real sign-in form (GET for the CSRF cookie, POST with
the token, as a browser does), and every request of that user carries the session cookie; the API lists
are read as the network lead with her session (the API takes sessions as well as tokens). The calendar
feed is fetched without a session, with a fresh feed token, as a calendar app does.

Measured: every page bench/workspace_pages.py times, each topic page of the programme report each reader
may read (programme_reports.py's list, without the XLSX and PDF downloads), the first page of every API
list, and /healthz as the floor. After a warm-up (every request once from each worker's share, each must
answer 200), by default every page in turn is requested --requests times by --concurrency threads at
once (four users asking for the same page): p50, p95, p99 and the slowest, and requests per second for
that page. With --mix, each thread instead loops --requests / --concurrency times over all the pages
in an order of its own (four users each at their own page): latencies per page under the mixed load,
and requests per second for the whole run only. A page whose first two requests take longer than --slow
seconds each is requested only --slow-requests times (its p95 and p99 are then about its slowest), and the
server's worker timeout is raised (--timeout) so that such a page is answered, not cut off. Prints a
Markdown table with the goal (p95 under 150 ms) met or not for each page; --json also writes the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookies
import json
import os
import platform
import random
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import programme_reports
import workspace_pages
from mentor_page import collect_static
from survey_load import NoRedirect, free_port, start_server

ROOT = Path(__file__).resolve().parent.parent
CONTACT_CHUNK = 20_000
CONTACT_EMAIL = "load-bench-{:07d}@example.org"
GOAL_MS = 150
COACHES = 400  # 60,000 clients over three years: about 150 each, some 40 of them open at a time
API_READER = "admin"
PASSWORD = "werkbrug"  # noqa: S105 (the demo users' published password, crm.demo.users.DEMO_PASSWORD)
API_LISTS = (
    "/api/v1/employers/",
    "/api/v1/contacts/",
    "/api/v1/interactions/",
    "/api/v1/vacancies/",
    "/api/v1/employer-stage-changes/",
    "/api/v1/ladder-steps/",
    "/api/v1/clients/",
    "/api/v1/placements/",
    "/api/v1/agreements/",
    "/api/v1/plans/",
    "/api/v1/steps/",
    "/api/v1/outreach/info-packs/",
    "/api/v1/outreach/survey-invitations/",
)


class Target(NamedTuple):
    """One page measured: who asks for it (no one: no session), its label and path, and the htmx header."""

    user: str
    label: str
    path: str
    htmx: bool = False


def add_contacts(total: int) -> int:
    """Contacts at random employers, in committed chunks, until there are `total`; returns how many were added."""
    from django.db import transaction

    from crm.choices import ContactRole, Language
    from crm.models import Contact, Employer

    have = Contact.objects.count()
    if have >= total:
        return 0
    employer_ids = list(Employer.objects.values_list("pk", flat=True))
    number = Contact.objects.filter(email__startswith="load-bench-").count()
    roles, languages = ContactRole.values, Language.values
    added = 0
    while have + added < total:
        started = time.perf_counter()
        rng = random.Random(f"load-bench:contacts:{number}")
        rows = []
        for n in range(number, number + min(CONTACT_CHUNK, total - have - added)):
            rows.append(
                Contact(
                    employer_id=rng.choice(employer_ids),
                    first_name=rng.choice(("Anna", "Bram", "Chantal", "Daan", "Eva", "Fatima", "Gert", "Hanna")),
                    last_name=f"Bench {n:07d}",
                    role=rng.choice(roles),
                    job_title=rng.choice(("Owner", "Team leader", "HR adviser", "Shift lead", "")),
                    email=CONTACT_EMAIL.format(n),
                    phone=f"06{n:08d}",
                    preferred_language=rng.choice(languages),
                    is_active=rng.random() < 0.9,
                )
            )
        with transaction.atomic():
            Contact.objects.bulk_create(rows, batch_size=2000)
        number += len(rows)
        added += len(rows)
        print(f"contacts: {have + added:,} of {total:,} ({time.perf_counter() - started:.0f} s)", flush=True)
    return added


def build(sizes: programme_reports.Sizes, contacts: int) -> None:
    """The reports bench's data, the contacts, then what the workspace pages need; statistics on PostgreSQL."""
    from django.db import connection
    from django.test.utils import override_settings

    programme_reports.build(sizes)
    with override_settings(DEBUG=False):  # no query log for the bulk inserts
        added = add_contacts(contacts)
    workspace_pages.build(sizes.employers)
    if added and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE crm_contact")


def targets() -> list[Target]:
    """Every page measured: the workspace pages, the report's topic pages, the API lists; /healthz last."""
    report_pages = [
        Target(user, f"report: {label}", path)
        for user, label, path in programme_reports.cases()
        if not label.startswith(("XLSX", "PDF"))
    ]
    return [
        *(Target(page.user, page.label, page.path, page.htmx) for page in workspace_pages.pages()),
        *report_pages,
        *(Target(API_READER, f"API {path}", path) for path in API_LISTS),
        Target("", "/healthz (the floor)", "/healthz"),
    ]


TIMEOUT = [300]  # seconds the client waits for an answer: the server's worker timeout (--timeout)


def request(base: str, path: str, *, cookie: str = "", body: bytes | None = None, htmx: bool = False) -> Any:
    """One request, redirects not followed: (seconds, status, response bytes, headers)."""
    opener = urllib.request.build_opener(NoRedirect)
    req = urllib.request.Request(f"{base}{path}", data=body, method="GET" if body is None else "POST")  # noqa: S310
    if cookie:
        req.add_header("Cookie", cookie)
    if htmx:
        req.add_header("HX-Request", "true")
    if body is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    started = time.perf_counter()
    try:
        with opener.open(req, timeout=TIMEOUT[0]) as response:
            size = len(response.read())
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as exc:
        size, status, headers = len(exc.read()), exc.code, exc.headers
    return time.perf_counter() - started, status, size, headers


def cookies_of(headers: Any) -> dict[str, str]:
    """The cookies a response sets, by name."""
    jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
    for line in headers.get_all("Set-Cookie") or []:
        jar.load(line)
    return {name: morsel.value for name, morsel in jar.items()}


def sign_in(base: str, username: str) -> str:
    """Sign in through the form, as a browser does; returns the Cookie header of the session."""
    _s, status, _n, headers = request(base, "/accounts/login/")
    csrf = cookies_of(headers).get("csrftoken", "")
    if status != 200 or not csrf:
        raise SystemExit(f"The sign-in form did not answer with a CSRF cookie ({status})")
    form = {"csrfmiddlewaretoken": csrf, "username": username, "password": PASSWORD, "next": "/"}
    _s, status, _n, headers = request(
        base, "/accounts/login/", cookie=f"csrftoken={csrf}", body=urllib.parse.urlencode(form).encode()
    )
    session = cookies_of(headers).get("sessionid", "")
    if status != 302 or not session:
        raise SystemExit(f"{username} could not sign in ({status})")
    return f"csrftoken={csrf}; sessionid={session}"


def percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted seconds, in ms."""
    return 1000 * ordered[int(share * (len(ordered) - 1))]


def figures(times: list[float]) -> dict[str, float]:
    """p50, p95, p99 and the slowest of a page's requests, in ms."""
    ordered = sorted(times)
    return {
        "p50_ms": round(percentile(ordered, 0.5), 1),
        "p95_ms": round(percentile(ordered, 0.95), 1),
        "p99_ms": round(percentile(ordered, 0.99), 1),
        "max_ms": round(1000 * ordered[-1], 1),
    }


def run(base: str, pages: list[Target], cookies: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    """Warm up, then measure every page (one at a time, or all mixed); per-page figures and the run's totals."""
    failures: list[str] = []

    def get(target: Target) -> float:
        seconds, status, _size, _headers = request(
            base, target.path, cookie=cookies.get(target.user, ""), htmx=target.htmx
        )
        if status != 200:
            failures.append(f"{target.label}: {status}")
        return float(seconds)

    sizes, counts = [], []
    for target in pages:  # one request each, for the response size and to see every page answers
        seconds, status, size, _h = request(base, target.path, cookie=cookies.get(target.user, ""), htmx=target.htmx)
        if status != 200:
            raise SystemExit(f"{target.label} ({target.path}) answered {status}")
        if seconds >= args.slow:  # counted afresh, then kept (the report's figures)? the second request tells
            seconds = request(base, target.path, cookie=cookies.get(target.user, ""), htmx=target.htmx)[0]
        sizes.append(size)
        counts.append(args.requests if seconds < args.slow else args.slow_requests)
        print(f"  first request {1000 * seconds:8.0f} ms  {target.label}", file=sys.stderr, flush=True)
    fast = [target for target, count in zip(pages, counts, strict=True) if count == args.requests]
    with ThreadPoolExecutor(max_workers=args.workers) as pool:  # each worker's own first requests
        list(pool.map(get, fast * args.workers))
    times: list[list[float]] = [[] for _target in pages]
    rates: list[float | None] = [None for _target in pages]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        if args.mix:
            orders = []
            for thread in range(args.concurrency):
                order = [i for i, count in enumerate(counts) for _ in range(max(1, count // args.concurrency))]
                random.Random(f"load-bench:order:{thread}").shuffle(order)
                orders.append(order)
            timed = pool.map(lambda order: [(index, get(pages[index])) for index in order], orders)
            for results in timed:
                for index, seconds in results:
                    times[index].append(seconds)
        else:
            for index, target in enumerate(pages):
                page_started = time.perf_counter()
                times[index] = list(pool.map(get, [target] * counts[index]))
                rates[index] = round(counts[index] / (time.perf_counter() - page_started), 1)
                print(
                    f"  measured {counts[index]:3d} in {time.perf_counter() - page_started:6.1f} s  {target.label}",
                    file=sys.stderr,
                    flush=True,
                )
    wall = time.perf_counter() - started
    if failures:
        raise SystemExit("Requests failed: " + "; ".join(sorted(set(failures))[:20]))
    rows = []
    for index, target in enumerate(pages):
        row: dict[str, Any] = {"page": target.label, "user": target.user, "path": target.path}
        row.update(figures(times[index]))
        row["per_second"] = rates[index]
        row["requests"] = len(times[index])
        row["kb"] = round(sizes[index] / 1024, 1)
        row["goal_met"] = row["p95_ms"] < GOAL_MS
        rows.append(row)
    total = sum(len(values) for values in times)
    return {"rows": rows, "requests": total, "wall_seconds": round(wall, 1), "per_second": round(total / wall, 1)}


def main() -> None:
    """Build the data when needed, serve it, sign in, measure, print the table (and write JSON when asked)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employers", type=int, default=50_000)
    parser.add_argument("--placements", type=int, default=100_000, help="placements overall")
    parser.add_argument("--steps", type=int, default=1_000_000, help="aftercare steps overall")
    parser.add_argument("--contacts", type=int, default=200_000, help="contacts overall")
    parser.add_argument(
        "--coaches", type=int, default=COACHES, help="coaches the clients are spread over (alice and bob among them)"
    )
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "load.sqlite3")
    parser.add_argument("--requests", type=int, default=40, help="requests per page")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--mix", action="store_true", help="each thread loops over all pages in its own order")
    parser.add_argument(
        "--slow", type=float, default=2.0, help="seconds: a page whose first request takes longer is measured less"
    )
    parser.add_argument("--slow-requests", type=int, default=8, help="requests for such a slow page")
    parser.add_argument("--timeout", type=int, default=300, help="gunicorn's worker timeout, seconds")
    parser.add_argument("--only", default="", help="measure only the pages whose label contains this")
    parser.add_argument("--build-only", action="store_true", help="build the data and stop")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    sizes = programme_reports.Sizes(
        employers=args.employers,
        placements=args.placements,
        steps=args.steps,
        clients=args.placements * 6 // 10,
        interactions=args.placements * 2,
        evaluations=args.placements // 20,
        coaches=args.coaches,
    )
    programme_reports.setup_django(args.db)
    from django.db import connection

    started = time.perf_counter()
    build(sizes, args.contacts)
    print(f"build: {time.perf_counter() - started:.0f} s", flush=True)
    counts = programme_reports.data_sizes()
    from crm.models import Contact

    counts["contacts"] = Contact.objects.count()
    print(f"{connection.vendor}: " + ", ".join(f"{count:,} {name}" for name, count in counts.items()), flush=True)
    if args.build_only:
        return
    pages = [target for target in targets() if args.only in target.label or target.path == "/healthz"]
    collect_static()
    connection.close()  # the server's workers have the database to themselves while measuring
    port = free_port()
    os.environ["GUNICORN_CMD_ARGS"] = f"--timeout {args.timeout}"
    TIMEOUT[0] = args.timeout  # the slowest pages take longer than 30 s
    server = start_server(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        cookies = {user: sign_in(base, user) for user in sorted({target.user for target in pages if target.user})}
        report = run(base, pages, cookies, args)
    finally:
        server.terminate()
        server.wait(timeout=10)
    mode = "all pages mixed, each thread in its own order" if args.mix else "one page at a time"
    print(
        f"\n{connection.vendor}, gunicorn {args.workers} sync workers, {args.concurrency} client threads, "
        f"{args.requests} requests per page ({mode}); {report['requests']} requests in {report['wall_seconds']} s "
        f"({report['per_second']} per second)\n"
    )
    print(f"| page | requests | p50 ms | p95 ms | p99 ms | slowest ms | req/s | KB | p95 < {GOAL_MS} ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for row in report["rows"]:
        rate = "" if row["per_second"] is None else row["per_second"]
        met = "met" if row["goal_met"] else "not met"
        print(
            f"| {row['page']} | {row['requests']} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | {row['p99_ms']:.0f} "
            f"| {row['max_ms']:.0f} | {rate} | {row['kb']:.0f} | {met} |"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report.update(
            {
                "date": dt.date.today().isoformat(),
                "vendor": connection.vendor,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "workers": args.workers,
                "concurrency": args.concurrency,
                "requests_per_page": args.requests,
                "mix": args.mix,
                "sizes": counts,
            }
        )
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
