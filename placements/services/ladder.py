"""The client's position on the progression ladder (igma ch. 5): moves by hand and as a side effect of placements."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.types import Actor
from crm.models import LadderStep
from placements.choices import (
    ClientStatus,
)
from placements.models import (
    Client,
    LadderPosition,
)

# igma ch. 5 ladder positions the placement workflow moves a client to.
LADDER_MEDIATED = 21
LADDER_AFTERCARE = 22
LADDER_SUSTAINED = 23


def _current_position(client: Client) -> LadderPosition | None:
    """The client's open ladder position, locked."""
    return (
        LadderPosition.objects.select_for_update(of=("self",))
        .select_related("step")
        .filter(client=client, left_on__isnull=True)
        .first()
    )


@transaction.atomic
def move_client_to_step(
    *, client: Client, step: LadderStep | int, on: dt.date, actor: Actor, note: str = ""
) -> LadderPosition:
    """Close the client's current ladder position and open one at `step` on `on` (igma ch. 5 time per step)."""
    ladder_step = step if isinstance(step, LadderStep) else LadderStep.objects.filter(position=step).first()
    if ladder_step is None:
        raise ValidationError({"step": _("There is no ladder step %(step)s.") % {"step": step}})
    current = _current_position(client)
    if current is not None:
        if current.step_id == ladder_step.pk:
            return current
        if on < current.entered_on:
            message = _("The client entered her current step on %(date)s; pick that day or later.")
            raise ValidationError({"on": message % {"date": current.entered_on}})
        current.left_on = on
        current.save(update_fields=["left_on"])
    return LadderPosition.objects.create(client=client, step=ladder_step, entered_on=on, note=note[:200])


def _move_ladder(client: Client, position: int, on: dt.date, note: str) -> LadderPosition | None:
    """Move the client on the ladder as a side effect of a placement, when the network's ladder has that step.

    The move is dated no earlier than the current position's start, so a late recording keeps the
    history in order; a ladder without the step leaves the position alone.
    """
    ladder_step = LadderStep.objects.filter(position=position).first()
    if ladder_step is None:
        return None
    current = _current_position(client)
    when = max(on, current.entered_on) if current is not None else on
    return move_client_to_step(client=client, step=ladder_step, on=when, actor=None, note=note)


def _close_ladder_position(client: Client, on: dt.date) -> None:
    """Close the client's open ladder position (on `on`, or the day it opened when that is later)."""
    current = _current_position(client)
    if current is not None:
        current.left_on = max(on, current.entered_on)
        current.save(update_fields=["left_on"])


def _set_client_status(client: Client, status: ClientStatus, now: dt.datetime) -> None:
    """Store the client's status without overwriting other fields of a stale instance."""
    Client.objects.filter(pk=client.pk).update(status=status, updated_at=now)
    client.status = status
