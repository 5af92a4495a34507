"""What a workflow would change to the aftercare schedule, shown before the coach confirms it.

The preview runs the real service inside a transaction that is always rolled back, so what it shows
is what confirming does: there is no second copy of the rules to drift from the first. Services in
this app send nothing themselves (outreach reads the steps later), so a rolled-back run leaves no trace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from placements.models import AftercareStep

_STEP_FIELDS = ("pk", "placement_id", "title", "template_id", "track", "kind", "due_on", "status")


@dataclass(frozen=True)
class StepChange:
    """One step as it is and as it would be; `before` is None for a new step, `after` None for a deleted one."""

    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def row(self) -> dict[str, Any]:
        """The values to show (the new ones, or the old ones of a deleted step)."""
        return self.after or self.before or {}

    @property
    def change(self) -> str:
        """added, removed, cancelled, moved, reopened, or changed."""
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        if self.after["status"] != self.before["status"]:
            return "cancelled" if self.after["status"] == "cancelled" else "reopened"
        return "moved" if self.after["due_on"] != self.before["due_on"] else "changed"

    @property
    def old_due(self) -> dt.date | None:
        """The date before the change."""
        return self.before["due_on"] if self.before else None


@dataclass
class SchedulePreview:
    """The steps a workflow would add, move or cancel, or why it would be refused."""

    changes: list[StepChange] = field(default_factory=list)
    error: ValidationError | None = None

    @property
    def ok(self) -> bool:
        """The workflow would go through."""
        return self.error is None


class _RollBack(Exception):
    """Raised to undo the dry run."""


def _snapshot(placement_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The steps of the placements, by primary key."""
    rows = AftercareStep.objects.filter(placement_id__in=list(placement_ids)).values(*_STEP_FIELDS)
    return {row["pk"]: row for row in rows}


def preview_schedule(*, placement_ids: Iterable[int], run: Callable[[], object]) -> SchedulePreview:
    """Run `run` (a service call) and report how the steps of `placement_ids` would change, then undo it all."""
    ids = list(placement_ids)
    preview = SchedulePreview()
    try:
        with transaction.atomic():
            before = _snapshot(ids)
            run()
            after = _snapshot(ids)
            raise _RollBack
    except _RollBack:
        pass
    except ValidationError as error:
        preview.error = error
        return preview
    for pk in sorted(before.keys() | after.keys(), key=lambda k: ((after.get(k) or before[k])["due_on"], k)):
        old, new = before.get(pk), after.get(pk)
        if old != new:
            preview.changes.append(StepChange(before=old, after=new))
    return preview
