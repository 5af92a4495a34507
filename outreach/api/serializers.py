"""Serializers of the info pack API: the pack row, and the inputs of its workflow actions."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.choices import Language
from crm.models import Contact, Employer
from outreach.packs.models import InfoPack, InfoPackDelivery
from placements.models import Placement


class InfoPackSerializer(serializers.ModelSerializer[InfoPack]):
    """One pack version in one language, with links to preview and download it."""

    employer_name = serializers.CharField(source="employer.name", read_only=True)
    download_url = serializers.SerializerMethodField()
    preview_url = serializers.SerializerMethodField()

    class Meta:
        model = InfoPack
        fields = [
            "id",
            "employer",
            "employer_name",
            "placement",
            "kind",
            "language",
            "version",
            "status",
            "trigger",
            "error",
            "sha256",
            "size",
            "requested_by",
            "created_at",
            "built_at",
            "download_url",
            "preview_url",
        ]
        read_only_fields = fields

    def get_download_url(self, pack: InfoPack) -> str | None:
        """Where the PDF is downloaded, once it is built."""
        return reverse("info-pack-download", args=[pack.pk]) if pack.status == "ready" else None

    def get_preview_url(self, pack: InfoPack) -> str:
        """The HTML preview of this pack's scope and language, with today's data."""
        return reverse("info-pack-preview", args=[pack.pk])


class InfoPackDeliverySerializer(serializers.ModelSerializer[InfoPackDelivery]):
    """One mailed pack: to whom, and how sending went."""

    email = serializers.EmailField(source="recipient_email", read_only=True)

    class Meta:
        model = InfoPackDelivery
        fields = ["id", "pack", "contact", "email", "status", "attempts", "last_error", "created_at", "sent_at"]
        read_only_fields = fields


class _ScopeSerializer(serializers.Serializer[Any]):
    """An employer (general pack) or a placement the user may see (placement pack)."""

    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.all(), required=False, allow_null=True)
    placement = serializers.PrimaryKeyRelatedField(queryset=Placement.objects.none(), required=False, allow_null=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Schema generation builds serializers without a request: then no placement is choosable.
        user = getattr(self.context.get("request"), "user", None)
        visible = Placement.objects.visible_to(user).select_related("employer", "mentor")
        self.fields["placement"] = serializers.PrimaryKeyRelatedField(queryset=visible, required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """One of the two is needed; when both are given they must agree."""
        employer, placement = attrs.get("employer"), attrs.get("placement")
        if employer is None and placement is None:
            raise serializers.ValidationError({"employer": _("Choose an employer or a placement.")})
        if employer is not None and placement is not None and placement.employer_id != employer.pk:
            raise serializers.ValidationError({"placement": _("This placement is with another employer.")})
        attrs["employer"] = placement.employer if placement is not None else employer
        return attrs


class GenerateInputSerializer(_ScopeSerializer):
    """Generate the next version; languages default to those of the employer's contacts."""

    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices), required=False, allow_empty=False, max_length=3
    )


class PreviewInputSerializer(_ScopeSerializer):
    """Preview a pack in one language with today's data."""

    language = serializers.ChoiceField(choices=Language.choices)


class SendInputSerializer(serializers.Serializer[Any]):
    """The contacts to mail the pack to."""

    contacts = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), many=True, allow_empty=False, help_text=_("Contact ids at the pack's employer.")
    )
