"""The employer's own forms: core data with the duplicate check as you type, the vetting checklist, the
gender and job-quality profile, and the reason and retry date a move to "declined" asks for.

GET shows a form, POST calls one service (crm/services.py); a refusal comes back in the form with what
was typed and nothing changed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Field
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import reswap, retarget

from common.web import HtmxHttpRequest, add_service_errors, staff_view
from crm.choices import Stage
from crm.forms import PROFILE_QUESTIONS, EmployerForm, EmployerProfileForm, StageMoveForm, VettingForm
from crm.models import Employer
from crm.services import (
    DuplicateEmployerError,
    find_duplicate_employers,
    record_vetting,
    register_employer,
    update_employer,
    update_employer_profile,
)

# --- Core data ----------------------------------------------------------------------------------


def _duplicates_context(form: EmployerForm, exc: DuplicateEmployerError) -> dict[str, Any]:
    """Show the look-alikes above the form; "create anyway" is offered only when no unique rule forbids it."""
    form.add_error(None, exc)
    for conflict in exc.conflicts:
        form.add_error(None, conflict)
    return {"matches": exc.matches, "may_create_anyway": not exc.conflicts}


@staff_view("crm.add_employer", "GET", "POST")
def employer_new(request: HttpRequest) -> HttpResponse:
    """Add an employer; one that looks like a known employer needs an explicit "create anyway"."""
    if request.method == "GET":
        form = EmployerForm(initial={"owner": request.user.pk, "country": "NL"})
        return render(request, "crm/employer_form.html", {"form": form, "new": True})
    form = EmployerForm(request.POST, instance=Employer())
    context: dict[str, Any] = {"form": form, "new": True}
    if form.is_valid():
        try:
            employer = register_employer(
                actor=request.user, allow_duplicates=form.cleaned_data["create_anyway"], **form.service_data()
            )
        except DuplicateEmployerError as exc:
            context.update(_duplicates_context(form, exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": employer.name})
            return redirect("crm:employer", pk=employer.pk)
    return render(request, "crm/employer_form.html", context)


@staff_view("crm.change_employer", "GET", "POST")
def employer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an employer's core data; a name, postcode or number another employer has is refused, naming it."""
    employer = get_object_or_404(Employer.objects.select_related("owner"), pk=pk)
    if request.method == "GET":
        return render(
            request, "crm/employer_form.html", {"form": EmployerForm(instance=employer), "employer": employer}
        )
    # The form and the service work on a copy, so a refusal leaves the page's heading as it was.
    editing = copy.copy(employer)
    form = EmployerForm(request.POST, instance=editing)
    context: dict[str, Any] = {"form": form, "employer": employer}
    if form.is_valid():
        try:
            update_employer(employer=editing, actor=request.user, **form.service_data())
        except DuplicateEmployerError as exc:
            form.add_error(None, exc)
            context["matches"] = exc.matches
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("crm:employer", pk=employer.pk)
    return render(request, "crm/employer_form.html", context)


@staff_view("crm.add_employer")
def employer_duplicates(request: HtmxHttpRequest) -> HttpResponse:
    """The employers the typed name, postcode and registration number match, by the API's rule; one query."""
    name = request.GET.get("name", "").strip()[:200]
    postcode = request.GET.get("postcode", "").strip()[:12]
    registration_number = request.GET.get("registration_number", "").strip()[:40]
    exclude = request.GET.get("exclude", "")
    matches: list[Employer] = []
    if name or registration_number:
        found = find_duplicate_employers(name=name, postcode=postcode, registration_number=registration_number)
        matches = [match for match in found if str(match.pk) != exclude]
    context = {"matches": matches, "checked": bool(name or registration_number), "query": request.GET}
    if request.htmx:
        return render(request, "crm/_employer_duplicates.html", context)
    return render(request, "crm/employer_duplicates.html", context)


# --- Vetting and profile ------------------------------------------------------------------------


@staff_view("crm.change_employer", "GET", "POST")
def employer_vetting(request: HttpRequest, pk: int) -> HttpResponse:
    """The conditions for collaboration (Flora IV.3 werkgever A.b) and the do-not-engage flag with its reason."""
    employer = get_object_or_404(Employer, pk=pk)
    form = VettingForm(request.POST or None, instance=copy.copy(employer))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_vetting(
                employer=employer,
                actor=request.user,
                checks={name: data[name] for name in Employer.VETTING_FIELDS},
                do_not_engage=data["do_not_engage"],
                do_not_engage_reason=data["do_not_engage_reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The vetting checklist is saved."))
            return redirect("crm:employer", pk=employer.pk)
    return render(request, "crm/employer_vetting.html", {"form": form, "employer": employer})


