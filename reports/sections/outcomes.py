"""Outcomes: placements started and ended, why they ended early, where clients went, who stayed in work.

igma ch. 5 ("Gedeeld begrip en good governance") asks a network to record early leaving and where clients
go when they leave, and to answer who reaches the goals, who does not and why; its ladder's last step
(23) is functioning in a job or programme for at least half a year. Flora I.3 reports access to work and
retention of at least three months; I.4 warns that a snapshot misleads and Conclusie A counts keeping
work through different jobs as success, so retention here is per person across every episode
(placements.retention). Every client figure is split by self-described gender (igma ch. 6; Flora II.4).

Every figure is aggregated in SQL; build() runs the same few queries whatever the data size.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from placements.choices import ClientStatus, ClosingReason, Destination, EndCause, EndedBy, PlacementStatus
from placements.models import Client, LadderPosition, Placement
from placements.retention import WORKED_STATUSES, retained_clients, retention_by_gender
from reports import genders
from reports.drill import Rows
from reports.scope import Scope
from reports.tables import Chart, Row, Section, Table, count, rate

KEY = "outcomes"
OVER_CLIENTS = True
# The section's name: its page's heading, the navigation between the pages, the PDF's heading.
TITLE = gettext_lazy("Outcomes")

# Retention is measured after these many calendar months in work (Flora I.3 counts three).
RETENTION_MONTHS = (3, 6, 12)
# igma's ladder step 23: functioning in a job or an educational programme for at least half a year.
GOAL_STEP = 23
# Row keys for the choices stored as an empty string.
NOT_RECORDED = "not_recorded"
UNKNOWN = "unknown"
# The rows of the placements table.
STARTED, COMPLETED, ENDED_EARLY = "started", "completed", "ended_early"


def _in_period(scope: Scope, field: str) -> Q:
    """The rows whose date `field` falls within the report's period, both ends included."""
    return Q(**{f"{field}__gte": scope.period.start, f"{field}__lte": scope.period.end})


def _row_of(value: str, empty: str) -> str:
    """The stable row key of a stored choice: the value, or `empty` for the empty choice."""
    return value or empty


def _value_of(row: str, choices: Iterable[str], empty: str) -> str | None:
    """The stored choice behind a row key; None for a key the table does not have."""
    value = "" if row == empty else row
    return value if value in choices and row != "" else None


def _counts_table(
    scope: Scope,
    table: Table,
    counted: dict[str, dict[str, Any]],
    rows: Iterable[tuple[str, str]],
) -> Table:
    """Fill `table` with one row per (row key, label), a linked count of people per gender column."""
    for row_key, label in rows:
        tally = counted.get(row_key, {})
        cells = [
            count(int(tally.get(column, 0)), href=scope.drill(KEY, table.key, row_key, column))
            for column in table.column_keys
        ]
        table.rows.append(Row(row_key, label, cells))
    return table


# --- 1. Placements started, completed, ended early -------------------------------------------------


def _placement_rules(scope: Scope) -> dict[str, Q]:
    """What puts a placement in each row: started in the period, or completed / ended early in it."""
    return {
        STARTED: _in_period(scope, "start_on") & Q(status__in=WORKED_STATUSES),
        COMPLETED: _in_period(scope, "actual_end_on") & Q(status=PlacementStatus.COMPLETED),
        ENDED_EARLY: _in_period(scope, "actual_end_on") & Q(status=PlacementStatus.ENDED_EARLY),
    }


def _placements(scope: Scope) -> Table:
    """Placements started, completed and ended early in the period, by the client's gender (Flora I.3)."""
    labels, keys = genders.columns(scope)
    rules = _placement_rules(scope)
    counted = list(
        scope.placements()
        .values(gender=F("client__gender"))
        .annotate(**{name: Count("pk", filter=rule) for name, rule in rules.items()})
        .order_by()
    )
    table = Table(
        "placements",
        _("Placements"),
        labels,
        column_keys=keys,
        row_heading=_("Placements"),
        chart=Chart("bar", unit=_("placements")),
        note=_(
            "Placements that started in the period (and were worked: planned and cancelled ones are left "
            "out), and those that were completed or ended early in the period, by the client's gender. A "
            "client with several placements counts once for each."
        ),
    )
    per_row = {name: genders.tally(counted, value=name) for name in rules}
    return _counts_table(
        scope,
        table,
        per_row,
        [(STARTED, _("Started")), (COMPLETED, _("Completed")), (ENDED_EARLY, _("Ended early"))],
    )


# --- 2 and 3. Why and by whom placements ended early ----------------------------------------------


def _ended_early(scope: Scope) -> QuerySet[Placement]:
    """The placements that ended early in the period."""
    return scope.placements().filter(_placement_rules(scope)[ENDED_EARLY])


