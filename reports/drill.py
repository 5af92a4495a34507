"""The rows behind a figure: which model, which rows, under what heading.

A section answers a drill-down with a queryset of one of these kinds, already limited to what the reader
may see and to the report's filters (reports.scope); the rows page lists them with links to their pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import QuerySet

RowKind = Literal["clients", "placements", "employers", "steps", "interactions", "responses"]


@dataclass
class Rows:
    """The rows behind one figure."""

    kind: RowKind
    queryset: QuerySet[Any]
    title: str
