"""`manage.py retention [--dry-run] [--today YYYY-MM-DD]`: apply the retention schedule, or list what it would do."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy import retention


class Command(BaseCommand):
    """The retention schedule of privacy.retention, as the daily beat task runs it."""

    help = "Erase closed files, clear survey free text, strip old mails and delete old uploads as the settings say."

    def add_arguments(self, parser: ArgumentParser) -> None:
        """--dry-run and --today."""
        parser.add_argument("--dry-run", action="store_true", help="List what would be done; change nothing.")
        parser.add_argument("--today", help="Plan as of this day (YYYY-MM-DD); default: today.")

    def handle(self, *args: Any, **options: Any) -> None:
        """Plan, print, and apply unless it is a dry run."""
        today = timezone.localdate()
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(_("--today must be a date as YYYY-MM-DD.")) from exc
        due = retention.plan(today)
        for line in due.lines():
            self.stdout.write(line)
        if due.is_empty():
            self.stdout.write(_("Nothing is due."))
            return
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was changed."))
            return
        done = retention.apply(due)
        summary = _(
            "Done: %(clients)s file(s) erased, %(answers)s answer(s) cleared, %(mails)s mail(s) stripped, "
            "%(uploads)s upload(s) deleted."
        )
        self.stdout.write(summary % done)
