"""Employers: the filtered list and the employer page with its timeline and quick log form.

Views stay thin: they read filters, call a queryset or one service (crm/services.py) and render.
htmx requests get the fragment they swap; the same URLs work as plain form posts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, OuterRef, QuerySet, Subquery, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from common.pagination import capped_count, keyset_page
from common.web import HtmxHttpRequest, add_service_errors, outreach_section, staff_view
from crm.choices import Stage, VacancyStatus
from crm.forms import EmployerFilterForm, InteractionForm
from crm.models import Employer, EmployerStageChange, Interaction, Vacancy
from crm.querysets import EmployerQuerySet
from crm.services import log_interaction
from crm.timeline import summaries
from crm.views.employer_forms import employer_summaries

TIMELINE_LIMIT = 100
# The employer page lists what coaches can propose first, then drafts, then the past.
VACANCY_ORDER = (VacancyStatus.OPEN, VacancyStatus.DRAFT, VacancyStatus.FILLED, VacancyStatus.CLOSED)


# --- Employers --------------------------------------------------------------------------------


def _employer_list_queryset(filters: dict[str, Any], *, user: Any, today: dt.date) -> QuerySet[Employer]:
    """Employers matching the list's filters."""
    employers = Employer.objects.matching(filters.get("q") or "")
    if filters.get("stage"):
        employers = employers.filter(stage=filters["stage"])
    if filters.get("sector"):
        employers = employers.filter(sector=filters["sector"])
    owner = filters.get("owner")
    if owner == EmployerFilterForm.OWNER_ME:
        employers = employers.filter(owner=user)
    elif owner == EmployerFilterForm.OWNER_NONE:
        employers = employers.filter(owner__isnull=True)
    elif owner:
        employers = employers.filter(owner_id=owner)
    if filters.get("step"):
        offers = Vacancy.objects.open().filter(employer=OuterRef("pk"), ladder_steps=filters["step"])
        employers = employers.filter(Exists(offers))
    if filters.get("follow_up"):
        employers = employers.needing_follow_up(today=today)
    return employers


def with_list_columns(employers: QuerySet[Employer]) -> QuerySet[Employer]:
    """The list's extra columns as per-row subqueries, so they cost nothing for the rows not shown.

    `open_vacancy_count` is EmployerQuerySet.with_open_vacancy_count; the last contact is the row's
    own `last_contact_at`.
    """
    next_due = (
        Interaction.objects.open_next_steps()
        .filter(employer=OuterRef("pk"))
        .order_by("next_step_due")
        .values("next_step_due")
    )
    with_owner = cast(EmployerQuerySet, employers.select_related("owner"))
    return with_owner.with_open_vacancy_count().annotate(next_step_due=Subquery(next_due[:1]))


@staff_view("crm.view_employer")
def employer_list(request: HtmxHttpRequest) -> HttpResponse:
    """Employers with search and filters, 50 per page by keyset."""
    form = EmployerFilterForm(request.GET or None)
    filters = form.values() if request.GET else {}
    employers = _employer_list_queryset(filters, user=request.user, today=timezone.localdate())
    page = keyset_page(with_list_columns(employers), key="normalised_name", cursor=request.GET.get("cursor", ""))
    total, more = capped_count(employers)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "total": total,
        "more_than": more,
        "query": query.urlencode(),
        "today": timezone.localdate(),
    }
    partial = request.htmx and request.htmx.target == "employer-results" and not request.htmx.history_restore_request
    template = "crm/_employer_rows.html" if partial else None
    return render(request, template or "crm/employer_list.html", context)


# --- Employer page ----------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    """One line of the employer's timeline: an interaction or a stage change."""

    when: dt.datetime
    interaction: Interaction | None = None
    stage_change: EmployerStageChange | None = None
    # The interaction's summary as the reader sees it (crm.timeline: in her language when an app logged it).
    summary: str = ""


