"""The case manager's team page: his coaches' overdue and escalated follow-ups, their caseloads, reassignment.

Who is in scope is placements.querysets.supervised_coach_ids: the coaches of the teams he leads (every
team's coaches for an administrator). A step or client of any other coach is a 404 here, as if it did
not exist. The page needs placements.view_team, which case managers and administrators have
(crm.roles): a coach or a relationship manager gets a 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from common.types import display_name
from common.web import add_service_errors, staff_view
from crm.roles import Role, has_role
from placements.choices import OPEN_STEP_STATUSES, PlacementStatus
from placements.kpis import ACTIVE_CLIENT_STATUSES, done_within_q, on_time_q, with_done_on
from placements.models import AftercareStep, Client, Placement, Team
from placements.querysets import supervised_coach_ids
from placements.services import reassign_coach
from placements.services.steps import reassign_step
from placements.views.followups import WEEK_DAYS

# The on-time share looks back over this many days, today included: four weeks.
ON_TIME_WINDOW_DAYS = 28
# The team page lists at most this many overdue steps (oldest first); a team with more needs a meeting.
STEP_LIMIT = 500


# --- Who is in scope ----------------------------------------------------------------------------


def coaches_of(ids: Iterable[int]) -> QuerySet[Any]:
    """The supervised coaches as users, by name."""
    return get_user_model().objects.filter(pk__in=sorted(ids)).order_by("first_name", "last_name", "username")


# --- Caseloads ----------------------------------------------------------------------------------


@dataclass
class OverdueStep:
    """An overdue step on the team page: how long, and whether the sweep has escalated it."""

    step: AftercareStep
    days_overdue: int
    escalated: bool


@dataclass
class Caseload:
    """One coach's figures on the team page, and her overdue steps."""

    coach: Any
    active_clients: int = 0
    active_placements: int = 0
    due_this_week: int = 0
    overdue: int = 0
    escalated: int = 0
    done_in_window: int = 0
    done_on_time: int = 0
    overdue_steps: list[OverdueStep] = field(default_factory=list)

    @property
    def on_time_percent(self) -> int | None:
        """The on-time share as a whole percentage; None when nothing was done in the window."""
        return round(100 * self.done_on_time / self.done_in_window) if self.done_in_window else None


def _counts(queryset: QuerySet[Any], key: str) -> dict[int, int]:
    """Rows per coach id, in one GROUP BY query."""
    return dict(queryset.order_by().values(key).annotate(n=Count("pk")).values_list(key, "n"))


def _step_figures(ids: list[int], *, today: dt.date) -> dict[int, dict[str, Any]]:
    """Per assignee, in one query: due this week, overdue, escalated, done in the window and done on time.

    "Due this week" are open steps due from today to WEEK_DAYS days ahead, as on "My follow-ups".
    "Overdue" are open steps whose day has passed; "escalated" those at least FOLLOWUP_ESCALATE_AFTER_DAYS
    past it (the ones the sweep escalates). The on-time share is placements.kpis' rule (done_within_q,
    on_time_q) over the last ON_TIME_WINDOW_DAYS days, today included; the programme report's coach
    section applies the same rule to its period.
    """
    window_start = today - dt.timedelta(days=ON_TIME_WINDOW_DAYS - 1)
    escalate_by = today - dt.timedelta(days=settings.FOLLOWUP_ESCALATE_AFTER_DAYS)
    is_open = Q(status__in=OPEN_STEP_STATUSES)
    is_done = done_within_q(window_start, today)
    rows = (
        with_done_on(AftercareStep.objects.filter(assignee_id__in=ids))
        .filter((is_open & Q(due_on__lte=today + dt.timedelta(days=WEEK_DAYS))) | is_done)
        .order_by()
        .values("assignee_id")
        .annotate(
            due_this_week=Count("pk", filter=is_open & Q(due_on__gte=today)),
            overdue=Count("pk", filter=is_open & Q(due_on__lt=today)),
            escalated=Count("pk", filter=is_open & Q(due_on__lte=escalate_by)),
            done_in_window=Count("pk", filter=is_done),
            done_on_time=Count("pk", filter=is_done & on_time_q()),
        )
    )
    figures: dict[int, dict[str, Any]] = {}
    for row in rows:
        counts: dict[str, Any] = dict(row)
        figures[counts.pop("assignee_id")] = counts
    return figures


def overdue_steps(ids: list[int], *, today: dt.date) -> tuple[list[OverdueStep], bool]:
    """The open overdue steps of the coaches, oldest first, in one query; and whether there were more."""
    escalate_after = settings.FOLLOWUP_ESCALATE_AFTER_DAYS
    steps = list(
        AftercareStep.objects.overdue(today=today)
        .filter(assignee_id__in=ids)
        .select_related("placement__client", "placement__employer", "template")
        .order_by("due_on", "pk")[: STEP_LIMIT + 1]
    )
    lines = [
        OverdueStep(step=s, days_overdue=(today - s.due_on).days, escalated=(today - s.due_on).days >= escalate_after)
        for s in steps[:STEP_LIMIT]
    ]
    return lines, len(steps) > STEP_LIMIT


