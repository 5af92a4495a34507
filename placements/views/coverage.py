"""Network coverage: per ladder step where employers offer places, open places against the clients who need them.

The figures come from placements.coverage. Every staff role may open these pages (crm.view_ladderstep);
client counts are aggregates, counts per coach are limited to the clients the user may see and shown to
those who do casework, and names only of the clients the user coaches herself: a relationship manager
sees counts, never names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from common.kept import kept
from common.web import staff_view
from crm.models import LadderStep
from placements import coverage as network

# The drill-down lists at most this many employers, most open places first.
EMPLOYER_LIMIT = 100
# Bumped when what is kept changes shape, so figures kept by an older release are never read back.
KEPT_VERSION = 1
# The sparkline's drawing box, in SVG user units.
SPARK_WIDTH, SPARK_HEIGHT = 120, 28


@dataclass
class Sparkline:
    """Two lines over the trend's month ends: open places and the clients who need them."""

    places: str
    demand: str
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT


def sparkline(trend: list[network.TrendPoint]) -> Sparkline:
    """The polyline points of both series on one scale (the larger of the two peaks)."""
    top = max([1, *(p.places for p in trend), *(p.demand for p in trend)])
    step = SPARK_WIDTH / max(1, len(trend) - 1)

    def points(values: list[int]) -> str:
        return " ".join(
            f"{n * step:.1f},{SPARK_HEIGHT - 2 - value * (SPARK_HEIGHT - 4) / top:.1f}"
            for n, value in enumerate(values)
        )

    return Sparkline(places=points([p.places for p in trend]), demand=points([p.demand for p in trend]))


def _counted(request: HttpRequest, counted_at: dt.datetime) -> dict[str, Any]:
    """What the page says about its figures (templates/_counted.html): when they were counted, whether they
    are kept at all, and the address that counts them again."""
    return {
        "counted_at": counted_at,
        "cache_seconds": settings.COVERAGE_CACHE_SECONDS,
        "again_url": f"{request.path}?fresh=1",
    }


@staff_view("crm.view_ladderstep")
def coverage(request: HttpRequest) -> HttpResponse:
    """Per step where employers offer places: supply, demand, the gap and the trend (igma ch. 5)."""
    today, fresh = timezone.localdate(), request.GET.get("fresh") == "1"
    rows, counted_at = kept(
        f"coverage:{KEPT_VERSION}:{today.isoformat()}",
        lambda: network.coverage(today=today),
        seconds=settings.COVERAGE_CACHE_SECONDS,
        fresh=fresh,
    )
    context = {
        **_counted(request, counted_at),
        "rows": [(row, sparkline(row.trend)) for row in rows],
        "gaps": sum(1 for row in rows if row.is_gap),
        "unserved": sum(1 for row in rows if row.is_unserved),
    }
    return render(request, "placements/coverage.html", context)


@staff_view("crm.view_ladderstep")
def coverage_step(request: HttpRequest, position: int) -> HttpResponse:
    """One step: the employers offering places there, the clients' counts at it and below it, the trend."""
    today = timezone.localdate()
    step = get_object_or_404(LadderStep.objects.active(), position=position)
    row, counted_at = kept(
        f"coverage-step:{KEPT_VERSION}:{today.isoformat()}:{step.pk}",
        lambda: network.step_coverage(step, today=today),
        seconds=settings.COVERAGE_CACHE_SECONDS,
        fresh=request.GET.get("fresh") == "1",
    )
    casework = request.user.has_perm("placements.change_client")
    context = {
        **_counted(request, counted_at),
        "row": row,
        "spark": sparkline(row.trend),
        "employers": network.offering_employers(step, limit=EMPLOYER_LIMIT),
        "employer_limit": EMPLOYER_LIMIT,
        "by_coach": network.counts_by_coach(row, user=request.user, today=today) if casework else None,
        "own": network.own_clients(row, user=request.user, today=today),
    }
    return render(request, "placements/coverage_step.html", context)
