"""Keyset pagination for staff lists, and a count that stops counting (no OFFSET, no COUNT over every row).

Two ways through a long list share the cursors made here: the pager (`keyset_page`, "Previous"/"Next",
templates/crm/_pager.html) for lists read page by page, and "more" (templates/_more.html) for lists
and board columns that grow where the reader is, with htmx, and are a link to the next page without it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import QueryDict

M = TypeVar("M", bound=Model)

PAGE_SIZE = 50
# A list counts matches up to this many; beyond it, it says "more than".
COUNT_CAP = 1000


@dataclass
class KeysetPage:
    """One page of rows and the cursors to the pages around it (no OFFSET, so page 1000 is as fast as page 1)."""

    rows: list[Any]
    next_cursor: str = ""
    prev_cursor: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _field(key: str) -> tuple[str, bool]:
    """The sort key's field name, and whether the list runs from the highest value down ("-name")."""
    return key.removeprefix("-"), key.startswith("-")


def keyset_ordering(key: str, *, reverse: bool = False) -> tuple[str, str]:
    """ORDER BY for the key then pk (ties in pk order, the same direction as the key): a list whose first
    page another query reads orders it so, and its cursors continue where that page stopped."""
    name, descending = _field(key)
    if descending != reverse:
        return f"-{name}", "-pk"
    return name, "pk"


def _beyond(key: str, value: Any, pk: int, *, before: bool = False) -> Q:
    """The rows that come after (or before) the row with this sort value and pk, in the list's order."""
    name, descending = _field(key)
    op = "lt" if descending != before else "gt"
    return Q(**{f"{name}__{op}": value}) | Q(**{name: value, f"pk__{op}": pk})


def _encode_cursor(direction: str, row: Any, key: str) -> str:
    """An opaque cursor: the direction and the sort key and pk of the row to continue from.

    Dates and times travel as ISO text, which the field's lookup reads back as the value it was.
    """
    value = getattr(row, _field(key)[0])
    if isinstance(value, dt.date):  # datetime too
        value = value.isoformat()
    raw = json.dumps([direction, value, row.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, Any, int] | None:
    """The cursor's parts, or None for a missing or tampered cursor (which shows the first page)."""
    if not cursor:
        return None
    try:
        direction, value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error):
        return None
    if direction not in ("a", "b") or not isinstance(pk, int) or not isinstance(value, str | int):
        return None
    return direction, value, pk


def cursor_after(row: Any, key: str) -> str:
    """The cursor to the rows after `row`: for a first page read by another query (several lists' first
    pages in one query), whose "more" then continues through `keyset_page`."""
    return _encode_cursor("a", row, key)


def keyset_page(queryset: QuerySet[M], *, key: str, cursor: str, size: int = PAGE_SIZE) -> KeysetPage:
    """The page after (or before) the cursor, ordered by `key` then pk (`-key`: highest first)."""
    decoded = _decode_cursor(cursor)
    if decoded is None:
        rows = list(queryset.order_by(*keyset_ordering(key))[: size + 1])
        return KeysetPage(
            rows=rows[:size], next_cursor=_encode_cursor("a", rows[size - 1], key) if len(rows) > size else ""
        )
    direction, value, pk = decoded
    if direction == "a":
        rows = list(queryset.filter(_beyond(key, value, pk)).order_by(*keyset_ordering(key))[: size + 1])
        page = rows[:size]
        more = len(rows) > size
        return KeysetPage(
            rows=page,
            next_cursor=_encode_cursor("a", page[-1], key) if more else "",
            prev_cursor=_encode_cursor("b", page[0], key) if page else "",
        )
    before = _beyond(key, value, pk, before=True)
    rows = list(queryset.filter(before).order_by(*keyset_ordering(key, reverse=True))[: size + 1])
    page = list(reversed(rows[:size]))
    more = len(rows) > size
    return KeysetPage(
        rows=page,
        next_cursor=_encode_cursor("a", page[-1], key) if page else "",
        prev_cursor=_encode_cursor("b", page[0], key) if more else "",
    )


def more_page(queryset: QuerySet[M], *, key: str, cursor: str, size: int = PAGE_SIZE) -> KeysetPage:
    """The rows a "more" control loads: the page after the cursor, and in `extra["left"]` how many rows
    follow that page (for the next control's "(12 more)"), counted in one more query."""
    page = keyset_page(queryset, key=key, cursor=cursor, size=size)
    left = 0
    if page.next_cursor:
        last = page.rows[-1]
        left = queryset.filter(_beyond(key, getattr(last, _field(key)[0]), last.pk)).order_by().count()
    page.extra["left"] = left
    return page


def capped_count(queryset: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows match, counting no further than `cap` (a COUNT over 50,000 rows on every page is waste)."""
    counted = queryset.order_by().values("pk")[: cap + 1].count()
    return min(counted, cap), counted > cap


def page_query(params: Mapping[str, Any], **changes: Any) -> str:
    """The query string of a "more" or pager link: the list's filters as given, with `changes` set (an
    empty value drops its key), so the next page lists what this one did."""
    query = QueryDict(mutable=True)
    for name, value in params.items():
        if name not in changes and value not in ("", None, False):
            query[name] = "on" if value is True else str(value)
    for name, value in changes.items():
        if value not in ("", None, False):
            query[name] = str(value)
    return query.urlencode()
