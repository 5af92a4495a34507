"""Serializers of the employer-network API; they validate and shape data, services do the work."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from common.api import CleanModelSerializer
from crm.choices import Stage
from crm.models import Contact, Employer, EmployerStageChange, Interaction, LadderStep, Vacancy


class LadderStepSerializer(serializers.ModelSerializer[LadderStep]):
    """A ladder step with what the network offers at it (igma ch. 5)."""

    localised_name = serializers.CharField(
        source="label", read_only=True, help_text=_("The name in the request's language.")
    )
    open_vacancies = serializers.IntegerField(read_only=True, help_text=_("Open vacancies that serve this step."))
    open_places = serializers.IntegerField(read_only=True, help_text=_("The places of those open vacancies."))
    offering_employers = serializers.IntegerField(
        read_only=True, help_text=_("Employers with an open vacancy at this step.")
    )

    class Meta:
        model = LadderStep
        fields = [
            "id",
            "position",
            "localised_name",
            "name",
            "name_nl",
            "name_sv",
            "description",
            "is_active",
            "offers_places",
            "open_vacancies",
            "open_places",
            "offering_employers",
        ]
        read_only_fields = ["offers_places"]


class EmployerSerializer(CleanModelSerializer[Employer]):
    """An employer with its profile, vetting checklist and list figures; the stage moves through change-stage."""

    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), allow_null=True, required=False
    )
    vetting_score = serializers.IntegerField(read_only=True)
    open_vacancy_count = serializers.IntegerField(read_only=True)
    last_interaction_at = serializers.DateTimeField(
        source="last_contact_at", read_only=True, allow_null=True, help_text=_("When the latest interaction happened.")
    )

    class Meta:
        model = Employer
        fields = [
            "id",
            "name",
            "registration_number",
            "sector",
            "size_band",
            "ownership",
            "street",
            "postcode",
            "city",
            "country",
            "website",
            "phone",
            "email",
            "notes",
            "stage",
            "stage_changed_at",
            "source",
            "owner",
            *(
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
            ),
            *Employer.VETTING_FIELDS,
            "vetting_score",
            "vetted_at",
            "do_not_engage",
            "do_not_engage_reason",
            "open_vacancy_count",
            "last_interaction_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["stage", "stage_changed_at", "created_at", "updated_at"]
        # The model's own validation reports a taken registration number; on create the
        # registration service reports it as a duplicate together with its look-alikes.
        extra_kwargs: dict[str, dict[str, Any]] = {"registration_number": {"validators": []}}


class EmployerRegistrationSerializer(EmployerSerializer):
    """Input for registering an employer; `register_employer` checks duplicates and cleans the row itself."""

    run_model_clean = False


class DuplicateEmployerSerializer(serializers.Serializer[Any]):
    """One employer a new registration may duplicate."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    registration_number = serializers.CharField(read_only=True)
    postcode = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    stage = serializers.ChoiceField(choices=Stage.choices, read_only=True)


class DuplicateEmployerResponseSerializer(serializers.Serializer[object]):
    """The 409 answer to a registration that looks like an employer we already have."""

    detail = serializers.CharField()
    code = serializers.CharField()
    matches = DuplicateEmployerSerializer(many=True)


class StageChangeInputSerializer(serializers.Serializer[object]):
    """Input of POST employers/{id}/change-stage/."""

    stage = serializers.ChoiceField(choices=Stage.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=1000, help_text=_("Why the employer declined.")
    )
    retry_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("When to try again after a decline.")
    )


class EmployerStageChangeSerializer(serializers.ModelSerializer[EmployerStageChange]):
    """One move of an employer along the pipeline (read-only history)."""

    # Blank for an employer's first stage, and the schema says so (a read-only field loses allow_blank).
    from_stage = serializers.ChoiceField(choices=Stage.choices, allow_blank=True, read_only=True, label=_("From"))

    class Meta:
        model = EmployerStageChange
        fields = ["id", "employer", "from_stage", "to_stage", "changed_at", "changed_by", "note"]
        read_only_fields = fields


class ContactSerializer(CleanModelSerializer[Contact]):
    """A person at an employer."""

    employer_name = serializers.CharField(source="employer.name", read_only=True)
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "employer",
            "employer_name",
            "first_name",
            "last_name",
            "full_name",
            "role",
            "job_title",
            "email",
            "phone",
            "preferred_language",
            "is_active",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class InteractionSerializer(CleanModelSerializer[Interaction]):
    """A contact with an employer and the next step it leads to; created through `log_interaction`."""

    employer_name = serializers.CharField(source="employer.name", read_only=True)
    complete_open_steps = serializers.BooleanField(
        write_only=True,
        default=True,
        help_text=_("On create: mark the employer's open next steps done, as this contact answers them."),
    )

    class Meta:
        model = Interaction
        fields = [
            "id",
            "employer",
            "employer_name",
            "contact",
            "kind",
            "occurred_at",
            "minutes",
            "initiated_by",
            "summary",
            "outcome",
            "next_step",
            "next_step_due",
            "next_step_done_at",
            "author",
            "created_at",
            "complete_open_steps",
        ]
        read_only_fields = ["next_step_done_at", "author", "created_at"]


class VacancySerializer(CleanModelSerializer[Vacancy]):
    """An offer on the ladder; its status moves through the open and close actions."""

    employer_name = serializers.CharField(source="employer.name", read_only=True)
    ladder_steps = serializers.SlugRelatedField(
        slug_field="position",
        queryset=LadderStep.objects.all(),
        many=True,
        required=False,
        help_text=_("Positions of the ladder steps this offer serves."),
    )

    class Meta:
        model = Vacancy
        fields = [
            "id",
            "employer",
            "employer_name",
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
            "status",
            "opened_at",
            "closed_at",
            "close_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "opened_at", "closed_at", "close_reason", "created_at", "updated_at"]


class VacancyCloseInputSerializer(serializers.Serializer[object]):
    """Input of POST vacancies/{id}/close/."""

    filled = serializers.BooleanField(help_text=_("True when the vacancy was filled."))
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Required when the vacancy was not filled.")
    )
