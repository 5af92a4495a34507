"""Serializers of the placements API; they validate and shape data, placements.services does the work."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api import CleanModelSerializer
from crm.models import LadderStep
from crm.roles import sees_every_client
from placements.choices import ClosingReason, ConsentPurpose, Destination, EndCause, EndedBy, StepKind, Track
from placements.models import (
    AftercarePlan,
    AftercareStep,
    AftercareStepTemplate,
    Client,
    CoachingAgreement,
    ConsentRecord,
    LadderPosition,
    Placement,
)
from placements.services.agreements import TERMS


def _request_user(serializer: serializers.Field[Any, Any, Any, Any] | serializers.BaseSerializer[Any]) -> Any:
    """The user of the request the serializer runs in (anonymous outside a request)."""
    request = serializer.context.get("request")
    return getattr(request, "user", None)


@extend_schema_field(OpenApiTypes.INT)
class VisibleClientField(serializers.PrimaryKeyRelatedField[Client]):
    """A client the requesting user may see; any other id reads as "does not exist", so nothing leaks."""

    def get_queryset(self) -> QuerySet[Client]:
        """Clients visible to the request's user."""
        return Client.objects.visible_to(_request_user(self))


@extend_schema_field(OpenApiTypes.INT)
class VisiblePlacementField(serializers.PrimaryKeyRelatedField[Placement]):
    """A placement the requesting user follows as casework (the only ones she may add work to)."""

    def get_queryset(self) -> QuerySet[Placement]:
        """Placements in the request's user's casework."""
        return Placement.objects.in_casework_of(_request_user(self))


def _active_users() -> QuerySet[Any]:
    """Users who can be given work."""
    return get_user_model().objects.filter(is_active=True)


# --- Clients ----------------------------------------------------------------------------------


class ConsentSerializer(serializers.ModelSerializer[ConsentRecord]):
    """One consent of the client, with given and withdrawn dates."""

    class Meta:
        model = ConsentRecord
        fields = ["id", "purpose", "given_on", "withdrawn_on", "note", "recorded_by"]
        read_only_fields = fields


class LadderPositionSerializer(serializers.ModelSerializer[LadderPosition]):
    """One stay on a ladder step."""

    position = serializers.IntegerField(source="step.position", read_only=True)

    class Meta:
        model = LadderPosition
        fields = ["id", "position", "entered_on", "left_on", "note"]
        read_only_fields = fields


