"""Retention in work per client, across employment episodes (Flora I.4 and Conclusie A).

Flora counts "keeping work through different jobs" as success and warns against snapshot
figures, so retention is computed from the dates of every episode. We use the longest continuous
span in work: episodes that overlap, or follow each other with a gap of at most `max_gap_days`
(a month by default: a short wait between two contracts does not break it), join into one span,
gap included. A sum of days would let three unrelated one-month jobs count as "three months in
work", which is the snapshot error Flora warns against; the longest span does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from placements.choices import PlacementStatus
from placements.models import Client, Placement
from placements.scheduling import add_months

DEFAULT_MAX_GAP_DAYS = 31
# Episodes that were really worked; planned and cancelled ones never started.
WORKED_STATUSES = (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED, PlacementStatus.ENDED_EARLY)

Span = tuple[dt.date, dt.date]


def episode_span(placement: Placement, *, as_of: dt.date) -> Span | None:
    """The days a placement was worked, up to `as_of`; None when it had not started or never ran."""
    if placement.status not in WORKED_STATUSES or placement.start_on > as_of:
        return None
    end = placement.actual_end_on or as_of
    return placement.start_on, min(end, as_of)


def work_spans(
    placements: Iterable[Placement], *, as_of: dt.date, max_gap_days: int = DEFAULT_MAX_GAP_DAYS
) -> list[Span]:
    """Continuous spans in work: episodes merged when they overlap or the gap between them is short."""
    episodes = sorted(span for p in placements if (span := episode_span(p, as_of=as_of)) is not None)
    spans: list[Span] = []
    for start, end in episodes:
        if spans and (start - spans[-1][1]).days <= max_gap_days:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def longest_span(
    placements: Iterable[Placement], *, as_of: dt.date, max_gap_days: int = DEFAULT_MAX_GAP_DAYS
) -> Span | None:
    """The longest continuous span in work, or None when the client never worked."""
    spans = work_spans(placements, as_of=as_of, max_gap_days=max_gap_days)
    return max(spans, key=lambda span: (span[1] - span[0]).days) if spans else None


def client_retained(client: Client, *, months: int, as_of: dt.date, max_gap_days: int = DEFAULT_MAX_GAP_DAYS) -> bool:
    """True when the client stayed in work, through one job or several, for `months` calendar months."""
    spans = work_spans(client.placements.all(), as_of=as_of, max_gap_days=max_gap_days)
    return any(add_months(start, months) <= end for start, end in spans)


def retained_clients(
    clients: QuerySet[Client], *, months: int, as_of: dt.date, max_gap_days: int = DEFAULT_MAX_GAP_DAYS
) -> set[int]:
    """Primary keys of the clients retained `months` months, computed in two queries for a report."""
    worked = Placement.objects.filter(status__in=WORKED_STATUSES, start_on__lte=as_of).only(
        "client_id", "status", "start_on", "actual_end_on"
    )
    rows = clients.prefetch_related(Prefetch("placements", queryset=worked, to_attr="worked_placements"))
    return {
        client.pk
        for client in rows
        if any(
            add_months(start, months) <= end
            for start, end in work_spans(client.worked_placements, as_of=as_of, max_gap_days=max_gap_days)
        )
    }
