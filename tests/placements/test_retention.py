"""Retention per client across employment episodes (Flora I.4, Conclusie A), computed in SQL.

Every expected answer below is worked out by hand from the dates; "+N" means add_months(start, N), the
day a span must reach to count as N months in work.
"""

from __future__ import annotations

import datetime as dt

import pytest

from placements.choices import Gender, PlacementStatus
from placements.models import Client
from placements.retention import Retention, retained_clients, retention_by_gender
from reports.tables import Period
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2028, 1, 1)


def _job(client, start: dt.date, end: dt.date | None, status: str = PlacementStatus.COMPLETED):
    """A placement of the client from `start` to `end` (an early end says why and who)."""
    why = {"end_reason": "Ended", "ended_by": "client"} if status == PlacementStatus.ENDED_EARLY else {}
    return PlacementFactory(client=client, start_on=start, actual_end_on=end, status=status, **why)


def kept(client: Client, months: int, as_of: dt.date = AS_OF, **options) -> bool:
    """True when the SQL rule counts the client as retained `months` months."""
    return retained_clients(Client.objects.filter(pk=client.pk), months=months, as_of=as_of, **options).exists()


def figures(client: Client, months: int, as_of: dt.date = AS_OF, **options) -> tuple[int, int]:
    """(eligible, retained) for one client, from the per-gender figures."""
    rows = retention_by_gender(Client.objects.filter(pk=client.pk), months=[months], as_of=as_of, **options)
    return (rows[0].eligible, rows[0].retained) if rows else (0, 0)


def test_two_jobs_with_a_twenty_day_gap_make_one_span():
    # 4 Jan–1 Mar and 21 Mar–31 May: 20 days between them, so one span 4 Jan–31 May.
    # +3 = 4 Apr <= 31 May: retained 3 months; +6 = 4 Jul > 31 May: not 6.
    # Neither job alone lasts 3 months (+3 of 4 Jan = 4 Apr > 1 Mar; of 21 Mar = 21 Jun > 31 May).
    client = ClientFactory()
    _job(client, dt.date(2027, 1, 4), dt.date(2027, 3, 1))
    _job(client, dt.date(2027, 3, 21), dt.date(2027, 5, 31))

    assert kept(client, 3)
    assert not kept(client, 6)
    assert figures(client, 6) == (1, 0)
    assert not any(p.retained(months=3, as_of=AS_OF) for p in client.placements.all())


def test_a_gap_of_exactly_the_limit_joins_and_one_day_more_breaks():
    # Ends 28 Feb; 31 Mar is 31 days later (joins), 1 Apr is 32 days later (breaks).
    # Joined: 4 Jan–30 Apr, +3 = 4 Apr <= 30 Apr. Broken: 4 Jan–28 Feb and 1 Apr–30 Apr, both < 3 months.
    joined, broken = ClientFactory(), ClientFactory()
    _job(joined, dt.date(2027, 1, 4), dt.date(2027, 2, 28))
    _job(joined, dt.date(2027, 3, 31), dt.date(2027, 4, 30))
    _job(broken, dt.date(2027, 1, 4), dt.date(2027, 2, 28))
    _job(broken, dt.date(2027, 4, 1), dt.date(2027, 4, 30))

    assert kept(joined, 3)
    assert not kept(broken, 3)


def test_a_forty_day_gap_breaks_the_span_unless_a_longer_gap_is_allowed():
    # 4 Jan–28 Feb and 9 Apr–30 Jun: 40 days apart. Spans 4 Jan–28 Feb (+3 = 4 Apr) and 9 Apr–30 Jun
    # (+3 = 9 Jul): neither reaches 3 months. With 90 days allowed: 4 Jan–30 Jun, +3 = 4 Apr: retained.
    client = ClientFactory()
    _job(client, dt.date(2027, 1, 4), dt.date(2027, 2, 28))
    _job(client, dt.date(2027, 4, 9), dt.date(2027, 6, 30))

    assert not kept(client, 3)
    assert figures(client, 3) == (1, 0)
    assert kept(client, 3, max_gap_days=90)
    assert not kept(client, 6, max_gap_days=90)  # +6 = 4 Jul > 30 Jun


