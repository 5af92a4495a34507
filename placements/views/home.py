"""The home page: what needs me today, per role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from crm.models import Employer, Interaction
from crm.views import with_list_columns
from placements.views.followups import WEEK_DAYS, _my_steps

# --- Home -------------------------------------------------------------------------------------


def _coach_today(user: Any, today: dt.date) -> dict[str, Any]:
    """The coach's part of the home page: today's and overdue follow-ups."""
    steps = _my_steps(user, until=today + dt.timedelta(days=WEEK_DAYS))
    return {
        "overdue": [s for s in steps if s.due_on < today][:10],
        "overdue_count": sum(1 for s in steps if s.due_on < today),
        "due_today": [s for s in steps if s.due_on == today][:20],
        "week_count": sum(1 for s in steps if s.due_on > today),
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


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What needs me today: follow-ups for a coach, employers and next steps for a relationship manager."""
    today = timezone.localdate()
    user = request.user
    context: dict[str, Any] = {"today": today}
    if user.has_perm("placements.change_aftercarestep"):
        context["coach"] = _coach_today(user, today)
    if user.has_perm("crm.change_employer"):
        context["manager"] = _manager_today(user, today)
    return render(request, "home.html", context)
