"""The coach's workspace: the home page, her follow-ups, her clients, the placement page and the calendar feed.

Row-level privacy comes from the querysets' `visible_to(user)`: a coach who types another coach's
client or placement into the address bar gets a 404, as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from common.pagination import capped_count, keyset_page
from common.urls import absolute_url
from common.web import HtmxHttpRequest, add_service_errors, outreach_section, staff_view
from crm.models import Employer, Interaction
from crm.roles import Role, has_role
from crm.views import with_list_columns
from placements.calendar import (
    build_feed,
    feed_steps,
    issue_feed_token,
    revoke_feed_token,
    user_for_feed_token,
)
from placements.choices import ClientStatus, Track
from placements.forms import ClientFilterForm, CompleteStepForm, MoveStepForm
from placements.models import AftercareStep, CalendarFeedToken, Client, CoachingAgreement, Placement
from placements.services import complete_step, move_step

# Follow-ups due within this many days after today count as "this week".
WEEK_DAYS = 7
# A list section shows at most this many steps (a coach with more has a bigger problem than paging).
SECTION_LIMIT = 200


# --- Follow-ups -------------------------------------------------------------------------------


@dataclass
class StepRow:
    """One follow-up in a list, with the inline form that is open (forms load when asked for, not per row)."""

    step: AftercareStep
    open_form: str = ""  # "complete" or "move"
    complete_form: CompleteStepForm | None = None
    move_form: MoveStepForm | None = None
    done_message: str = ""


def _my_steps(user: Any, *, until: dt.date) -> list[AftercareStep]:
    """The user's open steps due by `until`, with client and employer, in one query."""
    return list(
        AftercareStep.objects.open()
        .filter(assignee=user, due_on__lte=until)
        .select_related("placement__client", "placement__employer", "template")
        .order_by("due_on", "pk")[: SECTION_LIMIT * 3]
    )


def _row(step: AftercareStep, **kwargs: Any) -> StepRow:
    """A list row; the open form is a fresh one unless a bound one (with errors) is given."""
    row = StepRow(step=step, **kwargs)
    if row.open_form == "complete" and row.complete_form is None:
        row.complete_form = CompleteStepForm(prefix=f"c{step.pk}")
    if row.open_form == "move" and row.move_form is None:
        row.move_form = MoveStepForm(prefix=f"m{step.pk}", initial={"due_on": step.due_on})
    return row


def followup_sections(user: Any, *, today: dt.date, replace: StepRow | None = None) -> list[dict[str, Any]]:
    """Overdue, today and this week, each a list of rows; `replace` swaps in a row with bound forms."""
    sections: dict[str, list[StepRow]] = {"overdue": [], "today": [], "week": []}
    for step in _my_steps(user, until=today + dt.timedelta(days=WEEK_DAYS)):
        key = "overdue" if step.due_on < today else "today" if step.due_on == today else "week"
        row = replace if replace is not None and replace.step.pk == step.pk else _row(step)
        sections[key].append(row)
    titles = {"overdue": _("Overdue"), "today": _("Today"), "week": _("This week")}
    empty = {
        "overdue": _("Nothing overdue."),
        "today": _("Nothing due today."),
        "week": _("Nothing else due in the next seven days."),
    }
    return [
        {"key": key, "title": titles[key], "rows": rows[:SECTION_LIMIT], "more": len(rows) > SECTION_LIMIT}
        | {"empty": empty[key]}
        for key, rows in sections.items()
    ]


@staff_view("placements.view_aftercarestep")
def followups(request: HttpRequest) -> HttpResponse:
    """My follow-ups: overdue, today and this week."""
    today = timezone.localdate()
    context = {"sections": followup_sections(request.user, today=today), "today": today}
    return render(request, "placements/followups.html", context)


def _step_for(request: HttpRequest, pk: int) -> AftercareStep:
    """A step the user may act on: assigned to her or on a placement she may see."""
    steps = AftercareStep.objects.visible_to(request.user).select_related(
        "placement__client", "placement__employer", "template"
    )
    return get_object_or_404(steps, pk=pk)


def _step_response(request: HtmxHttpRequest, row: StepRow, *, ok: bool) -> HttpResponse:
    """The row for htmx; otherwise back to the list, or the list with this row's form open (and its errors)."""
    today = timezone.localdate()
    if request.htmx:
        return render(request, "placements/_step_row.html", {"row": row, "today": today})
    if ok:
        messages.success(request, row.done_message)
        return redirect("placements:followups")
    sections = followup_sections(request.user, today=today, replace=row)
    return render(request, "placements/followups.html", {"sections": sections, "today": today})


