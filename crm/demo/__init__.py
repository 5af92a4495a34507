"""Demo data for a local try-out and for benchmarks: `manage.py seed_demo`.

Each app may have a `demo` module with a `seed_demo(*, context)` function; the command runs them in
INSTALLED_APPS order (crm first, then placements, then outreach), so a higher app builds on the
rows a lower one made without the lower app importing it. Every seeder is idempotent: it only
creates what is missing, and returns how many rows of each kind it created.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from crm.demo.network import seed_network


def _quiet(message: str) -> None:
    """Drop progress messages."""


@dataclass(frozen=True)
class DemoContext:
    """What every demo seeder builds around: "today", how much to make, and the random seed."""

    as_of: dt.date
    now: dt.datetime
    employers: int = 60
    seed: str = "werkbrug"
    batch_size: int = 500
    log: Callable[[str], None] = field(default=_quiet)


def seed_demo(*, context: DemoContext) -> dict[str, int]:
    """The employer network: employers, stage history, contacts, interactions and vacancies."""
    return seed_network(context=context)


def run_seeders(*, context: DemoContext) -> dict[str, int]:
    """Run every installed app's demo seeder in INSTALLED_APPS order; returns the rows created per kind."""
    created: dict[str, int] = {}
    for app_config in apps.get_app_configs():
        if not module_has_submodule(app_config.module, "demo"):
            continue
        seeder: Callable[..., dict[str, int]] | None = getattr(
            import_module(f"{app_config.name}.demo"), "seed_demo", None
        )
        if seeder is None:
            continue
        for kind, count in seeder(context=context).items():
            created[kind] = created.get(kind, 0) + count
    return created