def _ended_by(scope: Scope) -> Table:
    """Placements ended early, by who ended them (Flora IV.1 category B: ended on the employer's initiative)."""
    labels, keys = genders.columns(scope)
    counted = genders.tally_by(
        _ended_early(scope).values("ended_by", gender=F("client__gender")).annotate(n=Count("pk")).order_by(),
        "ended_by",
    )
    table = Table(
        "ended_by",
        _("Placements ended early, by who ended them"),
        labels,
        column_keys=keys,
        row_heading=_("Ended by"),
        chart=Chart("stacked", unit=_("placements")),
        note=_("Placements that ended early in the period, by who ended them and the client's gender."),
    )
    choices = [(value, str(label)) for value, label in EndedBy.choices if value]
    return _counts_table(scope, table, counted, choices)


def _end_cause(scope: Scope) -> Table:
    """Placements ended early, by their main reason (igma ch. 5: who drops out and why)."""
    labels, keys = genders.columns(scope)
    counted = genders.tally_by(
        (
            {**item, "end_cause": _row_of(item["end_cause"], NOT_RECORDED)}
            for item in _ended_early(scope)
            .values("end_cause", gender=F("client__gender"))
            .annotate(n=Count("pk"))
            .order_by()
        ),
        "end_cause",
    )
    table = Table(
        "end_cause",
        _("Placements ended early, by main reason"),
        labels,
        column_keys=keys,
        row_heading=_("Main reason"),
        chart=Chart("stacked", unit=_("placements")),
        note=_(
            "Placements that ended early in the period, by the main reason the coach recorded and the "
            "client's gender. Earlier placements may have no reason recorded."
        ),
    )
    choices = [(_row_of(value, NOT_RECORDED), str(label)) for value, label in EndCause.choices]
    return _counts_table(scope, table, counted, choices)


# --- 4. Files closed: where clients went and why --------------------------------------------------


def _closed(scope: Scope) -> QuerySet[Client]:
    """The clients whose file was closed in the period."""
    return scope.clients().filter(_in_period(scope, "closed_on"), status=ClientStatus.CLOSED)


def _destinations(scope: Scope) -> Table:
    """Files closed in the period by where the client went (igma ch. 5: where clients go when they leave)."""
    labels, keys = genders.columns(scope)
    counted = genders.tally_by(
        (
            {**item, "destination": _row_of(item["destination"], UNKNOWN)}
            for item in _closed(scope).values("destination", "gender").annotate(n=Count("pk")).order_by()
        ),
        "destination",
    )
    table = Table(
        "destinations",
        _("Files closed, by destination"),
        labels,
        column_keys=keys,
        row_heading=_("Destination"),
        chart=Chart("stacked", unit=_("clients")),
        note=_("Clients whose file was closed in the period, by where they went and their gender."),
    )
    choices = [(_row_of(value, UNKNOWN), str(label)) for value, label in Destination.choices]
    return _counts_table(scope, table, counted, choices)


def _closing_reasons(scope: Scope) -> Table:
    """Files closed in the period by why (igma ch. 5: who reaches the goals, who drops out, and why)."""
    labels, keys = genders.columns(scope)
    counted = genders.tally_by(
        _closed(scope).values("closing_reason", "gender").annotate(n=Count("pk")).order_by(),
        "closing_reason",
    )
    table = Table(
        "closing_reasons",
        _("Files closed, by reason"),
        labels,
        column_keys=keys,
        row_heading=_("Reason"),
        note=_("Clients whose file was closed in the period, by why it was closed and their gender."),
    )
    choices = [(value, str(label)) for value, label in ClosingReason.choices if value]
    return _counts_table(scope, table, counted, choices)


# --- 5. Retention in work ---------------------------------------------------------------------------


def _retention(scope: Scope) -> Table:
    """Clients who stayed in work 3, 6 and 12 months, through one job or several (Flora I.3, I.4, Conclusie A)."""
    labels, keys = genders.columns(scope)
    figures = retention_by_gender(scope.clients(), months=RETENTION_MONTHS, as_of=scope.today, cohort=scope.period)
    table = Table(
        "retention",
        _("Retention in work"),
        labels,
        column_keys=keys,
        row_heading=_("Months in work"),
        chart=Chart("bar", unit="%"),
        note=_(
            "Of the clients whose first placement started in the period, at least that many months before "
            "today, the share who stayed in work that long without a break: placements that overlap or "
            "follow each other within 31 days count as one stretch, and separate short ones are not added "
            "up. A placement that still runs counts up to today."
        ),
    )
    for months in RETENTION_MONTHS:
        eligible = genders.tally({"gender": f.gender, "n": f.eligible} for f in figures if f.months == months)
        retained = genders.tally({"gender": f.gender, "n": f.retained} for f in figures if f.months == months)
        row_key = str(months)
        cells = [
            rate(
                int(retained.get(column, 0)),
                int(eligible.get(column, 0)),
                href=scope.drill(KEY, table.key, row_key, column),
            )
            for column in keys
        ]
        label = _("%(months)s months") % {"months": months}
        table.rows.append(Row(row_key, label, cells))
    return table