@staff_view("placements.view_aftercarestep")
def followup_row(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One row as the list shows it (what "Cancel" on an open form brings back)."""
    step = _step_for(request, pk)
    if not request.htmx:
        return redirect("placements:followups")
    return render(request, "placements/_step_row.html", {"row": _row(step), "today": timezone.localdate()})


@staff_view("placements.change_aftercarestep", "GET", "POST")
def complete_followup(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Show the small "done" form in the row (GET), or record the follow-up as done with its outcome (POST)."""
    step = _step_for(request, pk)
    if request.method == "GET":
        return _step_response(request, _row(step, open_form="complete"), ok=False)
    form = CompleteStepForm(request.POST, prefix=f"c{step.pk}")
    if form.is_valid():
        try:
            complete_step(
                step=step,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data["notes"],
                minutes_spent=form.cleaned_data["minutes_spent"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _step_response(
                request, _row(step, done_message=_("Done: %(title)s") % {"title": step.label()}), ok=True
            )
    return _step_response(request, _row(step, complete_form=form, open_form="complete"), ok=False)


@staff_view("placements.change_aftercarestep", "GET", "POST")
def move_followup(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Show the small "move" form in the row (GET), or give the follow-up another date with the reason (POST)."""
    step = _step_for(request, pk)
    if request.method == "GET":
        return _step_response(request, _row(step, open_form="move"), ok=False)
    form = MoveStepForm(request.POST, prefix=f"m{step.pk}")
    if form.is_valid():
        try:
            move_step(
                step=step, actor=request.user, due_on=form.cleaned_data["due_on"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            message = _("Moved to %(date)s: %(title)s") % {"date": step.due_on.isoformat(), "title": step.label()}
            return _step_response(request, _row(step, done_message=message), ok=True)
    return _step_response(request, _row(step, move_form=form, open_form="move"), ok=False)


# --- Clients and placements -------------------------------------------------------------------


def _is_coach(user: Any) -> bool:
    """Coaches and case managers see "my clients"; others see every client."""
    return has_role(user, Role.COACH) or has_role(user, Role.CASE_MANAGER)


@staff_view("placements.view_client")
def client_list(request: HttpRequest) -> HttpResponse:
    """My clients (only those the user may see), each with her placements."""
    form = ClientFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    clients = Client.objects.visible_to(request.user).select_related("coach")
    if not filters.get("closed"):
        clients = clients.exclude(status=ClientStatus.CLOSED)
    if query := (filters.get("q") or "").strip():
        clients = clients.filter(Q(reference__icontains=query) | Q(first_name__icontains=query))
    placements = Placement.objects.select_related("employer").order_by("-start_on", "-pk")
    listed = clients.prefetch_related(Prefetch("placements", queryset=placements))
    page = keyset_page(listed, key="reference", cursor=request.GET.get("cursor", ""))
    total, more = capped_count(clients)
    query_string = request.GET.copy()
    query_string.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "total": total,
        "more_than": more,
        "query": query_string.urlencode(),
        "mine": _is_coach(request.user),
    }
    return render(request, "placements/client_list.html", context)


@staff_view("placements.view_client")
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One client: her placements and ladder history."""
    client = get_object_or_404(Client.objects.visible_to(request.user).select_related("coach", "case_manager"), pk=pk)
    context = {
        "client": client,
        "placements": client.placements.visible_to(request.user).select_related("employer").order_by("-start_on"),
        "positions": client.ladder_positions.select_related("step").order_by("-entered_on", "-pk"),
        "consents": client.consents.order_by("purpose", "-given_on"),
    }
    return render(request, "placements/client_detail.html", context)


def _two_tracks(steps: list[AftercareStep]) -> tuple[list[AftercareStep], list[AftercareStep]]:
    """The aftercare timeline split into the client's track and the employer's; joint steps are on both."""
    client = [s for s in steps if s.track in (Track.CLIENT, Track.JOINT)]
    employer = [s for s in steps if s.track in (Track.EMPLOYER, Track.JOINT)]
    return client, employer


@staff_view("placements.view_placement")
def placement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The agreement, the aftercare timeline for both tracks, the mentor, packs sent and the evaluation."""
    related = ("client", "employer", "mentor", "coach", "plan", "vacancy")
    placement = get_object_or_404(Placement.objects.visible_to(request.user).select_related(*related), pk=pk)
    steps = list(placement.steps.select_related("assignee", "completed_by", "template").order_by("due_on", "pk"))
    client_track, employer_track = _two_tracks(steps)
    context = {
        "placement": placement,
        "agreement": CoachingAgreement.objects.filter(placement=placement).first(),
        "client_track": client_track,
        "employer_track": employer_track,
        "today": timezone.localdate(),
        "packs_section": outreach_section("placement_packs", app="placements"),
        "evaluation_section": outreach_section("placement_evaluation", app="placements"),
    }
    return render(request, "placements/placement_detail.html", context)


# --- Calendar feed ----------------------------------------------------------------------------


def _feed_url(token: str) -> str:
    """The absolute address of a feed token."""
    return absolute_url(reverse("placements:calendar-feed", args=[token]))


@never_cache
@staff_view("placements.view_aftercarestep", "GET", "POST")
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """Create, regenerate or switch off the personal calendar link; a new link is shown once."""
    context: dict[str, Any] = {}
    if request.method == "POST" and request.POST.get("action") == "revoke":
        revoke_feed_token(user=request.user)
        messages.success(request, _("Your calendar link is switched off."))
        return redirect("placements:calendar")
    if request.method == "POST":
        context["feed_url"] = _feed_url(issue_feed_token(user=request.user))
    owner: Any = request.user
    context["feed"] = CalendarFeedToken.objects.filter(user=owner).first()
    return render(request, "placements/calendar.html", context)


@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar file of the token owner's open follow-ups; an unknown or old token is a plain 404."""
    user = user_for_feed_token(token)
    if user is None:
        raise Http404
    feed = build_feed(
        steps=feed_steps(user),
        host=request.get_host().split(":")[0] or "werkbrug",
        link_for=lambda step: absolute_url(reverse("placements:placement", args=[step.placement_id])),
    )
    response = HttpResponse(feed, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="werkbrug-follow-ups.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


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
