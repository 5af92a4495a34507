"""Benchmark: one follow-up sweep claiming and enqueueing 10,000 due steps among about a million.

    .venv/bin/python bench/sweep_followups.py [--postgres URL] [--placements 100000] [--due 10000]

Builds a scratch database (a SQLite file under var/bench/ by default; with --postgres URL, e.g.
postgres://postgres@127.0.0.1:5432/wb_sweep, that database is dropped, created and migrated) with
100,000 active placements and ten aftercare steps each (1,000,000 rows): past steps done, future
steps planned, and --due of them planned for the sweep's day. Then it

1. prints the query plan of the claim query (it must use the partial index placements_open_steps_due);
2. times one sweep (`outreach.followups.services.sweep_followups`) as of that day: steps planned ->
   due, one notice per step under its unique key, and one send message per batch of MAIL_BATCH_SIZE
   notices published to real Redis on a throwaway queue after each batch commits; checks the queue
   holds the right number of messages and purges it;
3. times the same sweep publishing one message per notice (MAIL_BATCH_SIZE=1, how sweeps published
   before batching), a second sweep at the same moment (nothing left to claim) and, after undoing
   the claim, the claim alone without the broker; steps 2-3 repeat --rounds times (best and median).

Redis is the one at REDIS_URL (default redis://127.0.0.1:6379/0); the queue is deleted afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
AS_OF = dt.date(2027, 3, 1)
STEPS_PER_PLACEMENT = 10
COACHES = 200
EMPLOYERS = 2000
KINDS = ("call", "visit", "three_way", "review")


def _configure(args: argparse.Namespace) -> None:
    """Point Django at the scratch database and Celery at a throwaway queue, before django.setup()."""
    os.environ.setdefault("DEBUG", "1")
    os.environ["OUTREACH_QUEUE"] = args.queue
    os.environ["CELERY_BROKER_URL"] = args.redis
    if args.postgres:
        _recreate_postgres(args.postgres)
        os.environ["DATABASE_URL"] = args.postgres
    else:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        path = BENCH_DIR / "sweep_followups.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(path)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


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


def _timed(label: str, started: float) -> float:
    elapsed = time.perf_counter() - started
    print(f"  {label:<44} {elapsed:8.2f} s", flush=True)
    return elapsed


def _inserter(model: Any, varying: tuple[str, ...]) -> Any:
    """A fast INSERT for `model`: `varying` columns per row, every other column its default, prepared once.

    The ORM's bulk_create spends most of its time preparing each value of each row; for a million
    rows this writes plain tuples with executemany (SQLite) or COPY (PostgreSQL) instead.
    """
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    constant = {}
    for field in fields:
        if field.attname in varying:
            continue
        auto_now = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        value = now if auto_now else field.get_default()  # the default, "" for text, else None
        if value is None and not field.null:
            raise ValueError(f"{model.__name__}.{field.attname} needs a value")
        constant[field.attname] = field.get_db_prep_save(value, connection)
    order = [
        (field.attname in varying, varying.index(field.attname) if field.attname in varying else field.attname)
        for field in fields
    ]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)

    def full(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(row[key] if is_varying else constant[key] for is_varying, key in order)

    def insert(rows: list[tuple[Any, ...]]) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(full(row))
            else:
                marks = ", ".join(["%s"] * len(fields))
                # Table and column names come from the model's _meta, quoted; values are parameters.
                sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, [full(row) for row in rows])

    return insert


class _Adapt:
    """Dates and moments as the database stores them, memoised (there are only a few hundred dates)."""

    def __init__(self) -> None:
        from django.db import connection

        self.ops = connection.ops
        self.dates: dict[dt.date, Any] = {}

    def date(self, value: dt.date) -> Any:
        if value not in self.dates:
            self.dates[value] = self.ops.adapt_datefield_value(value)
        return self.dates[value]

    def moment(self, value: dt.datetime | None) -> Any:
        return None if value is None else self.ops.adapt_datetimefield_value(value)


def build(placements: int, due: int) -> None:
    """Staff, employers and mentors with bulk_create; clients, placements and steps with fast inserts."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from crm.models import Contact, Employer
    from outreach.followups.models import FollowUpNotice
    from placements.models import AftercareStep, Client, Placement

    with transaction.atomic():
        User.objects.bulk_create(User(username=f"coach{i}", email=f"coach{i}@werkbrug.test") for i in range(COACHES))
        coaches = list(User.objects.order_by("pk").values_list("pk", flat=True))
        employers = [
            Employer(name=f"Werkgever {i}", postcode=f"{1000 + i % 8999} AB", city="Utrecht") for i in range(EMPLOYERS)
        ]
        for employer in employers:
            employer.normalise()
        Employer.objects.bulk_create(employers, batch_size=2000)
        employer_ids = list(Employer.objects.order_by("pk").values_list("pk", flat=True))
        Contact.objects.bulk_create(
            (Contact(employer_id=e, first_name="Mentor", email=f"mentor{e}@example.org") for e in employer_ids),
            batch_size=2000,
        )
        mentors = dict(Contact.objects.values_list("employer_id", "pk"))
    every = max(placements * STEPS_PER_PLACEMENT // due, 1)
    inserts = {
        "client": _inserter(Client, ("reference", "first_name", "coach_id", "status")),
        "placement": _inserter(Placement, PLACEMENT_COLUMNS),
        "step": _inserter(AftercareStep, STEP_COLUMNS),
        "notice": _inserter(FollowUpNotice, NOTICE_COLUMNS),
    }
    adapt = _Adapt()
    for start in range(0, placements, 20_000):
        with transaction.atomic():
            _build_chunk(start, min(start + 20_000, placements), coaches, employer_ids, mentors, every, inserts, adapt)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert AftercareStep.objects.filter(due_on=AS_OF, status="planned").count() == due
    print(
        f"  {Placement.objects.count():,} placements, {AftercareStep.objects.count():,} steps, "
        f"{Client.objects.count():,} clients, {FollowUpNotice.objects.count():,} past notices"
    )


NOTICE_COLUMNS = (
    "step_id",
    "kind",
    "days_before",
    "for_due_on",
    "recipient_email",
    "status",
    "attempts",
    "queued_at",
    "sent_at",
)
PLACEMENT_COLUMNS = (
    "client_id",
    "employer_id",
    "mentor_id",
    "coach_id",
    "job_title",
    "start_on",
    "status",
    "activated_at",
)
STEP_COLUMNS = (
    "placement_id", "title", "track", "kind", "due_on", "planned_due_on", "assignee_id", "status",
    "completed_at", "completed_by_id",
)  # fmt: skip


def _build_chunk(
    first: int,
    last: int,
    coaches: list[int],
    employers: list[int],
    mentors: dict[int, int],
    every: int,
    inserts: dict[str, Any],
    adapt: _Adapt,
) -> None:
    """Clients, placements and steps for placements first..last-1."""
    from django.utils import timezone

    from placements.models import AftercareStep, Client, Placement

    done_at = adapt.moment(timezone.make_aware(dt.datetime.combine(AS_OF - dt.timedelta(days=1), dt.time(12))))
    inserts["client"]([(f"B-{n:07d}", "Amina", coaches[n % len(coaches)], "placed") for n in range(first, last)])
    clients = Client.objects.filter(reference__gte=f"B-{first:07d}", reference__lt=f"B-{last:07d}")
    rows = []
    for n, (client_id, coach_id) in enumerate(clients.order_by("reference").values_list("pk", "coach_id"), start=first):
        employer = employers[n % len(employers)]
        start = adapt.date(AS_OF - dt.timedelta(days=n % 365))
        rows.append((client_id, employer, mentors[employer], coach_id, "Medewerker", start, "active", done_at))
    inserts["placement"](rows)
    steps = []
    for placement_id, coach_id, start in Placement.objects.filter(client__in=clients).values_list(
        "pk", "coach_id", "start_on"
    ):
        for j in range(STEPS_PER_PLACEMENT):
            k = placement_id * STEPS_PER_PLACEMENT + j
            due_on = _due_on(k, start, j, every)
            done = due_on < AS_OF
            day = adapt.date(due_on)
            steps.append(
                (placement_id, f"Follow-up {j + 1}", "client", KINDS[j % len(KINDS)], day, day, coach_id,
                 "done" if done else "planned", done_at if done else None, coach_id if done else None)
            )  # fmt: skip
    inserts["step"](steps)
    # In a running system every past step has had its reminders: the claim's NOT EXISTS probes a big table.
    notices = []
    past = AftercareStep.objects.filter(placement__client__in=clients, status="done")
    for step_id, email, due_on in past.values_list("pk", "assignee__email", "due_on"):
        day = adapt.date(due_on)
        notices.append((step_id, "reminder_before", 1, day, email, "sent", 1, done_at, done_at))
        notices.append((step_id, "reminder_due", 0, day, email, "sent", 1, done_at, done_at))
    inserts["notice"](notices)


def _due_on(k: int, start: dt.date, j: int, every: int) -> dt.date:
    """The sweep's day for every `every`-th step; the others spread over the year, never on that day or the next."""
    if k % every == 0:
        return AS_OF
    due_on = start + dt.timedelta(days=7 + j * 36 + k % 5)
    if due_on in (AS_OF, AS_OF + dt.timedelta(days=1)):
        due_on += dt.timedelta(days=2)
    return due_on


def explain() -> None:
    """The plans of the claim query and of the planned -> due update's selection."""
    from django.conf import settings
    from django.db import transaction
    from django.db.models import F

    from outreach.followups.models import NoticeKind
    from outreach.followups.services import InlineIn, _locked, claim_query, rules_for
    from placements.models import AftercareStep

    rule = next(r for r in rules_for(AS_OF) if r.kind == NoticeKind.REMINDER_DUE)
    with transaction.atomic():
        claim = _locked(claim_query(rule))[: settings.FOLLOWUP_SWEEP_BATCH]
        print("\nClaim query (reminders due on the day), QUERY PLAN:")
        print(_indent(claim.explain()))
        print("\nSteps becoming due (the first of mark_due_steps' two reads), QUERY PLAN:")
        ready = AftercareStep.objects.filter(InlineIn(F("status"), ["planned"]), due_on__lte=AS_OF)
        print(_indent(ready.values_list("pk", "placement_id").order_by().explain()))


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def _reset() -> None:
    """Undo a sweep: drop its notices and put the steps it made due back to planned."""
    from outreach.followups.models import FollowUpNotice
    from placements.models import AftercareStep

    FollowUpNotice.objects.exclude(status="sent").delete()
    AftercareStep.objects.filter(due_on=AS_OF, status="due").update(status="planned")


def sweep(due: int, queue: str, redis_url: str, rounds: int) -> dict[str, list[float]]:
    """Per round: the sweep with batched and with per-notice publishing, an idle sweep, and the claim alone."""
    import redis
    from django.conf import settings
    from django.utils import timezone

    from outreach.followups.services import sweep_followups

    now = timezone.make_aware(dt.datetime.combine(AS_OF, dt.time(9)))
    broker = redis.Redis.from_url(redis_url)
    batch = settings.MAIL_BATCH_SIZE
    figures: dict[str, list[float]] = {"sweep": [], "per_notice": [], "idle": [], "claim": []}
    try:
        for round_ in range(1, rounds + 1):
            print(f"\nRound {round_}:")
            for name, size in (("sweep", batch), ("per_notice", 1)):
                broker.delete(queue)
                settings.MAIL_BATCH_SIZE = size
                started = time.perf_counter()
                report = sweep_followups(now=now)
                figures[name].append(_timed(f"claim + publish {due:,}, {size} per message", started))
                queued = broker.llen(queue)
                assert report.became_due == due and len(report.notices) == due, report.as_dict()
                assert report.publisher.published == due, report.as_dict()
                assert queued == -(-due // size), f"{queued} messages on the queue, expected {-(-due // size)}"
                if name == "sweep":
                    started = time.perf_counter()
                    again = sweep_followups(now=now)
                    figures["idle"].append(_timed("second sweep, nothing left to claim", started))
                    assert not again.notices and not again.became_due
                _reset()
            settings.MAIL_BATCH_SIZE = batch
            started = time.perf_counter()
            report = sweep_followups(now=now, enqueue=False)
            figures["claim"].append(_timed(f"claim only, no broker ({len(report.notices):,})", started))
            _reset()
    finally:
        settings.MAIL_BATCH_SIZE = batch
        for key in broker.scan_iter(match=f"{queue}*"):
            broker.delete(key)
    print(f"\nSummary ({rounds} rounds, best / median):")
    labels = (
        ("sweep", f"claim + publish, {batch} notices per message"),
        ("per_notice", "claim + publish, one message per notice"),
        ("claim", "claim only"),
        ("idle", "idle sweep"),
    )
    for name, label in labels:
        values = sorted(figures[name])
        print(f"  {label:<44} {values[0]:6.2f} s / {values[len(values) // 2]:6.2f} s")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="A scratch PostgreSQL database URL; it is dropped and recreated.")
    parser.add_argument("--placements", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--rounds", type=int, default=3, help="Sweeps to time (the build is done once).")
    args = parser.parse_args()
    args.queue = f"bench-sweep-{uuid.uuid4().hex[:8]}"
    if not 0 < args.due <= args.placements * STEPS_PER_PLACEMENT:
        parser.error("--due must be between 1 and ten times --placements")
    _configure(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"Follow-up sweep benchmark, {dt.date.today()}, {python}, {os.cpu_count()} cores")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    print(f"Database: {connection.vendor} ({version}) {connection.settings_dict['NAME']}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    _timed("migrate", started)
    started = time.perf_counter()
    build(args.placements, args.due)
    _timed("build", started)
    explain()
    sweep(args.due, args.queue, args.redis, args.rounds)


if __name__ == "__main__":
    main()
