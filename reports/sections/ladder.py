"""The progression ladder: how long clients stay on each step, where they are now, how they move, where they stop.

igma ch. 5 ("Gedeeld begrip en good governance") asks of a ladder cut into steps: which part of the ladder
takes most time, which clients climb fast, who drops out and why. A client's stays on the steps are
placements.models.LadderPosition rows (entered_on, left_on; left_on empty for the step she is on now); a
move up or down closes one stay and opens the next on the same day (placements.services.ladder).

Every figure is aggregated in SQL; build() runs the same handful of queries whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.exceptions import EmptyResultSet
from django.db.models import (
    Count,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.sql import DaysBetween, quartiles
from crm.models import LadderStep
from placements.choices import ClientStatus, ClosingReason, LadderMove
from placements.models import Client, LadderPosition
from placements.querysets import held_on_q
from reports import genders
from reports.drill import Rows
from reports.scope import Scope
from reports.tables import Cell, Chart, Row, Section, Table, count

KEY = "ladder"
OVER_CLIENTS = True
# The section's name: its page's heading, the navigation between the pages, the PDF's heading.
TITLE = gettext_lazy("The progression ladder")

# The row of the "where clients stop" table for files closed before any ladder step was recorded.
NO_STEP = "none"
UP, DOWN = LadderMove.UP.value, LadderMove.DOWN.value


# --- Shared pieces -------------------------------------------------------------------------------


def _steps() -> dict[int, LadderStep]:
    """The ladder's steps by position (one small query; the ladder is configuration, igma ch. 2)."""
    return {step.position: step for step in LadderStep.objects.all()}


def _step_label(steps: dict[int, LadderStep], position: int) -> str:
    """The row label of a step: its position and name in the active language."""
    step = steps.get(position)
    return str(step) if step is not None else str(position)


def _position(row: str) -> int | None:
    """The step position a row key names, or None when it names none."""
    return int(row) if row.isdigit() else None


def _cap(scope: Scope) -> dt.date:
    """The last day a stay is counted to: the end of the period, or today when the period runs on."""
    return min(scope.today, scope.period.end)


# --- 1. Time spent per step ------------------------------------------------------------------------


def _stays(scope: Scope) -> QuerySet[LadderPosition]:
    """The stays that overlap the period, of the clients the report counts, begun by the capping day."""
    period = scope.period
    return LadderPosition.objects.filter(
        scope.client_q("client__"),
        Q(left_on__isnull=True) | Q(left_on__gte=period.start),
        entered_on__lte=_cap(scope),
    )


def _days_per_client(scope: Scope) -> QuerySet[Any]:
    """Per client and step, the days she spent there: her stays added up (a move down and back adds a stay).

    A stay ends when she left the step; an open stay, or one left after the capping day, ends on that day
    (the end of the period, or today while the period runs on).
    """
    cap = Value(_cap(scope), output_field=DateField())
    end = Least(Coalesce(F("left_on"), cap), cap)
    return (
        _stays(scope)
        .values("client", position=F("step__position"))
        .annotate(spent=Sum(DaysBetween(end, F("entered_on"))))
    )


def _time_per_step(scope: Scope, steps: dict[int, LadderStep]) -> Table:
    """Clients per step and the quartiles of the days each spent there (igma ch. 5: which part takes most time)."""
    try:
        figures = quartiles(_days_per_client(scope), group=F("position"), value=F("spent"))
    except EmptyResultSet:  # a reader without client rows: the queryset compiles to no SQL
        figures = {}
    table = Table(
        "time_per_step",
        _("Time spent per step"),
        [_("Clients"), _("First quartile (days)"), _("Median (days)"), _("Third quartile (days)")],
        column_keys=["clients", "q1", "median", "q3"],
        row_heading=_("Ladder step"),
        chart=Chart("bar", columns=[2], unit=_("days")),
        note=_(
            "Days each client spent on a step, over her stays on it that overlap the period. A client who "
            "moves down and comes back to a step has her stays on it added together, so she counts once "
            "per step. A stay counts from the day she entered the step, also before the period, up to the "
            "day she left it; a stay she has not left yet counts up to the end of the period, or up to "
            "today while the period runs on. Quartiles: a quarter of the clients spent at most the first "
            "quartile on the step, half at most the median, three quarters at most the third quartile."
        ),
    )
    for position in sorted(cast(int, p) for p in figures):
        q = figures[position]
        href = scope.drill(KEY, table.key, str(position))
        cells = [
            count(q.n, href=href),
            Cell(q.q1, "days", q.n),
            Cell(q.median, "days", q.n),
            Cell(q.q3, "days", q.n),
        ]
        table.rows.append(Row(str(position), _step_label(steps, position), cells))
    return table


