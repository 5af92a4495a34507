"""Forms of the employer network; the admin uses them so its edits follow the same rules as the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.choices import Stage, VacancyStatus
from crm.models import Employer, Vacancy
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
