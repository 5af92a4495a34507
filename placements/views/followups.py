"""My follow-ups: overdue, today and this week, each done or moved inline (htmx)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.web import HtmxHttpRequest, add_service_errors, staff_view
from placements.forms import CompleteStepForm, MoveStepForm
from placements.models import AftercareStep
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
        | {"empty": empty[key], "count": len(rows)}
        for key, rows in sections.items()
    ]


def counts_summary(sections: list[dict[str, Any]]) -> str:
    """The counts in one sentence, for the live region that announces them after a row changed."""
    counts = {section["key"]: section["count"] for section in sections}
    return _("Now %(overdue)s overdue, %(today)s today and %(week)s this week.") % counts


@staff_view("placements.view_aftercarestep")
def followups(request: HttpRequest) -> HttpResponse:
    """My follow-ups: overdue, today and this week."""
    today = timezone.localdate()
    context = {"sections": followup_sections(request.user, today=today), "today": today}
    return render(request, "placements/followups.html", context)


def _with_counts(request: HtmxHttpRequest, row: StepRow, *, today: dt.date) -> HttpResponse:
    """The changed row, plus the section headings and the live region swapped out of band with the new counts."""
    sections = followup_sections(request.user, today=today)
    context = {"row": row, "today": today, "sections": sections, "summary": counts_summary(sections), "oob": True}
    return render(request, "placements/_step_row_with_counts.html", context)


def _step_for(request: HttpRequest, pk: int) -> AftercareStep:
    """A step the user may act on: assigned to her or on a placement she may see."""
    steps = AftercareStep.objects.visible_to(request.user).select_related(
        "placement__client", "placement__employer", "template"
    )
    return get_object_or_404(steps, pk=pk)


def _step_response(request: HtmxHttpRequest, row: StepRow, *, ok: bool) -> HttpResponse:
    """The row for htmx; otherwise back to the list, or the list with this row's form open (and its errors)."""
    today = timezone.localdate()
    if request.htmx and ok:
        return _with_counts(request, row, today=today)
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
            date = date_format(step.due_on, "SHORT_DATE_FORMAT")
            message = _("Moved to %(date)s: %(title)s") % {"date": date, "title": step.label()}
            return _step_response(request, _row(step, done_message=message), ok=True)
    return _step_response(request, _row(step, move_form=form, open_form="move"), ok=False)
