"""`manage.py seed_demo`: a believable demo network (and, with --users, a login per role)."""

from __future__ import annotations

import datetime as dt
import random
import time
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.choices import Ownership, Sector, SizeBand, Stage
from crm.demo import DemoContext, run_seeders
from crm.demo import vocabulary as words
from crm.demo.identity import Identity, Registry
from crm.demo.network import Builder, Plan, save_plans, staff_in
from crm.demo.users import DEMO_PASSWORD, ensure_demo_users
from crm.models import Employer, LadderStep
from crm.roles import Role

# One employer of every demo network has the long values real data has: a long name, and an e-mail address
# and a web address without a place to break them, so the employer's page, its contacts and the pipeline
# show on a 320 px phone that long values wrap (WCAG 2.1 SC 1.4.10). It is one of the --employers asked for.
LONG_VALUES_NAME = "Gemeentelijke Sociale Werkvoorziening Noordoost"
LONG_VALUES_CITY = "Groningen"
LONG_VALUES_MAILBOX = "personeelszaken.werving.en.selectie"
# Outside the 60,000,000-89,999,999 the generated employers' KvK numbers come from, so never one of theirs.
LONG_VALUES_REGISTRATION = "90417263"
LONG_VALUES_INDEX = 999_999  # in its vacancies' references (WB-999999-1); generated employers count up from 0


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
        employers: int = options["employers"]
        context = DemoContext(
            as_of=as_of,
            now=now,
            employers=max(0, employers - 1),  # the last one is the employer with long values
            seed=options["seed"],
            batch_size=max(1, options["batch_size"]),
            log=lambda message: self.stdout.write(f"  {message}"),
        )
        started = time.perf_counter()
        created = run_seeders(context=context)
        if employers:
            for kind, count in seed_long_values_employer(context=context).items():
                created[kind] = created.get(kind, 0) + count
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


def seed_long_values_employer(*, context: DemoContext) -> dict[str, int]:
    """The municipal social-work company with the long addresses, built like every demo employer; once.

    It is an active partner with contacts, whose e-mail addresses are on its long domain; the first
    random draw that gives that is taken, so the same seed always builds the same employer.
    """
    if Employer.objects.filter(registration_number=LONG_VALUES_REGISTRATION).exists():
        return {}
    city = next(city for city in words.CITIES["NL"] if city.name == LONG_VALUES_CITY)
    managers, coaches = staff_in(Role.RELATIONSHIP_MANAGER), staff_in(Role.COACH)
    plan: Plan | None = None
    for attempt in range(100):
        identity = Identity(
            index=LONG_VALUES_INDEX,
            rng=random.Random(f"{context.seed}:long-values:{attempt}"),
            name=LONG_VALUES_NAME,
            country="NL",
            city=city,
            sector=Sector.PUBLIC,
            size=SizeBand.LARGE,
            ownership=Ownership.PUBLIC,
            registration_number=LONG_VALUES_REGISTRATION,
        )
        plan = Builder(context, Registry.load(), managers, coaches).plan(identity)
        if plan.employer.stage == Stage.ACTIVE and plan.contacts:
            break
    assert plan is not None
    domain = plan.employer.email.partition("@")[2]  # the builder's: info@ on the domain of the name
    plan.employer.email = f"{LONG_VALUES_MAILBOX}@{domain}"
    steps = dict(LadderStep.objects.values_list("position", "pk"))
    created = save_plans([plan], steps=steps)
    context.log(f"{LONG_VALUES_NAME}: the employer with long e-mail and web addresses")
    return created
