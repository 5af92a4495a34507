"""The placement pages: record a placement, edit it while planned, and activate, move, end or cancel it.

Each change to a placement shows what it does to the aftercare schedule before the coach confirms it:
the form posts `action=preview`, which runs the real service in a rolled-back transaction
(placements.services.preview), and `action=confirm`, which runs it for good. Privacy is the querysets'
`visible_to(user)`: another coach's client or placement is a 404 for every page and form here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.web import HtmxHttpRequest, add_service_errors, outreach_section, staff_view
from crm.choices import VacancyKind
from crm.models import Employer, Vacancy
from crm.querysets import PARTNER_STAGES
from placements.choices import PlacementStatus, StepKind, StepStatus, Track
from placements.forms import (
    CancelPlacementForm,
    EndPlacementForm,
    PlacementDatesForm,
    PlacementForm,
    VacancySearchForm,
)
from placements.models import AftercarePlan, AftercareStep, Client, Placement
from placements.scheduling import planned_date
from placements.services import (
    activate_placement,
    cancel_placement,
    create_placement,
    end_placement,
    plan_for_kind,
    reschedule_placement,
    update_placement,
)
from placements.services.placements import EDITABLE_FIELDS
from placements.services.preview import SchedulePreview, StepChange, preview_schedule

# The vacancy picker shows at most this many vacancies and employers; a search narrows it down.
PICKER_VACANCIES = 50
PICKER_EMPLOYERS = 20

# The plain values of a placement its form shows (the rows it points at are added by primary key).
PLACEMENT_VALUES = tuple(name for name in EDITABLE_FIELDS if name not in ("employer", "mentor", "plan"))

CHANGE_LABELS = {
    "added": gettext_lazy("new"),
    "removed": gettext_lazy("removed"),
    "cancelled": gettext_lazy("cancelled"),
    "moved": gettext_lazy("moved"),
    "reopened": gettext_lazy("planned again"),
    "changed": gettext_lazy("changed"),
}


# --- The placement page -----------------------------------------------------------------------


def _two_tracks(steps: list[AftercareStep]) -> tuple[list[AftercareStep], list[AftercareStep]]:
    """The aftercare timeline split into the client's track and the employer's; joint steps are on both."""
    client = [s for s in steps if s.track in (Track.CLIENT, Track.JOINT)]
    employer = [s for s in steps if s.track in (Track.EMPLOYER, Track.JOINT)]
    return client, employer


def _short(day: dt.date | None) -> str:
    """A date in the short format of the active language."""
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else ""


def status_line(placement: Placement, *, today: dt.date, client_shown: bool = True) -> str:
    """One sentence saying where the placement stands and what comes next.

    The reason in words is casework: without `client_shown` (a relationship manager's restricted view) the
    sentence leaves it out.
    """
    start = _short(placement.start_on)
    if placement.status == PlacementStatus.PLANNED:
        return _("Planned to start on %(start)s. Activate it to make the aftercare schedule.") % {"start": start}
    if placement.status == PlacementStatus.ACTIVE:
        if placement.start_on > today:
            return _("Active, starts on %(start)s; the aftercare schedule is running.") % {"start": start}
        return _("Active since %(start)s; the aftercare schedule is running.") % {"start": start}
    end = _short(placement.actual_end_on)
    if placement.status == PlacementStatus.COMPLETED:
        return _("Completed on %(end)s.") % {"end": end}
    if placement.status == PlacementStatus.ENDED_EARLY:
        values = {"end": end, "who": placement.get_ended_by_display(), "reason": placement.end_reason}
        if not client_shown:
            return _("Ended early on %(end)s. Ended by: %(who)s.") % values
        return _("Ended early on %(end)s. Ended by: %(who)s. Reason: %(reason)s") % values
    if not client_shown:
        return _("Cancelled before it started.")
    return _("Cancelled before it started: %(reason)s") % {"reason": placement.end_reason}


def placement_actions(placement: Placement, *, today: dt.date) -> list[dict[str, str]]:
    """The buttons that apply to the placement's status (the services refuse the others anyway)."""
    pk, status = placement.pk, placement.status
    actions = []
    if status == PlacementStatus.PLANNED:
        actions.append({"url": reverse("placements:placement-activate", args=[pk]), "label": _("Activate")})
        actions.append({"url": reverse("placements:placement-edit", args=[pk]), "label": _("Edit")})
    if status in (PlacementStatus.PLANNED, PlacementStatus.ACTIVE):
        actions.append({"url": reverse("placements:placement-dates", args=[pk]), "label": _("Move dates")})
    if status == PlacementStatus.ACTIVE:
        actions.append({"url": reverse("placements:placement-end", args=[pk]), "label": _("End or complete")})
    if status == PlacementStatus.PLANNED or (status == PlacementStatus.ACTIVE and placement.start_on >= today):
        actions.append({"url": reverse("placements:placement-cancel", args=[pk]), "label": _("Cancel")})
    return actions


@staff_view("placements.view_placement")
def placement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The agreement, the aftercare timeline for both tracks, the mentor, packs sent and the evaluation.

    A relationship manager's restricted view of a placement at her employer (`client_shown` false) shows the
    client's reference, the dates, the status, the mentor and the schedule; not the client's file, the agreement,
    the steps' outcomes or the reason in words, and no actions (Flora III.1.B).
    """
    related = ("client", "employer", "mentor", "coach", "plan", "vacancy")
    placements = Placement.objects.visible_to(request.user).with_client_access(request.user)
    placement = get_object_or_404(placements.select_related(*related), pk=pk)
    shown = bool(placement.client_shown)  # type: ignore[attr-defined]
    steps = list(placement.steps.select_related("assignee", "completed_by", "template").order_by("due_on", "pk"))
    client_track, employer_track = _two_tracks(steps)
    today = timezone.localdate()
    context = {
        "placement": placement,
        "client_shown": shown,
        "agreement": placement.client.current_agreement() if shown else None,
        "client_track": client_track,
        "employer_track": employer_track,
        "today": today,
        "status_line": status_line(placement, today=today, client_shown=shown),
        "actions": placement_actions(placement, today=today) if shown else [],
        "packs_section": outreach_section("placement_packs", app="placements"),
        "evaluation_section": outreach_section("placement_evaluation", app="placements"),
        "checkins_section": outreach_section("placement_checkins", app="placements"),
        "mentor_page_section": outreach_section("placement_mentor_page", app="placements"),
    }
    return render(request, "placements/placement_detail.html", context)


# --- What the schedule will be ----------------------------------------------------------------


@dataclass
class ScheduleRow:
    """One step a plan gives a placement: what, with whom, and when (when the dates are known)."""

    title: str
    track: str
    kind: str
    due_on: dt.date | None
    counted: str


def schedule_rows(
    plan: AftercarePlan | None, *, start_on: dt.date | None, planned_end_on: dt.date | None
) -> list[ScheduleRow]:
    """The steps of the plan with the dates they would get for these dates (one query)."""
    if plan is None:
        return []
    rows = []
    for template in plan.templates.order_by("order"):
        due = planned_date(template, plan=plan, start_on=start_on, planned_end_on=planned_end_on) if start_on else None
        counted = template.get_anchor_display()
        rows.append(
            ScheduleRow(
                title=template.label(),
                track=str(template.get_track_display()),
                kind=str(template.get_kind_display()),
                due_on=due,
                counted=_("%(days)+d days from %(anchor)s") % {"days": template.offset_days, "anchor": counted.lower()},
            )
        )
    return rows


def _proposed_plan(kind: str) -> AftercarePlan | None:
    """The plan proposed for a kind, or None when there is not even a default plan."""
    try:
        return plan_for_kind(kind)
    except ValidationError:
        return None


# --- Record or edit a placement ---------------------------------------------------------------


def _picker(request: HttpRequest, client: Client) -> HttpResponse:
    """Open vacancies first (with employer, kind and hours), then employers for a placement without one."""
    form = VacancySearchForm(request.GET or None)
    query = (form.cleaned_data.get("q") or "").strip() if form.is_valid() else ""
    vacancies = Vacancy.objects.open().filter(employer__do_not_engage=False).select_related("employer")
    employers = Employer.objects.engageable()
    if query:
        # The employer list's search rule (EmployerQuerySet.matching), so the picker finds an employer as
        # the list does ("cafe" finds "Café ..."). With 50,000 employers on PostgreSQL the employers
        # below went from 94-98 ms (a scan of every employer, then a sort) to 12-25 ms for "kastanje"
        # in EXPLAIN ANALYZE; the vacancies still scan the open vacancies' titles (130-170 ms), as an OR
        # with a subquery cannot be answered from indexes.
        matching = Employer.objects.matching(query)
        vacancies = vacancies.filter(Q(title__icontains=query) | Q(employer__in=matching.values("pk")))
        employers = employers.matching(query)
    else:
        employers = employers.filter(stage__in=PARTNER_STAGES)
    vacancy_rows = list(vacancies.order_by("employer__name", "title", "pk")[: PICKER_VACANCIES + 1])
    employer_rows = list(employers.with_open_vacancy_count().order_by("name", "pk")[: PICKER_EMPLOYERS + 1])
    context = {
        "client": client,
        "form": form,
        "query": query,
        "vacancies": vacancy_rows[:PICKER_VACANCIES],
        "more_vacancies": len(vacancy_rows) > PICKER_VACANCIES,
        "employers": employer_rows[:PICKER_EMPLOYERS],
        "more_employers": len(employer_rows) > PICKER_EMPLOYERS,
    }
    return render(request, "placements/placement_pick.html", context)


def _initial_from(request: HttpRequest) -> dict[str, Any] | None:
    """The form's first values from the vacancy or employer picked (None when neither was picked)."""
    if vacancy_id := request.GET.get("vacancy", "").strip():
        vacancy = get_object_or_404(Vacancy.objects.select_related("contact"), pk=_int_or_404(vacancy_id))
        mentor = vacancy.contact if vacancy.contact is not None and vacancy.contact.is_active else None
        return {
            "vacancy": vacancy.pk,
            "employer": vacancy.employer_id,
            "kind": vacancy.kind,
            "job_title": vacancy.title,
            "start_on": vacancy.starts_on,
            "planned_end_on": vacancy.ends_on,
            "hours_per_week": vacancy.hours_per_week,
            "schedule": vacancy.schedule,
            "contract_type": vacancy.contract_type,
            "mentor": mentor.pk if mentor else None,
        }
    if employer_id := request.GET.get("employer", "").strip():
        employer = get_object_or_404(Employer.objects.engageable(), pk=_int_or_404(employer_id))
        return {"employer": employer.pk, "kind": VacancyKind.PAID_JOB}
    return None


def _int_or_404(raw: str) -> int:
    """A primary key from the query string; anything else is a page that does not exist."""
    if not raw.isdigit():
        raise Http404
    return int(raw)


def _form_values(form: PlacementForm) -> dict[str, Any]:
    """The service's keyword arguments from a valid form (empty text stays empty: the vacancy fills it)."""
    data = dict(form.cleaned_data)
    data["kind"] = data.get("kind") or ""
    return data


def _placement_form_page(
    request: HtmxHttpRequest, *, client: Client, placement: Placement | None, initial: dict[str, Any]
) -> HttpResponse:
    """The placement form: GET shows it; POST previews the placement and its plan, or records it."""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "employer":
        # Without JavaScript the mentor list follows a new employer by posting the form back unchecked.
        form = PlacementForm(initial=request.POST.dict())
        return _render_form(request, client=client, placement=placement, form=form, shown=None)
    form = PlacementForm(request.POST if request.method == "POST" else None, initial=initial)
    shown: Placement | None = None
    if request.method == "POST" and form.is_valid():
        values = _form_values(form)
        try:
            if action == "confirm":
                saved = _save_placement(request, client=client, placement=placement, values=values)
                messages.success(request, _("The placement is recorded. Activate it to start the aftercare."))
                return redirect("placements:placement", saved.pk)
            shown = _dry_run(request, client=client, placement=placement, values=values)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _render_form(request, client=client, placement=placement, form=form, shown=shown)


def _save_placement(
    request: HttpRequest, *, client: Client, placement: Placement | None, values: dict[str, Any]
) -> Placement:
    """Create the placement, or update the planned one."""
    if placement is None:
        return create_placement(client=client, actor=request.user, **values)
    values.pop("vacancy", None)
    return update_placement(placement=placement, actor=request.user, changes=values)


def _dry_run(request: HttpRequest, *, client: Client, placement: Placement | None, values: dict[str, Any]) -> Placement:
    """What saving would make (defaults and plan filled in), saved in a transaction that is rolled back."""
    made: list[Placement] = []

    def run() -> None:
        target = None if placement is None else Placement.objects.get(pk=placement.pk)
        made.append(_save_placement(request, client=client, placement=target, values=dict(values)))

    preview = preview_schedule(placement_ids=[placement.pk] if placement else [], run=run)
    if preview.error is not None:
        raise preview.error
    return made[0]


def _render_form(
    request: HttpRequest,
    *,
    client: Client,
    placement: Placement | None,
    form: PlacementForm,
    shown: Placement | None,
) -> HttpResponse:
    """The form with the plan it would get and the schedule that plan makes."""
    start: dt.date | None
    end: dt.date | None
    if shown is not None:
        plan, start, end, kind = shown.plan, shown.start_on, shown.planned_end_on, shown.kind
    else:
        kind = form["kind"].value() or VacancyKind.PAID_JOB
        plan = _plan_from_value(form["plan"].value()) or _proposed_plan(kind)
        start, end = _date_value(form, "start_on"), _date_value(form, "planned_end_on")
    if form.chosen_vacancy_id() is None:
        # htmx: a new employer reloads the mentor list; without JavaScript the form's own button does.
        url = reverse("placements:placement-edit", args=[placement.pk]) if placement else None
        form.fields["employer"].widget.attrs |= {
            "hx-get": url or reverse("placements:placement-new", args=[client.pk]),
            "hx-vals": '{"part": "mentor"}',
            "hx-target": "#mentor-field",
            "hx-swap": "outerHTML",
        }
    context = {
        "client": client,
        "placement": placement,
        "form": form,
        "plan": plan,
        "plan_follows_kind": not form["plan"].value(),
        "kind_label": dict(VacancyKind.choices).get(kind, kind),
        "schedule": schedule_rows(plan, start_on=start, planned_end_on=end),
        "previewed": shown is not None,
        "vacancy": _vacancy_of(form),
    }
    return render(request, "placements/placement_form.html", context)


def _date_value(form: PlacementForm, name: str) -> dt.date | None:
    """A date field's current value as a date, or None when it is empty or not a date."""
    try:
        value = form.fields[name].to_python(form[name].value())
    except ValidationError:
        return None
    return value if isinstance(value, dt.date) else None


def _plan_from_value(value: Any) -> AftercarePlan | None:
    """The active plan a select holds, if any."""
    raw = getattr(value, "pk", value)
    if raw in (None, "") or not str(raw).isdigit():
        return None
    return AftercarePlan.objects.filter(pk=int(raw), is_active=True).first()


def _vacancy_of(form: PlacementForm) -> Vacancy | None:
    """The vacancy the form is about, with its employer, for the heading."""
    vacancy_id = form.chosen_vacancy_id()
    return Vacancy.objects.select_related("employer").filter(pk=vacancy_id).first() if vacancy_id else None


@staff_view("placements.add_placement", "GET", "POST")
def placement_new(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Record a placement for a client: pick a vacancy or an employer, then fill in the form."""
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=pk)
    if request.method == "GET" and request.GET.get("part") == "mentor":
        # htmx: the employer changed, so the mentor list is that employer's active contacts.
        form = PlacementForm(initial={"employer": request.GET.get("employer", "")})
        return render(request, "placements/_placement_mentor.html", {"form": form})
    if request.method == "POST":
        return _placement_form_page(request, client=client, placement=None, initial={})
    initial = _initial_from(request)
    if initial is None:
        return _picker(request, client)
    return _placement_form_page(request, client=client, placement=None, initial=initial)


@staff_view("placements.change_placement", "GET", "POST")
def placement_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Change a placement that has not been activated yet."""
    placement = _load(request, pk)
    if request.method == "GET" and request.GET.get("part") == "mentor":
        form = PlacementForm(initial={"employer": request.GET.get("employer", "")})
        return render(request, "placements/_placement_mentor.html", {"form": form})
    initial: dict[str, Any] = {name: getattr(placement, name) for name in PLACEMENT_VALUES}
    initial |= {name: getattr(placement, f"{name}_id") for name in ("vacancy", "employer", "mentor", "plan")}
    return _placement_form_page(request, client=placement.client, placement=placement, initial=initial)


# --- Activate, move, end, cancel: preview, then confirm ---------------------------------------


def _load(request: HttpRequest, pk: int) -> Placement:
    """A placement the user follows as casework (the only ones she may change), with what its pages show.

    A relationship manager's restricted view of a placement at her employer is a 404 here, like another
    coach's placement.
    """
    related = ("client", "employer", "plan", "mentor")
    return get_object_or_404(Placement.objects.in_casework_of(request.user).select_related(*related), pk=pk)


def _change_rows(changes: list[StepChange]) -> list[dict[str, Any]]:
    """The preview's changes as the page shows them."""
    rows = []
    for change in changes:
        row = change.row
        rows.append(
            {
                "change": change.change,
                "label": CHANGE_LABELS.get(change.change, change.change),
                "title": row.get("title", ""),
                "track": Track(row["track"]).label if row.get("track") in Track.values else row.get("track", ""),
                "kind": StepKind(row["kind"]).label if row.get("kind") in StepKind.values else row.get("kind", ""),
                "due_on": row.get("due_on"),
                "old_due": change.old_due if change.change == "moved" else None,
                "status": StepStatus(row["status"]).label if row.get("status") in StepStatus.values else "",
            }
        )
    return rows


Run = Callable[[Placement, dict[str, Any]], object]


@dataclass
class Workflow:
    """One change to a placement as its page presents it."""

    title: str
    intro: str
    confirm_label: str
    done: str
    preview_on_get: bool = False
    show_kept: bool = False


def _workflow_page(
    request: HttpRequest, *, placement: Placement, form: forms.Form, flow: Workflow, run: Run
) -> HttpResponse:
    """GET shows the form; `action=preview` shows what it would change; `action=confirm` does it."""
    context: dict[str, Any] = {"placement": placement, "form": form, "flow": flow}
    posted = request.method == "POST"
    if posted and not form.is_valid():
        return render(request, "placements/placement_change.html", context)
    data = form.cleaned_data if posted else {}
    if posted and request.POST.get("action") == "confirm":
        try:
            run(Placement.objects.get(pk=placement.pk), data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, flow.done)
            return redirect("placements:placement", placement.pk)
    elif posted or flow.preview_on_get:
        preview = _preview(placement, lambda: run(Placement.objects.get(pk=placement.pk), data))
        if preview.error is not None:
            add_service_errors(form, preview.error)
        else:
            context.update(previewed=True, changes=_change_rows(preview.changes))
            if flow.show_kept:
                context["kept"] = list(
                    placement.steps.open()
                    .filter(moved_by_hand=True)
                    .select_related("template")
                    .order_by("due_on", "pk")
                )
    return render(request, "placements/placement_change.html", context)


def _preview(placement: Placement, call: Callable[[], object]) -> SchedulePreview:
    """The schedule changes of one placement's workflow, undone after."""
    return preview_schedule(placement_ids=[placement.pk], run=call)


@staff_view("placements.change_placement", "GET", "POST")
def placement_activate(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the schedule activation will create (GET), and activate (POST)."""
    placement = _load(request, pk)
    flow = Workflow(
        title=_("Activate the placement"),
        intro=_("Activation makes these follow-ups from the plan %(plan)s.")
        % {"plan": placement.plan or _proposed_plan(placement.kind) or "—"},
        confirm_label=_("Activate"),
        done=_("The placement is active and its aftercare schedule is made."),
        preview_on_get=True,
    )
    form = forms.Form(request.POST if request.method == "POST" else None)
    return _workflow_page(
        request,
        placement=placement,
        form=form,
        flow=flow,
        run=lambda target, data: activate_placement(placement=target, actor=request.user),
    )


@staff_view("placements.change_placement", "GET", "POST")
def placement_dates(request: HttpRequest, pk: int) -> HttpResponse:
    """A new start and/or planned end: the follow-ups that move, then confirm."""
    placement = _load(request, pk)
    flow = Workflow(
        title=_("Move the dates"),
        intro=_("Follow-ups still to do move with the dates; those a coach moved by hand keep their date."),
        confirm_label=_("Move the dates"),
        done=_("The dates are changed and the schedule follows them."),
        show_kept=True,
    )
    initial = {"start_on": placement.start_on, "planned_end_on": placement.planned_end_on}
    form = PlacementDatesForm(request.POST if request.method == "POST" else None, initial=initial)

    def run(target: Placement, data: dict[str, Any]) -> object:
        return reschedule_placement(
            placement=target,
            actor=request.user,
            start_on=data.get("start_on"),
            planned_end_on=data.get("planned_end_on"),
            clear_planned_end=bool(data.get("clear_planned_end")),
        )

    return _workflow_page(request, placement=placement, form=form, flow=flow, run=run)


@staff_view("placements.change_placement", "GET", "POST")
def placement_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete a placement or end it early (who and why): the follow-ups cancelled or brought forward, then confirm."""
    placement = _load(request, pk)
    today = timezone.localdate()
    flow = Workflow(
        title=_("End the placement"),
        intro=_(
            "Follow-ups after the last day are cancelled; the employer's evaluation and the closing "
            "conversation are brought forward to just after it."
        ),
        confirm_label=_("Record the end"),
        done=_("The end of the placement is recorded."),
    )
    planned_end = placement.planned_end_on
    completed = planned_end is not None and planned_end <= today
    initial = {
        "how": EndPlacementForm.COMPLETED if completed else EndPlacementForm.EARLY,
        "end_on": min(planned_end or today, today),
    }
    form = EndPlacementForm(request.POST if request.method == "POST" else None, initial=initial)

    def run(target: Placement, data: dict[str, Any]) -> object:
        completed = data["how"] == EndPlacementForm.COMPLETED
        return end_placement(
            placement=target,
            actor=request.user,
            ended_by="" if completed else data["ended_by"],
            reason=data["reason"],
            end_on=data["end_on"],
            completed=completed,
            cause="" if completed else data["cause"],
        )

    return _workflow_page(request, placement=placement, form=form, flow=flow, run=run)


@staff_view("placements.change_placement", "GET", "POST")
def placement_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Call off a placement that has not started, with the reason: the follow-ups cancelled, then confirm."""
    placement = _load(request, pk)
    flow = Workflow(
        title=_("Cancel the placement"),
        intro=_("Only a placement that has not started can be cancelled; every follow-up still to do is cancelled."),
        confirm_label=_("Cancel the placement"),
        done=_("The placement is cancelled."),
    )
    form = CancelPlacementForm(request.POST if request.method == "POST" else None)
    return _workflow_page(
        request,
        placement=placement,
        form=form,
        flow=flow,
        run=lambda target, data: cancel_placement(placement=target, actor=request.user, reason=data["reason"]),
    )
