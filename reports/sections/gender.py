"""Gender-sensitive indicators: is coaching time, extra support and work shared out alike between women and men.

igma ch. 6 ("Over werkgevers en een gender sensitieve houding") proposes indicators of success: do
coaches spend as much time counselling women as men, is extra support and coaching given as often to
women as to men (in the Swedish example coaches spent more time on men and gave them extra support
significantly more often). Flora II.4 ("Het genderperspectief in jobcoaching") shows women confined to
fewer sectors and over-represented in part-time work, and III.5.C asks whether a trade is rather male or
female and what working time a client wants; Flora's features ask for the share of placements outside
gender-typical sectors and for a "wants more hours" check. Every table here is split by the client's
self-described gender (reports.genders).

Every figure is aggregated in SQL; build() runs the same handful of queries whatever the data size.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.sql import Quartiles, quartiles_of_rows
from crm.choices import SectorGender
from placements.choices import Gender, PlacementStatus, StepStatus
from placements.kpis import done_within_q
from placements.models import AftercareStep, Client, Placement
from reports import genders
from reports.drill import Rows
from reports.scope import Scope
from reports.tables import Cell, Chart, Kind, Row, Section, Table, count, rate

KEY = "gender"
OVER_CLIENTS = True
# The section's name: its page's heading, the navigation between the pages, the PDF's heading.
TITLE = gettext_lazy("Gender-sensitive indicators")

# Placements that ran (or run): a planned or cancelled one never started.
RAN = (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED, PlacementStatus.ENDED_EARLY)
# The rows of the sector table, in order.
TYPICAL, ATYPICAL, MIXED, UNKNOWN = "typical", "atypical", "mixed", "unknown"


def _per_gender(rows: Any, *fields: str) -> dict[str, dict[str, Any]]:
    """GROUP BY rows with a `gender` and some numeric fields as {field: {gender column: value, "total": sum}}."""
    listed = list(rows)
    return {field: genders.tally(listed, gender="gender", value=field) for field in fields}


def _average(total: int | Decimal | None, n: int, kind: Kind) -> Cell:
    """An average over `n` people from their SQL sum: hidden when fewer than five, empty when there is none."""
    return Cell(float(total or 0) / n if n else None, kind, n)


# --- 1. Coach minutes per client -------------------------------------------------------------------


def _coaching_steps(scope: Scope) -> QuerySet[AftercareStep]:
    """Follow-up steps done in the period with the minutes they took, on the placements the report counts."""
    return AftercareStep.objects.filter(
        scope.placement_q("placement__"),
        done_within_q(scope.period.start, scope.period.end),
        minutes_spent__gt=0,
    )


def _minute_quartiles(scope: Scope) -> dict[str, Quartiles]:
    """Per gender column and over everyone: the clients, their minutes and the quartiles, in one query.

    The steps are summed per placement first and only those sums joined to their placement and client:
    a year of the network's done steps is a few hundred thousand rows, its placements a fifth of that,
    and the join is what costs (bench/README.md, "Programme reports").
    """
    per_placement = _coaching_steps(scope).order_by().values("placement_id").annotate(spent=Sum("minutes_spent"))
    try:
        inner, params = per_placement.query.sql_with_params()
    except EmptyResultSet:  # a scope that can match nothing compiles to no SQL
        return {}
    placement, client = Placement._meta.db_table, Client._meta.db_table
    # Only the compiled queryset and the models' table names are spliced in; values travel as parameters.
    per_client = (
        f"SELECT c.gender AS g, SUM(s.spent) AS v FROM ({inner}) s "  # noqa: S608
        f"JOIN {placement} p ON p.id = s.placement_id JOIN {client} c ON c.id = p.client_id "
        "WHERE s.spent IS NOT NULL GROUP BY p.client_id, c.gender"
    )
    found = quartiles_of_rows(per_client, params, using=per_placement.db, with_total=True)
    return {genders.TOTAL if g is None else genders.key_of(str(g)): q for g, q in found.items()}


def _coach_minutes(scope: Scope) -> Table:
    """Minutes of coaching per client, by gender (igma ch. 6: as much time for women as for men?)."""
    labels, keys = genders.columns(scope)
    medians = _minute_quartiles(scope)
    table = Table(
        "coach_minutes",
        _("Coaching minutes per client"),
        labels,
        column_keys=keys,
        row_heading=_("Figure"),
        note=_(
            "Minutes recorded on follow-up steps done in the period, on the clients' placements. Clients: "
            "those with any such minutes. Minutes per client: all minutes divided by those clients; the "
            "median is the middle of their totals. Do coaches spend as much time counselling women as "
            "men? (igma handbook, chapter 6)"
        ),
    )
    minutes = {k: int(q.total) for k, q in medians.items()}
    clients = {k: q.n for k, q in medians.items()}

    def link(row: str, key: str) -> str:
        """The drill-down of one figure of this table."""
        return scope.drill(KEY, table.key, row, key)

    lines: list[tuple[str, str, list[Cell]]] = [
        (
            "minutes_total",
            _("Minutes in total"),
            [Cell(minutes.get(k, 0), "minutes", clients.get(k, 0), link("minutes_total", k)) for k in keys],
        ),
        ("clients", _("Clients"), [count(clients.get(k, 0), href=link("clients", k)) for k in keys]),
        (
            "minutes_per_client",
            _("Minutes per client"),
            [_average(minutes.get(k, 0), clients.get(k, 0), "minutes") for k in keys],
        ),
        (
            "median_minutes",
            _("Median minutes per client"),
            [
                Cell(medians[k].median, "minutes", medians[k].n) if k in medians else Cell(None, "minutes", 0)
                for k in keys
            ],
        ),
    ]
    table.rows = [Row(key, label, cells) for key, label, cells in lines]
    return table


# --- 2. Extra support ------------------------------------------------------------------------------


def _ran_in_period(scope: Scope) -> QuerySet[Placement]:
    """The placements the report counts that ran during some of the period."""
    period = scope.period
    return scope.placements().filter(
        Q(actual_end_on__isnull=True) | Q(actual_end_on__gte=period.start),
        start_on__lte=period.end,
        status__in=RAN,
    )


def _extra_steps(scope: Scope) -> QuerySet[AftercareStep]:
    """Steps added by hand beyond the plan, due in the period and not cancelled (read once, as a set)."""
    return AftercareStep.objects.filter(
        template__isnull=True,
        due_on__gte=scope.period.start,
        due_on__lte=scope.period.end,
    ).exclude(status=StepStatus.CANCELLED)


def _extra_support(scope: Scope) -> Table:
    """The share of clients given support beyond their plan, by gender (igma ch. 6: as often to women as to men?)."""
    labels, keys = genders.columns(scope)
    sums = _per_gender(
        _ran_in_period(scope)
        .values(gender=F("client__gender"))
        .annotate(
            clients=Count("client", distinct=True),
            with_extra=Count("client", distinct=True, filter=Q(pk__in=_extra_steps(scope).values("placement_id"))),
        )
        .order_by(),
        "clients",
        "with_extra",
    )
    table = Table(
        "extra_support",
        _("Extra support beyond the plan"),
        labels,
        column_keys=keys,
        row_heading=_("Figure"),
        note=_(
            "Clients: those with a placement that ran during the period. With extra support: of those, the "
            "clients with at least one follow-up step added by hand beyond the aftercare plan, due in the "
            "period, on such a placement (a cancelled added step does not count). Is extra support and "
            "coaching given as often to women as to men? (igma handbook, chapter 6)"
        ),
    )
    clients, extra = sums["clients"], sums["with_extra"]
    table.rows = [
        Row(
            "clients",
            _("Clients with a placement"),
            [count(clients.get(k, 0), href=scope.drill(KEY, table.key, "clients", k)) for k in keys],
        ),
        Row(
            "with_extra",
            _("Of whom given extra support"),
            [count(extra.get(k, 0), href=scope.drill(KEY, table.key, "with_extra", k)) for k in keys],
        ),
        Row("share", _("Share given extra support"), [rate(extra.get(k, 0), clients.get(k, 0)) for k in keys]),
    ]
    return table


# --- 3. Gender-typical and atypical sectors --------------------------------------------------------


def _started(scope: Scope) -> QuerySet[Any]:
    """Placements started in the period, each marked typical, atypical, mixed or unknown (Flora III.5.C.b Q1)."""
    woman, man = Gender.WOMAN, Gender.MAN
    typing = Case(
        When(
            Q(employer__sector_gender=SectorGender.UNKNOWN) | ~Q(client__gender__in=[woman, man]), then=Value(UNKNOWN)
        ),
        When(employer__sector_gender=SectorGender.MIXED, then=Value(MIXED)),
        When(
            Q(client__gender=woman, employer__sector_gender=SectorGender.FEMALE)
            | Q(client__gender=man, employer__sector_gender=SectorGender.MALE),
            then=Value(TYPICAL),
        ),
        default=Value(ATYPICAL),
        output_field=CharField(),
    )
    return (
        scope.placements()
        .filter(start_on__gte=scope.period.start, start_on__lte=scope.period.end, status__in=RAN)
        .annotate(typing=typing)
    )


def _typical_sectors(scope: Scope) -> Table:
    """Placements at employers whose trade is mostly of the client's own gender, or of the other (Flora II.4.B)."""
    labels, keys = genders.columns(scope)
    counted = list(_started(scope).values("typing", gender=F("client__gender")).annotate(n=Count("pk")).order_by())
    table = Table(
        "typical_sectors",
        _("Placements in gender-typical and atypical trades"),
        labels,
        column_keys=keys,
        row_heading=_("Trade"),
        chart=Chart("bar", unit=_("placements")),
        note=_(
            "Placements started in the period, by whether the employer's trade is mostly men, mostly women "
            "or mixed, against the client's gender. Typical: a woman in a trade of mostly women, a man in "
            "a trade of mostly men; atypical: the other way round. Mixed: a woman or a man in a mixed "
            "trade. Unknown: the employer's trade is not recorded, or the client is neither a woman nor a "
            "man."
        ),
    )
    for key, label in (
        (TYPICAL, _("Gender-typical")),
        (ATYPICAL, _("Gender-atypical")),
        (MIXED, _("Mixed trade")),
        (UNKNOWN, _("Unknown")),
    ):
        tally = genders.tally([row for row in counted if row["typing"] == key])
        cells = [count(tally.get(k, 0), href=scope.drill(KEY, table.key, key, k)) for k in keys]
        table.rows.append(Row(key, label, cells))
    return table


