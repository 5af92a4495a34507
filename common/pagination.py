"""Keyset pagination for staff lists, and a count that stops counting (no OFFSET, no COUNT over every row)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

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


def _encode_cursor(direction: str, row: Any, key: str) -> str:
    """An opaque cursor: the direction and the sort key and pk of the row to continue from."""
    raw = json.dumps([direction, getattr(row, key), row.pk]).encode()
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


def keyset_page(queryset: QuerySet[M], *, key: str, cursor: str, size: int = PAGE_SIZE) -> KeysetPage:
    """The page after (or before) the cursor, ordered by `key` then pk."""
    decoded = _decode_cursor(cursor)
    if decoded is None:
        rows = list(queryset.order_by(key, "pk")[: size + 1])
        return KeysetPage(
            rows=rows[:size], next_cursor=_encode_cursor("a", rows[size - 1], key) if len(rows) > size else ""
        )
    direction, value, pk = decoded
    if direction == "a":
        after = Q(**{f"{key}__gt": value}) | Q(**{key: value, "pk__gt": pk})
        rows = list(queryset.filter(after).order_by(key, "pk")[: size + 1])
        page = rows[:size]
        more = len(rows) > size
        return KeysetPage(
            rows=page,
            next_cursor=_encode_cursor("a", page[-1], key) if more else "",
            prev_cursor=_encode_cursor("b", page[0], key) if page else "",
        )
    before = Q(**{f"{key}__lt": value}) | Q(**{key: value, "pk__lt": pk})
    rows = list(queryset.filter(before).order_by(f"-{key}", "-pk")[: size + 1])
    page = list(reversed(rows[:size]))
    more = len(rows) > size
    return KeysetPage(
        rows=page,
        next_cursor=_encode_cursor("a", page[-1], key) if page else "",
        prev_cursor=_encode_cursor("b", page[0], key) if more else "",
    )


def capped_count(queryset: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows match, counting no further than `cap` (a COUNT over 50,000 rows on every page is waste)."""
    counted = queryset.order_by().values("pk")[: cap + 1].count()
    return min(counted, cap), counted > cap
