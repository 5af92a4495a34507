"""`manage.py subject_access <client-reference> --output FILE`: everything held about one client, as a ZIP."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from placements.models import Client
from privacy import access, sar
from privacy.models import AccessKind


class Command(BaseCommand):
    """Write the subject-access ZIP (a readable PDF and JSON) of one client; the export is logged."""

    help = "Write everything held about one client (a PDF and JSON in a ZIP) to a file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        """The client's reference and the output file."""
        parser.add_argument("reference", help="The client's reference, e.g. C-2026-0001.")
        parser.add_argument("-o", "--output", required=True, help="The ZIP file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        """Find her, build the ZIP, write it."""
        client = Client.objects.filter(reference=options["reference"]).first()
        if client is None:
            raise CommandError(_("No client has the reference %(reference)s.") % {"reference": options["reference"]})
        output = Path(options["output"])
        data = sar.export_client(client)
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise CommandError(_("Cannot write %(file)s: %(error)s") % {"file": output, "error": exc.strerror}) from exc
        access.record(None, AccessKind.SUBJECT_ACCESS, client=client, detail="command line")
        self.stderr.write(_("Wrote %(file)s.") % {"file": output})
