"""Forms of the employer network; the admin uses them so its edits follow the same rules as the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.choices import Sector, Stage, VacancyStatus
from crm.models import Contact, Employer, Interaction, LadderStep, Vacancy
from crm.roles import Role
from crm.services import find_duplicate_employers

# Gender and job-quality profile (Flora III.5.C.b).
PROFILE_FIELDS = (
    "sector_gender",
    "share_women_pct",
    "share_women_supervisors_pct",
    "offers_flexitime",
    "childcare_support",
    "harassment_procedure",
    "union_delegation",
    "collective_agreement",
    "accessible_by_public_transport",
    "accessibility_notes",
)


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
        fields = [
            "employer",
            "contact",
            "reference",
            "title",
            "kind",
            "ladder_steps",
            "description",
            "hours_per_week",
            "schedule",
            "contract_type",
            "places",
            "starts_on",
            "ends_on",
            "language_level",
        ]

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
    """Move one employer to another stage from the board."""

    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


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
                _("The file is larger than %(size)s MB; split it or use manage.py import.")
                % {"size": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload
