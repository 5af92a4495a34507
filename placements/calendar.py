"""A coach's personal iCalendar feed of her open follow-ups, behind a secret link that can be regenerated.

The link's token is random (256 bits) and stored only as its SHA-256 hash, like the survey tokens
(STYLE "Public links and documents"); issuing a new link makes the old one stop working. The feed
holds the pseudonymous client reference and the employer, never the client's name (Flora §8: the
minimum, since a feed ends up in Google or Outlook).

Calendar apps poll the feed (every hour, or more often), so it answers a conditional GET: its ETag
is feed_version(), a hash of exactly what the file is made of, read in one narrow query without
building the file, and an unchanged feed is a 304 with no body (see feed_version for why).
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
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from placements.choices import StepKind, Track
from placements.models import AftercareStep, CalendarFeedToken

PRODID = "-//Werkbrug//Follow-ups//EN"
# Part of every feed's ETag: raise it when build_feed or _event changes what it writes from the same rows.
FEED_FORMAT = 1


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


def feed_steps(user: Any) -> QuerySet[AftercareStep]:
    """The user's open follow-ups, with what each event names."""
    return (
        AftercareStep.objects.open()
        .filter(assignee=user)
        .select_related("placement__client", "placement__employer", "template")
        .order_by("due_on", "pk")
    )


# What an event is made of, besides the language, the host and the site address: feed_version() hashes
# these columns, so a field _event() starts to show must be added here too (its tests change each one).
FEED_COLUMNS = (
    "pk",
    "updated_at",
    "due_on",
    "kind",
    "track",
    "title",
    "template__title",
    "template__title_nl",
    "template__title_sv",
    "placement_id",
    "placement__job_title",
    "placement__client__reference",
    "placement__employer__name",
)


def _description_wording() -> str:
    """The description's wording in the active language (one place for _event and feed_version)."""
    return _("%(title)s (with the %(track)s). Placement: %(job)s.")


def _calendar_name() -> str:
    """The calendar's name in the active language."""
    return _("Werkbrug follow-ups")


def feed_version(user: Any, *, host: str, site: str) -> str:
    """A strong validator (ETag value) of the user's feed, computed without building it.

    The SHA-256 of everything the file is made of: for each open step of hers the FEED_COLUMNS (its
    date, kind, track, its own and its plan template's titles, the placement's job, the client's
    reference, the employer's name, and `updated_at`, the event's DTSTAMP), the wording of the kinds,
    tracks, description and calendar name in the active language, the language itself, the `host`
    (in each UID) and the `site` address (in each link). Rows that leave the feed (done, skipped,
    reassigned) or join it change the list of rows, so they change the hash too.

    Hashing the values rather than trusting a "last changed" time is deliberate: several bulk
    `update()` paths change steps without touching `updated_at`, and an
    employer's new name or a plan template's new wording changes an event without touching the step
    at all. One query over the same rows the feed reads (its index on assignee, status and due date)
    and a hash of short tuples cost a fraction of building the iCalendar file. The file is a pure
    function of these inputs and of the code that writes it (FEED_FORMAT and the icalendar version,
    hashed too; DTSTAMP is the step's `updated_at`, not the time of the request), so equal hashes
    mean byte-equal files: the validator may be strong.
    """
    digest = hashlib.sha256()
    kinds = {value: str(label) for value, label in StepKind.choices}
    tracks = {value: str(label) for value, label in Track.choices}
    head = (PRODID, FEED_FORMAT, icalendar.__version__, get_language() or "", host, site)
    digest.update(repr((*head, _calendar_name(), _description_wording())).encode())
    for row in feed_steps(user).values_list(*FEED_COLUMNS):
        kind, track = row[3], row[4]
        digest.update(repr((row, kinds.get(kind, kind), tracks.get(track, track))).encode())
    return digest.hexdigest()


def _event(step: AftercareStep, *, host: str, link: str) -> icalendar.Event:
    """One all-day event for one step; what it shows is listed in FEED_COLUMNS.

    DTSTAMP is when the step last changed (RFC 5545 3.8.7.2, for a calendar without a METHOD), so the
    same steps give the same file.
    """
    placement = step.placement
    event = icalendar.Event()
    event.add("uid", f"aftercare-step-{step.pk}@{host}")
    event.add("dtstamp", step.updated_at)
    event.add("dtstart", step.due_on)
    event.add("dtend", step.due_on + dt.timedelta(days=1))
    event.add("summary", f"{step.get_kind_display()} · {placement.client.reference} · {placement.employer.name}")
    description = _description_wording() % {
        "title": step.label(),
        "track": step.get_track_display().lower(),
        "job": placement.job_title,
    }
    event.add("description", f"{description}\n{link}" if link else description)
    if link:
        event.add("url", link)
    event.add("transp", "TRANSPARENT")
    return event


def build_feed(*, steps: Iterable[AftercareStep], host: str, link_for: Any = None) -> bytes:
    """The iCalendar file (RFC 5545) for the steps; `link_for(step)` gives each event's web address."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _calendar_name())
    # Calendar apps poll a subscription; ask for a refresh every hour.
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for step in steps:
        cal.add_component(_event(step, host=host, link=link_for(step) if link_for else ""))
    return cal.to_ical()
