"""`manage.py setup_roles`: create or refresh the role groups and their permissions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from crm.roles import ensure_roles


class Command(BaseCommand):
    """Create the role groups (relationship manager, coach, case manager, administrator) with their permissions."""

    help = "Create or refresh the role groups and their permissions (migrate does this too)."

    def handle(self, *args: Any, **options: Any) -> None:
        """Grant each role its permissions and say how many."""
        for role, count in ensure_roles().items():
            self.stdout.write(f"{role}: {count} permissions")
