"""Serializers of the survey API: the invitation row, the inputs of its actions, and the results query."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.models import Contact, Employer
from outreach.surveys.models import SurveyInvitation, SurveyKind
from placements.models import Placement


class SurveyInvitationSerializer(serializers.ModelSerializer[SurveyInvitation]):
    """One invitation: to whom, which survey, and where it stands; never the link."""

    template_name = serializers.CharField(source="template.name", read_only=True)
    kind = serializers.CharField(source="template.kind", read_only=True)
    status = serializers.SerializerMethodField()
    mail_status = serializers.CharField(read_only=True, help_text="The status of the newest mail of the link.")
    last_error = serializers.CharField(read_only=True, help_text="The newest mail error of the link.")

    class Meta:
        model = SurveyInvitation
        fields = [
            "id",
            "template",
            "template_name",
            "kind",
            "placement",
            "employer",
            "contact",
            "email",
            "language",
            "status",
            "mail_status",
            "last_error",
            "created_at",
            "sent_at",
            "expires_at",
            "reminders_sent",
            "last_reminded_at",
            "cancelled_at",
            "submitted_at",
        ]
        read_only_fields = fields

    def get_status(self, invitation: SurveyInvitation) -> str:
        """Submitted, cancelled, expired, sent or pending, now."""
        return invitation.status(now=timezone.now())


def _visible_placements(context: Mapping[str, Any]) -> Any:
    user = getattr(context.get("request"), "user", None)
    return Placement.objects.visible_to(user).select_related("employer", "mentor")


class InviteInputSerializer(serializers.Serializer[Any]):
    """Invite a placement's mentor (or another contact at its employer) to one of the placement surveys."""

    placement = serializers.PrimaryKeyRelatedField(queryset=Placement.objects.none())
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    kind = serializers.ChoiceField(
        choices=[SurveyKind.EMPLOYER_END, SurveyKind.MID_PLACEMENT], default=SurveyKind.EMPLOYER_END
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["placement"] = serializers.PrimaryKeyRelatedField(queryset=_visible_placements(self.context))


class InviteDeclinedInputSerializer(serializers.Serializer[Any]):
    """Ask an employer who declined our offer the short survey; the contact defaults to an active one with email."""

    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.all())
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)


class ResultsQuerySerializer(serializers.Serializer[Any]):
    """Which answers to summarise, and whether to download them."""

    placement = serializers.PrimaryKeyRelatedField(queryset=Placement.objects.none(), required=False)
    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.all(), required=False)
    kind = serializers.ChoiceField(choices=SurveyKind.choices, required=False)
    start = serializers.DateField(required=False, help_text=_("First day of the period (submitted on or after)."))
    end = serializers.DateField(required=False, help_text=_("Last day of the period (submitted on or before)."))
    language = serializers.ChoiceField(choices=["en", "nl", "sv"], default="en")
    export = serializers.ChoiceField(choices=["csv", "xlsx"], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["placement"] = serializers.PrimaryKeyRelatedField(
            queryset=_visible_placements(self.context), required=False
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """A period runs forwards."""
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("The period ends before it starts.")})
        return attrs
