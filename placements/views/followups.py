"""My follow-ups: overdue, today and this week, a page of each with "more", each done or moved inline (htmx)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, F, Q, QuerySet, TextChoices, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.pagination import PAGE_SIZE, cursor_after, keyset_ordering, keyset_page, more_page, page_query
from common.web import HtmxHttpRequest, add_service_errors, staff_view
from placements.choices import StepKind, Track
from placements.forms import CompleteStepForm, MoveStepForm
from placements.models import AftercareStep
from placements.services import complete_step, move_step

# Follow-ups due within this many days after today count as "this week".
WEEK_DAYS = 7
# A section shows this many follow-ups, then "more". Rendering 200 rows a section cost 724 ms at p95
# for a 176 KB page with 7 ms of SQL (50,000 employers, 1,000,000 steps, PostgreSQL); a coach reads the
# first screenful, and the section's heading still counts them all. With 600 open steps (200 a section,
# PostgreSQL, Django's test client) the page went from 450 KB and 748 ms to 116 KB and about 200 ms;
# a "more" brings 50 rows in about 50 ms.
FOLLOWUP_PAGE = PAGE_SIZE
SECTION_KEYS = ("overdue", "today", "week")
ORDER_KEY = "due_on"  # then pk: the sections' order, and the key of their "more" cursors


# --- Follow-ups -------------------------------------------------------------------------------


@dataclass
class StepRow:
    """One follow-up in a list, with the inline form that is open (forms load when asked for, not per row)."""

    step: AftercareStep
    open_form: str = ""  # "complete" or "move"
    complete_form: CompleteStepForm | None = None
    move_form: MoveStepForm | None = None
    done_message: str = ""
    focus: bool = False  # the first row "more" loaded: htmx moves the focus to it
    back: str = ""  # the form just closed ("complete" or "move"): its button takes the focus again

    @property
    def form(self) -> CompleteStepForm | MoveStepForm | None:
        """The form open in the row, if any."""
        return {"complete": self.complete_form, "move": self.move_form}.get(self.open_form)

    @property
    def has_errors(self) -> bool:
        """The open form came back with errors."""
        return self.form is not None and self.form.is_bound and bool(self.form.errors)

    # The kind and track by their choice, not get_FOO_display: that hashes every translated label of the
    # field on each call (130 and 55 microseconds a row, against about 10 for the one label).
    @property
    def kind_label(self) -> str:
        return _choice_label(StepKind, self.step.kind)

    @property
    def track_label(self) -> str:
        return _choice_label(Track, self.step.track)


def _choice_label(choices: type[TextChoices], value: str) -> str:
    """The label of a stored choice, or the value itself when it is no longer one of the choices."""
    return str(choices(value).label) if value in choices.values else value


def _mine(user: Any, *, until: dt.date) -> QuerySet[AftercareStep]:
    """The user's open steps due by `until`."""
    return AftercareStep.objects.open().filter(assignee=user, due_on__lte=until)


def section_bounds(today: dt.date) -> dict[str, tuple[dt.date | None, dt.date]]:
    """Each section's first and last due day (overdue has no first): the one rule the rows, the counts
    and the "more" pages all follow."""
    return {
        "overdue": (None, today - dt.timedelta(days=1)),
        "today": (today, today),
        "week": (today + dt.timedelta(days=1), today + dt.timedelta(days=WEEK_DAYS)),
    }


def _in_section(key: str, today: dt.date) -> Q:
    first, last = section_bounds(today)[key]
    return Q(due_on__lte=last) if first is None else Q(due_on__gte=first, due_on__lte=last)


def _section_of(due_on: dt.date, today: dt.date) -> str | None:
    """The section a day falls in, or None after this week."""
    for key, (first, last) in section_bounds(today).items():
        if (first is None or first <= due_on) and due_on <= last:
            return key
    return None


def _annotated(user: Any, today: dt.date) -> QuerySet[Any]:
    """The user's steps of the three sections, each marked with its section's key (`section`)."""
    section = Case(*(When(_in_section(key, today), then=Value(key)) for key in SECTION_KEYS), output_field=CharField())
    return _mine(user, until=today + dt.timedelta(days=WEEK_DAYS)).annotate(section=section)


def _section_steps(user: Any, key: str, today: dt.date) -> QuerySet[AftercareStep]:
    """One section's steps with what a row shows, for its "more" pages."""
    return (
        _mine(user, until=today + dt.timedelta(days=WEEK_DAYS))
        .filter(_in_section(key, today))
        .select_related("placement__client", "placement__employer", "template")
    )


def first_pages(user: Any, today: dt.date) -> tuple[dict[str, list[AftercareStep]], dict[str, int]]:
    """The first FOLLOWUP_PAGE + 1 steps of each section and each section's total, in one query: a row
    number and a count per section (window functions), so the page runs as many queries as before."""
    per_section = [F("section")]
    steps = (
        _annotated(user, today)
        .annotate(
            position=Window(RowNumber(), partition_by=per_section, order_by=[F("due_on").asc(), F("pk").asc()]),
            section_total=Window(Count("pk"), partition_by=per_section),
        )
        .filter(position__lte=FOLLOWUP_PAGE + 1)
        .select_related("placement__client", "placement__employer", "template")
        .order_by(*keyset_ordering(ORDER_KEY))
    )
    pages: dict[str, list[AftercareStep]] = {key: [] for key in SECTION_KEYS}
    totals = dict.fromkeys(SECTION_KEYS, 0)
    for step in steps:
        pages[step.section].append(step)
        totals[step.section] = step.section_total
    return pages, totals


def section_counts(user: Any, today: dt.date) -> dict[str, int]:
    """How many steps each section holds, in one aggregate query (no rows read)."""
    counted = (
        _annotated(user, today).order_by().values_list("section").annotate(n=Count("pk")).values_list("section", "n")
    )
    return dict.fromkeys(SECTION_KEYS, 0) | dict(counted)


