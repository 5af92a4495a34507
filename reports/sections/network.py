"""The employer network: how employers move through the pipeline, why they decline, who looks after them,
and how many of the ladder's employer steps have open places.

The pipeline is Flora's (IV.1: category A active or completed, B ended early by the employer, C contacted
but declined; the steps before them derived in the analysis §4.4); the decline reasons are Flora's list
(IV.3 werkgever A.a); coverage is igma's aim of a network that covers many steps of the ladder (ch. 5
"Betrokkenheid van de werkgever"), counted with the supply rule of placements.coverage.

Every figure here is about employers, stage changes, contacts or steps, never about persons, so none is
hidden as a small group (`people=None`). The employers are every employer, narrowed by the relationship
manager and sector filters (Scope.employer_q); a relationship manager reads the whole section.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Trunc
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.choices import DeclineReason, Stage
from crm.models import Employer, EmployerStageChange, Interaction, LadderStep
from placements.coverage import month_ends, open_places_on
from placements.kpis import day_bounds
from reports.drill import Rows
from reports.scope import Scope
from reports.tables import Cell, Chart, Period, Row, Section, Table, count

KEY = "network"
OVER_CLIENTS = False
# The section's name: its page's heading, the navigation between the pages, the PDF's heading.
TITLE = gettext_lazy("Employer network")

# The funnel's stages, top first (crm.choices.Stage; Flora §4.4's lifecycle up to category A).
FUNNEL = (Stage.PROSPECT, Stage.CONTACTED, Stage.ENGAGED, Stage.ACTIVE)
# The most rows a table over time has: months, else quarters, else years.
MAX_ROWS = 24

Unit = Literal["month", "quarter", "year"]
UNITS: tuple[Unit, ...] = ("month", "quarter", "year")


# --- Time buckets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """One month, quarter or year of the period, cut to the period: its key, label and first and last day."""

    key: str
    label: str
    first: dt.date
    last: dt.date


def _start_of(day: dt.date, unit: Unit) -> dt.date:
    """The first day of the month, quarter or year `day` falls in."""
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    return day.replace(month=1, day=1)


def _next_start(first: dt.date, unit: Unit) -> dt.date:
    """The first day of the month, quarter or year after the one starting on `first`."""
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def bucket_key(day: dt.date, unit: Unit) -> str:
    """The stable key of the bucket `day` falls in: "2026-03", "2026-Q1" or "2026"."""
    if unit == "month":
        return f"{day.year}-{day.month:02d}"
    if unit == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def _bucket_label(first: dt.date, unit: Unit) -> str:
    """How a reader sees the bucket starting on `first`: "March 2026", "Q1 2026" or "2026"."""
    if unit == "month":
        return date_format(first, "YEAR_MONTH_FORMAT")
    if unit == "quarter":
        return _("Q%(quarter)s %(year)s") % {"quarter": (first.month - 1) // 3 + 1, "year": first.year}
    return str(first.year)


def buckets(period: Period, *, finest: Unit = "month", limit: int = MAX_ROWS) -> tuple[Unit, list[Bucket]]:
    """The period cut into months, or quarters or years when that would make more than `limit` rows.

    The first and last bucket are cut to the period, so a figure counted in a bucket counts only days
    of the period. A period of ten years (the longest a report covers) makes at most eleven years.
    """
    found: list[Bucket] = []
    unit: Unit = finest
    for unit in UNITS[UNITS.index(finest) :]:
        found = []
        first = _start_of(period.start, unit)
        while first <= period.end:
            following = _next_start(first, unit)
            found.append(
                Bucket(
                    bucket_key(first, unit),
                    _bucket_label(first, unit),
                    max(first, period.start),
                    min(following - dt.timedelta(days=1), period.end),
                )
            )
            first = following
        if len(found) <= limit:
            break
    return unit, found


def during(field: str, first: dt.date, last: dt.date) -> Q:
    """A datetime `field` falls on a local day from `first` to `last`, both included (placements.kpis.day_bounds)."""
    since, until = day_bounds(first, last)
    return Q(**{f"{field}__gte": since, f"{field}__lt": until})


def truncated(field: str, unit: Unit) -> Trunc:
    """`field` (a datetime) cut to the start of its month, quarter or year in the site's local time zone."""
    return Trunc(field, unit, tzinfo=timezone.get_current_timezone())


