"""Date arithmetic and quartiles in SQL, the same on SQLite and PostgreSQL.

Reports aggregate in the database (a page over 100,000 placements must not load them): these are the few
pieces the ORM lacks. Each is spelled once per database here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Func, IntegerField, QuerySet


class DaysBetween(Func):
    """Whole days from `start` to `end` (two dates): `end - start`, negative when `end` comes first."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, end: Any, start: Any, **extra: Any) -> None:
        super().__init__(end, start, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:  # date - date
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra_context)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class AddMonths(Func):
    """The same day `months` calendar months later, clamped to the end of a shorter month.

    Matches placements.scheduling.add_months: PostgreSQL's `date + interval` clamps already; SQLite's
    date() rolls 31 January + 1 month over to 3 March, so the end of the target month caps it.
    """

    arity = 1

    def __init__(self, start: Any, months: int, **extra: Any) -> None:
        self.months = int(months)
        super().__init__(start, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        template = f"CAST((%(expressions)s + INTERVAL '{self.months} months') AS date)"
        return super().as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        months = self.months
        template = (
            f"MIN(date({sql}, '{months:+d} months'), date({sql}, 'start of month', '{months + 1:+d} months', '-1 day'))"
        )
        return template, [*params, *params]


@dataclass(frozen=True)
class Quartiles:
    """How many values a group has, and its first quartile, median and third quartile."""

    n: int
    q1: float
    median: float
    q3: float
    total: float = 0.0


def _at(low: float, high: float | None, fraction: float) -> float:
    return low if high is None else low + fraction * (high - low)


def quartiles(
    queryset: QuerySet[Any], *, group: Any, value: Any, with_total: bool = False
) -> dict[Hashable, Quartiles]:
    """Per group, the count, quartiles and sum of `value` over the rows of `queryset`, in one SQL query.

    With `with_total`, the same figures over every row come back under the key None as well (the rows
    are read once: the groups and the whole are ranked from one common table expression).

    `group` and `value` are expressions on the queryset's model. The quartiles are interpolated between
    the two nearest ranks, as PostgreSQL's percentile_cont and numpy's default do: for n sorted values the
    p-quantile sits at rank 1 + (n - 1)p. PostgreSQL computes them with percentile_cont itself (one sort per
    group, no window pass). SQLite has no ordered-set aggregates: there the ranks come from window functions
    and Python interpolates between the two values each quartile falls between.
    """
    inner = queryset.order_by().values(g=group, v=value).filter(v__isnull=False)
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # a queryset that can match nothing (e.g. filtered on an empty list) compiles to no SQL
        return {}
    return quartiles_of_rows(sql, params, using=queryset.db, with_total=with_total)


def quartiles_of_rows(sql: str, params: Any, *, using: str, with_total: bool = False) -> dict[Hashable, Quartiles]:
    """quartiles() over the rows of a compiled SELECT whose columns are `g` (the group) and `v` (never NULL).

    For a caller that must shape the rows in SQL the ORM cannot write, such as summing per placement
    before joining the sums to their clients (reports/sections/gender.py).
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        return _quartiles_postgresql(connection, sql, params, with_total=with_total)
    picks = []
    for k in (1, 2, 3):
        # rank of the lower neighbour: 1 + floor((n - 1) k / 4), in integer arithmetic on both databases.
        picks.append(f"MAX(CASE WHEN rn = ((n - 1) * {k}) / 4 + 1 THEN v END) AS lo{k}")
        picks.append(f"MAX(CASE WHEN rn = ((n - 1) * {k}) / 4 + 2 THEN v END) AS hi{k}")
    # Only the compiled queryset and fixed numbers are spliced in; every value travels as a parameter.
    rows = "SELECT g, v FROM base UNION ALL SELECT NULL, v FROM base" if with_total else "SELECT g, v FROM base"
    query = (
        f"WITH base AS ({sql}), "  # noqa: S608
        "ranked AS (SELECT g, v, ROW_NUMBER() OVER (PARTITION BY g ORDER BY v) AS rn, "
        f"COUNT(*) OVER (PARTITION BY g) AS n FROM ({rows}) AS grouped) "
        f"SELECT g, MAX(n) AS n, {', '.join(picks)}, SUM(v) AS total FROM ranked GROUP BY g"
    )
    result: dict[Hashable, Quartiles] = {}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for g, n, lo1, hi1, lo2, hi2, lo3, hi3, total in cursor.fetchall():
            values = []
            for k, low, high in ((1, lo1, hi1), (2, lo2, hi2), (3, lo3, hi3)):
                fraction = ((n - 1) * k % 4) / 4
                values.append(_at(float(low), None if high is None else float(high), fraction))
            result[g] = Quartiles(n, values[0], values[1], values[2], total=float(total))
    return result


def _quartiles_postgresql(connection: Any, sql: str, params: Any, *, with_total: bool) -> dict[Hashable, Quartiles]:
    """quartiles() on PostgreSQL: percentile_cont per group, and over every row under None with `with_total`."""
    grouping = "GROUPING SETS ((g), ())" if with_total else "g"
    query = (
        f"WITH base AS ({sql}) "  # noqa: S608 (only the compiled queryset is spliced in)
        "SELECT g, COUNT(*), percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY v), SUM(v) "
        f"FROM base GROUP BY {grouping}"
    )
    result: dict[Hashable, Quartiles] = {}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for g, n, found, total in cursor.fetchall():
            if not n:  # the grand total of no rows at all
                continue
            q1, median, q3 = found
            result[g] = Quartiles(n, float(q1), float(median), float(q3), total=float(total))
    return result
