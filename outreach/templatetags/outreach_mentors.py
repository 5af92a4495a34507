"""Data for the workplace mentor's page as staff see it: the block on the placement page and the concerns on the
coach's home page (placements never imports outreach: their pages include templates/outreach/workspace/<name>.html
through common.web.outreach_section, which load their data through these tags, a fixed number of queries each).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from outreach.mentors.models import MentorConcern, MentorLink, Urgency, VisitReply, VisitReplyKind
from outreach.mentors.services import concern_answered_at, link_url
from placements.choices import OPEN_STEP_STATUSES
from placements.models import Placement

register = template.Library()

# The placement block lists this many concerns and replies; the home block this many open concerns.
SECTION_LIMIT = 20
HOME_LIMIT = 10
URGENCY_ORDER = Case(
    When(urgency=Urgency.TODAY, then=Value(0)),
    When(urgency=Urgency.THIS_WEEK, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _status(link: MentorLink | None, placement: Placement) -> str:
    if link is None:
        return "none"
    link.placement = placement
    return "working" if link.works(now=timezone.now()) else "expired"


@register.simple_tag
def placement_mentor_page(placement: Placement, user: Any) -> dict[str, Any]:
    """The mentor's link (status, last opened, its address for who may change the placement), her concerns and her
    replies about visits; three queries whatever the number of rows."""
    mentor_id = placement.mentor_id
    live = MentorLink.objects.live().filter(placement=placement, contact_id=mentor_id) if mentor_id else None
    link = live.order_by("-created_at", "-pk").first() if live is not None else None
    status = _status(link, placement)
    # The placement page annotates whether the placement is her casework (PlacementQuerySet.with_client_access).
    casework = getattr(placement, "client_shown", None)
    if casework is None:
        casework = Placement.objects.in_casework_of(user).filter(pk=placement.pk).exists()
    may_change = bool(user.has_perm("placements.change_placement") and casework)
    concerns = list(
        MentorConcern.objects.in_casework_of(user)
        .filter(placement=placement)
        .select_related("link__contact", "step", "answered_by")
        .order_by("-created_at", "-pk")[:SECTION_LIMIT]
    )
    replies = list(
        VisitReply.objects.filter(step__placement=placement, kind=VisitReplyKind.PROPOSED)
        .select_related("step__template", "link__contact")
        .order_by("-created_at", "-pk")[:SECTION_LIMIT]
    )
    return {
        "link": link,
        "status": status,
        "url": link_url(link) if link is not None and status == "working" and may_change else "",
        "last_opened_at": link.last_opened_at if link is not None else None,
        "may_change": may_change,
        "concerns": [{"concern": c, "answered_at": concern_answered_at(c)} for c in concerns],
        "proposals": [{"reply": r, "current": r.for_due_on == r.step.due_on and r.step.is_open} for r in replies],
    }


@register.simple_tag
def mentor_concerns(user: Any) -> dict[str, Any]:
    """The open concerns whose urgent follow-up is the user's, the most urgent and oldest first; one query (two with
    more than HOME_LIMIT)."""
    rows = (
        MentorConcern.objects.open()
        .filter(step__assignee_id=user.pk, step__status__in=OPEN_STEP_STATUSES)
        .select_related("placement__client", "placement__employer", "link__contact", "step")
    )
    shown = list(rows.order_by(URGENCY_ORDER, "created_at", "pk")[:HOME_LIMIT])
    return {"rows": shown, "count": rows.count() if len(shown) == HOME_LIMIT else len(shown)}