# --- 4. Hours worked against hours wanted ----------------------------------------------------------


def _working_now(scope: Scope) -> QuerySet[Placement]:
    """Running placements whose weekly hours are known, of clients who said how many hours they want."""
    return scope.placements().filter(
        status=PlacementStatus.ACTIVE,
        start_on__lte=scope.today,
        hours_per_week__isnull=False,
        client__hours_wanted__isnull=False,
    )


def _fewer_q() -> Q:
    """Placements that give fewer hours a week than the client wants."""
    return Q(hours_per_week__lt=F("client__hours_wanted"))


def _hours(scope: Scope) -> Table:
    """Hours worked against the hours the client wants, by gender (Flora II.4.B part-time work; "wants more hours")."""
    labels, keys = genders.columns(scope)
    sums = _per_gender(
        _working_now(scope)
        .values(gender=F("client__gender"))
        .annotate(
            n=Count("pk"),
            worked=Sum("hours_per_week"),
            wanted=Sum("client__hours_wanted"),
            fewer=Count("pk", filter=_fewer_q()),
        )
        .order_by(),
        "n",
        "worked",
        "wanted",
        "fewer",
    )
    table = Table(
        "hours",
        _("Hours worked against hours wanted"),
        labels,
        column_keys=keys,
        row_heading=_("Figure"),
        note=_(
            "Placements running today whose weekly hours are recorded, of clients who said how many hours a "
            "week they want to work. Averages are hours per week. Fewer than wanted: the placement gives "
            "fewer hours than she wants (Flora II.4: women are over-represented in part-time work)."
        ),
    )
    n, fewer = sums["n"], sums["fewer"]

    def link(row: str, key: str) -> str:
        """The drill-down of one figure of this table."""
        return scope.drill(KEY, table.key, row, key)

    table.rows = [
        Row("placements", _("Placements"), [count(n.get(k, 0), href=link("placements", k)) for k in keys]),
        Row(
            "hours_worked",
            _("Hours worked per week (average)"),
            [_average(sums["worked"].get(k, 0), n.get(k, 0), "hours") for k in keys],
        ),
        Row(
            "hours_wanted",
            _("Hours wanted per week (average)"),
            [_average(sums["wanted"].get(k, 0), n.get(k, 0), "hours") for k in keys],
        ),
        Row(
            "fewer_than_wanted",
            _("Fewer hours than wanted"),
            [count(fewer.get(k, 0), href=link("fewer_than_wanted", k)) for k in keys],
        ),
        Row("share_fewer", _("Share with fewer hours than wanted"), [rate(fewer.get(k, 0), n.get(k, 0)) for k in keys]),
    ]
    return table


