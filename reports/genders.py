"""The gender split every client figure has (igma ch. 6; Flora II.4): one column per self-described gender.

Column keys are the stored values, with "not_said" for "prefers not to say" (stored empty) and "total"
for everyone; a report filtered to one gender shows that column alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from placements.choices import Gender
from reports.scope import NOT_SAID, Scope
from reports.tables import TOTAL_KEY

TOTAL = TOTAL_KEY


def key_of(gender: str | None) -> str:
    """The column key of a stored gender value."""
    return gender or NOT_SAID


def columns(scope: Scope) -> tuple[list[str], list[str]]:
    """The column labels and keys for the scope: every gender and the total, or the one filtered."""
    genders = [(key_of(value), str(label)) for value, label in Gender.choices]
    if scope.gender is not None:
        key = key_of(scope.gender)
        return [label for k, label in genders if k == key], [key]
    return [label for _k, label in genders] + [_("Total")], [k for k, _label in genders] + [TOTAL]


def gender_q(column: str, prefix: str = "") -> Q:
    """The rows of one gender column, seen from a model `prefix` away from the client ("client__")."""
    if column in ("", TOTAL):
        return Q()
    return Q(**{f"{prefix}gender": "" if column == NOT_SAID else column})


def tally(rows: Iterable[Mapping[str, Any]], *, gender: str = "gender", value: str = "n") -> dict[str, Any]:
    """Values per column key from GROUP BY rows (one per stored gender), with the total added when numeric."""
    result: dict[str, Any] = {}
    for row in rows:
        key = key_of(row[gender])
        result[key] = result.get(key, 0) + (row[value] or 0)
    result[TOTAL] = sum(result.values())
    return result


def tally_by(rows: Iterable[Mapping[str, Any]], key: str, value: str = "n") -> dict[Any, dict[str, Any]]:
    """GROUP BY rows of (key, gender, value) as {key: {gender column: value, "total": sum}}."""
    grouped: dict[Any, list[Mapping[str, Any]]] = {}
    for item in rows:
        grouped.setdefault(item[key], []).append(item)
    return {k: tally(items, value=value) for k, items in grouped.items()}
