"""Retention per client across employment episodes (Flora I.4)."""

from __future__ import annotations

import datetime as dt

import pytest

from placements.choices import PlacementStatus
from placements.models import Client
from placements.retention import client_retained, longest_span, retained_clients, work_spans
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2028, 1, 1)


def _job(client, start: dt.date, end: dt.date | None, status: str = PlacementStatus.COMPLETED):
    return PlacementFactory(client=client, start_on=start, actual_end_on=end, status=status)


def test_two_jobs_with_a_short_gap_count_as_one_span_in_work():
    client = ClientFactory()
    _job(client, dt.date(2027, 1, 4), dt.date(2027, 3, 1))
    _job(client, dt.date(2027, 3, 15), dt.date(2027, 5, 31))

    assert work_spans(client.placements.all(), as_of=AS_OF) == [(dt.date(2027, 1, 4), dt.date(2027, 5, 31))]
    assert client_retained(client, months=3, as_of=AS_OF)
    assert not any(p.retained(months=3, as_of=AS_OF) for p in client.placements.all())


def test_a_long_gap_breaks_the_span_so_short_jobs_do_not_add_up():
    client = ClientFactory()
    _job(client, dt.date(2027, 1, 4), dt.date(2027, 2, 28))
    _job(client, dt.date(2027, 5, 1), dt.date(2027, 6, 30))

    assert len(work_spans(client.placements.all(), as_of=AS_OF)) == 2
    assert not client_retained(client, months=3, as_of=AS_OF)
    assert client_retained(client, months=3, as_of=AS_OF, max_gap_days=90)


def test_overlapping_jobs_merge_and_a_running_job_counts_up_to_the_date():
    client = ClientFactory()
    _job(client, dt.date(2027, 1, 4), dt.date(2027, 4, 30))
    _job(client, dt.date(2027, 3, 1), None, status=PlacementStatus.ACTIVE)

    assert longest_span(client.placements.all(), as_of=dt.date(2027, 8, 1)) == (
        dt.date(2027, 1, 4),
        dt.date(2027, 8, 1),
    )
    assert client_retained(client, months=6, as_of=dt.date(2027, 7, 4))
    assert not client_retained(client, months=6, as_of=dt.date(2027, 7, 3))


def test_planned_and_cancelled_placements_are_not_work():
    client = ClientFactory()
    _job(client, dt.date(2027, 1, 4), None, status=PlacementStatus.PLANNED)
    _job(client, dt.date(2027, 1, 4), None, status=PlacementStatus.CANCELLED)

    assert longest_span(client.placements.all(), as_of=AS_OF) is None
    assert not client_retained(client, months=3, as_of=AS_OF)


def test_the_report_lists_retained_clients_in_two_queries(django_assert_num_queries):
    kept, lost = ClientFactory(), ClientFactory()
    _job(kept, dt.date(2027, 1, 4), dt.date(2027, 2, 28))
    _job(kept, dt.date(2027, 3, 10), dt.date(2027, 7, 31))
    _job(lost, dt.date(2027, 1, 4), dt.date(2027, 2, 28))

    with django_assert_num_queries(2):
        retained = retained_clients(Client.objects.all(), months=6, as_of=AS_OF)

    assert retained == {kept.pk}