# --- The section -----------------------------------------------------------------------------------


def build(scope: Scope) -> Section:
    """The gender section: coaching time, extra support, gender-typical trades, and hours against hours wanted."""
    return Section(
        KEY,
        str(TITLE),
        _(
            "Whether women and men get the same: as much coaching time, extra support as often, work in "
            "trades beyond those typical of their gender, and the hours they want. Every figure is split "
            "by the client's own description of her or his gender."
        ),
        [_coach_minutes(scope), _extra_support(scope), _typical_sectors(scope), _hours(scope)],
        source=_(
            "igma handbook, chapter 6: a gender-sensitive attitude; Flora, II.4 the gender perspective in job "
            "coaching and III.5.C gender dimensions of the client and the employer."
        ),
    )


def rows(scope: Scope, table: str, row: str, column: str) -> Rows | None:
    """The rows behind one figure of the section; None for a figure the section does not have."""
    if table == "coach_minutes" and row == "minutes_total":
        steps = _coaching_steps(scope).filter(genders.gender_q(column, "placement__client__"))
        return Rows("steps", steps, _("Follow-up steps done with minutes recorded"))
    if table == "coach_minutes" and row == "clients":
        ids = _coaching_steps(scope).values("placement__client")
        return Rows("clients", Client.objects.filter(genders.gender_q(column), pk__in=ids), _("Clients coached"))
    if table == "extra_support" and row in ("clients", "with_extra"):
        ran = _ran_in_period(scope)
        if row == "with_extra":
            ran = ran.filter(pk__in=_extra_steps(scope).values("placement_id"))
        title = _("Clients given extra support") if row == "with_extra" else _("Clients with a placement")
        return Rows("clients", Client.objects.filter(genders.gender_q(column), pk__in=ran.values("client")), title)
    if table == "typical_sectors" and row in (TYPICAL, ATYPICAL, MIXED, UNKNOWN):
        started = _started(scope).filter(genders.gender_q(column, "client__"), typing=row)
        return Rows("placements", started, _("Placements started in the period"))
    if table == "hours" and row in ("placements", "fewer_than_wanted"):
        working = _working_now(scope).filter(genders.gender_q(column, "client__"))
        if row == "fewer_than_wanted":
            working = working.filter(_fewer_q())
        return Rows("placements", working, _("Placements running today"))
    return None