def employer_timeline(employer: Employer, *, limit: int = TIMELINE_LIMIT) -> tuple[list[TimelineEntry], bool]:
    """Interactions and stage changes, newest first, in two queries (and one per registered wording that has
    interactions of its own to word); True when older entries were left out."""
    interactions = list(Interaction.objects.filter(employer=employer).select_related("author", "contact")[: limit + 1])
    changes = list(EmployerStageChange.objects.filter(employer=employer).select_related("changed_by")[: limit + 1])
    shown = summaries(interactions[:limit])
    entries = [TimelineEntry(when=i.occurred_at, interaction=i, summary=shown[i.pk]) for i in interactions[:limit]]
    entries += [TimelineEntry(when=c.changed_at, stage_change=c) for c in changes[:limit]]
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit], len(interactions) > limit or len(changes) > limit or len(entries) > limit


def _activity_context(request: HttpRequest, employer: Employer, form: InteractionForm | None = None) -> dict[str, Any]:
    """The quick log form and the timeline under it."""
    timeline, truncated = employer_timeline(employer)
    return {
        "employer": employer,
        "log_form": form or InteractionForm(employer=employer, initial={"occurred_at": timezone.localtime()}),
        "timeline": timeline,
        "timeline_truncated": truncated,
        "can_log": request.user.has_perm("crm.add_interaction"),
    }


def _contacts_and_vacancies(employer: Employer) -> dict[str, Any]:
    """Active and former contacts (one query), and the vacancies open first with their steps (two)."""
    contacts = list(employer.contacts.order_by("last_name", "first_name", "pk"))
    by_status = Case(*(When(status=s, then=Value(n)) for n, s in enumerate(VACANCY_ORDER)), default=Value(9))
    vacancies = employer.vacancies.select_related("contact").prefetch_related("ladder_steps")
    return {
        "contacts": [contact for contact in contacts if contact.is_active],
        "inactive_contacts": [contact for contact in contacts if not contact.is_active],
        "vacancies": vacancies.order_by(by_status, "-created_at", "-pk"),
    }


def _employer_page_context(request: HttpRequest, employer: Employer, form: InteractionForm | None) -> dict[str, Any]:
    """Everything on the employer page."""
    placements = employer.placements.visible_to(request.user).select_related("client", "coach")
    return {
        **_activity_context(request, employer, form),
        **_contacts_and_vacancies(employer),
        **employer_summaries(employer),
        "placements": placements.order_by("-start_on", "-pk")[:50],
        "stages": Stage.choices,
        "can_move": request.user.has_perm("crm.change_employer"),
        "packs_section": outreach_section("employer_packs", app="crm"),
        "evaluations_section": outreach_section("employer_evaluations", app="crm"),
    }


@staff_view("crm.view_employer")
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Profile, contacts, vacancies, placements, packs, evaluations and one timeline."""
    employer = get_object_or_404(Employer.objects.select_related("owner"), pk=pk)
    return render(request, "crm/employer_detail.html", _employer_page_context(request, employer, None))


@staff_view("crm.add_interaction", "POST")
def log_employer_interaction(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Log a call or visit and its next step; errors come back in the form with what was typed."""
    employer = get_object_or_404(Employer.objects.select_related("owner"), pk=pk)
    form = InteractionForm(request.POST, employer=employer)
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("minutes", "outcome", "next_step", "next_step_due")}
        try:
            log_interaction(
                employer=employer,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                summary=form.cleaned_data["summary"],
                occurred_at=form.cleaned_data["occurred_at"],
                contact=form.cleaned_data["contact"],
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Logged."))
                return redirect("crm:employer", pk=employer.pk)
            return render(request, "crm/_activity.html", {**_activity_context(request, employer), "logged": True})
    if request.htmx:
        return render(request, "crm/_activity.html", _activity_context(request, employer, form))
    return render(request, "crm/employer_detail.html", _employer_page_context(request, employer, form))