# --- 2. Clients per step now -----------------------------------------------------------------------


def _now_positions(scope: Scope) -> QuerySet[LadderPosition]:
    """The positions held today by clients with an open file (placements.querysets.held_on_q)."""
    return LadderPosition.objects.filter(scope.client_q("client__"), held_on_q(scope.today))


def _at_step(scope: Scope, steps: dict[int, LadderStep]) -> Table:
    """How many clients stand on each step today, by gender (igma ch. 5: at any moment, where a client is)."""
    labels, keys = genders.columns(scope)
    counted = list(
        _now_positions(scope)
        .values(position=F("step__position"), gender=F("client__gender"))
        .annotate(n=Count("client", distinct=True))
        .order_by()
    )
    per_step = genders.tally_by(counted, "position")
    table = Table(
        "at_step",
        _("Clients per step today"),
        labels,
        column_keys=keys,
        row_heading=_("Ladder step"),
        chart=Chart("stacked", unit=_("clients")),
        note=_("Clients with an open file, on the step they stand on today. Steps without clients are left out."),
    )
    for position in sorted(per_step):
        tally = per_step[position]
        cells = [count(tally.get(key, 0), href=scope.drill(KEY, table.key, str(position), key)) for key in keys]
        table.rows.append(Row(str(position), _step_label(steps, position), cells))
    return table


# --- 3. Moves up and down --------------------------------------------------------------------------


def _moved(scope: Scope) -> QuerySet[LadderPosition]:
    """The stays the counted clients entered in the period by a move up or down.

    A stay keeps how she came to it (LadderPosition.direction, against her stay before it, also one from
    before the period), so a move is counted from its own row, without reading her whole history.
    """
    period = scope.period
    return LadderPosition.objects.filter(
        scope.client_q("client__"), entered_on__gte=period.start, entered_on__lte=period.end
    ).exclude(direction=LadderMove.NONE)


def _moves(scope: Scope) -> Table:
    """Moves up and down the ladder in the period, by gender (igma ch. 5: who climbs fast; going back happens)."""
    labels, keys = genders.columns(scope)
    fetched = list(
        _moved(scope)
        .values("direction", gender=F("client__gender"))
        .annotate(n=Count("pk"), clients=Count("client", distinct=True))
        .order_by()
    )
    moves = genders.tally_by(fetched, "direction")
    movers = genders.tally_by(fetched, "direction", value="clients")
    table = Table(
        "moves",
        _("Moves up and down the ladder"),
        labels,
        column_keys=keys,
        row_heading=_("Move"),
        chart=Chart("bar", unit=_("moves")),
        note=_(
            "A move is a step a client entered in the period after an earlier step: up when the new step is "
            "higher on the ladder, down when it is lower. A client who moves twice counts twice; a figure "
            "is hidden when fewer than five clients made those moves."
        ),
    )
    for direction, label in ((UP, _("Moves up")), (DOWN, _("Moves down"))):
        cells = [
            Cell(
                moves.get(direction, {}).get(key, 0),
                "count",
                movers.get(direction, {}).get(key, 0),
                scope.drill(KEY, table.key, direction, key),
            )
            for key in keys
        ]
        table.rows.append(Row(direction, label, cells))
    return table


def _movers(scope: Scope, direction: str) -> QuerySet[Client]:
    """The clients who made a move in that direction in the period."""
    return Client.objects.filter(pk__in=_moved(scope).filter(direction=direction).values("client"))


