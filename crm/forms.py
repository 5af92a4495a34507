"""Forms of the employer network; the admin uses them so its edits follow the same rules as the services."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from crm.choices import DeclineReason, Sector, Stage, VacancyStatus
from crm.models import Contact, Employer, Interaction, LadderStep, Vacancy
from crm.roles import Role
from crm.services import EMPLOYER_FIELDS, VACANCY_FIELDS, find_duplicate_employers

# The gender and job-quality profile (Flora III.5.C.b), all 13 questions; the admin groups its fields by it.
from crm.services import PROFILE_FIELDS as PROFILE_FIELDS


def https_formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """Form fields as Django makes them, with web addresses typed without a scheme read as https."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class EmployerAdminForm(forms.ModelForm):
    """An employer; the stage is moved through `new_stage`, which the admin hands to change_employer_stage."""

    new_stage = forms.ChoiceField(
        label=_("move to stage"),
        choices=[("", "---------"), *Stage.choices],
        required=False,
        help_text=_("Recorded in the stage history with the note below."),
    )
    stage_note = forms.CharField(
        label=_("note on the stage change"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Employer
        formfield_callback = https_formfield
        fields = [
            "name",
            "registration_number",
            "sector",
            "size_band",
            "ownership",
            "source",
            "owner",
            "street",
            "postcode",
            "city",
            "country",
            "website",
            "phone",
            "email",
            *PROFILE_FIELDS,
            *Employer.VETTING_FIELDS,
            "vetted_at",
            "do_not_engage",
            "do_not_engage_reason",
            "notes",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields.get("owner")
        if isinstance(owner, forms.ModelChoiceField):
            owner.queryset = get_user_model().objects.filter(is_active=True)

    def clean(self) -> dict[str, Any]:
        """Refuse a second employer with the same name and postcode (the model form cannot see the folded name)."""
        cleaned = super().clean() or {}
        name = cleaned.get("name")
        if name:
            matches = [
                m
                for m in find_duplicate_employers(name=name, postcode=cleaned.get("postcode") or "")
                if m.pk != self.instance.pk
            ]
            if matches:
                names = ", ".join(f"{m.name} (#{m.pk})" for m in matches)
                self.add_error(
                    "name", _("An employer with this name and postcode already exists: %(names)s.") % {"names": names}
                )
        if cleaned.get("new_stage") == self.instance.stage and self.instance.pk is not None:
            cleaned["new_stage"] = ""
        return cleaned


# What the admin may do to a vacancy in each status; the services refuse anything else.
_STATUS_MOVES: dict[str, tuple[tuple[str, Any], ...]] = {
    VacancyStatus.DRAFT: (("open", _("Open it")),),
    VacancyStatus.OPEN: (("filled", _("Close it as filled")), ("closed", _("Close it, not filled"))),
    VacancyStatus.FILLED: (("open", _("Reopen it")),),
    VacancyStatus.CLOSED: (("open", _("Reopen it")),),
}


class VacancyAdminForm(forms.ModelForm):
    """A vacancy; its status moves through `status_change`, which the admin hands to open_vacancy or close_vacancy."""

    status_change = forms.ChoiceField(label=_("change status"), choices=(), required=False)
    status_reason = forms.CharField(
        label=_("reason for closing"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the vacancy closes without being filled."),
    )

    class Meta:
        model = Vacancy
        fields = ["employer", *VACANCY_FIELDS, "ladder_steps"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        moves = _STATUS_MOVES.get(self.instance.status, ())
        field = self.fields.get("status_change")
        if isinstance(field, forms.ChoiceField):
            field.choices = [("", "---------"), *moves]

    def clean(self) -> dict[str, Any]:
        """A vacancy that closes unfilled needs a reason."""
        cleaned = super().clean() or {}
        if cleaned.get("status_change") == "closed" and not (cleaned.get("status_reason") or "").strip():
            self.add_error("status_reason", _("Say why the vacancy closed without being filled."))
        return cleaned


# --- Workspace ------------------------------------------------------------------------------
# The staff screens (crm/views.py): filters, the quick interaction log and the import upload.


def _relationship_managers() -> list[tuple[str, str]]:
    """Active users who may own employers, as (id, name) choices."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.RELATIONSHIP_MANAGER, Role.ADMINISTRATOR])
        .distinct()
        .order_by("first_name", "username")
    )
    return [(str(user.pk), user.get_full_name() or user.get_username()) for user in users]


class EmployerFilterForm(forms.Form):
    """Search and filters of the employer list; every field is optional and bad values are ignored."""

    OWNER_ME = "me"
    OWNER_NONE = "none"

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("Any stage")), *Stage.choices])
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=[("", _("Any sector")), *Sector.choices])
    owner = forms.ChoiceField(label=_("Relationship manager"), required=False, choices=())
    step = forms.ModelChoiceField(
        label=_("Offers a place at ladder step"), required=False, queryset=LadderStep.objects.none()
    )
    follow_up = forms.BooleanField(label=_("Needs follow-up"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = [("", _("Anyone")), (self.OWNER_ME, _("Me")), (self.OWNER_NONE, _("Nobody"))]
        self.set_choices("owner", owners + _relationship_managers())
        step = self.fields["step"]
        if isinstance(step, forms.ModelChoiceField):
            step.queryset = LadderStep.objects.active()
            step.empty_label = _("Any step")

    def set_choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        """Give a choice field its options."""
        field = self.fields[name]
        if isinstance(field, forms.ChoiceField):
            field.choices = choices

    def values(self) -> dict[str, Any]:
        """The valid filters, with invalid ones dropped (a stale link still shows a list)."""
        if self.is_valid():
            return self.cleaned_data
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if name not in self.errors}


class BoardFilterForm(forms.Form):
    """Whose employers the pipeline board shows, and an optional search."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    everyone = forms.BooleanField(label=_("Everyone's employers"), required=False)


class StageMoveForm(forms.Form):
    """Move one employer to another stage; a move to "declined" also asks why, and when to try again."""

    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    decline_reason = forms.ChoiceField(
        label=_("Main reason"),
        required=False,
        choices=[("", "---------"), *[(value, label) for value, label in DeclineReason.choices if value]],
    )
    reason = forms.CharField(
        label=_("Why did they decline?"), required=False, max_length=250, widget=forms.Textarea(attrs={"rows": 2})
    )
    retry_on = forms.DateField(
        label=_("Try again on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Becomes the employer's next step."),
    )

    def clean(self) -> dict[str, Any]:
        """A move to "declined" names the main reason from the list, for the decline-reasons report."""
        cleaned = super().clean() or {}
        if cleaned.get("stage") == Stage.DECLINED and not cleaned.get("decline_reason"):
            self.add_error("decline_reason", _("Choose the main reason they declined."))
        return cleaned


class InteractionForm(forms.ModelForm):
    """The quick form on the employer page: log a call or visit and its next step."""

    class Meta:
        model = Interaction
        fields = [
            "kind",
            "occurred_at",
            "contact",
            "minutes",
            "summary",
            "outcome",
            "next_step",
            "next_step_due",
        ]
        widgets = {
            "occurred_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "next_step_due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, employer: Employer, **kwargs: Any) -> None:
        kwargs.setdefault("instance", Interaction(employer=employer))
        super().__init__(*args, **kwargs)
        contact = self.fields["contact"]
        if isinstance(contact, forms.ModelChoiceField):
            contact.queryset = Contact.objects.filter(employer=employer, is_active=True)
        occurred = self.fields["occurred_at"]
        if isinstance(occurred, forms.DateTimeField):
            occurred.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class ImportUploadForm(forms.Form):
    """A CSV or XLSX file of employers, contacts or vacancies, read as a dry run first."""

    kind = forms.ChoiceField(
        label=_("The file holds"),
        choices=[("employers", _("Employers")), ("contacts", _("Contacts")), ("vacancies", _("Vacancies"))],
    )
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self) -> Any:
        """Refuse other formats and files too big to preview in the browser."""
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB; split it into smaller files and import them one by one.")
                % {"size": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


# --- Contacts and vacancies -----------------------------------------------------------------
# The relationship manager's forms on the employer page; the services check the rest.

# Digits, spaces and the signs people write phone numbers with; an extension goes in the notes.
_PHONE = re.compile(r"^\+?[0-9 ().\-/]+$")


def clean_phone_number(value: str) -> str:
    """A phone number of 6 to 15 digits, with an optional leading + and the usual separators."""
    value = " ".join(value.split())
    if not value:
        return ""
    digits = sum(char.isdigit() for char in value)
    if not _PHONE.match(value) or not 6 <= digits <= 15:
        raise forms.ValidationError(
            _("Enter a phone number of 6 to 15 digits, e.g. +31 6 1234 5678; put an extension in the notes.")
        )
    return value


class ContactForm(forms.ModelForm):
    """A person at an employer: name, role, how to reach her and the language to write to her in."""

    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "role", "job_title", "email", "phone", "preferred_language", "notes"]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args: Any, employer: Employer, **kwargs: Any) -> None:
        kwargs.setdefault("instance", Contact(employer=employer))
        super().__init__(*args, **kwargs)

    def clean_first_name(self) -> str:
        """A first name that is not only spaces."""
        name = " ".join((self.cleaned_data.get("first_name") or "").split())
        if not name:
            raise forms.ValidationError(_("Enter the contact's first name."))
        return name

    def clean_phone(self) -> str:
        """See clean_phone_number."""
        return clean_phone_number(self.cleaned_data.get("phone") or "")


class DeactivateContactForm(forms.Form):
    """The confirmation after the warning: the ids of the running placements the user was shown."""

    acknowledged = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def clean_acknowledged(self) -> list[int]:
        """Comma-separated ids; anything else counts as nothing acknowledged."""
        raw = (self.cleaned_data.get("acknowledged") or "").split(",")
        return [int(part) for part in raw if part.strip().isdigit()]


class LadderStepsField(forms.ModelMultipleChoiceField):
    """Checkboxes of ladder steps, labelled with their position and name."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        """The step as "19. Work-experience place"."""
        return str(obj)


class VacancyForm(forms.ModelForm):
    """An offer on the ladder and the steps it serves; its status moves through the buttons, not here."""

    ladder_steps = LadderStepsField(
        label=_("Ladder steps it serves"), queryset=LadderStep.objects.none(), required=False
    )

    class Meta:
        model = Vacancy
        fields = [
            "title",
            "reference",
            "kind",
            "contact",
            "ladder_steps",
            "places",
            "hours_per_week",
            "schedule",
            "contract_type",
            "starts_on",
            "ends_on",
            "language_level",
            "description",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
            "places": forms.NumberInput(attrs={"min": 1}),
        }
        error_messages = {"places": {"min_value": _("A vacancy offers at least one place.")}}

    def __init__(self, *args: Any, employer: Employer, **kwargs: Any) -> None:
        kwargs.setdefault("instance", Vacancy(employer=employer))
        super().__init__(*args, **kwargs)
        current = self.instance
        # Active contacts and steps, plus those the vacancy already has, so editing never drops them silently.
        contact = self.fields["contact"]
        if isinstance(contact, forms.ModelChoiceField):
            keep = Q(pk=current.contact_id) if current.contact_id else Q(pk__in=[])
            contact.queryset = Contact.objects.filter(Q(employer=employer, is_active=True) | keep)
            contact.empty_label = _("Nobody in particular")
        steps = self.fields["ladder_steps"]
        if isinstance(steps, forms.ModelMultipleChoiceField):
            keep = Q(vacancies=current) if current.pk else Q(pk__in=[])
            steps.queryset = LadderStep.objects.filter(Q(is_active=True) | keep).distinct().order_by("position")


class CloseVacancyForm(forms.Form):
    """Why a vacancy closes without being filled."""

    reason = forms.CharField(
        label=_("Why does it close without being filled?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the vacancy closed without being filled.")},
    )


# --- The employer's own forms -----------------------------------------------------------------
# Core data with the duplicate check, the vetting checklist and the gender and job-quality profile.


def _staff_owners(keep: Q) -> Any:
    """Active users who may own employers (relationship managers and administrators), and the one in `keep`."""
    may_own = Q(is_active=True, groups__name__in=[Role.RELATIONSHIP_MANAGER, Role.ADMINISTRATOR])
    return get_user_model().objects.filter(may_own | keep).distinct().order_by("first_name", "username")


class OwnerField(forms.ModelChoiceField):
    """A relationship manager, shown by name."""

    def label_from_instance(self, obj: Any) -> str:
        """The user's full name, or the username when there is none."""
        return str(obj.get_full_name() or obj.get_username())


class EmployerForm(forms.ModelForm):
    """The employer's core data; the services check duplicates, so the form leaves uniqueness to them."""

    owner = OwnerField(label=_("Relationship manager"), queryset=get_user_model().objects.none(), required=False)
    create_anyway = forms.BooleanField(
        label=_("Create it anyway: it is a different employer"),
        required=False,
        help_text=_("Only when the employers above are not this one."),
    )

    class Meta:
        model = Employer
        formfield_callback = https_formfield
        fields = list(EMPLOYER_FIELDS)
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel"}),
            "country": forms.TextInput(attrs={"maxlength": 2, "size": 3, "autocapitalize": "characters"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        if isinstance(owner, forms.ModelChoiceField):
            keep = Q(pk=self.instance.owner_id) if self.instance.owner_id else Q(pk__in=[])
            owner.queryset = _staff_owners(keep)
            owner.empty_label = _("Nobody")
        # As the user types, htmx asks which employers these three match (crm:employer-duplicates).
        check = {"hx-get": reverse("crm:employer-duplicates"), "hx-trigger": "input changed delay:400ms"}
        for name in ("name", "postcode", "registration_number"):
            self.fields[name].widget.attrs.update(check)

    def _get_validation_exclusions(self) -> set[str]:
        """Leave the unique name, postcode and number to the services, which name the employers they collide with.

        The form fields still check them (required, length); only the model's constraint check is skipped.
        """
        # Django's own hook (django-stubs leave it out of ModelForm's declared methods).
        exclusions: set[str] = getattr(super(), "_get_validation_exclusions")()  # noqa: B009
        return {*exclusions, "name", "postcode", "registration_number"}

    def service_data(self) -> dict[str, Any]:
        """The cleaned core fields, as the services take them."""
        return {name: self.cleaned_data[name] for name in EMPLOYER_FIELDS}


class VettingForm(forms.ModelForm):
    """The nine conditions for collaboration (Flora IV.3 werkgever A.b) and the do-not-engage flag."""

    class Meta:
        model = Employer
        fields = [*Employer.VETTING_FIELDS, "do_not_engage", "do_not_engage_reason"]
        widgets = {"do_not_engage_reason": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        """A do-not-engage flag needs its reason."""
        cleaned = super().clean() or {}
        if cleaned.get("do_not_engage") and not (cleaned.get("do_not_engage_reason") or "").strip():
            self.add_error("do_not_engage_reason", _("Say why this employer should not be engaged."))
        return cleaned


class ThreeWayRadio(forms.RadioSelect):
    """Yes, no or not asked: an unknown answer stays unknown rather than becoming "no"."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, choices=(("true", _("Yes")), ("false", _("No")), ("unknown", _("Not asked"))))

    def format_value(self, value: Any) -> list[str]:
        """True, False or None (or what was posted) as the radio button to tick."""
        if value in (True, "True", "true"):
            return ["true"]
        if value in (False, "False", "false"):
            return ["false"]
        return ["unknown"]


def _three_way(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """Nullable yes/no questions as three radio buttons; other fields as Django makes them."""
    if isinstance(db_field, models.BooleanField) and db_field.null:
        return forms.NullBooleanField(label=capfirst(db_field.verbose_name), required=False, widget=ThreeWayRadio)
    return db_field.formfield(**kwargs)


# The 13 questions of Flora III.5.C.b «De werkgever» as the domain analysis (§4.6) words them, with their fields.
PROFILE_QUESTIONS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (_("1. Is the trade rather male or female?"), ("sector_gender",)),
    (
        _("2. How are men and women divided in the company, and among the supervisors?"),
        ("share_women_pct", "share_women_supervisors_pct"),
    ),
    (_("3. Are there functions held mostly by men and others mostly by women? Which?"), ("gendered_functions",)),
    (_("4. Are there functions that are hard to fill?"), ("hard_to_fill_functions",)),
    (_("5. Why do they hire women, or men?"), ("hiring_motivation",)),
    (
        _(
            "6. Which contract is offered to men and to women (open-ended, fixed-term, with a hiring subsidy, "
            "full-time, part-time)?"
        ),
        ("status_offered",),
    ),
    (_("7. Is the company bound by collective agreements? If so, which?"), ("collective_agreement",)),
    (
        _("8. What are the working hours? How are normal times and peaks handled? Is flexitime possible?"),
        ("schedules_and_peaks", "offers_flexitime"),
    ),
    (_("9. What is the company's attitude to career breaks?"), ("career_break_attitude",)),
    (
        _("10. Is the company easy to reach? Does it allow for a difficult journey? If so, how?"),
        ("accessible_by_public_transport", "accessibility_notes"),
    ),
    (
        _(
            "11. What is the atmosphere among the staff? How does management step in when there are problems "
            "(for example sexual harassment)?"
        ),
        ("atmosphere", "harassment_procedure"),
    ),
    (
        _(
            "12. How do staff have a say? Is there a union delegation, and how many women are in it? "
            "Are there informal channels?"
        ),
        ("union_delegation", "union_women_pct", "influence_channels"),
    ),
    (
        _(
            "13. Has the company made childcare easier, above all when the working hours clash with the opening "
            "hours of childcare and schools?"
        ),
        ("childcare_support", "childcare_notes"),
    ),
)


class EmployerProfileForm(forms.ModelForm):
    """The answers to the 13 gender and job-quality questions; every answer may stay empty ("not asked")."""

    class Meta:
        model = Employer
        formfield_callback = _three_way
        fields = list(PROFILE_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in PROFILE_FIELDS
            if isinstance(Employer._meta.get_field(name), models.TextField)
        }

    def questions(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The form's fields grouped by the question they answer, in Flora's order."""
        return [(question, [self[name] for name in names]) for question, names in PROFILE_QUESTIONS]
