"""The shared keyset cursors: descending keys, dates and times as keys, "more" counts and carried filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from common.pagination import cursor_after, keyset_ordering, keyset_page, more_page, page_query
from crm.models import Employer
from tests.crm.factories import EmployerFactory

pytestmark = pytest.mark.django_db


def made_newest_first(count: int, *, ties: int = 0) -> list[int]:
    """Employers a minute apart (the last `ties` share one moment), as pks newest first, pk descending on ties."""
    now = timezone.now()
    made = [EmployerFactory.create(stage_changed_at=now - dt.timedelta(minutes=n)) for n in range(count - ties)]
    made += [EmployerFactory.create(stage_changed_at=now - dt.timedelta(days=1)) for _ in range(ties)]
    return [e.pk for e in sorted(made, key=lambda e: (e.stage_changed_at, e.pk), reverse=True)]


def test_a_descending_key_pages_newest_first_through_ties_and_back():
    pks = made_newest_first(7, ties=3)
    pages = [keyset_page(Employer.objects.all(), key="-stage_changed_at", cursor="", size=3)]
    while pages[-1].next_cursor:
        pages.append(keyset_page(Employer.objects.all(), key="-stage_changed_at", cursor=pages[-1].next_cursor, size=3))

    assert [e.pk for page in pages for e in page.rows] == pks
    back = keyset_page(Employer.objects.all(), key="-stage_changed_at", cursor=pages[-1].prev_cursor, size=3)
    assert [e.pk for e in back.rows] == [e.pk for e in pages[-2].rows]
    assert keyset_ordering("-stage_changed_at") == ("-stage_changed_at", "-pk")
    assert keyset_ordering("due_on", reverse=True) == ("-due_on", "-pk")


def test_a_first_page_read_elsewhere_continues_through_more_with_what_is_left():
    pks = made_newest_first(8)
    first = list(Employer.objects.order_by(*keyset_ordering("-stage_changed_at"))[:3])

    more = more_page(
        Employer.objects.all(), key="-stage_changed_at", cursor=cursor_after(first[-1], "-stage_changed_at"), size=3
    )
    last = more_page(Employer.objects.all(), key="-stage_changed_at", cursor=more.next_cursor, size=3)

    assert [e.pk for e in more.rows] == pks[3:6] and more.extra["left"] == 2
    assert [e.pk for e in last.rows] == pks[6:] and last.extra["left"] == 0 and not last.next_cursor


def test_a_datetime_key_makes_a_cursor_that_reads_back():
    employers = [EmployerFactory.create() for _ in range(3)]
    for n, employer in enumerate(employers):
        Employer.objects.filter(pk=employer.pk).update(created_at=timezone.now() - dt.timedelta(days=n))

    first = keyset_page(Employer.objects.all(), key="created_at", cursor="", size=1)
    second = keyset_page(Employer.objects.all(), key="created_at", cursor=first.next_cursor, size=1)

    assert [first.rows[0].pk, second.rows[0].pk] == [employers[2].pk, employers[1].pk]


def test_page_query_keeps_the_filters_and_sets_the_changes():
    assert page_query({"q": "bakker", "everyone": True, "owner": ""}, stage="prospect", cursor="abc") == (
        "q=bakker&everyone=on&stage=prospect&cursor=abc"
    )
    assert page_query(QueryDict("q=a+b&cursor=old&section=today"), cursor="new") == "q=a+b&section=today&cursor=new"
    assert page_query({"everyone": False}, stage="dormant") == "stage=dormant"
