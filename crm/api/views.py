"""Viewsets of the employer-network API: a queryset, a serializer and a filterset each; workflows call one service."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import WorkflowViewSet
from common.api_defaults import ModelPermissions
from crm import services
from crm.api import filters
from crm.api.serializers import (
    ContactSerializer,
    DuplicateEmployerResponseSerializer,
    DuplicateEmployerSerializer,
    EmployerRegistrationSerializer,
    EmployerSerializer,
    EmployerStageChangeSerializer,
    InteractionSerializer,
    LadderStepSerializer,
    StageChangeInputSerializer,
    VacancyCloseInputSerializer,
    VacancySerializer,
)
from crm.models import Contact, Employer, EmployerStageChange, Interaction, LadderStep, Vacancy
from crm.roles import may_change_interaction

_BAD_INPUT = OpenApiResponse(description="Invalid input or refused by a business rule; field errors, nothing changed.")


class LadderStepViewSet(viewsets.ReadOnlyModelViewSet[LadderStep]):
    """The progression ladder with, per step, the open vacancies, places and employers that supply it."""

    serializer_class = LadderStepSerializer
    filterset_class = filters.LadderStepFilter
    search_fields = ["name", "name_nl", "name_sv"]
    ordering_fields = ["position"]
    ordering = ["position"]

    def get_queryset(self) -> QuerySet[LadderStep]:
        """With the supply figures of the coverage page, read per request (not while the schema is generated)."""
        if getattr(self, "swagger_fake_view", False):  # with_supply() runs its query when called
            return LadderStep.objects.none()
        return LadderStep.objects.with_supply()


@extend_schema_view(
    create=extend_schema(
        request=EmployerSerializer,
        responses={
            201: EmployerSerializer,
            400: _BAD_INPUT,
            409: OpenApiResponse(
                DuplicateEmployerResponseSerializer,
                description="The employer looks like one we already have; `matches` lists the candidates.",
            ),
        },
    )
)
class EmployerViewSet(WorkflowViewSet[Employer]):
    """Employers. Registering goes through `register_employer`; a likely duplicate is answered with 409 Conflict.

    The stage is read-only here: POST employers/{id}/change-stage/ moves it and keeps the history.
    """

    serializer_class = EmployerSerializer
    filterset_class = filters.EmployerFilter
    search_fields = [
        "name",
        "registration_number",
        "postcode",
        "city",
        "contacts__first_name",
        "contacts__last_name",
        "contacts__email",
    ]
    ordering_fields = ["name", "created_at", "stage_changed_at", "id"]
    ordering = ["name", "id"]

    def get_queryset(self) -> QuerySet[Employer]:
        """Owner joined and open vacancies counted in one query; the last contact is a column of the row."""
        return Employer.objects.select_related("owner").with_open_vacancy_count()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        """Registration leaves duplicate checks to the service."""
        return EmployerRegistrationSerializer if self.action == "create" else EmployerSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Register an employer, or answer 409 with the employers it may duplicate."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            # Called directly so the duplicate can be told apart; other refusals reach the
            # exception handler as 400s like everywhere else.
            employer = services.register_employer(actor=request.user, **serializer.validated_data)
        except services.DuplicateEmployerError as exc:
            return _duplicate_response(exc)
        return self.object_response(employer.pk, status=status.HTTP_201_CREATED)

    @extend_schema(request=StageChangeInputSerializer, responses={200: EmployerSerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], url_path="change-stage", permission_action="change")
    def change_stage(self, request: Request, pk: str | None = None) -> Response:
        """Move the employer to another pipeline stage (a no-op when it is already there)."""
        employer = self.get_object()
        data = self.action_input(StageChangeInputSerializer)
        self.run_service(services.change_employer_stage, employer=employer, **data)
        return self.object_response(employer.pk)


def _duplicate_response(exc: services.DuplicateEmployerError) -> Response:
    """HTTP 409 with the message and the look-alike employers."""
    body = {
        "detail": " ".join(exc.messages),
        "code": "duplicate",
        "matches": DuplicateEmployerSerializer(exc.matches, many=True).data,
    }
    return Response(body, status=status.HTTP_409_CONFLICT)


class EmployerStageChangeViewSet(viewsets.ReadOnlyModelViewSet[EmployerStageChange]):
    """The history of employers' pipeline stages, newest first; filter with ?employer=<id>."""

    queryset = EmployerStageChange.objects.all()
    serializer_class = EmployerStageChangeSerializer
    filterset_class = filters.EmployerStageChangeFilter
    search_fields = ["note", "employer__name"]
    ordering_fields = ["changed_at", "id"]
    ordering = ["-changed_at", "-id"]


