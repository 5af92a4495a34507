"""`manage.py export employers|contacts|vacancies [--format csv|xlsx] [-o FILE]`."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from common import access
from common.spreadsheets import FORMATS
from crm.importing import export_file
from crm.resources import RESOURCES

DELIMITERS = {",": ",", ";": ";", "tab": "\t"}


class Command(BaseCommand):
    """Export rows in the columns `manage.py import` reads back; formula-like text is escaped."""

    help = (
        "Export employers, contacts or vacancies as CSV (UTF-8 with BOM) or XLSX, in the columns the import "
        "reads. Text that a spreadsheet would run as a formula gets a leading apostrophe."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        """kind, --format, -o, --delimiter."""
        parser.add_argument("kind", choices=sorted(RESOURCES), help="What to export.")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, help="Default: from -o's suffix, else csv.")
        parser.add_argument("-o", "--output", help="Write to this file (default: CSV to standard output).")
        parser.add_argument(
            "--delimiter", choices=sorted(DELIMITERS), default=",", help="CSV delimiter; Dutch Excel opens ; files."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Export, to the file or to standard output."""
        output = Path(options["output"]) if options["output"] else None
        fmt = options["fmt"] or ("xlsx" if output and output.suffix.lower() == ".xlsx" else "csv")
        if fmt == "xlsx" and output is None:
            raise CommandError(_("XLSX is a binary format; pass -o FILE."))
        resource = RESOURCES[options["kind"]]()
        data = export_file(resource=resource, fmt=fmt, delimiter=DELIMITERS[options["delimiter"]])
        access.record(None, access.EXPORTED, detail=f"manage.py export {options['kind']} as {fmt}")
        if output is None:
            self.stdout.write(data.decode("utf-8-sig"), ending="")
            return
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise CommandError(_("Cannot write %(file)s: %(error)s") % {"file": output, "error": exc.strerror}) from exc
        self.stderr.write(_("Exported %(kind)s to %(file)s.") % {"kind": options["kind"], "file": output})
