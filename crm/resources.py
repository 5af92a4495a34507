"""Import and export of employers, contacts and vacancies (django-import-export)."""

from __future__ import annotations

from import_export import resources

from crm.models import Contact, Employer, Vacancy


class EmployerResource(resources.ModelResource):
    """Employers, keyed on registration number or name + postcode."""

    class Meta:
        model = Employer


class ContactResource(resources.ModelResource):
    """Contacts, keyed on email."""

    class Meta:
        model = Contact


class VacancyResource(resources.ModelResource):
    """Vacancies, keyed on employer and reference."""

    class Meta:
        model = Vacancy
