"""The info pack API: list and read packs; generate, rebuild, preview, download and send them.

Every workflow action validates its input and calls one service in outreach.pack_services; a
ValidationError from a service becomes HTTP 400 (common.api.exception_handler) and changes nothing.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from outreach.api.permissions import WorksWithPacks
from outreach.api.serializers import (
    GenerateInputSerializer,
    InfoPackDeliverySerializer,
    InfoPackSerializer,
    PreviewInputSerializer,
    SendInputSerializer,
)
from outreach.packs import services as pack_services
from outreach.packs.models import InfoPack, InfoPackStatus, can_send_general_packs

# The preview is our own HTML with our CSS; nothing else may load or run in it.
PREVIEW_CSP = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'"


class InfoPackFilter(django_filters.FilterSet):
    """Filter packs by employer, placement, kind, language, status and version."""

    class Meta:
        model = InfoPack
        fields = ["employer", "placement", "kind", "language", "status", "version"]


def html_preview_response(html: str) -> HttpResponse:
    """A staff preview page: not indexed, not framed elsewhere, no scripts."""
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = PREVIEW_CSP
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response


def pdf_response(pack: InfoPack) -> FileResponse:
    """The pack's PDF as a download; a 404 for a version withheld since the client withdrew her consent to share
    (Flora §8), so no caller can serve one."""
    reason = pack_services.withheld_reason(pack)
    if reason:
        raise Http404(reason)
    response = FileResponse(pack.pdf.open("rb"), as_attachment=True, filename=pack.filename)
    response["Content-Type"] = "application/pdf"
    response["Cache-Control"] = "private, no-store"
    return response


def _check_general_pack_rights(request: Request) -> None:
    """An employer's general pack is made and mailed by relationship managers and administrators only."""
    if not can_send_general_packs(request.user):
        raise PermissionDenied(_("Only relationship managers make and send an employer's general pack."))


class InfoPackViewSet(viewsets.ReadOnlyModelViewSet[InfoPack]):
    """Info packs of the employers and placements the user may see (coaches: their own clients' placements)."""

    serializer_class = InfoPackSerializer
    permission_classes = [WorksWithPacks]
    filterset_class = InfoPackFilter
    search_fields = ["employer__name"]
    ordering_fields = ["created_at", "version"]

    def get_queryset(self) -> QuerySet[InfoPack]:
        """Only rows the user may see, with the employer joined for the list."""
        return InfoPack.objects.visible_to(self.request.user).select_related("employer")

    def _input(self, serializer_class: type[Any], data: Any) -> dict[str, Any]:
        serializer = serializer_class(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=GenerateInputSerializer, responses={202: InfoPackSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def generate(self, request: Request) -> Response:
        """Make the next version (one row per language) and queue the builds."""
        data = self._input(GenerateInputSerializer, request.data)
        if data.get("placement") is None:
            _check_general_pack_rights(request)
        packs = pack_services.generate_info_pack(
            actor=request.user,
            employer=data["employer"],
            placement=data.get("placement"),
            languages=data.get("languages"),
        )
        rows = self.get_queryset().filter(pk__in=[pack.pk for pack in packs]).order_by("language")
        return Response(self.get_serializer(rows, many=True).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: InfoPackSerializer})
    @action(detail=True, methods=["post"])
    def rebuild(self, request: Request, pk: str | None = None) -> Response:
        """Queue a failed pack's build again."""
        pack = pack_services.retry_info_pack(pack=self.get_object(), actor=request.user)
        return Response(self.get_serializer(pack).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            409: OpenApiResponse(description="Not built yet, or withheld since the client withdrew her consent."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        """The PDF of a built pack."""
        pack = self.get_object()
        if pack.status != InfoPackStatus.READY:
            return Response({"detail": pack.get_status_display()}, status=status.HTTP_409_CONFLICT)
        reason = pack_services.withheld_reason(pack)
        if reason:
            return Response({"detail": reason}, status=status.HTTP_409_CONFLICT)
        return pdf_response(pack)

    @extend_schema(responses={(200, "text/html"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def preview(self, request: Request, pk: str | None = None) -> HttpResponse:
        """This pack's scope and language rendered as HTML with today's data."""
        pack = self.get_object()
        html = pack_services.preview_info_pack(
            actor=request.user,
            employer=pack.employer,
            placement=pack.placement,
            language=pack.language,
            asset_base=settings.STATIC_URL,
        )
        return html_preview_response(html)

    @extend_schema(
        operation_id="v1_outreach_info_packs_draft_preview",
        parameters=[PreviewInputSerializer],
        responses={(200, "text/html"): OpenApiTypes.STR},
    )
    @action(detail=False, methods=["get"], url_path="preview", url_name="draft-preview")
    def draft_preview(self, request: Request) -> HttpResponse:
        """Any employer's or visible placement's pack in a language, as HTML, before generating it."""
        data = self._input(PreviewInputSerializer, request.query_params)
        html = pack_services.preview_info_pack(
            actor=request.user,
            employer=data["employer"],
            placement=data.get("placement"),
            language=data["language"],
            asset_base=settings.STATIC_URL,
        )
        return html_preview_response(html)

    @extend_schema(request=SendInputSerializer, responses={202: InfoPackDeliverySerializer(many=True)})
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str | None = None) -> Response:
        """Mail this version to the chosen contacts, each in her language; every send is logged on the employer."""
        data = self._input(SendInputSerializer, request.data)
        pack = self.get_object()
        if pack.placement_id is None:
            _check_general_pack_rights(request)
        deliveries = pack_services.send_info_pack(pack=pack, contacts=data["contacts"], actor=request.user)
        return Response(InfoPackDeliverySerializer(deliveries, many=True).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: InfoPackDeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """Who this pack row was mailed to, and how it went."""
        rows = self.get_object().deliveries.order_by("-created_at", "-pk")
        return Response(InfoPackDeliverySerializer(rows, many=True).data)