class ClientSerializer(CleanModelSerializer[Client]):
    """A client by pseudonymous reference; the coach changes through reassign-coach so her steps follow."""

    coach = serializers.PrimaryKeyRelatedField(
        queryset=_active_users(), required=False, help_text=_("Defaults to the user creating the client.")
    )
    case_manager = serializers.PrimaryKeyRelatedField(queryset=_active_users(), required=False, allow_null=True)
    current_step = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Position of the client's current ladder step.")
    )
    consents = ConsentSerializer(many=True, read_only=True)
    ladder_positions = LadderPositionSerializer(many=True, read_only=True)

    class Meta:
        model = Client
        fields = [
            "id",
            "reference",
            "first_name",
            "email",
            "phone",
            "gender",
            "gender_description",
            "preferred_language",
            "hours_wanted",
            "coach",
            "case_manager",
            "status",
            "closing_reason",
            "destination",
            "closed_on",
            "current_step",
            "consents",
            "ladder_positions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        """The coach is set on creation only; afterwards reassign-coach moves her steps with her."""
        fields = super().get_fields()
        if self.instance is not None:
            fields["coach"].read_only = True
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """A new client gets the requesting user as coach unless another is named, and must stay visible to her."""
        user = _request_user(self)
        if self.instance is None:
            attrs.setdefault("coach", user)
            mine = attrs["coach"] == user or attrs.get("case_manager") == user
            if not mine and not sees_every_client(user):
                raise serializers.ValidationError(
                    {"coach": [_("You can only add clients you coach or manage yourself.")]}
                )
        return super().validate(attrs)


class ReassignCoachInputSerializer(serializers.Serializer[object]):
    """Input of POST clients/{id}/reassign-coach/."""

    coach = serializers.PrimaryKeyRelatedField(queryset=_active_users(), help_text=_("The new coach."))


class CloseClientInputSerializer(serializers.Serializer[object]):
    """Input of POST clients/{id}/close/."""

    reason = serializers.ChoiceField(choices=ClosingReason.choices)
    destination = serializers.ChoiceField(choices=Destination.choices, required=False, default="")
    closed_on = serializers.DateField(default=timezone.localdate)


class ConsentInputSerializer(serializers.Serializer[object]):
    """Input of POST clients/{id}/consent/."""

    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    given_on = serializers.DateField(default=timezone.localdate)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class WithdrawConsentInputSerializer(serializers.Serializer[object]):
    """Input of POST clients/{id}/withdraw-consent/."""

    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    withdrawn_on = serializers.DateField(default=timezone.localdate)


class LadderMoveInputSerializer(serializers.Serializer[object]):
    """Input of POST clients/{id}/move-on-ladder/."""

    step = serializers.SlugRelatedField(
        slug_field="position", queryset=LadderStep.objects.all(), help_text=_("Position of the ladder step.")
    )
    on = serializers.DateField(default=timezone.localdate)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


# --- Placements -------------------------------------------------------------------------------

_LOCKED_AFTER_CREATE = ("client", "start_on", "planned_end_on", "plan", "coach")


class PlacementSerializer(CleanModelSerializer[Placement]):
    """An employment episode; its status and dates move through the activate, reschedule, end and cancel actions."""

    client = VisibleClientField()
    coach = serializers.PrimaryKeyRelatedField(
        queryset=_active_users(), required=False, help_text=_("Defaults to the client's coach.")
    )
    plan = serializers.PrimaryKeyRelatedField(
        queryset=AftercarePlan.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=_("Empty: the default plan, fixed when the placement is activated."),
    )
    client_reference = serializers.CharField(
        source="client.reference", read_only=True, help_text=_("The client's pseudonymous reference.")
    )
    end_reason = serializers.CharField(
        read_only=True,
        help_text=_("Why it ended, in words; empty for a reader who does not follow the client (Flora III.1.B)."),
    )
    retained_3_months = serializers.SerializerMethodField()
    retained_6_months = serializers.SerializerMethodField()

    class Meta:
        model = Placement
        fields = [
            "id",
            "client",
            "client_reference",
            "employer",
            "vacancy",
            "kind",
            "job_title",
            "start_on",
            "planned_end_on",
            "actual_end_on",
            "hours_per_week",
            "schedule",
            "contract_type",
            "employment_measure",
            "mentor",
            "coach",
            "plan",
            "status",
            "end_reason",
            "end_cause",
            "ended_by",
            "end_recorded_by",
            "activated_at",
            "retained_3_months",
            "retained_6_months",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "actual_end_on",
            "status",
            "end_reason",
            "end_cause",
            "ended_by",
            "end_recorded_by",
            "activated_at",
            "created_at",
            "updated_at",
        ]

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        """Client, dates, plan and coach are set on creation; afterwards the workflow actions change them."""
        fields = super().get_fields()
        if self.instance is not None:
            for name in _LOCKED_AFTER_CREATE:
                fields[name].read_only = True
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """A new placement is coached by the client's coach unless another is named."""
        if self.instance is None and "coach" not in attrs:
            attrs["coach"] = attrs["client"].coach
        return super().validate(attrs)

    def to_representation(self, instance: Placement) -> dict[str, Any]:
        """The reason in words is casework: a relationship manager's restricted view leaves it out."""
        data: dict[str, Any] = super().to_representation(instance)
        if not getattr(instance, "client_shown", True):
            data["end_reason"] = ""
        return data

    def get_retained_3_months(self, obj: Placement) -> bool:
        """Lasted three months by today (Flora I.3)."""
        return obj.retained(months=3, as_of=timezone.localdate())

    def get_retained_6_months(self, obj: Placement) -> bool:
        """Lasted six months by today (igma step 23)."""
        return obj.retained(months=6, as_of=timezone.localdate())


class EndPlacementInputSerializer(serializers.Serializer[object]):
    """Input of POST placements/{id}/end/."""

    end_on = serializers.DateField(help_text=_("The last day of the placement."))
    completed = serializers.BooleanField(help_text=_("True when it ran its course; false when it ended early."))
    ended_by = serializers.ChoiceField(choices=EndedBy.choices, required=False, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    cause = serializers.ChoiceField(
        choices=EndCause.choices, required=False, default="", help_text=_("For an early end: its main reason.")
    )


class ReschedulePlacementInputSerializer(serializers.Serializer[object]):
    """Input of POST placements/{id}/reschedule/; send planned_end_on null to remove the planned end."""

    start_on = serializers.DateField(required=False)
    planned_end_on = serializers.DateField(required=False, allow_null=True)


class CancelPlacementInputSerializer(serializers.Serializer[object]):
    """Input of POST placements/{id}/cancel/."""

    reason = serializers.CharField()


# --- Agreements -------------------------------------------------------------------------------


class AgreementSerializer(CleanModelSerializer[CoachingAgreement]):
    """One version of a client's coaching agreement (Flora III.4); `employer_may_see` follows her consent today.

    Writing never changes a version: the viewset hands the terms to `revise_agreement`, which makes the
    next version (the service validates, the consent rule included, so the model is not cleaned here).
    Terms left out of a PATCH carry over from the version in force.
    """

    run_model_clean = False

    client = VisibleClientField()
    employer_may_see = serializers.SerializerMethodField(
        help_text=_("What may be shared with the employer today: empty without the client's consent.")
    )
    change_note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=300,
        help_text=_("What changed and why; required for every version after the first."),
    )
    is_current = serializers.BooleanField(read_only=True, help_text=_("The version in force."))

    class Meta:
        model = CoachingAgreement
        fields = [
            "id",
            "client",
            "version",
            "is_current",
            *TERMS,
            "employer_may_see",
            "agreed_on",
            "change_note",
            "created_by",
            "created_at",
            "superseded_at",
        ]
        read_only_fields = ["version", "created_by", "created_at", "superseded_at"]
        # The service numbers the versions under a lock; DRF's (client, version) check would see version 1 only.
        validators: list[Any] = []

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        """The client is named for the first version; a revision belongs to the client of the version it revises."""
        fields = super().get_fields()
        if self.instance is not None:
            fields["client"].read_only = True
        return fields

    def get_employer_may_see(self, obj: CoachingAgreement) -> str:
        """The shareable text when the queryset found the consent in force today, else nothing."""
        consented = getattr(obj, "share_consent_in_force", None)
        if consented is None:  # not annotated: ask the model
            return obj.shareable_text(on=timezone.localdate())
        return obj.share_with_employer if consented else ""


# --- Plans and steps --------------------------------------------------------------------------


class TemplateSerializer(serializers.ModelSerializer[AftercareStepTemplate]):
    """One step of a plan."""

    class Meta:
        model = AftercareStepTemplate
        fields = [
            "id",
            "order",
            "title",
            "title_nl",
            "title_sv",
            "track",
            "kind",
            "anchor",
            "offset_days",
            "assignee_role",
        ]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer[AftercarePlan]):
    """An aftercare plan with its steps; plans are edited (and versioned) in the admin."""

    templates = TemplateSerializer(many=True, read_only=True)

    class Meta:
        model = AftercarePlan
        fields = [
            "id",
            "name",
            "version",
            "previous",
            "description",
            "counts_working_days",
            "is_default",
            "is_active",
            "templates",
            "created_at",
        ]
        read_only_fields = fields


