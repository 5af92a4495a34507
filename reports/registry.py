"""The report's sections, in the order the pages' navigation, the XLSX and the PDF show them."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from types import ModuleType

from django.utils.functional import Promise

from reports.drill import Rows
from reports.scope import Scope
from reports.sections import coaches, employers, gender, ladder, network, outcomes
from reports.tables import Section


@dataclass(frozen=True)
class SectionSpec:
    """One section: its key and name, how it is built and drilled into, and whether it is counted over clients.

    Each section has a page of its own (reports:section); the name titles it and its link in the navigation
    between the pages, without counting the section.
    """

    key: str
    title: str | Promise
    build: Callable[[Scope], Section]
    rows: Callable[[Scope, str, str, str], Rows | None]
    over_clients: bool


def _spec(module: ModuleType) -> SectionSpec:
    return SectionSpec(module.KEY, module.TITLE, module.build, module.rows, module.OVER_CLIENTS)


SECTIONS: list[SectionSpec] = [_spec(m) for m in (outcomes, ladder, gender, network, coaches, employers)]


def sections_for(scope: Scope, only: Collection[SectionSpec] | None = None) -> list[SectionSpec]:
    """The sections this reader may read (of those in `only`, when given), in the report's order: a
    relationship manager only those not counted over clients."""
    return [
        spec for spec in SECTIONS if (scope.reads_clients or not spec.over_clients) and (only is None or spec in only)
    ]


def readable(scope: Scope, key: str) -> SectionSpec | None:
    """The section with this key, if there is one and this reader may read it."""
    return next((s for s in sections_for(scope) if s.key == key), None)
