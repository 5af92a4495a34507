"""The report's sections, in the order the page, the XLSX and the PDF show them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from reports.drill import Rows
from reports.scope import Scope
from reports.sections import coaches, employers, gender, ladder, network, outcomes
from reports.tables import Section


@dataclass(frozen=True)
class SectionSpec:
    """One section: its key, how it is built and drilled into, and whether it is counted over clients."""

    key: str
    build: Callable[[Scope], Section]
    rows: Callable[[Scope, str, str, str], Rows | None]
    over_clients: bool


def _spec(module: ModuleType) -> SectionSpec:
    return SectionSpec(module.KEY, module.build, module.rows, module.OVER_CLIENTS)


SECTIONS: list[SectionSpec] = [_spec(m) for m in (outcomes, ladder, gender, network, coaches, employers)]


def sections_for(scope: Scope) -> list[SectionSpec]:
    """The sections this reader may read: a relationship manager only those not counted over clients."""
    return [spec for spec in SECTIONS if scope.reads_clients or not spec.over_clients]


def spec(key: str) -> SectionSpec | None:
    """The section with this key, if there is one."""
    return next((s for s in SECTIONS if s.key == key), None)