class StepSerializer(serializers.ModelSerializer[AftercareStep]):
    """One follow-up; it changes through the complete, skip and move actions."""

    client = serializers.IntegerField(source="placement.client_id", read_only=True)

    class Meta:
        model = AftercareStep
        fields = [
            "id",
            "placement",
            "client",
            "template",
            "title",
            "track",
            "kind",
            "due_on",
            "planned_due_on",
            "moved_by_hand",
            "assignee",
            "status",
            "outcome",
            "notes",
            "minutes_spent",
            "reason",
            "completed_at",
            "completed_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AddStepInputSerializer(serializers.Serializer[object]):
    """Input of POST steps/: a follow-up the plan did not foresee."""

    placement = VisiblePlacementField()
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=StepKind.choices, default=StepKind.CALL)
    track = serializers.ChoiceField(choices=Track.choices, default=Track.CLIENT)
    due_on = serializers.DateField()
    reason = serializers.CharField(max_length=300)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=_active_users(), required=False, help_text=_("Defaults to the placement's coach.")
    )


class CompleteStepInputSerializer(serializers.Serializer[object]):
    """Input of POST steps/{id}/complete/."""

    outcome = serializers.CharField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    minutes_spent = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=24 * 60)


class SkipStepInputSerializer(serializers.Serializer[object]):
    """Input of POST steps/{id}/skip/."""

    reason = serializers.CharField(max_length=300)


class MoveStepInputSerializer(serializers.Serializer[object]):
    """Input of POST steps/{id}/move/."""

    due_on = serializers.DateField()
    reason = serializers.CharField(max_length=300)
