"""Contacts: the relationship manager adds, edits, deactivates and reactivates the people at an employer.

Every form is a full-page POST that redirects to the employer page, at the contact it changed, with a
message; a refusal shows the form again with what was typed and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from common.web import add_service_errors, staff_view
from crm.forms import ContactForm, DeactivateContactForm
from crm.models import Contact, Employer
from crm.services import (
    CONTACT_FIELDS,
    MentorOfRunningPlacementsError,
    add_contact,
    deactivate_contact,
    reactivate_contact,
    update_contact,
)


def at_contact(contact: Contact) -> HttpResponseRedirect:
    """Back to the employer page, scrolled to the contact that changed."""
    return HttpResponseRedirect(f"{reverse('crm:employer', args=[contact.employer_id])}#contact-{contact.pk}")


def _contact_for(pk: int) -> Contact:
    """The contact with her employer, or 404."""
    return get_object_or_404(Contact.objects.select_related("employer"), pk=pk)


def _render_form(request: HttpRequest, form: ContactForm, employer: Employer, contact: Contact | None) -> HttpResponse:
    """The add or edit page."""
    return render(request, "crm/contact_form.html", {"form": form, "employer": employer, "contact": contact})


@staff_view("crm.add_contact", "GET", "POST")
def contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person at the employer (GET shows the form; POST records her)."""
    employer = get_object_or_404(Employer, pk=pk)
    if request.method == "GET":
        return _render_form(request, ContactForm(employer=employer), employer, None)
    form = ContactForm(request.POST, employer=employer)
    if form.is_valid():
        try:
            contact = add_contact(employer=employer, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": contact.full_name})
            return at_contact(contact)
    return _render_form(request, form, employer, None)


@staff_view("crm.change_contact", "GET", "POST")
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a contact's name, role, job title, email, phone, language or notes."""
    contact = _contact_for(pk)
    if request.method == "GET":
        return _render_form(
            request, ContactForm(employer=contact.employer, instance=contact), contact.employer, contact
        )
    # The form and the service work on a copy, so a refusal leaves the page's heading as the row still is.
    form = ContactForm(request.POST, employer=contact.employer, instance=_contact_for(pk))
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in CONTACT_FIELDS}
        try:
            saved = update_contact(contact=form.instance, actor=request.user, **values)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": saved.full_name})
            return at_contact(saved)
    return _render_form(request, form, contact.employer, contact)


@staff_view("crm.change_contact", "POST")
def contact_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a contact inactive; the mentor of running placements only after a warning that lists them."""
    contact = _contact_for(pk)
    form = DeactivateContactForm(request.POST)
    acknowledged = form.cleaned_data["acknowledged"] if form.is_valid() else []
    try:
        deactivate_contact(contact=contact, actor=request.user, acknowledged=acknowledged)
    except MentorOfRunningPlacementsError as exc:
        context = {
            "contact": contact,
            "employer": contact.employer,
            "warning": exc.messages[0],
            "placements": exc.placements,
            "acknowledged": ",".join(str(placement.pk) for placement in exc.placements),
        }
        return render(request, "crm/contact_deactivate.html", context)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s is marked inactive.") % {"name": contact.full_name})
    return at_contact(contact)


@staff_view("crm.change_contact", "POST")
def contact_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an inactive contact active again."""
    contact = _contact_for(pk)
    try:
        reactivate_contact(contact=contact, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s is active again.") % {"name": contact.full_name})
    return at_contact(contact)
