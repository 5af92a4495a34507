"""Retention in work per client, across employment episodes (Flora I.4 and Conclusie A), computed in SQL.

Flora counts "keeping work through different jobs" as success («het behoud van werk via verschillende
jobs», Conclusie A) and warns that a snapshot («momentopname», I.4) misleads, so retention is computed
from the dates of every episode, per person. We use the longest continuous span in work: episodes that
overlap, or follow each other with a gap of at most `max_gap_days` (a month by default: a short wait
between two contracts does not break it), join into one span, gap included. A sum of days would let three
unrelated one-month jobs count as "three months in work", which is the snapshot error Flora warns
against; a continuous span does not.

The rule, once, for every report:
- an episode is a placement that was really worked (WORKED_STATUSES) and had started by `as_of`; it runs
  from its start to its actual end, or to `as_of` while it runs, and never past `as_of`;
- per client, episodes in order of start join into spans (gaps and islands): an episode starts a new span
  when it begins more than `max_gap_days` days after the latest end of the episodes before it;
- a client is *eligible* for N months when N calendar months have passed since the start of her first
  episode (add_months(first start, N) <= as_of), and *retained* when some span lasts at least N calendar
  months (add_months(span start, N) <= span end), the same clamping as placements.scheduling.add_months;
- the cohort is the clients whose first episode started within a date range (Flora I.3 counts retention
  over the people who got work).

Everything runs in one query per call with window functions, on SQLite and PostgreSQL alike: the episodes
come from an ORM queryset, the date arithmetic from common.sql (compiled for the connection), and only
the window-over-a-window part is written out as SQL here. Placement.retained() stays the per-placement
measure (one job on its own, as the API's retained_3_months shows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import DateField, Exists, F, OuterRef, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Least
from django.db.models.query import QuerySet

from common.sql import AddMonths, DaysBetween
from placements.choices import PlacementStatus
from placements.models import Client, Placement

DEFAULT_MAX_GAP_DAYS = 31
# Episodes that were really worked; planned and cancelled ones never started.
WORKED_STATUSES = (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED, PlacementStatus.ENDED_EARLY)


class DateRange(Protocol):
    """Any first and last day, both included (a report's Period fits)."""

    @property
    def start(self) -> dt.date:
        """The first day."""
        ...

    @property
    def end(self) -> dt.date:
        """The last day."""
        ...


@dataclass(frozen=True)
class Retention:
    """For one gender and one duration: how many clients could have stayed that long, and how many did."""

    gender: str
    months: int
    eligible: int
    retained: int


def retention_by_gender(
    clients: QuerySet[Client],
    *,
    months: Sequence[int],
    as_of: dt.date,
    cohort: DateRange | None = None,
    max_gap_days: int = DEFAULT_MAX_GAP_DAYS,
) -> list[Retention]:
    """Per self-described gender and per duration in `months`, the eligible and the retained clients.

    One query. `clients` are the clients that may be counted; `cohort` keeps those whose first worked
    episode started within it (every client who worked when None). Genders without an eligible or
    retained client in the cohort are left out.
    """
    durations = _durations(months)
    built = _people_sql(clients, months=durations, as_of=as_of, cohort=cohort, max_gap_days=max_gap_days)
    if built is None:
        return []
    sql, params, db = built
    sums = ", ".join(f"SUM(eligible_{n}), SUM(kept_{n})" for n in durations)
    # Only compiled querysets and validated integers are spliced in; every value travels as a parameter.
    query = f"{sql} SELECT gender, {sums} FROM people GROUP BY gender"  # noqa: S608
    result: list[Retention] = []
    with connections[db].cursor() as cursor:
        cursor.execute(query, params)
        for gender, *figures in cursor.fetchall():
            for index, n in enumerate(durations):
                eligible, retained = figures[2 * index], figures[2 * index + 1]
                result.append(Retention(gender or "", n, int(eligible or 0), int(retained or 0)))
    return result


def retained_clients(
    clients: QuerySet[Client],
    *,
    months: int,
    as_of: dt.date,
    cohort: DateRange | None = None,
    max_gap_days: int = DEFAULT_MAX_GAP_DAYS,
) -> QuerySet[Client]:
    """The clients of `clients` in the cohort who stayed in work `months` calendar months (lazy, one query).

    The same rule as retention_by_gender, as a subquery: the drill-down behind a retained figure.
    """
    (n,) = _durations([months])
    built = _people_sql(clients, months=[n], as_of=as_of, cohort=cohort, max_gap_days=max_gap_days)
    if built is None:
        return clients.none()
    sql, params, _db = built
    # Only compiled querysets and validated integers are spliced in; every value travels as a parameter.
    kept = RawSQL(f"{sql} SELECT cid FROM people WHERE kept_{n} = 1", params)  # noqa: S608, S611
    return clients.filter(pk__in=kept)


def _durations(months: Sequence[int]) -> list[int]:
    """The durations asked for, as distinct positive whole months in the order given."""
    durations = list(dict.fromkeys(int(n) for n in months))
    if not durations or any(n <= 0 for n in durations):
        raise ValueError("Retention is measured over one or more positive numbers of months.")
    return durations


def _episodes(clients: QuerySet[Client], *, as_of: dt.date, cohort: DateRange | None) -> QuerySet[Placement, Any]:
    """The worked episodes of the clients up to `as_of`: client, gender, id, first and last day in work.

    With a cohort, only the episodes of clients whose first worked episode started within it: the same
    clients the cohort keeps afterwards, left out before the window functions sort every client's history.
    """
    today = Value(as_of, output_field=DateField())
    worked = Placement.objects.using(clients.db).filter(status__in=WORKED_STATUSES, start_on__lte=as_of)
    episodes = worked.filter(client_id__in=clients.values("pk"))
    if cohort is not None:
        mine = worked.filter(client=OuterRef("client_id"))
        episodes = episodes.filter(
            Exists(mine.filter(start_on__gte=cohort.start, start_on__lte=cohort.end)),
            ~Exists(mine.filter(start_on__lt=cohort.start)),
        )
    return episodes.order_by().values(
        cid=F("client_id"),
        gender=F("client__gender"),
        eid=F("pk"),
        first_day=F("start_on"),
        last_day=Least(Coalesce("actual_end_on", today), today, output_field=DateField()),
    )


def _people_sql(
    clients: QuerySet[Client],
    *,
    months: Sequence[int],
    as_of: dt.date,
    cohort: DateRange | None,
    max_gap_days: int,
) -> tuple[str, list[Any], str] | None:
    """A WITH clause ending in `people`: one row per client of the cohort with 0/1 flags per duration.

    Columns of `people`: cid, gender, eligible_<n> and kept_<n> for each n in `months` (kept implies
    eligible). Returns the SQL, its parameters and the database alias it is written for; None when the
    clients can match nothing (a reader without client rows), which Django compiles to no SQL at all.
    """
    episodes = _episodes(clients, as_of=as_of, cohort=cohort)
    db = episodes.db
    connection = connections[db]
    compiler = episodes.query.get_compiler(using=db)
    try:
        inner, inner_params = compiler.as_sql()
    except EmptyResultSet:
        return None
    params: list[Any] = list(inner_params)

    def spell(expression: Any) -> str:
        """The SQL of a date expression for this connection (common.sql spells each database once)."""
        sql, extra = compiler.compile(expression)
        if extra:  # the date arithmetic over column names takes no parameters
            raise ValueError("Unexpected parameters in a date expression.")
        return str(sql)

    def column(name: str) -> RawSQL:
        """A date column of the CTEs below, for the common.sql expressions to read."""
        return RawSQL(name, [], output_field=DateField())  # noqa: S611 (a fixed column name of the CTEs below)

    gap = spell(DaysBetween(column("first_day"), column("reach")))
    day = connection.ops.adapt_datefield_value
    flags = []
    for n in months:
        eligible = f"{spell(AddMonths(column('first_start'), n))} <= %s"
        lasting = f"{spell(AddMonths(column('span_start'), n))} <= span_end"
        flags.append(f"MAX(CASE WHEN {eligible} THEN 1 ELSE 0 END) AS eligible_{n}")
        flags.append(f"MAX(CASE WHEN {eligible} AND {lasting} THEN 1 ELSE 0 END) AS kept_{n}")
    # The compiled queryset, fixed SQL and integers are spliced in; every value travels as a parameter.
    sql = (
        f"WITH episodes AS ({inner}), "  # noqa: S608
        # Per episode: the client's first start, and the latest end among the episodes before it.
        "ordered AS (SELECT cid, gender, eid, first_day, last_day, "
        "MIN(first_day) OVER (PARTITION BY cid) AS first_start, "
        "MAX(last_day) OVER (PARTITION BY cid ORDER BY first_day, eid "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach FROM episodes), "
        # An episode opens a new span when nothing came before or the gap is longer than allowed.
        "flagged AS (SELECT cid, gender, eid, first_day, last_day, first_start, "
        f"CASE WHEN reach IS NULL OR {gap} > %s THEN 1 ELSE 0 END AS fresh FROM ordered), "
        # The running count of openings numbers the spans of each client.
        "numbered AS (SELECT cid, gender, first_day, last_day, first_start, "
        "SUM(fresh) OVER (PARTITION BY cid ORDER BY first_day, eid ROWS UNBOUNDED PRECEDING) AS span "
        "FROM flagged), "
        "spans AS (SELECT cid, gender, first_start, MIN(first_day) AS span_start, MAX(last_day) AS span_end "
        "FROM numbered GROUP BY cid, gender, first_start, span), "
        f"people AS (SELECT cid, gender, {', '.join(flags)} FROM spans"
    )
    params.append(int(max_gap_days))
    for _n in months:
        params += [day(as_of), day(as_of)]
    if cohort is not None:
        sql += " WHERE first_start >= %s AND first_start <= %s"
        params += [day(cohort.start), day(cohort.end)]
    sql += " GROUP BY cid, gender)"
    return sql, params, db
