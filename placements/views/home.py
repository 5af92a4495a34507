"""The home page: what needs me today, per role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from common.web import outreach_section
from crm.models import Employer, Interaction
from crm.views.employers import with_list_columns
from placements.models import AftercareStep
from placements.querysets import supervised_coach_ids
from placements.views.followups import WEEK_DAYS, first_pages

# The case manager's part shows this many escalated steps and busiest coaches; the team page has the rest.
LEAD_LIMIT = 5

# --- Home -------------------------------------------------------------------------------------


def _coach_today(user: Any, today: dt.date) -> dict[str, Any]:
    """The coach's part of the home page: today's and overdue follow-ups."""
    pages, totals = first_pages(user, today)
    return {
        "overdue": pages["overdue"][:10],
        "overdue_count": totals["overdue"],
        "due_today": pages["today"][:20],
        "week_count": totals["week"],
    }


def _manager_today(user: Any, today: dt.date) -> dict[str, Any]:
    """The relationship manager's part: her employers that need a follow-up, and her open next steps."""
    needing = with_list_columns(Employer.objects.filter(owner=user).needing_follow_up(today=today))
    next_steps = (
        Interaction.objects.open_next_steps()
        .filter(Q(author=user) | Q(employer__owner=user), next_step_due__lte=today + dt.timedelta(days=WEEK_DAYS))
        .select_related("employer")
        .order_by("next_step_due", "pk")
    )
    return {"needing": list(needing.order_by("normalised_name", "pk")[:10]), "next_steps": list(next_steps[:15])}


def _lead_today(user: Any, today: dt.date) -> dict[str, Any]:
    """The case manager's part: his coaches' escalated steps, and the coaches with the most overdue."""
    ids = sorted(supervised_coach_ids(user))
    escalated = AftercareStep.objects.escalated(today=today).filter(assignee_id__in=ids)
    top = escalated.select_related("assignee", "placement__client", "placement__employer", "template")
    busiest = (
        AftercareStep.objects.overdue(today=today)
        .filter(assignee_id__in=ids)
        .order_by()
        .values("assignee_id", "assignee__first_name", "assignee__last_name", "assignee__username")
        .annotate(overdue=Count("pk"))
        .order_by("-overdue", "assignee__username")
    )
    return {
        "coach_count": len(ids),
        "escalated_count": escalated.count(),
        "escalated": [
            {"step": step, "days_overdue": (today - step.due_on).days}
            for step in top.order_by("due_on", "pk")[:LEAD_LIMIT]
        ],
        "busiest": [
            {
                "pk": row["assignee_id"],
                "name": f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
                or row["assignee__username"],
                "overdue": row["overdue"],
            }
            for row in busiest[:LEAD_LIMIT]
        ],
        "escalate_after": settings.FOLLOWUP_ESCALATE_AFTER_DAYS,
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What needs me today: follow-ups for a coach, his team's for a case manager, employers for an RM."""
    today = timezone.localdate()
    user = request.user
    context: dict[str, Any] = {"today": today}
    if user.has_perm("placements.change_aftercarestep"):
        context["coach"] = _coach_today(user, today)
        # Concerns the workplace mentors raised on their pages: filled by outreach (DESIGN "Architecture").
        context["concerns_section"] = outreach_section("home_concerns", app="placements")
    if user.has_perm("placements.view_team"):
        context["lead"] = _lead_today(user, today)
    if user.has_perm("crm.change_employer"):
        context["manager"] = _manager_today(user, today)
    return render(request, "home.html", context)