def key_of(value: Any, unit: Unit) -> str:
    """The bucket key of a truncated value as a database returns it (an aware datetime, or a date)."""
    day = timezone.localtime(value).date() if isinstance(value, dt.datetime) else value
    return bucket_key(day, unit)


def find_bucket(period: Period, key: str, *, finest: Unit = "month") -> Bucket | None:
    """The bucket of the period with this key, as build() cut it; None when the key is not one of them."""
    _unit, found = buckets(period, finest=finest)
    return next((bucket for bucket in found if bucket.key == key), None)


# --- The rows every table counts -----------------------------------------------------------------


def _employers(scope: Scope) -> QuerySet[Employer]:
    """The employers the section counts: every one, narrowed by the manager and sector filters."""
    return Employer.objects.filter(scope.employer_q())


def _first_changes(scope: Scope, stages: Iterable[str], first: dt.date, last: dt.date) -> QuerySet[EmployerStageChange]:
    """The stage changes from `first` to `last` that took an employer to a stage for the first time ever.

    A change counts when no earlier change of the same employer went to the same stage (an anti-join on
    the employer's changes), so an employer that falls back and climbs again is counted once, when it
    first got there.
    """
    earlier = EmployerStageChange.objects.filter(
        employer_id=OuterRef("employer_id"), to_stage=OuterRef("to_stage"), changed_at__lt=OuterRef("changed_at")
    )
    return EmployerStageChange.objects.filter(
        scope.employer_q("employer__"), during("changed_at", first, last), to_stage__in=list(stages)
    ).filter(~Exists(earlier))


def _person(first_name: str, last_name: str, username: str) -> str:
    """A user's full name, or her username when she has none."""
    return " ".join(filter(None, [first_name, last_name])) or username


# --- The tables ------------------------------------------------------------------------------------


def _funnel(scope: Scope) -> Table:
    """Per month (or quarter or year) of the period, the employers that reached each stage for the first time.

    Two grouped queries: the first-time stage changes, and the employers added (the funnel's top).
    """
    unit, found = buckets(scope.period)
    later = FUNNEL[1:]
    changes = cast(
        Iterable[dict[str, Any]],
        _first_changes(scope, later, scope.period.start, scope.period.end)
        .annotate(bucket=truncated("changed_at", unit))
        .values("bucket")
        .annotate(**{stage.value: Count("employer_id", distinct=True, filter=Q(to_stage=stage)) for stage in later})
        .order_by(),
    )
    added = cast(
        Iterable[dict[str, Any]],
        _employers(scope)
        .filter(during("created_at", scope.period.start, scope.period.end))
        .annotate(bucket=truncated("created_at", unit))
        .values("bucket")
        .annotate(n=Count("pk"))
        .order_by(),
    )
    figures: dict[tuple[str, str], int] = {}
    for row in changes:
        for stage in later:
            figures[key_of(row["bucket"], unit), stage.value] = row[stage.value]
    for row in added:
        figures[key_of(row["bucket"], unit), Stage.PROSPECT.value] = row["n"]
    rows = [
        Row(
            bucket.key,
            bucket.label,
            [
                count(
                    figures.get((bucket.key, stage.value), 0),
                    people=False,
                    href=scope.drill(KEY, "funnel", bucket.key, stage.value),
                )
                for stage in FUNNEL
            ],
        )
        for bucket in found
    ]
    per = {"month": _("month"), "quarter": _("quarter"), "year": _("year")}[unit]
    return Table(
        "funnel",
        _("Employers reaching each stage, per %(unit)s") % {"unit": per},
        [str(stage.label) for stage in FUNNEL],
        rows,
        column_keys=[stage.value for stage in FUNNEL],
        note=_(
            "Each employer is counted once per stage, in the %(unit)s it first reached that stage (its first "
            "stage change to it ever; one that falls back and climbs again is not counted again). "
            "Prospects are the employers added to the network in the %(unit)s: every employer enters the "
            "pipeline at the top, even one added at a later stage. A period of more than 24 months is shown "
            "per quarter, one of more than 24 quarters per year. The first and last %(unit)s count only the "
            "days within the period."
        )
        % {"unit": per},
        chart=Chart("line"),
        row_heading=_("Period"),
    )


