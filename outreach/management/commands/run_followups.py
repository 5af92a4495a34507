"""`manage.py run_followups --as-of 2027-03-01T09:00`: the follow-up sweep for a given moment."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from outreach.followups.services import run_followups


def parse_moment(value: str) -> dt.datetime:
    """An ISO date (the start of that day) or date and time, in the site's time zone unless it names one."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise CommandError(
            f"--as-of {value!r} is not a date (2027-03-01) or a date and time (2027-03-01T09:00)"
        ) from exc
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    """Run the follow-up sweep once, as beat would at that moment, for operators and tests."""

    help = (
        "Claim the aftercare steps due at a moment and enqueue their mails, as the beat sweep does; "
        "--inline sends them here, without a worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            dest="as_of",
            default="",
            help="The moment to sweep for: 2027-03-01 (the start of that day) or 2027-03-01T09:00. Default: now.",
        )
        parser.add_argument(
            "--inline",
            action="store_true",
            help="Send the mails in this process instead of enqueueing them (for operators without a worker).",
        )
        parser.add_argument("--digest", action="store_true", help="Also make that day's morning digests.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_moment(options["as_of"]) if options["as_of"] else timezone.now()
        report = run_followups(now=now, inline=options["inline"], digest=options["digest"])
        self.stdout.write(json.dumps({"as_of": now.isoformat(), **report.as_dict()}, sort_keys=True))
        if report.publisher.broker_error:
            # The notices are saved and due again now: the next sweep (or this command again) publishes them.
            raise CommandError(
                f"{report.publisher.broker_error.splitlines()[0]} "
                f"({report.publisher.unpublished} mail(s) saved, to be queued by the next run)"
            )
