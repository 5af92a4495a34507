"""Figures counted once and kept for a while: the pages that count a large network read them back.

A page that aggregates the whole network (the coverage page's supply and demand over twelve month ends,
about 300 ms of SQL with 50,000 employers and 240,000 ladder stays on PostgreSQL) keeps what it counted in
the default cache with the moment it was counted, says so, and offers to count again at once. Holds no
models and imports no app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.utils import timezone

T = TypeVar("T")


def kept(key: str, count: Callable[[], T], *, seconds: int, fresh: bool = False) -> tuple[T, dt.datetime]:
    """`count()` and when it was counted: read back from the cache under `key` when kept there, else counted
    now and kept `seconds` (0 counts every time and keeps nothing). `fresh` counts again and keeps the new
    figures, as "Count again now" asks."""
    if seconds <= 0:
        return count(), timezone.now()
    if not fresh:
        found = cache.get(key)
        if found is not None:
            return found
    counted = (count(), timezone.now())
    cache.set(key, counted, seconds)
    return counted
