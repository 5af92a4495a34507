"""A coach's personal iCalendar feed of her open follow-ups, behind a secret link that can be regenerated.

The link's token is random (256 bits) and stored only as its SHA-256 hash, like the survey tokens
(STYLE "Public links and documents"); issuing a new link makes the old one stop working. The feed
holds the pseudonymous client reference and the employer, never the client's name (Flora §8: the
minimum, since a feed ends up in Google or Outlook).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

import icalendar
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from placements.models import AftercareStep, CalendarFeedToken

PRODID = "-//Werkbrug//Follow-ups//EN"


def hash_token(token: str) -> str:
    """The stored form of a feed token."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_feed_token(*, user: Any, now: dt.datetime | None = None) -> str:
    """Give the user a new secret feed token (the old link stops working); returns the token, shown once."""
    token = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.update_or_create(
        user=user, defaults={"token_hash": hash_token(token), "issued_at": now or timezone.now(), "last_used_at": None}
    )
    return token


def revoke_feed_token(*, user: Any) -> bool:
    """Switch the user's feed off; returns False when she had none."""
    deleted, _rows = CalendarFeedToken.objects.filter(user=user).delete()
    return bool(deleted)


def user_for_feed_token(token: str, *, now: dt.datetime | None = None) -> Any:
    """The active user a token belongs to, or None; the lookup is by hash, confirmed in constant time."""
    if not token or len(token) > 100:
        return None
    digest = hash_token(token)
    row = CalendarFeedToken.objects.select_related("user").filter(token_hash=digest).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest) or not row.user.is_active:
        return None
    CalendarFeedToken.objects.filter(pk=row.pk).update(last_used_at=now or timezone.now())
    return row.user


def feed_steps(user: Any) -> Iterable[AftercareStep]:
    """The user's open follow-ups, with what each event names."""
    return (
        AftercareStep.objects.open()
        .filter(assignee=user)
        .select_related("placement__client", "placement__employer", "template")
        .order_by("due_on", "pk")
    )


def _event(step: AftercareStep, *, stamp: dt.datetime, host: str, link: str) -> icalendar.Event:
    """One all-day event for one step."""
    placement = step.placement
    event = icalendar.Event()
    event.add("uid", f"aftercare-step-{step.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", step.due_on)
    event.add("dtend", step.due_on + dt.timedelta(days=1))
    event.add("summary", f"{step.get_kind_display()} · {placement.client.reference} · {placement.employer.name}")
    description = _("%(title)s (with the %(track)s). Placement: %(job)s.") % {
        "title": step.label(),
        "track": step.get_track_display().lower(),
        "job": placement.job_title,
    }
    event.add("description", f"{description}\n{link}" if link else description)
    if link:
        event.add("url", link)
    event.add("transp", "TRANSPARENT")
    return event


def build_feed(
    *, steps: Iterable[AftercareStep], host: str, link_for: Any = None, now: dt.datetime | None = None
) -> bytes:
    """The iCalendar file (RFC 5545) for the steps; `link_for(step)` gives each event's web address."""
    stamp = now or timezone.now()
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Werkbrug follow-ups"))
    # Calendar apps poll a subscription; ask for a refresh every hour.
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for step in steps:
        cal.add_component(_event(step, stamp=stamp, host=host, link=link_for(step) if link_for else ""))
    return cal.to_ical()
