"""Counting a report: the sections asked for (all the reader may read, or one page's), then protected.

A report page counts its one section (reports.views); the XLSX and the PDF hold every section the reader
may read, some forty aggregate queries when no page has counted them yet; with the benchmark data a
handful of them read a year of aftercare steps or every ladder stay (bench/README.md, "Programme
reports"). The sections do not depend on one another, so on PostgreSQL they are counted side by side on
REPORTS_COUNT_THREADS connections of their own, each in a transaction that gives sorts more memory than a
web request's default (JIT compilation, which costs these mid-sized queries more than it saves, is off
for every connection: POSTGRES_JIT in config/settings.py). One section alone, SQLite, and any count
made inside an open transaction (whose rows other connections cannot see) count on the request's
connection, the sections one after the other; there PostgreSQL may still give a query parallel
workers, as nothing else counts beside it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone, translation

from reports.registry import SectionSpec, sections_for
from reports.scope import Scope
from reports.tables import Section

# What a counting transaction sets on PostgreSQL: room for the quartiles' sorts in memory. (JIT is off for
# every connection: config/settings.py, POSTGRES_JIT.)
POSTGRESQL_SETTINGS = ("SET LOCAL work_mem = '32MB'",)
# Counted side by side, the sections already share the cores; parallel workers per query would contend.
SIDE_BY_SIDE_SETTINGS = ("SET LOCAL max_parallel_workers_per_gather = 0",)


def count_sections(
    scope: Scope, *, only: Collection[SectionSpec] | None = None, using: str = DEFAULT_DB_ALIAS
) -> list[Section]:
    """Count the reader's sections (those in `only`, when given), with no hidden figure left to work out
    from a shown total. A section the reader may not read is never counted, even when asked for."""
    specs = sections_for(scope, only)
    connection = connections[using]
    threads = min(settings.REPORTS_COUNT_THREADS, len(specs))
    if connection.vendor == "postgresql" and threads > 1 and not connection.in_atomic_block:
        sections = _side_by_side(scope, specs, threads, using)
    else:
        with counting_transaction(using):
            sections = [section_spec.build(scope) for section_spec in specs]
    for section in sections:
        for table in section.tables:
            table.protect()
    return sections


def _side_by_side(scope: Scope, specs: list[SectionSpec], threads: int, using: str) -> list[Section]:
    """Each section built on a thread with its own connection, in the request's language and time zone."""
    language = translation.get_language()
    zone = timezone.get_current_timezone()

    def build(section_spec: SectionSpec) -> Section:
        try:
            with (
                translation.override(language),
                timezone.override(zone),
                counting_transaction(using, SIDE_BY_SIDE_SETTINGS),
            ):
                return section_spec.build(scope)
        finally:
            connections[using].close()  # the thread ends; its connection must not outlive it

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="report") as pool:
        return list(pool.map(build, specs))


@contextmanager
def counting_transaction(using: str, extra: tuple[str, ...] = ()) -> Iterator[Any]:
    """A transaction for counting: on PostgreSQL with POSTGRESQL_SETTINGS (and `extra`), elsewhere just one."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for statement in (*POSTGRESQL_SETTINGS, *extra):
                    cursor.execute(statement)
        yield