# --- 4. Where clients stop -------------------------------------------------------------------------


def _closed(scope: Scope) -> QuerySet[Any]:
    """The files closed in the period, each with the step position she was on last (by the day entered)."""
    last = LadderPosition.objects.filter(client=OuterRef("pk")).order_by("-entered_on", "-pk").values("step__position")
    return Client.objects.filter(
        scope.client_q(),
        status=ClientStatus.CLOSED,
        closed_on__gte=scope.period.start,
        closed_on__lte=scope.period.end,
    ).annotate(last_step=Subquery(last[:1]))


def _stops(scope: Scope, steps: dict[int, LadderStep]) -> Table:
    """Files closed in the period by the step they ended on, and how many of them dropped out (igma ch. 5)."""
    counted = (
        _closed(scope)
        .values("last_step")
        .annotate(
            closed=Count("pk"),
            dropped=Count("pk", filter=Q(closing_reason=ClosingReason.DROPPED_OUT)),
        )
        .order_by()
    )
    table = Table(
        "stops",
        _("Where clients stop"),
        [_("Files closed"), _("Of which dropped out")],
        column_keys=["closed", "dropped_out"],
        row_heading=_("Last ladder step"),
        chart=Chart("bar", unit=_("clients")),
        note=_(
            "Files closed in the period, by the step the client was on when her file closed: the last step "
            "she entered. "
            "Dropped out: files closed with the reason “dropped out”."
        ),
    )
    figures = {item["last_step"]: item for item in counted}
    ordered = sorted(p for p in figures if p is not None) + ([None] if None in figures else [])
    for position in ordered:
        key = NO_STEP if position is None else str(position)
        label = _("No step recorded") if position is None else _step_label(steps, position)
        item = figures[position]
        cells = [
            count(item["closed"], href=scope.drill(KEY, table.key, key, "closed")),
            count(item["dropped"], href=scope.drill(KEY, table.key, key, "dropped_out")),
        ]
        table.rows.append(Row(key, label, cells))
    return table


# --- The section -----------------------------------------------------------------------------------


def build(scope: Scope) -> Section:
    """The ladder section: time per step, clients per step now, moves, and where clients stop."""
    steps = _steps()
    return Section(
        KEY,
        str(TITLE),
        _(
            "Where clients stand on the ladder, how long each step takes, how they move up and down, and on "
            "which step their files close. Which part of the ladder takes most time, who climbs fast, and "
            "who drops out are the questions the igma handbook asks of good governance."
        ),
        [_time_per_step(scope, steps), _at_step(scope, steps), _moves(scope), _stops(scope, steps)],
        source=_("igma handbook, chapter 5: shared understanding and good governance; the progression ladder."),
    )


def rows(scope: Scope, table: str, row: str, column: str) -> Rows | None:
    """The clients behind one figure of the section; None for a figure the section does not have."""
    position = _position(row)
    if table == "time_per_step" and position is not None:
        stays = _stays(scope).filter(step__position=position)
        title = _("Clients with a stay on step %(step)s") % {"step": position}
        return Rows("clients", Client.objects.filter(pk__in=stays.values("client")), title)
    if table == "at_step" and position is not None:
        held = _now_positions(scope).filter(step__position=position).values("client")
        title = _("Clients on step %(step)s today") % {"step": position}
        return Rows("clients", Client.objects.filter(genders.gender_q(column), pk__in=held), title)
    if table == "moves" and row in (UP, DOWN):
        title = _("Clients who moved up") if row == UP else _("Clients who moved down")
        return Rows("clients", _movers(scope, row).filter(genders.gender_q(column)), title)
    if table == "stops" and (position is not None or row == NO_STEP) and column in ("closed", "dropped_out"):
        closed = _closed(scope).filter(Q(last_step__isnull=True) if position is None else Q(last_step=position))
        if column == "dropped_out":
            closed = closed.filter(closing_reason=ClosingReason.DROPPED_OUT)
        return Rows("clients", closed, _("Files closed in the period"))
    return None