def caseloads(ids: Iterable[int], *, today: dt.date) -> tuple[list[Caseload], bool]:
    """Every supervised coach's caseload and overdue steps, in five queries however many coaches and steps."""
    ids = sorted(ids)
    clients = _counts(Client.objects.filter(coach_id__in=ids, status__in=ACTIVE_CLIENT_STATUSES), "coach_id")
    placements = _counts(Placement.objects.filter(coach_id__in=ids, status=PlacementStatus.ACTIVE), "coach_id")
    figures = _step_figures(ids, today=today)
    loads = {
        coach.pk: Caseload(
            coach=coach,
            active_clients=clients.get(coach.pk, 0),
            active_placements=placements.get(coach.pk, 0),
            **figures.get(coach.pk, {}),
        )
        for coach in coaches_of(ids)
    }
    lines, more = overdue_steps(ids, today=today)
    for line in lines:
        if line.step.assignee_id in loads:
            loads[line.step.assignee_id].overdue_steps.append(line)
    return list(loads.values()), more


# --- Pages ----------------------------------------------------------------------------------------


@staff_view("placements.view_team")
def team(request: HttpRequest) -> HttpResponse:
    """The team page: overdue and escalated steps grouped by coach, and each coach's caseload."""
    today = timezone.localdate()
    ids = supervised_coach_ids(request.user)
    teams = Team.objects.order_by("name")
    if not has_role(request.user, Role.ADMINISTRATOR):
        teams = teams.filter(leads=request.user.pk)
    loads, more = caseloads(ids, today=today)
    context = {
        "today": today,
        "teams": [t.name for t in teams],
        "loads": loads,
        "with_overdue": [load for load in loads if load.overdue_steps],
        "more": more,
        "step_limit": STEP_LIMIT,
        "escalate_after": settings.FOLLOWUP_ESCALATE_AFTER_DAYS,
        "window_days": ON_TIME_WINDOW_DAYS,
    }
    return render(request, "placements/team.html", context)


class CoachChoiceField(forms.ModelChoiceField):
    """A supervised coach, shown by name."""

    def label_from_instance(self, obj: Any) -> str:
        """Full name, else username."""
        return display_name(obj)


class ReassignStepForm(forms.Form):
    """Give a step to another coach of the team, with the reason."""

    new_assignee = CoachChoiceField(label=gettext_lazy("New coach"), queryset=get_user_model().objects.none())
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, coaches: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(CoachChoiceField, self.fields["new_assignee"]).queryset = coaches


class ReassignClientForm(forms.Form):
    """Give a client, her open placements and open steps, to another coach of the team."""

    new_coach = CoachChoiceField(label=gettext_lazy("New coach"), queryset=get_user_model().objects.none())

    def __init__(self, *args: Any, coaches: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(CoachChoiceField, self.fields["new_coach"]).queryset = coaches


def _other_coaches(request: HttpRequest, current_id: int) -> QuerySet[Any]:
    """The active coaches he supervises, other than the one who has the work now."""
    return coaches_of(supervised_coach_ids(request.user)).filter(is_active=True).exclude(pk=current_id)


@staff_view("placements.view_team", "GET", "POST")
def step_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the form (GET) or give an overdue step of one of his coaches to another of them (POST)."""
    steps = AftercareStep.objects.filter(assignee_id__in=sorted(supervised_coach_ids(request.user)))
    step = get_object_or_404(
        steps.select_related("assignee", "placement__client", "placement__employer", "template"), pk=pk
    )
    coaches = _other_coaches(request, step.assignee_id)
    form = ReassignStepForm(request.POST if request.method == "POST" else None, coaches=coaches)
    if request.method == "POST" and form.is_valid():
        new_assignee = form.cleaned_data["new_assignee"]
        try:
            reassign_step(step=step, new_assignee=new_assignee, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            message = _("%(title)s now goes to %(name)s.") % {"title": step.label(), "name": display_name(new_assignee)}
            messages.success(request, message)
            return redirect(f"{reverse('placements:team')}#coach-{new_assignee.pk}")
    context = {"step": step, "form": form, "is_open": step.status in OPEN_STEP_STATUSES}
    return render(request, "placements/team_step_reassign.html", context)


@staff_view("placements.view_team", "GET", "POST")
def client_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the form (GET) or give a client of one of his coaches to another of them (POST)."""
    clients = Client.objects.filter(coach_id__in=sorted(supervised_coach_ids(request.user)))
    client = get_object_or_404(clients.select_related("coach"), pk=pk)
    old_coach = client.coach
    form = ReassignClientForm(
        request.POST if request.method == "POST" else None, coaches=_other_coaches(request, old_coach.pk)
    )
    if request.method == "POST" and form.is_valid():
        new_coach = form.cleaned_data["new_coach"]
        try:
            moved = reassign_coach(client=client, new_coach=new_coach, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            message = ngettext(
                "%(client)s now has %(name)s as coach; %(steps)d open step went along.",
                "%(client)s now has %(name)s as coach; %(steps)d open steps went along.",
                moved,
            ) % {
                "client": client.reference,
                "name": display_name(new_coach),
                "steps": moved,
            }
            messages.success(request, message)
            return redirect(f"{reverse('placements:team')}#coach-{new_coach.pk}")
    context = {"client": client, "old_coach": old_coach, "form": form}
    return render(request, "placements/team_client_reassign.html", context)
