"""Placeholder: filled in by the section's author."""

from __future__ import annotations

from django.utils.translation import gettext as _

from reports.drill import Rows
from reports.scope import Scope
from reports.tables import Section

KEY = "ladder"
OVER_CLIENTS = True


def build(scope: Scope) -> Section:
    """The section's tables for the scope."""
    return Section(KEY, _("ladder"), "")


def rows(scope: Scope, table: str, row: str, column: str) -> Rows | None:
    """The rows behind one figure; None when the figure has none to show."""
    return None
