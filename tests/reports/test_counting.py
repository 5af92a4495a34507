"""Counting a report side by side (PostgreSQL) gives the figures counted in turn, in the reader's language;
one section alone is counted on the request's connection."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from placements.choices import Gender, PlacementStatus
from reports.counting import POSTGRESQL_SETTINGS, SIDE_BY_SIDE_SETTINGS, count_sections
from reports.registry import SECTIONS, sections_for
from reports.scope import Scope
from reports.tables import Section
from tests.placements.factories import ClientFactory, PlacementFactory


def figures(sections: list[Section]) -> list[Any]:
    """Every table's title and cells (value, people, link) in order."""
    return [
        (section.key, table.title, [[(c.value, c.people, c.href) for c in row.cells] for row in table.rows])
        for section in sections
        for table in section.tables
    ]


# The threads read what the test wrote: only committed rows are visible to their connections. The rows the
# migrations made (role groups, ladder steps) are put back first, as another such test may have emptied them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sections_counted_side_by_side_are_those_counted_in_turn(settings, adam, alice):
    today = dt.date.today()
    for n in range(12):
        person = ClientFactory.create(coach=alice, gender=Gender.WOMAN if n % 3 else Gender.MAN)
        PlacementFactory.create(
            client=person, status=PlacementStatus.ACTIVE, start_on=today - dt.timedelta(days=40 + 7 * n)
        )
    scope, _form = Scope.from_query(adam, {})

    with translation.override("nl"):
        settings.REPORTS_COUNT_THREADS = 1
        in_turn = count_sections(scope)
        settings.REPORTS_COUNT_THREADS = 3
        with CaptureQueriesContext(connection) as on_the_request:
            side_by_side = count_sections(scope)

    assert figures(side_by_side) == figures(in_turn)
    started = next(t for s in side_by_side if s.key == "outcomes" for t in s.tables if t.key == "placements")
    assert started.title == "Plaatsingen"
    if connection.vendor == "postgresql":  # the sections ran on the threads' own connections
        assert len(on_the_request) < 5
    else:  # SQLite counts in turn on the request's connection
        assert len(on_the_request) > 20


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_section_is_counted_on_the_requests_connection_with_parallel_workers_allowed(settings, adam, alice):
    ClientFactory.create(coach=alice, gender=Gender.WOMAN)
    scope, _form = Scope.from_query(adam, {})
    settings.REPORTS_COUNT_THREADS = 3
    ladder = [spec for spec in sections_for(scope) if spec.key == "ladder"]

    with CaptureQueriesContext(connection) as on_the_request:
        sections = count_sections(scope, only=ladder)

    assert [section.key for section in sections] == ["ladder"]
    statements = [query["sql"] for query in on_the_request.captured_queries]
    assert len(statements) > 3  # the section's own queries ran here
    assert not any(setting in statements for setting in SIDE_BY_SIDE_SETTINGS)
    if connection.vendor == "postgresql":
        assert all(setting in statements for setting in POSTGRESQL_SETTINGS)


@pytest.mark.django_db
def test_a_section_the_reader_may_not_read_is_never_counted_even_when_asked_for(rita):
    scope, _form = Scope.from_query(rita, {})

    sections = count_sections(scope, only=SECTIONS)

    assert [section.key for section in sections] == [spec.key for spec in SECTIONS if not spec.over_clients]