def _funnel_now(scope: Scope) -> Table:
    """How many employers are in each stage now: one grouped query."""
    found = dict(
        cast(Iterable[tuple[str, int]], _employers(scope).values_list("stage").annotate(n=Count("pk")).order_by())
    )
    rows = [
        Row(
            stage.value,
            str(stage.label),
            [
                count(
                    found.get(stage.value, 0),
                    people=False,
                    href=scope.drill(KEY, "funnel_now", stage.value, "employers"),
                )
            ],
        )
        for stage in Stage
    ]
    rows.append(
        Row(
            "total",
            _("All employers"),
            [count(sum(found.values()), people=False, href=scope.drill(KEY, "funnel_now", "total", "employers"))],
        )
    )
    return Table(
        "funnel_now",
        _("Employers per stage now"),
        [_("Employers")],
        rows,
        column_keys=["employers"],
        note=_(
            "Every employer in its relationship stage today. Active partners and completed collaborations are "
            "Flora's category A, ended early by the employer category B, declined category C."
        ),
        row_heading=_("Stage"),
    )


def _decline_reasons(scope: Scope) -> Table:
    """Declines in the period by their main reason: one grouped query."""
    found = dict(
        cast(
            Iterable[tuple[str, int]],
            EmployerStageChange.objects.filter(
                scope.employer_q("employer__"),
                during("changed_at", scope.period.start, scope.period.end),
                to_stage=Stage.DECLINED,
            )
            .values_list("decline_reason")
            .annotate(n=Count("pk"))
            .order_by(),
        )
    )
    total = sum(found.values())
    reasons = [reason for reason in DeclineReason if reason.value] + [DeclineReason.NONE]
    rows = []
    for reason in reasons:
        n = found.get(reason.value, 0)
        href = scope.drill(KEY, "decline_reasons", reason.value, "declines")
        rows.append(
            Row(
                reason.value,
                str(reason.label),
                [count(n, people=False, href=href), Cell(100 * n / total if total else None, "percent", None)],
            )
        )
    return Table(
        "decline_reasons",
        _("Why employers declined"),
        [_("Declines"), _("Share")],
        rows,
        column_keys=["declines", "share"],
        note=_(
            "Every move of an employer to declined within the period, by the main reason recorded with it "
            "(Flora IV.3 werkgever A.a). An employer that declined twice counts twice. The share is of all "
            "declines in the period."
        ),
        chart=Chart("bar", columns=[0]),
        row_heading=_("Reason"),
    )


MANAGER_COLUMNS = (*FUNNEL, "total", "contacts")


