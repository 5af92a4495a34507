"""Forms of the placements app: the extra fields admin actions ask for, and the workspace's inline forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.choices import ContactRole, ContractType, Language, Schedule, VacancyKind
from crm.models import Contact, Employer, LadderStep, Vacancy
from crm.roles import Role
from placements.choices import (
    ClosingReason,
    ConsentPurpose,
    ConsentSource,
    Destination,
    EndCause,
    EndedBy,
    Gender,
)
from placements.models import AftercarePlan
from placements.services.clients import users_in_role


class PlacementActionForm(ActionForm):
    """The placement list's action bar, with the reason a cancellation or end needs."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class StepActionForm(ActionForm):
    """The step list's action bar: the outcome of a completed step, or why it is skipped, and minutes spent."""

    text = forms.CharField(label=_("Outcome or reason"), required=False, max_length=300)
    minutes = forms.IntegerField(label=_("Minutes spent"), required=False, min_value=0, max_value=24 * 60)


# --- Workspace ------------------------------------------------------------------------------
# The coach's follow-up list (placements/views/followups.py): one small form per action, inline in the list.


class CompleteStepForm(forms.Form):
    """Record a follow-up as done: what came of it, minutes spent and a note."""

    outcome = forms.CharField(label=_("Outcome"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    minutes_spent = forms.IntegerField(label=_("Minutes"), required=False, min_value=0, max_value=24 * 60)
    notes = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class MoveStepForm(forms.Form):
    """Give a follow-up another date, with the reason."""

    due_on = forms.DateField(label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Why"), max_length=300)


class ClientFilterForm(forms.Form):
    """Search the client list by reference or first name, and show open or all files."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    closed = forms.BooleanField(label=_("Include closed files"), required=False)


# --- Placements -----------------------------------------------------------------------------
# The placement pages (placements/views/placements.py): record and edit a placement, and the changes
# that show their effect on the schedule before they are confirmed. The services check the rules.


def _date_input() -> forms.DateInput:
    """A native date picker that shows ISO dates."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VacancySearchForm(forms.Form):
    """Find an open vacancy or an employer by name, job title or city."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class PlacementForm(forms.Form):
    """A placement's job, dates, hours, schedule, contract, measure, mentor and plan."""

    vacancy = forms.ModelChoiceField(
        queryset=Vacancy.objects.all(), required=False, widget=forms.HiddenInput, label=_("Vacancy")
    )
    employer = forms.ModelChoiceField(label=_("Employer"), queryset=Employer.objects.engageable().order_by("name"))
    kind = forms.ChoiceField(label=_("Kind of placement"), choices=VacancyKind.choices)
    job_title = forms.CharField(label=_("Job title"), max_length=200)
    start_on = forms.DateField(label=_("Start"), widget=_date_input())
    planned_end_on = forms.DateField(
        label=_("Planned end"),
        required=False,
        widget=_date_input(),
        help_text=_("A trial day or job shadowing ends on its start day when left empty."),
    )
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"), required=False, min_value=0, max_value=60, max_digits=4, decimal_places=1
    )
    schedule = forms.ChoiceField(label=_("Schedule"), choices=Schedule.choices)
    contract_type = forms.ChoiceField(
        label=_("Contract"), required=False, choices=[("", _("Not known yet")), *ContractType.choices]
    )
    employment_measure = forms.CharField(
        label=_("Employment measure"),
        required=False,
        max_length=120,
        help_text=_("Subsidy or scheme, e.g. Activa, IBO."),
    )
    mentor = forms.ModelChoiceField(label=_("Workplace mentor"), queryset=Contact.objects.all(), required=False)
    plan = forms.ModelChoiceField(
        label=_("Aftercare plan"),
        queryset=AftercarePlan.objects.filter(is_active=True).order_by("name", "-version"),
        required=False,
        empty_label=_("The plan proposed for this kind of placement"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.chosen_vacancy_id() is not None:
            # From a vacancy the employer is the vacancy's; it is carried along, not chosen again.
            self.fields["employer"].widget = forms.HiddenInput()
        self.fields["mentor"].widget.choices = self.mentor_choices()

    def _raw(self, name: str) -> Any:
        """The submitted value of a field, or its initial value on an unbound form."""
        return self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)

    def _raw_id(self, name: str) -> int | None:
        """The primary key a field holds (a row or a number), or None."""
        raw = self._raw(name)
        raw = getattr(raw, "pk", raw)
        try:
            return int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def chosen_vacancy_id(self) -> int | None:
        """The vacancy the placement comes from, if any."""
        return self._raw_id("vacancy")

    def chosen_employer_id(self) -> int | None:
        """The employer chosen so far (the mentor list follows it)."""
        return self._raw_id("employer")

    def mentor_choices(self) -> list[tuple[Any, Any]]:
        """The active contacts of the chosen employer, workplace mentors first: one query."""
        employer_id = self.chosen_employer_id()
        contacts = Contact.objects.filter(employer_id=employer_id, is_active=True) if employer_id else []
        ordered = sorted(contacts, key=lambda c: (c.role != ContactRole.MENTOR, c.last_name, c.first_name, c.pk))
        choices: list[tuple[Any, Any]] = [("", _("No mentor yet"))]
        for contact in ordered:
            detail = " · ".join(part for part in (str(contact.get_role_display()), contact.job_title) if part)
            choices.append((contact.pk, f"{contact.full_name} ({detail})"))
        return choices


class PlacementDatesForm(forms.Form):
    """A new start and/or planned end."""

    start_on = forms.DateField(label=_("Start"), required=False, widget=_date_input())
    planned_end_on = forms.DateField(label=_("Planned end"), required=False, widget=_date_input())
    clear_planned_end = forms.BooleanField(label=_("No planned end"), required=False)


class EndPlacementForm(forms.Form):
    """Complete a placement, or end it early with who ended it and why."""

    COMPLETED, EARLY = "completed", "early"

    how = forms.ChoiceField(
        label=_("How did it end?"),
        choices=[(COMPLETED, _("Completed")), (EARLY, _("Ended early"))],
        widget=forms.RadioSelect,
    )
    end_on = forms.DateField(label=_("Last day"), widget=_date_input())
    ended_by = forms.ChoiceField(
        label=_("Ended by"),
        required=False,
        choices=[("", _("Not ended early")), *[(v, label) for v, label in EndedBy.choices if v]],
    )
    cause = forms.ChoiceField(
        label=_("Main reason"),
        required=False,
        choices=[("", _("Not ended early")), *[(v, label) for v, label in EndCause.choices if v]],
        help_text=_("For an early end: counted in the outcome report."),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict[str, Any]:
        """An early end names its main reason; a completed one none."""
        cleaned = super().clean() or {}
        if cleaned.get("how") == self.EARLY and not cleaned.get("cause"):
            self.add_error("cause", _("Choose the main reason it ended early."))
        if cleaned.get("how") == self.COMPLETED:
            cleaned["cause"] = ""
        return cleaned


class CancelPlacementForm(forms.Form):
    """Call off a placement that has not started, with the reason."""

    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


# --- The client's file ----------------------------------------------------------------------
# Intake, her file, consents, the ladder and closing (placements/views/clients.py). The services in
# placements/services/clients.py and ladder.py check the rules; these forms check the input.


def _file_date_input() -> forms.DateInput:
    """A native date picker that shows ISO dates."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_ahead(day: dt.date | None) -> dt.date | None:
    """Refuse a date after today: consents, withdrawals, moves and closings record what happened."""
    if day is not None and day > timezone.localdate():
        raise forms.ValidationError(_("Pick today or a day that has passed."))
    return day


class PersonChoiceField(forms.ModelChoiceField):
    """A staff member, shown by full name (or username)."""

    def label_from_instance(self, obj: Any) -> str:
        """Her full name, else her username."""
        return str(obj.get_full_name() or obj.get_username())


class ClientFileForm(forms.Form):
    """Her file: the minimum contact data, self-described gender, language and case manager (Flora §8)."""

    first_name = forms.CharField(
        label=_("First name"),
        required=False,
        max_length=100,
        help_text=_("Keep only what you need to reach her: no surname, birth date or address."),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=Gender.choices,
        required=False,
        help_text=_("As she describes herself; used only for the gender-sensitive reports."),
    )
    gender_description = forms.CharField(label=_("In her own words"), required=False, max_length=100)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)
    hours_wanted = forms.DecimalField(
        label=_("Hours she wants per week"),
        required=False,
        min_value=0,
        max_value=60,
        decimal_places=1,
        help_text=_("Compared with the hours she works in the gender-sensitive reports."),
    )
    case_manager = PersonChoiceField(
        label=_("Case manager"),
        queryset=users_in_role(Role.CASE_MANAGER),
        required=False,
        empty_label=_("None yet"),
    )


class IntakeForm(ClientFileForm):
    """Take in a client: a pseudonymous reference, her file, her coach, consents given and her ladder step."""

    reference = forms.CharField(
        label=_("Reference"),
        max_length=32,
        help_text=_("Pseudonymous: never her name or birth date. A free one is suggested; you may change it."),
    )
    coach = PersonChoiceField(label=_("Coach"), queryset=users_in_role(Role.COACH))
    consents = forms.MultipleChoiceField(
        label=_("Consents she gives now"),
        choices=ConsentPurpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each purpose separately; she can withdraw any of them later."),
    )
    consents_given_on = forms.DateField(
        label=_("Consents given on"), required=False, widget=_file_date_input(), help_text=_("Empty: today.")
    )
    consent_source = forms.ChoiceField(label=_("How she gave them"), choices=ConsentSource.choices)
    ladder_step = forms.ModelChoiceField(
        label=_("Where she is on the ladder"),
        queryset=LadderStep.objects.filter(is_active=True).order_by("position"),
        required=False,
        empty_label=_("Not on the ladder yet"),
    )

    field_order = ["reference", "first_name", "email", "phone", "gender", "gender_description"]

    def clean_consents_given_on(self) -> dt.date | None:
        """Consents are recorded when given, not ahead."""
        return _not_ahead(self.cleaned_data.get("consents_given_on"))


class ConsentForm(forms.Form):
    """Record a consent she gave for one purpose: when, how it reached us, and a note."""

    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    given_on = forms.DateField(label=_("Given on"), widget=_file_date_input())
    source = forms.ChoiceField(label=_("How"), choices=ConsentSource.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean_given_on(self) -> dt.date | None:
        """Not ahead of today."""
        return _not_ahead(self.cleaned_data.get("given_on"))


class WithdrawConsentForm(forms.Form):
    """Record that she withdrew a consent: the day (today or earlier), how it reached us, and a note."""

    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=_file_date_input())
    source = forms.ChoiceField(label=_("How"), choices=ConsentSource.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
    skip_visits = forms.BooleanField(label=_("Skip her open workplace visits now"), required=False)

    def clean_withdrawn_on(self) -> dt.date | None:
        """A withdrawal takes effect at once, so it is not dated ahead."""
        return _not_ahead(self.cleaned_data.get("withdrawn_on"))


class LadderMoveForm(forms.Form):
    """Move her up or down the ladder on a day, with a note."""

    step = forms.ModelChoiceField(
        label=_("Ladder step"), queryset=LadderStep.objects.filter(is_active=True).order_by("position")
    )
    on = forms.DateField(label=_("On"), widget=_file_date_input())
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the client page also shows the consent form, which has a note too.
        kwargs.setdefault("auto_id", "id_ladder_%s")
        super().__init__(*args, **kwargs)

    def clean_on(self) -> dt.date | None:
        """Not ahead of today."""
        return _not_ahead(self.cleaned_data.get("on"))


class CloseClientForm(forms.Form):
    """Close her file: why, where she went, and the day."""

    closing_reason = forms.ChoiceField(
        label=_("Why the file is closed"), choices=[c for c in ClosingReason.choices if c[0]]
    )
    destination = forms.ChoiceField(label=_("Where she went"), choices=Destination.choices, required=False)
    closed_on = forms.DateField(label=_("Closed on"), widget=_file_date_input())

    def clean_closed_on(self) -> dt.date | None:
        """Not ahead of today."""
        return _not_ahead(self.cleaned_data.get("closed_on"))
