"""Vacancies: the relationship manager records offers, the ladder steps they serve, and moves them along.

A vacancy goes draft -> open -> filled or closed; a filled or closed one can be reopened (crm/services.py
says why). The status moves only through the buttons here, each a POST that calls one service and
returns to the employer page at the vacancy that changed; a refusal says why and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from common.web import add_service_errors, staff_view
from crm.forms import CloseVacancyForm, VacancyForm
from crm.models import Employer, Vacancy
from crm.services import VACANCY_FIELDS, close_vacancy, create_vacancy, fill_vacancy, open_vacancy, update_vacancy


def at_vacancy(vacancy: Vacancy) -> HttpResponseRedirect:
    """Back to the employer page, scrolled to the vacancy that changed."""
    return HttpResponseRedirect(f"{reverse('crm:employer', args=[vacancy.employer_id])}#vacancy-{vacancy.pk}")


def _vacancy_for(pk: int) -> Vacancy:
    """The vacancy with its employer, or 404."""
    return get_object_or_404(Vacancy.objects.select_related("employer"), pk=pk)


def _render_form(request: HttpRequest, form: VacancyForm, employer: Employer, vacancy: Vacancy | None) -> HttpResponse:
    """The add or edit page, with the ladder steps split into those employers offer places at and the rest."""
    boxes = list(form["ladder_steps"])
    context = {
        "form": form,
        "employer": employer,
        "vacancy": vacancy,
        "place_steps": [box for box in boxes if box.data["value"].instance.offers_places],
        "other_steps": [box for box in boxes if not box.data["value"].instance.offers_places],
    }
    return render(request, "crm/vacancy_form.html", context)


def _values(form: VacancyForm) -> dict[str, Any]:
    """The vacancy's fields as the services take them."""
    return {name: form.cleaned_data[name] for name in VACANCY_FIELDS}


@staff_view("crm.add_vacancy", "GET", "POST")
def vacancy_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an offer as a draft, or publish it at once with "Save and open"."""
    employer = get_object_or_404(Employer, pk=pk)
    if request.method == "GET":
        return _render_form(request, VacancyForm(employer=employer), employer, None)
    form = VacancyForm(request.POST, employer=employer)
    if form.is_valid():
        open_now = bool(request.POST.get("open_now"))
        try:
            vacancy = create_vacancy(
                employer=employer,
                actor=request.user,
                ladder_steps=form.cleaned_data["ladder_steps"],
                open_now=open_now,
                **_values(form),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            done = _("%(title)s is open.") if open_now else _("%(title)s is saved as a draft.")
            messages.success(request, done % {"title": vacancy.title})
            return at_vacancy(vacancy)
    return _render_form(request, form, employer, None)


@staff_view("crm.change_vacancy", "GET", "POST")
def vacancy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an offer's details and the ladder steps it serves."""
    vacancy = _vacancy_for(pk)
    if request.method == "GET":
        return _render_form(
            request, VacancyForm(employer=vacancy.employer, instance=vacancy), vacancy.employer, vacancy
        )
    # The form and the service work on a copy, so a refusal leaves the page's heading as the row still is.
    form = VacancyForm(request.POST, employer=vacancy.employer, instance=_vacancy_for(pk))
    if form.is_valid():
        steps = form.cleaned_data["ladder_steps"]
        try:
            saved = update_vacancy(vacancy=form.instance, actor=request.user, ladder_steps=steps, **_values(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(title)s is saved.") % {"title": saved.title})
            return at_vacancy(saved)
    return _render_form(request, form, vacancy.employer, vacancy)


def _move(request: HttpRequest, vacancy: Vacancy, run: Any, done: str) -> HttpResponse:
    """Run one status service; say what happened, or why nothing did."""
    try:
        run()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done % {"title": vacancy.title})
    return at_vacancy(vacancy)


@staff_view("crm.change_vacancy", "POST")
def vacancy_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft, or reopen a filled or closed vacancy."""
    vacancy = _vacancy_for(pk)
    return _move(request, vacancy, lambda: open_vacancy(vacancy=vacancy, actor=request.user), _("%(title)s is open."))


@staff_view("crm.change_vacancy", "POST")
def vacancy_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an open vacancy filled: all its places are taken."""
    vacancy = _vacancy_for(pk)
    return _move(request, vacancy, lambda: fill_vacancy(vacancy=vacancy, actor=request.user), _("%(title)s is filled."))


@staff_view("crm.change_vacancy", "GET", "POST")
def vacancy_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a vacancy without filling it (GET asks why; POST closes with the reason)."""
    vacancy = _vacancy_for(pk)
    form = CloseVacancyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            close_vacancy(vacancy=vacancy, actor=request.user, filled=False, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(title)s is closed.") % {"title": vacancy.title})
            return at_vacancy(vacancy)
    return render(request, "crm/vacancy_close.html", {"form": form, "vacancy": vacancy, "employer": vacancy.employer})