class ContactViewSet(WorkflowViewSet[Contact]):
    """People at employers."""

    queryset = Contact.objects.select_related("employer")
    serializer_class = ContactSerializer
    filterset_class = filters.ContactFilter
    search_fields = ["first_name", "last_name", "email", "phone", "job_title", "employer__name"]
    ordering_fields = ["last_name", "first_name", "created_at", "id"]
    ordering = ["last_name", "first_name", "id"]


class AuthorOrAdministrator(permissions.BasePermission):
    """Reading is for every staff role; changing or deleting an interaction is for its author or an administrator.

    Another user's interaction is visible, so changing it answers 403 (not 404): crm.roles.may_change_interaction.
    """

    message = gettext_lazy("Only the author of an interaction or an administrator may change or delete it.")

    def has_object_permission(self, request: Request, view: Any, obj: Interaction) -> bool:
        """Safe methods pass; every other one needs the author or an administrator."""
        return request.method in permissions.SAFE_METHODS or may_change_interaction(request.user, obj)


_REFUSED = OpenApiResponse(description="Not your interaction: only its author or an administrator may change it.")


@extend_schema_view(
    create=extend_schema(responses={201: InteractionSerializer, 400: _BAD_INPUT}),
    update=extend_schema(responses={200: InteractionSerializer, 400: _BAD_INPUT, 403: _REFUSED}),
    partial_update=extend_schema(responses={200: InteractionSerializer, 400: _BAD_INPUT, 403: _REFUSED}),
    destroy=extend_schema(responses={204: None, 403: _REFUSED}),
)
class InteractionViewSet(WorkflowViewSet[Interaction]):
    """Contacts with employers. Logging one goes through `log_interaction`, which settles open next steps
    (unless `complete_open_steps` is false) and moves a prospect to "contacted".

    Every staff role reads them; only the author or an administrator edits, deletes or completes the next step
    of one (403 for anyone else).
    """

    permission_classes = [ModelPermissions, AuthorOrAdministrator]
    queryset = Interaction.objects.select_related("employer")
    serializer_class = InteractionSerializer
    filterset_class = filters.InteractionFilter
    search_fields = ["summary", "next_step", "employer__name"]
    ordering_fields = ["occurred_at", "created_at", "id"]
    ordering = ["-occurred_at", "-id"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Log an interaction through the service."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        interaction = self.run_service(services.log_interaction, **serializer.validated_data)
        return self.object_response(interaction.pk, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        """Edit the row through change_interaction; `complete_open_steps` only means something when logging."""
        serializer.validated_data.pop("complete_open_steps", None)
        self.run_service(services.change_interaction, interaction=serializer.instance, save=serializer.save)

    def perform_destroy(self, instance: Interaction) -> None:
        """Delete through delete_interactions, so the employer's last contact falls back."""
        self.run_service(services.delete_interactions, interactions=Interaction.objects.filter(pk=instance.pk))

    @extend_schema(request=None, responses={200: InteractionSerializer, 400: _BAD_INPUT, 403: _REFUSED})
    @action(detail=True, methods=["post"], url_path="complete-next-step", permission_action="change")
    def complete_next_step(self, request: Request, pk: str | None = None) -> Response:
        """Mark the next step done; 400 when there is none or it is already done."""
        interaction = self.get_object()
        if not self.run_service(services.complete_next_step, interaction=interaction):
            raise serializers.ValidationError({"next_step": [_("This interaction has no open next step.")]})
        return self.object_response(interaction.pk)


class VacancyViewSet(WorkflowViewSet[Vacancy]):
    """Offers on the ladder. New vacancies are drafts; POST open/ and close/ move the status."""

    queryset = Vacancy.objects.select_related("employer").prefetch_related("ladder_steps")
    serializer_class = VacancySerializer
    filterset_class = filters.VacancyFilter
    search_fields = ["title", "reference", "description", "employer__name"]
    ordering_fields = ["created_at", "title", "id"]
    ordering = ["-created_at", "-id"]

    @extend_schema(request=None, responses={200: VacancySerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], permission_action="change")
    def open(self, request: Request, pk: str | None = None) -> Response:
        """Publish a draft (or reopen a closed) vacancy."""
        vacancy = self.get_object()
        self.run_service(services.open_vacancy, vacancy=vacancy)
        return self.object_response(vacancy.pk)

    @extend_schema(request=VacancyCloseInputSerializer, responses={200: VacancySerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], permission_action="change")
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the vacancy as filled, or as not filled with a reason."""
        vacancy = self.get_object()
        data = self.action_input(VacancyCloseInputSerializer)
        self.run_service(
            services.close_vacancy,
            vacancy=vacancy,
            filled=data["filled"],
            reason=data["reason"],
            rename_errors={"close_reason": "reason"},
        )
        return self.object_response(vacancy.pk)