def _per_manager(scope: Scope) -> Table:
    """Per relationship manager: her employers by stage now, and the contacts with them in the period.

    Two grouped queries: the employers per owner and stage, and the interactions per owner.
    """
    employers = cast(
        Iterable[dict[str, Any]],
        _employers(scope)
        .values("owner_id", "owner__first_name", "owner__last_name", "owner__username")
        .annotate(
            total=Count("pk"),
            **{stage.value: Count("pk", filter=Q(stage=stage)) for stage in FUNNEL},
        )
        .order_by(),
    )
    contacts = dict(
        cast(
            Iterable[tuple[int | None, int]],
            Interaction.objects.filter(
                scope.employer_q("employer__"), during("occurred_at", scope.period.start, scope.period.end)
            )
            .values_list("employer__owner_id")
            .annotate(n=Count("pk"))
            .order_by(),
        )
    )
    owners = sorted(
        employers,
        key=lambda row: (
            row["owner_id"] is None,
            _person(
                row["owner__first_name"] or "", row["owner__last_name"] or "", row["owner__username"] or ""
            ).lower(),
            row["owner_id"] or 0,
        ),
    )
    rows = []
    for row in owners:
        key = "" if row["owner_id"] is None else str(row["owner_id"])
        label = (
            _("No relationship manager")
            if row["owner_id"] is None
            else _person(row["owner__first_name"], row["owner__last_name"], row["owner__username"])
        )
        values = [row[stage.value] for stage in FUNNEL] + [row["total"], contacts.get(row["owner_id"], 0)]
        cells = [
            count(value, people=False, href=scope.drill(KEY, "per_manager", key, column))
            for value, column in zip(values, MANAGER_COLUMNS, strict=True)
        ]
        rows.append(Row(key, label, cells))
    return Table(
        "per_manager",
        _("Employers per relationship manager"),
        [*(str(stage.label) for stage in FUNNEL), _("All stages"), _("Contacts in the period")],
        rows,
        column_keys=list(MANAGER_COLUMNS),
        note=_(
            "The employers each relationship manager looks after, by their stage today; all stages includes "
            "completed, ended, declined and dormant ones. Contacts are the calls, meetings, visits, emails "
            "and events with her employers within the period, whoever recorded them."
        ),
        chart=Chart("stacked", columns=[0, 1, 2, 3]),
        row_heading=_("Relationship manager"),
    )


def _coverage_days(period: Period) -> tuple[Unit, list[Bucket], list[dt.date]]:
    """The buckets of the period and the day each is measured on: its last day (month ends, the last cut).

    The days come from placements.coverage.month_ends (the coverage page's own points) counted back
    from the period's end; a longer period keeps the ends of its quarters or years.
    """
    unit, found = buckets(period)
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    ends = {bucket.last for bucket in found}
    days = [day for day in month_ends(period.end, months) if day in ends]
    return unit, found, days


def _supplied_steps() -> list[int]:
    """The active ladder steps where employers offer places."""
    return list(LadderStep.objects.active().supplied().values_list("pk", flat=True))


def _coverage(scope: Scope) -> Table:
    """Per month end, how many of the steps where employers offer places had an open place: two queries."""
    unit, found, days = _coverage_days(scope.period)
    steps = _supplied_steps()
    places = open_places_on(days, steps, employers=scope.employer_q("vacancy__employer__")) if steps else {}
    rows = []
    for n, (bucket, day) in enumerate(zip(found, days, strict=True)):
        covered = sum(1 for step in steps if places.get(step, [0] * len(days))[n] > 0)
        share = Cell(100 * covered / len(steps) if steps else None, "percent", None)
        rows.append(
            Row(
                bucket.key,
                date_format(day, "SHORT_DATE_FORMAT"),
                [
                    count(covered, people=False),
                    count(len(steps), people=False, href=reverse("placements:coverage")),
                    share,
                ],
            )
        )
    per = {"month": _("month"), "quarter": _("quarter"), "year": _("year")}[unit]
    return Table(
        "coverage",
        _("Employer steps with an open place, at the end of each %(unit)s") % {"unit": per},
        [_("Steps with open places"), _("Steps where employers offer places"), _("Share")],
        rows,
        column_keys=["with_places", "offering", "share"],
        note=_(
            "The ladder steps in use where employers offer places (work experience, trial days, jobs), and "
            "how many of them had at least one place in a vacancy open at the end of the day: opened by then, "
            "not closed by then, not a draft (the coverage page's rule). The last point is the period's last "
            "day. The coverage page shows each step's places and the clients who need them now. The "
            "relationship manager and sector filters count the places of their employers only."
        ),
        chart=Chart("line", columns=[2], unit="%"),
        row_heading=_("End of"),
    )