def test_three_separate_one_month_jobs_are_not_three_months_in_work():
    # 31 + 30 + 31 = 92 days worked, more than three months added up, but about two months apart each:
    # three spans of one month. Flora I.4: no snapshot or sum makes this "retained 3 months".
    client = ClientFactory()
    _job(client, dt.date(2027, 1, 4), dt.date(2027, 2, 4))
    _job(client, dt.date(2027, 4, 1), dt.date(2027, 5, 1))
    _job(client, dt.date(2027, 7, 1), dt.date(2027, 8, 1))

    assert not kept(client, 3)
    assert figures(client, 3) == (1, 0)


def test_overlapping_jobs_merge_through_the_latest_end_so_far():
    # 4 Jan–30 Jun holds 1 Feb–28 Feb inside it; 20 Jul comes 20 days after 30 Jun (the latest end so
    # far, not the 28 Feb of the job just before), so one span 4 Jan–31 Aug: +6 = 4 Jul <= 31 Aug.
    client = ClientFactory()
    _job(client, dt.date(2027, 1, 4), dt.date(2027, 6, 30))
    _job(client, dt.date(2027, 2, 1), dt.date(2027, 2, 28))
    _job(client, dt.date(2027, 7, 20), dt.date(2027, 8, 31), status=PlacementStatus.ENDED_EARLY)

    assert kept(client, 6)
    assert not kept(client, 12)  # +12 = 4 Jan 2028 > 31 Aug


def test_an_ongoing_job_counts_up_to_the_date_and_no_further():
    # A first job in 2026 makes her eligible long before; then a job from 4 Jan 2027 that still runs
    # (no end) or has an end recorded in the future. +3 = 4 Apr: on 3 Apr neither has lasted 3 months,
    # on 4 Apr both have. Without the cap the future end would count on 3 Apr.
    running, future_end = ClientFactory(), ClientFactory()
    for client in (running, future_end):
        _job(client, dt.date(2026, 1, 5), dt.date(2026, 2, 5))
    _job(running, dt.date(2027, 1, 4), None, status=PlacementStatus.ACTIVE)
    _job(future_end, dt.date(2027, 1, 4), dt.date(2027, 12, 31), status=PlacementStatus.ACTIVE)

    for client in (running, future_end):
        assert figures(client, 3, as_of=dt.date(2027, 4, 3)) == (1, 0)
        assert figures(client, 3, as_of=dt.date(2027, 4, 4)) == (1, 1)


def test_overlapping_with_a_running_job_counts_up_to_the_date():
    # 4 Jan–30 Apr and from 1 Mar, still running: one span from 4 Jan to the date. +6 = 4 Jul.
    client = ClientFactory()
    _job(client, dt.date(2027, 1, 4), dt.date(2027, 4, 30))
    _job(client, dt.date(2027, 3, 1), None, status=PlacementStatus.ACTIVE)

    assert kept(client, 6, as_of=dt.date(2027, 7, 4))
    assert not kept(client, 6, as_of=dt.date(2027, 7, 3))


def test_planned_and_cancelled_placements_are_not_work():
    # Only planned and cancelled: she never worked, so she is in no cohort. A worked month with a
    # cancelled placement around it stays one month. A planned placement before the first worked one
    # does not move her first start: 4 Jan 2027 falls in the 2027 cohort.
    never, short = ClientFactory(), ClientFactory()
    _job(never, dt.date(2027, 1, 4), None, status=PlacementStatus.PLANNED)
    _job(never, dt.date(2027, 1, 4), None, status=PlacementStatus.CANCELLED)
    _job(short, dt.date(2026, 6, 1), None, status=PlacementStatus.PLANNED)
    _job(short, dt.date(2026, 12, 1), dt.date(2027, 12, 1), status=PlacementStatus.CANCELLED)
    _job(short, dt.date(2027, 1, 4), dt.date(2027, 2, 4))

    assert figures(never, 3) == (0, 0)
    assert not kept(short, 3)
    assert figures(short, 3, cohort=Period(dt.date(2027, 1, 1), dt.date(2027, 12, 31))) == (1, 0)
    assert figures(short, 3, cohort=Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))) == (0, 0)


