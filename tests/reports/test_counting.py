"""Counting a report side by side (PostgreSQL) gives the figures counted in turn, in the reader's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from placements.choices import Gender, PlacementStatus
from reports.counting import count_sections
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