@staff_view("crm.change_employer", "GET", "POST")
def employer_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """The 13 gender and job-quality questions of Flora III.5.C.b; an unanswered one stays "not asked"."""
    employer = get_object_or_404(Employer, pk=pk)
    form = EmployerProfileForm(request.POST or None, instance=copy.copy(employer))
    if request.method == "POST" and form.is_valid():
        try:
            update_employer_profile(employer=employer, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The profile is saved."))
            return redirect("crm:employer", pk=employer.pk)
    return render(request, "crm/employer_profile.html", {"form": form, "employer": employer})


# --- Declining ----------------------------------------------------------------------------------


def _decline_context(request: HttpRequest, employer: Employer, form: StageMoveForm) -> dict[str, Any]:
    """The decline form, with where to go back to and the board's filters when it came from there."""
    params = request.POST if request.method == "POST" else request.GET
    from_board = params.get("board") == "1"
    filters = {"everyone": params.get("everyone") == "on", "q": params.get("q", "")[:100]}
    back = params.get("next", "")
    if not back or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        pairs = (("everyone", "on" if filters["everyone"] else ""), ("q", filters["q"]))
        query = urlencode([(name, value) for name, value in pairs if value])
        board = reverse("crm:board") + (f"?{query}" if query else "")
        back = board if from_board else reverse("crm:employer", args=[employer.pk])
    inline = bool(getattr(request, "htmx", False)) and from_board
    return {
        "employer": employer,
        "form": form,
        "next": back,
        "from_board": from_board,
        "filters": filters,
        "inline": inline,
    }


def decline_auto_id(employer: Employer) -> str:
    """The decline form's field ids: one per employer, as a board can hold several cards' forms at once."""
    return f"decline-{employer.pk}-%s"


def decline_form_response(request: HtmxHttpRequest, employer: Employer, form: StageMoveForm) -> HttpResponse:
    """The decline form again with its errors: in the board card for htmx, else as its own page."""
    context = _decline_context(request, employer, form)
    if request.htmx:
        response = render(request, "crm/_decline_form.html", context)
        return reswap(retarget(response, f"#decline-{employer.pk}"), "innerHTML")
    return render(request, "crm/employer_decline.html", context)


@staff_view("crm.change_employer")
def employer_decline(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Ask why the employer declined and when to try again; the form posts to the stage move."""
    employer = get_object_or_404(Employer, pk=pk)
    form = StageMoveForm(initial={"stage": Stage.DECLINED}, auto_id=decline_auto_id(employer))
    context = _decline_context(request, employer, form)
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "crm/_decline_form.html", context)
    return render(request, "crm/employer_decline.html", context)


# --- Summaries on the employer page -------------------------------------------------------------


def _field(name: str) -> Field[Any, Any]:
    """An employer field by name (every name here is a concrete field)."""
    field = Employer._meta.get_field(name)
    assert isinstance(field, Field)
    return field


@dataclass
class Answer:
    """One answered field of the profile, as the employer page shows it."""

    label: str
    value: Any


def profile_summary(employer: Employer) -> tuple[list[tuple[Any, list[Answer]]], int]:
    """The answered profile questions with their answers, and how many of the 13 are answered."""
    answered = []
    for question, names in PROFILE_QUESTIONS:
        answers = []
        for name in names:
            value = getattr(employer, name)
            if value is None or value == "":
                continue
            field = _field(name)
            if getattr(field, "choices", None):
                value = getattr(employer, f"get_{name}_display")()
            elif isinstance(value, bool):
                value = _("Yes") if value else _("No")
            elif name.endswith("_pct"):
                value = f"{value}%"
            answers.append(Answer(label=str(field.verbose_name), value=value))
        if answers:
            answered.append((question, answers))
    return answered, len(answered)


def vetting_summary(employer: Employer) -> list[tuple[str, bool]]:
    """Each condition for collaboration and whether it is confirmed."""
    return [(str(_field(name).verbose_name), bool(getattr(employer, name))) for name in Employer.VETTING_FIELDS]


def employer_summaries(employer: Employer) -> dict[str, Any]:
    """The vetting and profile summaries the employer page shows."""
    answered, count = profile_summary(employer)
    return {
        "vetting_checks": vetting_summary(employer),
        "profile_answers": answered,
        "profile_answered": count,
        "profile_questions": len(PROFILE_QUESTIONS),
    }
