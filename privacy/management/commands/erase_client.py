"""`manage.py erase_client <client-reference> --yes`: replace one closed file's personal data with placeholders."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from placements.models import Client
from privacy.erasure import erase_client


class Command(BaseCommand):
    """Erase a closed client's personal data; her reference and every count stay (privacy.erasure)."""

    help = "Erase a closed client's personal data (name, contact data, notes, free text); counts stay."

    def add_arguments(self, parser: ArgumentParser) -> None:
        """The client's reference, and --yes to confirm."""
        parser.add_argument("reference", help="The client's reference, e.g. C-2026-0001.")
        parser.add_argument("--yes", action="store_true", help="Confirm: this cannot be undone.")

    def handle(self, *args: Any, **options: Any) -> None:
        """Find her and erase her file, or say why not."""
        client = Client.objects.filter(reference=options["reference"]).first()
        if client is None:
            raise CommandError(_("No client has the reference %(reference)s.") % {"reference": options["reference"]})
        if not options["yes"]:
            raise CommandError(_("Erasure cannot be undone: add --yes to confirm."))
        try:
            erase_client(client, None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stderr.write(_("Erased the personal data of %(reference)s.") % {"reference": client.reference})