# --- 6. Ladder step 23 ------------------------------------------------------------------------------


def _reached_goal(scope: Scope) -> QuerySet[LadderPosition]:
    """The positions on step 23 entered in the period, of the clients the report counts."""
    return LadderPosition.objects.filter(
        scope.client_q("client__"), _in_period(scope, "entered_on"), step__position=GOAL_STEP
    )


def _step23(scope: Scope) -> Table:
    """Clients who reached igma's step 23 in the period: half a year in a job or an educational programme."""
    labels, keys = genders.columns(scope)
    counted = genders.tally(
        _reached_goal(scope).values(gender=F("client__gender")).annotate(n=Count("client", distinct=True)).order_by()
    )
    table = Table(
        "step23",
        _("Clients reaching ladder step 23"),
        labels,
        column_keys=keys,
        row_heading=_("Ladder step"),
        note=_(
            "Clients who entered step 23 of the ladder (functioning in a job or an educational programme "
            "for at least half a year) in the period, each counted once."
        ),
    )
    return _counts_table(scope, table, {str(GOAL_STEP): counted}, [(str(GOAL_STEP), _("Step 23 reached"))])


# --- The section ------------------------------------------------------------------------------------


def build(scope: Scope) -> Section:
    """The section's tables for the scope."""
    return Section(
        KEY,
        str(TITLE),
        _(
            "Placements started and ended, why placements ended early and who ended them, where clients went "
            "when their file closed, how many stayed in work, and who reached the ladder's last step, by "
            "gender."
        ),
        [
            _placements(scope),
            _ended_by(scope),
            _end_cause(scope),
            _destinations(scope),
            _closing_reasons(scope),
            _retention(scope),
            _step23(scope),
        ],
        source=_(
            "igma handbook, chapter 5: shared understanding and good governance (early leaving, destinations, "
            "step 23 of the ladder); Flora, Jobcoaching methode en praktijk, I.3, I.4 and Conclusie A "
            "(retention in work across jobs)."
        ),
    )


def rows(scope: Scope, table: str, row: str, column: str) -> Rows | None:
    """The placements or clients behind one figure; None for a figure the section does not have."""
    if column not in genders.columns(scope)[1]:
        return None
    of_gender, of_clients_gender = genders.gender_q(column), genders.gender_q(column, "client__")
    if table == "placements" and row in (STARTED, COMPLETED, ENDED_EARLY):
        titles = {
            STARTED: _("Placements started in the period"),
            COMPLETED: _("Placements completed in the period"),
            ENDED_EARLY: _("Placements ended early in the period"),
        }
        found = scope.placements().filter(_placement_rules(scope)[row], of_clients_gender)
        return Rows("placements", found, titles[row])
    if table == "ended_by" and (ended_by := _value_of(row, EndedBy.values, "")) is not None:
        title = _("Placements ended early by: %(who)s") % {"who": EndedBy(ended_by).label}
        return Rows("placements", _ended_early(scope).filter(of_clients_gender, ended_by=ended_by), title)
    if table == "end_cause" and (cause := _value_of(row, EndCause.values, NOT_RECORDED)) is not None:
        title = _("Placements ended early, main reason: %(reason)s") % {"reason": EndCause(cause).label}
        return Rows("placements", _ended_early(scope).filter(of_clients_gender, end_cause=cause), title)
    if table == "destinations" and (destination := _value_of(row, Destination.values, UNKNOWN)) is not None:
        title = _("Files closed, destination: %(destination)s") % {"destination": Destination(destination).label}
        return Rows("clients", _closed(scope).filter(of_gender, destination=destination), title)
    if table == "closing_reasons" and (reason := _value_of(row, ClosingReason.values, "")) is not None:
        title = _("Files closed, reason: %(reason)s") % {"reason": ClosingReason(reason).label}
        return Rows("clients", _closed(scope).filter(of_gender, closing_reason=reason), title)
    if table == "retention" and row in {str(m) for m in RETENTION_MONTHS}:
        kept = retained_clients(scope.clients(), months=int(row), as_of=scope.today, cohort=scope.period)
        title = _("Clients who stayed in work %(months)s months") % {"months": row}
        return Rows("clients", kept.filter(of_gender), title)
    if table == "step23" and row == str(GOAL_STEP):
        reached = _reached_goal(scope).values("client")
        return Rows("clients", scope.clients().filter(of_gender, pk__in=reached), _("Clients who reached step 23"))
    return None
