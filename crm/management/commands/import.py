"""`manage.py import employers|contacts|vacancies FILE`: an all-or-nothing import with a per-row report."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from common.spreadsheets import FORMATS, ImportFileError, read_upload
from crm.importing import ImportReport, import_file, possible_owners
from crm.resources import RESOURCES


class Command(BaseCommand):
    """Import a CSV or XLSX file; a single bad row imports nothing and the report names it."""

    help = (
        "Import employers, contacts or vacancies from a CSV (comma, semicolon or tab; UTF-8, or Windows-1252 "
        "as Excel saves it) or XLSX file. Existing rows are matched on their natural key and updated. If any "
        "row is wrong, nothing is imported and every wrong row is listed. Files beyond the IMPORT_MAX_* "
        "settings (size, rows, columns, cells) are refused."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        """kind, file, --dry-run, --encoding, --format, --user, --owner."""
        parser.add_argument("kind", choices=sorted(RESOURCES), help="What the file holds.")
        parser.add_argument("file", help="The CSV or XLSX file.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; save nothing.")
        parser.add_argument(
            "--encoding", help="Read a CSV file in this encoding (e.g. cp850) instead of the one detected."
        )
        parser.add_argument("--format", dest="fmt", choices=FORMATS, help="Default: from the file name and content.")
        parser.add_argument("--user", help="Username recorded as the importer in the employers' stage history.")
        parser.add_argument(
            "--owner",
            help="Username or email of the relationship manager of new employers whose row names none "
            "(the file's owner column); default: nobody.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Read the file, import it, print the report; exit non-zero when nothing was imported."""
        path = Path(options["file"])
        try:
            path.stat()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc.strerror}) from exc
        try:
            # Refused by its size before it is read whole, as on the import page (IMPORT_MAX_BYTES).
            data = read_upload(path)
        except ImportFileError as exc:
            raise CommandError(_("Nothing was imported: %(error)s") % {"error": exc}) from exc
        report = import_file(
            resource=RESOURCES[options["kind"]](),
            data=data,
            actor=self._actor(options["user"]),
            owner=self._owner(options["owner"]),
            filename=path.name,
            fmt=options["fmt"],
            encoding=options["encoding"],
            dry_run=options["dry_run"],
        )
        self._print_problems(report)
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))

    def _actor(self, username: str | None) -> Any:
        """The user named by --user, or None."""
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no user with the username “%(value)s”.") % {"value": username})
        return user

    def _owner(self, name: str | None) -> Any:
        """The active relationship manager named by --owner (username or email), or None."""
        if not name:
            return None
        found = list(possible_owners().filter(username=name)) or list(possible_owners().filter(email__iexact=name))
        if len(found) != 1:
            raise CommandError(
                _("There is no active relationship manager with the username or email address “%(value)s”.")
                % {"value": name}
            )
        return found[0]

    def _print_problems(self, report: ImportReport) -> None:
        """One line per problem, rows numbered as in the file and as in a spreadsheet."""
        if report.encoding_choices:
            self.stderr.write(
                _("Could not tell how the file was saved. Pass --encoding with the one in which this line looks right:")
            )
            for choice in report.encoding_choices:
                self.stderr.write(f"  --encoding {choice.encoding}  ({choice.label}): {choice.sample}")
        if report.ignored:
            self.stderr.write(
                _("Ignored columns (their headers were not understood): %(headers)s.")
                % {"headers": ", ".join(report.ignored)}
            )
        for error in report.file_errors:
            self.stderr.write(error)
        if not report.problems:
            return
        self.stderr.write(
            _("Rows are counted from the first row under the header (row 1); the line is where a spreadsheet shows it.")
        )
        for problem in report.problems:
            for message in problem.messages:
                self.stderr.write(
                    _("Row %(row)s (line %(line)s): %(message)s")
                    % {"row": problem.row, "line": problem.line, "message": message}
                )