def test_six_months_from_the_31st_of_august_end_on_the_last_day_of_february():
    # 31 Aug 2026 + 6 months = 28 Feb 2027 (clamped; SQLite's date() alone would say 3 March).
    kept_on_28th, short_by_a_day = ClientFactory(), ClientFactory()
    _job(kept_on_28th, dt.date(2026, 8, 31), dt.date(2027, 2, 28))
    _job(short_by_a_day, dt.date(2026, 8, 31), dt.date(2027, 2, 27))

    assert kept(kept_on_28th, 6)
    assert not kept(short_by_a_day, 6)
    assert figures(kept_on_28th, 6, as_of=dt.date(2027, 2, 28)) == (1, 1)
    assert figures(kept_on_28th, 6, as_of=dt.date(2027, 2, 27)) == (0, 0)  # not six months on yet


def test_figures_per_gender_for_a_cohort_in_one_query(django_assert_num_queries):
    # Cohort 2027, as of 1 Oct 2027 (+6 of a start must be <= 1 Oct: starts up to 1 Apr are eligible).
    #   woman A: 4 Jan–31 Aug            eligible 3, 6; retained 3 (4 Apr), 6 (4 Jul)
    #   woman B: 1 Mar–15 Apr            eligible 3, 6; retained neither
    #   woman C: 1 Sep–, running         eligible for neither (+3 = 1 Dec > 1 Oct)
    #   man D:   2 Feb–10 Mar, 1 Apr–20 Jun (22 days apart: 2 Feb–20 Jun)
    #                                    eligible 3, 6; retained 3 (2 May), not 6 (2 Aug)
    #   "" E:    15 May–                 eligible 3 (15 Aug), not 6 (15 Nov); retained 3
    #   woman F: first job in 2026       outside the cohort
    # -> woman 3: 1 of 2, 6: 1 of 2; man 3: 1 of 1, 6: 0 of 1; not said 3: 1 of 1, 6: 0 of 0.
    def client(gender):
        """A client of that gender."""
        return ClientFactory(gender=gender)

    a, b, c = client(Gender.WOMAN), client(Gender.WOMAN), client(Gender.WOMAN)
    d, e, f = client(Gender.MAN), client(""), client(Gender.WOMAN)
    _job(a, dt.date(2027, 1, 4), dt.date(2027, 8, 31))
    _job(b, dt.date(2027, 3, 1), dt.date(2027, 4, 15), status=PlacementStatus.ENDED_EARLY)
    _job(c, dt.date(2027, 9, 1), None, status=PlacementStatus.ACTIVE)
    _job(d, dt.date(2027, 2, 2), dt.date(2027, 3, 10))
    _job(d, dt.date(2027, 4, 1), dt.date(2027, 6, 20))
    _job(e, dt.date(2027, 5, 15), None, status=PlacementStatus.ACTIVE)
    _job(f, dt.date(2026, 11, 2), dt.date(2027, 6, 30))
    cohort = Period(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    as_of = dt.date(2027, 10, 1)

    with django_assert_num_queries(1):
        rows = retention_by_gender(Client.objects.all(), months=[3, 6], as_of=as_of, cohort=cohort)

    assert sorted(rows, key=lambda r: (r.gender, r.months)) == [
        Retention("", 3, 1, 1),
        Retention("", 6, 0, 0),
        Retention("man", 3, 1, 1),
        Retention("man", 6, 1, 0),
        Retention("woman", 3, 2, 1),
        Retention("woman", 6, 2, 1),
    ]
    with django_assert_num_queries(1):
        assert set(retained_clients(Client.objects.all(), months=3, as_of=as_of, cohort=cohort)) == {a, d, e}
    assert set(retained_clients(Client.objects.filter(gender=Gender.WOMAN), months=6, as_of=as_of, cohort=cohort)) == {
        a
    }


def test_no_clients_give_no_figures_and_no_query(django_assert_num_queries):
    # A reader without client rows gets a queryset that matches nothing: no SQL runs at all.
    ClientFactory()
    with django_assert_num_queries(0):
        assert retention_by_gender(Client.objects.filter(pk__in=[]), months=[3], as_of=AS_OF) == []
        assert list(retained_clients(Client.objects.filter(pk__in=[]), months=3, as_of=AS_OF)) == []


def test_durations_must_be_positive():
    with pytest.raises(ValueError):
        retention_by_gender(Client.objects.all(), months=[0], as_of=AS_OF)