def _row(step: AftercareStep, **kwargs: Any) -> StepRow:
    """A list row; the open form is a fresh one unless a bound one (with errors) is given."""
    row = StepRow(step=step, **kwargs)
    if row.open_form == "complete" and row.complete_form is None:
        row.complete_form = CompleteStepForm(prefix=f"c{step.pk}")
    if row.open_form == "move" and row.move_form is None:
        row.move_form = MoveStepForm(prefix=f"m{step.pk}", initial={"due_on": step.due_on})
    if row.form is not None and not row.form.is_bound:
        # A form that opens takes the focus on its first field (WCAG 2.1 SC 2.4.3); one with errors gives it to
        # its error summary instead.
        next(iter(row.form.fields.values())).widget.attrs["autofocus"] = True
    return row


def _section_head(key: str, count: int) -> dict[str, Any]:
    """A section's key, title and count: what its heading shows."""
    titles = {"overdue": _("Overdue"), "today": _("Today"), "week": _("This week")}
    return {"key": key, "title": titles[key], "count": count}


def _more(key: str, last: AftercareStep, left: int) -> dict[str, str]:
    """The section's "more" control after `last`, naming the section and how many follow-ups are left."""
    labels = {
        "overdue": _("More overdue follow-ups (%(count)s more)"),
        "today": _("More follow-ups due today (%(count)s more)"),
        "week": _("More follow-ups this week (%(count)s more)"),
    }
    query = page_query({}, section=key, cursor=cursor_after(last, ORDER_KEY))
    return {
        "more_id": f"more-{key}",
        "more_url": f"{reverse('placements:followups')}?{query}",
        "more_label": labels[key] % {"count": left},
    }


def followup_sections(
    user: Any, *, today: dt.date, replace: StepRow | None = None, paged: tuple[str, str] | None = None
) -> list[dict[str, Any]]:
    """Overdue, today and this week: each its first rows, its total and a "more" control.

    `replace` swaps in a row with bound forms (and puts it first in its section when it is further
    down); `paged` (section, cursor) shows that section's page at the cursor with the pager instead, the
    page a "more" link opens without JavaScript.
    """
    pages, totals = first_pages(user, today)
    empty = {
        "overdue": _("Nothing overdue."),
        "today": _("Nothing due today."),
        "week": _("Nothing else due in the next seven days."),
    }
    sections = []
    for key in SECTION_KEYS:
        section = _section_head(key, totals[key]) | {"empty": empty[key]}
        steps = pages[key]
        if paged is not None and paged[0] == key:
            page = keyset_page(_section_steps(user, key, today), key=ORDER_KEY, cursor=paged[1], size=FOLLOWUP_PAGE)
            steps = page.rows
            section |= {"page": page, "page_query": page_query({}, section=key)}
        elif len(steps) > FOLLOWUP_PAGE:
            steps = steps[:FOLLOWUP_PAGE]
            section |= _more(key, steps[-1], totals[key] - FOLLOWUP_PAGE)
        rows = [replace if replace is not None and replace.step.pk == step.pk else _row(step) for step in steps]
        if paged is not None and paged[0] == key and rows:
            rows[0].focus = True
        section["rows"] = rows
        sections.append(section)
    if replace is not None and not any(row is replace for section in sections for row in section["rows"]):
        home = _section_of(replace.step.due_on, today)
        for section in sections:
            if section["key"] == home:
                section["rows"].insert(0, replace)
    return sections


def counts_summary(sections: list[dict[str, Any]]) -> str:
    """The counts in one sentence, for the live region that announces them after a row changed."""
    counts = {section["key"]: section["count"] for section in sections}
    return _("Now %(overdue)s overdue, %(today)s today and %(week)s this week.") % counts


@staff_view("placements.view_aftercarestep")
def followups(request: HtmxHttpRequest) -> HttpResponse:
    """My follow-ups: overdue, today and this week, a page of each; "more" (?section=&cursor=) brings a
    section's next rows into the list with htmx, or opens the page of them without."""
    today = timezone.localdate()
    key, cursor = request.GET.get("section", ""), request.GET.get("cursor", "")
    if key not in SECTION_KEYS or not cursor:
        context = {"sections": followup_sections(request.user, today=today), "today": today}
        return render(request, "placements/followups.html", context)
    if request.htmx:
        return _more_rows(request, key, cursor, today=today)
    sections = followup_sections(request.user, today=today, paged=(key, cursor))
    return render(request, "placements/followups.html", {"sections": sections, "today": today})


def _more_rows(request: HtmxHttpRequest, key: str, cursor: str, *, today: dt.date) -> HttpResponse:
    """A section's next rows, to take the place of its "more" control, and the next control when rows remain."""
    page = more_page(_section_steps(request.user, key, today), key=ORDER_KEY, cursor=cursor, size=FOLLOWUP_PAGE)
    rows = [_row(step) for step in page.rows]
    if rows:
        rows[0].focus = True
    more = _more(key, page.rows[-1], page.extra["left"]) if page.extra["left"] else {}
    return render(request, "placements/_step_rows_more.html", {"rows": rows, "more": more, "today": today})


def _with_counts(request: HtmxHttpRequest, row: StepRow, *, today: dt.date) -> HttpResponse:
    """The changed row, plus the section headings and the live region swapped out of band with the new counts."""
    counts = section_counts(request.user, today)
    sections = [_section_head(key, counts[key]) for key in SECTION_KEYS]
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
    back = request.GET.get("back", "")
    row = _row(step, back=back if back in ("complete", "move") else "")
    return render(request, "placements/_step_row.html", {"row": row, "today": timezone.localdate()})


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
