"""The survey API: invitations (list, invite, resend, cancel) and results (JSON, CSV, XLSX).

Coaches see and act on the invitations of placements they may see (placements.querysets
visible_to); every action validates its input and calls one service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from common import access
from common.api import WorkflowViewSet
from crm.roles import works_with_every_employer
from outreach.api.survey_serializers import (
    InviteDeclinedInputSerializer,
    InviteInputSerializer,
    ResultsQuerySerializer,
    SurveyInvitationSerializer,
)
from outreach.mail.models import MailStatus
from outreach.surveys import results as survey_results
from outreach.surveys import services as survey_services
from outreach.surveys.models import SurveyInvitation


class SurveyInvitationFilter(django_filters.FilterSet):
    """Filter invitations by placement, employer, contact, survey, and the status of a mail of the link."""

    mail_status = django_filters.ChoiceFilter(
        field_name="mails__status", choices=MailStatus.choices, distinct=True, label="Status of a mail of the link"
    )

    class Meta:
        model = SurveyInvitation
        fields = ["placement", "employer", "contact", "template", "mail_status"]


def _day_start(day: dt.date | None, *, after: bool = False) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=int(after)), dt.time()))


class SurveyInvitationViewSet(WorkflowViewSet[SurveyInvitation]):
    """Survey invitations of the placements the user may see; written only through the actions."""

    serializer_class = SurveyInvitationSerializer
    filterset_class = SurveyInvitationFilter
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["created_at", "expires_at"]

    def get_queryset(self) -> QuerySet[SurveyInvitation]:
        """Only rows the user may see, with the survey joined for the list."""
        return (
            SurveyInvitation.objects.visible_to(self.request.user).select_related("template").prefetch_related("mails")
        )

    @extend_schema(exclude=True)  # not an operation of the API: the schema documents `invite` instead
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Invitations are made by the `invite` action, never as a raw row."""
        return Response(status=status.HTTP_405_METHOD_NOT_ALLOWED)

    @extend_schema(request=InviteInputSerializer, responses={201: SurveyInvitationSerializer})
    @action(detail=False, methods=["post"], permission_action="add")
    def invite(self, request: Request) -> Response:
        """Invite the placement's mentor (or the chosen contact); an open invitation of that survey is returned."""
        data = self.action_input(InviteInputSerializer)
        invitation = self.run_service(
            survey_services.invite_for_placement,
            placement=data["placement"],
            contact=data.get("contact"),
            kind=data["kind"],
        )
        return self.object_response(invitation.pk, status=status.HTTP_201_CREATED)

    @extend_schema(request=InviteDeclinedInputSerializer, responses={201: SurveyInvitationSerializer})
    @action(detail=False, methods=["post"], url_path="invite-declined", permission_action="add")
    def invite_declined(self, request: Request) -> Response:
        """Ask an employer who declined our offer the short category C survey (relationship managers)."""
        if not works_with_every_employer(request.user):
            raise PermissionDenied(_("Only relationship managers and administrators ask employers who declined."))
        data = self.action_input(InviteDeclinedInputSerializer)
        invitation = self.run_service(
            survey_services.invite_declined_employer, employer=data["employer"], contact=data.get("contact")
        )
        return self.object_response(invitation.pk, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: SurveyInvitationSerializer})
    @action(detail=True, methods=["post"], permission_action="change")
    def resend(self, request: Request, pk: str | None = None) -> Response:
        """Mail a new link; the old one stops working."""
        invitation = self.run_service(survey_services.resend_invitation, invitation=self.get_object())
        return self.object_response(invitation.pk)

    @extend_schema(request=None, responses={200: SurveyInvitationSerializer})
    @action(detail=True, methods=["post"], permission_action="change")
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw a link that was not answered."""
        invitation = self.run_service(survey_services.cancel_invitation, invitation=self.get_object())
        return self.object_response(invitation.pk)

    @extend_schema(parameters=[ResultsQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"], permission_action="view")
    def results(self, request: Request) -> Response | HttpResponse:
        """Counts, averages, distributions and free texts per question; ?export=csv|xlsx downloads them."""
        serializer = ResultsQuerySerializer(data=request.query_params, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        query = serializer.validated_data
        answers = survey_results.answers_for(
            invitations=self.get_queryset(),
            placement=query.get("placement"),
            employer=query.get("employer"),
            kind=query.get("kind"),
            start=_day_start(query.get("start")),
            end=_day_start(query.get("end"), after=True),
        )
        results = survey_results.summarise(answers, language=query["language"])
        if "export" not in query:
            return Response({"results": results})
        content, content_type = survey_results.export_results(results, file_format=query["export"])
        access.record(request.user, access.EXPORTED, detail=f"survey results as {query['export']}")
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="survey-results.{query["export"]}"'
        return response
