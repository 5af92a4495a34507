"""`manage.py seed_demo`: a believable demo network (and, with --users, a login per role)."""

from __future__ import annotations

import datetime as dt
import time
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.demo import DemoContext, run_seeders
from crm.demo.users import DEMO_PASSWORD, ensure_demo_users


def iso_date(value: str) -> dt.date:
    """Parse --as-of."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError(f"{value!r} is not a date like 2026-11-02") from exc


def positive_int(value: str) -> int:
    """Parse --employers and --batch-size."""
    try:
        number = int(value)
    except ValueError as exc:
        raise ArgumentTypeError(f"{value!r} is not a whole number") from exc
    if number < 0:
        raise ArgumentTypeError(f"{value!r} is negative")
    return number


class Command(BaseCommand):
    """Seed demo data: Dutch, Belgian and Swedish employers with history, contacts, interactions and vacancies."""

    help = (
        "Create demo data, only what is missing: running it twice changes nothing, and a larger --employers "
        "adds the difference. --users also creates one login per role (only with DEBUG on)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Size, date, seed and users."""
        parser.add_argument("--employers", type=positive_int, default=60, help="How many employers (default 60).")
        parser.add_argument(
            "--as-of", type=iso_date, default=None, help="The day the data is built around (default today)."
        )
        parser.add_argument("--users", action="store_true", help="Also create the demo users (needs DEBUG=1).")
        parser.add_argument("--seed", default="werkbrug", help="Random seed; the same seed gives the same data.")
        parser.add_argument("--batch-size", type=positive_int, default=500, help="Employers per insert batch.")

    def handle(self, *args: Any, **options: Any) -> None:
        """Create the users when asked, then run every app's demo seeder and report what was created."""
        if options["users"]:
            self.create_users()
        as_of: dt.date = options["as_of"] or timezone.localdate()
        now = timezone.now() if as_of == timezone.localdate() else self.evening_of(as_of)
        context = DemoContext(
            as_of=as_of,
            now=now,
            employers=options["employers"],
            seed=options["seed"],
            batch_size=max(1, options["batch_size"]),
            log=lambda message: self.stdout.write(f"  {message}"),
        )
        started = time.perf_counter()
        created = run_seeders(context=context)
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{count} {kind}" for kind, count in created.items()) or "nothing"
        self.stdout.write(self.style.SUCCESS(f"Demo data as of {as_of}: created {summary} in {elapsed:.1f} s."))

    def evening_of(self, day: dt.date) -> dt.datetime:
        """The end of the working day on a date given with --as-of."""
        return timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0)))

    def create_users(self) -> None:
        """Create the demo users; refused without DEBUG because their password is published."""
        if not settings.DEBUG:
            raise CommandError("The demo users have a published password; create them only with DEBUG=1.")
        for demo, created in ensure_demo_users():
            state = f"created, password {DEMO_PASSWORD}" if created else "exists, password unchanged"
            self.stdout.write(f"  {demo.username:<8} {demo.role.label:<24} ({state})")