def build(scope: Scope) -> Section:
    """The section's tables for the scope: eight queries whatever the size of the network."""
    intro = _(
        "How employers move through the pipeline, why they decline, who looks after them, and how many of "
        "the ladder's employer steps have open places. The figures are about employers, not persons, so "
        "none is hidden."
    )
    if scope.gender is not None or scope.coach_id:
        intro += " " + _(
            "The gender and coach filters are about clients and do not apply to employers: these figures "
            "cover every employer within the other filters."
        )
    return Section(
        KEY,
        str(TITLE),
        intro,
        [_funnel(scope), _funnel_now(scope), _decline_reasons(scope), _per_manager(scope), _coverage(scope)],
        source=_(
            "Pipeline: Flora IV.1 (categories A, B, C) and analysis §4.4. Decline reasons: Flora IV.3 "
            "werkgever A.a. Coverage: igma ch. 5, employers on the ladder."
        ),
    )


# --- Drill-downs -----------------------------------------------------------------------------------


def rows(scope: Scope, table: str, row: str, column: str) -> Rows | None:
    """The employers (or the contacts) behind one figure; None when the figure has none to show."""
    if table == "funnel":
        return _funnel_rows(scope, row, column)
    if table == "funnel_now":
        employers = _employers(scope)
        if row == "total":
            return Rows("employers", employers, _("All employers"))
        if row not in Stage.values:
            return None
        return Rows("employers", employers.filter(stage=row), str(Stage(row).label))
    if table == "decline_reasons":
        if row not in DeclineReason.values:
            return None
        declines = EmployerStageChange.objects.filter(
            during("changed_at", scope.period.start, scope.period.end), to_stage=Stage.DECLINED, decline_reason=row
        )
        title = _("Declined: %(reason)s") % {"reason": DeclineReason(row).label}
        return Rows("employers", _employers(scope).filter(pk__in=declines.values("employer_id")), title)
    if table == "per_manager":
        return _manager_rows(scope, row, column)
    # Coverage has no rows here: the drill-down lists know no ladder steps; its cells link to the coverage page.
    return None


def _funnel_rows(scope: Scope, row: str, column: str) -> Rows | None:
    """The employers added (prospects) or first reaching a stage in one bucket of the funnel."""
    bucket = find_bucket(scope.period, row)
    if bucket is None or column not in [stage.value for stage in FUNNEL]:
        return None
    title = f"{Stage(column).label} · {bucket.label}"
    if column == Stage.PROSPECT:
        added = _employers(scope).filter(during("created_at", bucket.first, bucket.last))
        return Rows("employers", added, title)
    firsts = _first_changes(scope, [column], bucket.first, bucket.last)
    return Rows("employers", _employers(scope).filter(pk__in=firsts.values("employer_id")), title)


def _manager_rows(scope: Scope, row: str, column: str) -> Rows | None:
    """One relationship manager's employers in a stage (or all of them), or the contacts with them."""
    if column not in MANAGER_COLUMNS or (row and not row.isdigit()):
        return None
    owner = Q(owner__isnull=True) if not row else Q(owner_id=int(row))
    user = get_user_model().objects.filter(pk=int(row)).first() if row else None
    name = _person(user.first_name, user.last_name, user.get_username()) if user else _("No relationship manager")
    if column == "contacts":
        by_owner = Q(employer__owner__isnull=True) if not row else Q(employer__owner_id=int(row))
        interactions = Interaction.objects.filter(
            scope.employer_q("employer__"), during("occurred_at", scope.period.start, scope.period.end), by_owner
        )
        return Rows("interactions", interactions, _("Contacts with the employers of %(name)s") % {"name": name})
    employers = _employers(scope).filter(owner)
    if column != "total":
        employers = employers.filter(stage=column)
        return Rows("employers", employers, f"{name} · {Stage(column).label}")
    return Rows("employers", employers, name)
