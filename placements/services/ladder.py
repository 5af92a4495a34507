"""The client's position on the progression ladder (igma ch. 5): moves by hand and as a side effect of placements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.types import Actor
from crm.models import LadderStep
from placements.choices import (
    ClientStatus,
    LadderMove,
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


def _step_at(step: LadderStep | int) -> LadderStep:
    """The ladder step given, or the one at that position; a clear error when there is none."""
    ladder_step = step if isinstance(step, LadderStep) else LadderStep.objects.filter(position=step).first()
    if ladder_step is None:
        raise ValidationError({"step": _("There is no ladder step %(step)s.") % {"step": step}})
    return ladder_step


def _move(client: Client, ladder_step: LadderStep, on: dt.date, note: str) -> LadderPosition:
    """Close the current position on `on` and open one at `ladder_step`; staying on the same step changes nothing."""
    current = _current_position(client)
    if current is not None:
        if current.step_id == ladder_step.pk:
            return current
        if on < current.entered_on:
            message = _("The client entered her current step on %(date)s; pick that day or later.")
            raise ValidationError({"on": message % {"date": current.entered_on}})
        current.left_on = on
        current.save(update_fields=["left_on"])
    before = (
        current
        or LadderPosition.objects.filter(client=client).select_related("step").order_by("-entered_on", "-pk").first()
    )
    return LadderPosition.objects.create(
        client=client,
        step=ladder_step,
        entered_on=on,
        note=note.strip()[:200],
        direction=move_direction(before.step.position if before else None, ladder_step.position),
    )


def move_direction(came_from: int | None, to: int) -> LadderMove:
    """A move up or down from the step position she stood on before (her stay before, however it ended)."""
    if came_from is None or came_from == to:
        return LadderMove.NONE
    return LadderMove.UP if to > came_from else LadderMove.DOWN


@transaction.atomic
def move_client_to_step(
    *, client: Client, step: LadderStep | int, on: dt.date, actor: Actor, note: str = ""
) -> LadderPosition:
    """Move the client up or down the ladder on `on`, with a note (igma ch. 5: time per step, going back is possible).

    Her current position is closed on that day, so the history gives the days spent per step. A closed
    file does not move; choosing the step she is on is refused, so the coach sees nothing happened.
    """
    ladder_step = _step_at(step)
    status = Client.objects.select_for_update().filter(pk=client.pk).values_list("status", flat=True).first()
    if status == ClientStatus.CLOSED:
        raise ValidationError({"step": _("Her file is closed; a closed file does not move on the ladder.")})
    current = _current_position(client)
    if current is not None and current.step_id == ladder_step.pk:
        raise ValidationError({"step": _("She is on this step already.")})
    return _move(client, ladder_step, on, note)


def place_on_ladder(*, client: Client, step: LadderStep, on: dt.date, note: str = "") -> LadderPosition:
    """Put a newly taken-in client on the step she is at (part of take_in_client's transaction)."""
    return _move(client, step, on, note)


@dataclass(frozen=True)
class LadderStay:
    """One stay on a step, as the client page shows it: how long, and whether it was a move up or down."""

    position: LadderPosition
    days: int
    current: bool
    direction: str  # "up", "down" or "" for the first step


def ladder_history(positions: Iterable[LadderPosition], *, today: dt.date) -> list[LadderStay]:
    """Her stays on the ladder, newest first, with days per step (so far, on the current one) and the direction."""
    stays: list[LadderStay] = []
    for position in sorted(positions, key=lambda p: (p.entered_on, p.pk)):
        end = position.left_on or max(today, position.entered_on)
        stays.append(
            LadderStay(
                position=position,
                days=(end - position.entered_on).days,
                current=position.left_on is None,
                direction=position.direction,
            )
        )
    return stays[::-1]


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
    return _move(client, ladder_step, when, note)


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
