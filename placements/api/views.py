"""Viewsets of the placements API: coaches see only their own clients, placements, agreements and steps.

Every queryset starts from `visible_to(request.user)`, so another coach's object answers 404 on
every endpoint, reads and actions alike. Workflow actions validate their input and call one
service through `run_service` (common.api), which turns a refusal into HTTP 400.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, ProtectedError, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import WorkflowViewSet
from placements import services
from placements.api import filters
from placements.api.serializers import (
    AddStepInputSerializer,
    AgreementSerializer,
    CancelPlacementInputSerializer,
    ClientSerializer,
    CloseClientInputSerializer,
    CompleteStepInputSerializer,
    ConsentInputSerializer,
    EndPlacementInputSerializer,
    LadderMoveInputSerializer,
    MoveStepInputSerializer,
    PlacementSerializer,
    PlanSerializer,
    ReassignCoachInputSerializer,
    ReschedulePlacementInputSerializer,
    SkipStepInputSerializer,
    StepSerializer,
    WithdrawConsentInputSerializer,
)
from placements.choices import ConsentPurpose, PlacementStatus
from placements.models import (
    AftercarePlan,
    AftercareStep,
    Client,
    CoachingAgreement,
    ConsentRecord,
    LadderPosition,
    Placement,
)

_BAD_INPUT = OpenApiResponse(description="Invalid input or refused by a business rule; field errors, nothing changed.")


def _clients(base: QuerySet[Client]) -> QuerySet[Client]:
    """Clients with their current ladder step, consents and ladder history, in three queries for any page."""
    current = LadderPosition.objects.filter(client=OuterRef("pk"), left_on__isnull=True).values("step__position")
    positions = Prefetch("ladder_positions", queryset=LadderPosition.objects.select_related("step"))
    return base.annotate(current_step=Subquery(current[:1])).prefetch_related("consents", positions)


class ClientViewSet(WorkflowViewSet[Client]):
    """Clients; the coach changes through reassign-coach, consents and ladder moves through their actions."""

    serializer_class = ClientSerializer
    filterset_class = filters.ClientFilter
    search_fields = ["reference"]
    ordering_fields = ["reference", "created_at", "id"]
    ordering = ["reference", "id"]

    def get_queryset(self) -> QuerySet[Client]:
        """The requesting user's clients."""
        return _clients(Client.objects.visible_to(self.request.user))

    def perform_destroy(self, instance: Client) -> None:
        """A client with placements keeps her file; close it instead."""
        try:
            instance.delete()
        except ProtectedError as exc:
            raise serializers.ValidationError(
                {"detail": [_("This client has placements; close her file instead of deleting it.")]}
            ) from exc

    @extend_schema(request=ReassignCoachInputSerializer, responses={200: ClientSerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], url_path="reassign-coach", permission_action="change")
    def reassign_coach(self, request: Request, pk: str | None = None) -> Response:
        """Give the client a new coach; her open placements and open steps follow, done steps keep their history."""
        client = self.get_object()
        data = self.action_input(ReassignCoachInputSerializer)
        self.run_service(
            services.reassign_coach, client=client, new_coach=data["coach"], rename_errors={"new_coach": "coach"}
        )
        # The previous coach may no longer see the client; she still gets the result of her own change.
        instance = _clients(Client.objects.all()).get(pk=client.pk)
        return Response(self.get_serializer(instance).data)

    @extend_schema(request=ConsentInputSerializer, responses={200: ClientSerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], permission_action="change")
    def consent(self, request: Request, pk: str | None = None) -> Response:
        """Record a consent the client gave for one purpose."""
        client = self.get_object()
        data = self.action_input(ConsentInputSerializer)
        self.run_service(services.record_consent, client=client, **data)
        return self.object_response(client.pk)

    @extend_schema(request=WithdrawConsentInputSerializer, responses={200: ClientSerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], url_path="withdraw-consent", permission_action="change")
    def withdraw_consent(self, request: Request, pk: str | None = None) -> Response:
        """Record that the client withdrew a consent; what depended on it is no longer shared from that day."""
        client = self.get_object()
        data = self.action_input(WithdrawConsentInputSerializer)
        self.run_service(services.withdraw_consent, client=client, **data)
        return self.object_response(client.pk)

    @extend_schema(request=CloseClientInputSerializer, responses={200: ClientSerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], permission_action="change")
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the client's file with the reason and destination; refused while a placement runs."""
        client = self.get_object()
        data = self.action_input(CloseClientInputSerializer)
        self.run_service(services.close_client, client=client, **data, rename_errors={"closing_reason": "reason"})
        return self.object_response(client.pk)

    @extend_schema(request=LadderMoveInputSerializer, responses={200: ClientSerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], url_path="move-on-ladder", permission_action="change")
    def move_on_ladder(self, request: Request, pk: str | None = None) -> Response:
        """Close the client's current ladder position and open one at the given step."""
        client = self.get_object()
        data = self.action_input(LadderMoveInputSerializer)
        self.run_service(services.move_client_to_step, client=client, **data)
        return self.object_response(client.pk)


class PlacementViewSet(WorkflowViewSet[Placement]):
    """Placements; activate, reschedule, end and cancel through their actions so the schedule follows."""

    serializer_class = PlacementSerializer
    filterset_class = filters.PlacementFilter
    search_fields = ["job_title", "client__reference", "employer__name"]
    ordering_fields = ["start_on", "created_at", "id"]
    ordering = ["-start_on", "-id"]

    def get_queryset(self) -> QuerySet[Placement]:
        """Reading: the placements she may see, with whether she reads their client (`client_shown`).

        Changing: only her casework; a relationship manager's restricted view of a placement at her employer
        is a 404 for every write and action, like another coach's placement.
        """
        user = self.request.user
        if self.request.method in SAFE_METHODS:
            placements = Placement.objects.visible_to(user)
        else:
            placements = Placement.objects.in_casework_of(user)
        return placements.with_client_access(user).select_related("client")

    def perform_destroy(self, instance: Placement) -> None:
        """Only a planned placement can be deleted; one with a schedule is cancelled or ended instead."""
        if instance.status != PlacementStatus.PLANNED:
            raise serializers.ValidationError(
                {"status": [_("Only a planned placement can be deleted; cancel or end this one instead.")]}
            )
        instance.delete()

    @extend_schema(request=None, responses={200: PlacementSerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], permission_action="change")
    def activate(self, request: Request, pk: str | None = None) -> Response:
        """Start the aftercare schedule; activating again changes nothing."""
        placement = self.get_object()
        self.run_service(services.activate_placement, placement=placement)
        return self.object_response(placement.pk)

    @extend_schema(request=ReschedulePlacementInputSerializer, responses={200: PlacementSerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], permission_action="change")
    def reschedule(self, request: Request, pk: str | None = None) -> Response:
        """Move the start or planned end; pending steps nobody moved by hand move with it."""
        placement = self.get_object()
        data = self.action_input(ReschedulePlacementInputSerializer)
        clear = "planned_end_on" in data and data["planned_end_on"] is None
        self.run_service(
            services.reschedule_placement,
            placement=placement,
            start_on=data.get("start_on"),
            planned_end_on=data.get("planned_end_on"),
            clear_planned_end=clear,
        )
        return self.object_response(placement.pk)

    @extend_schema(request=EndPlacementInputSerializer, responses={200: PlacementSerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], permission_action="change")
    def end(self, request: Request, pk: str | None = None) -> Response:
        """Record the end, completed or early (who ended it and why); later steps are cancelled."""
        placement = self.get_object()
        data = self.action_input(EndPlacementInputSerializer)
        self.run_service(services.end_placement, placement=placement, **data)
        return self.object_response(placement.pk)

    @extend_schema(request=CancelPlacementInputSerializer, responses={200: PlacementSerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], permission_action="change")
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Call off a placement that has not started; its open steps are cancelled."""
        placement = self.get_object()
        data = self.action_input(CancelPlacementInputSerializer)
        self.run_service(services.cancel_placement, placement=placement, reason=data["reason"])
        return self.object_response(placement.pk)


@extend_schema_view(
    create=extend_schema(responses={201: AgreementSerializer, 400: _BAD_INPUT}),
    update=extend_schema(responses={200: AgreementSerializer, 400: _BAD_INPUT}),
    partial_update=extend_schema(responses={200: AgreementSerializer, 400: _BAD_INPUT}),
    destroy=extend_schema(responses={405: OpenApiResponse(description="Versions are never deleted.")}),
)
class AgreementViewSet(WorkflowViewSet[CoachingAgreement]):
    """Versions of the coaching agreements of the requesting user's clients (Flora III.4).

    A version never changes. POST writes the client's first version, or her next one when she has an
    agreement; PUT or PATCH on the version in force writes the next version (terms left out carry over)
    and answers with it, so its id is new. Every version after the first needs a `change_note`, and one
    identical to the version in force is refused. A version is the file's history and is never deleted:
    DELETE answers 405 (after the usual 404 for a client the user may not see).
    """

    serializer_class = AgreementSerializer
    filterset_class = filters.AgreementFilter
    ordering_fields = ["agreed_on", "version", "id"]
    ordering = ["-agreed_on", "-version", "-id"]

    def get_queryset(self) -> QuerySet[CoachingAgreement]:
        """Versions of visible clients' agreements, with whether sharing is consented today in the same query."""
        consent = ConsentRecord.objects.filter(
            client=OuterRef("client"), purpose=ConsentPurpose.SHARE_WITH_EMPLOYER
        ).in_force(on=timezone.localdate())
        return CoachingAgreement.objects.visible_to(self.request.user).annotate(share_consent_in_force=Exists(consent))

    def _revise(self, client: Client, terms: dict[str, Any]) -> CoachingAgreement:
        """Hand the validated terms to the service, which writes the next version."""
        change_note = terms.pop("change_note", "")
        terms.pop("client", None)
        return self.run_service(services.revise_agreement, client=client, fields=terms, change_note=change_note)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Write the client's first version, or her next one."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        terms = dict(serializer.validated_data)
        version = self._revise(terms["client"], terms)
        return self.object_response(version.pk, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Revise the version in force: the answer is the new version; a superseded one cannot be revised."""
        instance = self.get_object()
        if not instance.is_current:
            raise serializers.ValidationError(
                {"detail": [_("This version has been replaced; revise the version in force.")]}
            )
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        version = self._revise(instance.client, dict(serializer.validated_data))
        return self.object_response(version.pk)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Refused: versions are the history of the agreement."""
        self.get_object()
        raise exceptions.MethodNotAllowed(
            request.method or "DELETE", detail=_("Agreement versions are kept; revise the agreement instead.")
        )


class PlanViewSet(viewsets.ReadOnlyModelViewSet[AftercarePlan]):
    """Aftercare plans with their steps; they are edited, and versioned once used, in the admin."""

    queryset = AftercarePlan.objects.prefetch_related("templates")
    serializer_class = PlanSerializer
    filterset_class = filters.PlanFilter
    search_fields = ["name"]
    ordering_fields = ["name", "version", "id"]
    ordering = ["name", "-version", "id"]


@extend_schema_view(
    create=extend_schema(request=AddStepInputSerializer, responses={201: StepSerializer, 400: _BAD_INPUT})
)
class StepViewSet(WorkflowViewSet[AftercareStep]):
    """Aftercare steps of the requesting user's placements; add, complete, skip and move go through services.

    Steps are never edited or deleted directly, so the state rules hold: PUT, PATCH and DELETE answer 405.
    """

    serializer_class = StepSerializer
    filterset_class = filters.StepFilter
    search_fields = ["title", "placement__client__reference"]
    ordering_fields = ["due_on", "id"]
    ordering = ["due_on", "id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[AftercareStep]:
        """Steps of visible placements; the client comes from the placement joined in the same query."""
        return AftercareStep.objects.visible_to(self.request.user).select_related("placement")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Add a follow-up the plan did not foresee, with the reason."""
        data = self.action_input(AddStepInputSerializer)
        step = self.run_service(services.add_step, **data)
        return self.object_response(step.pk, status=status.HTTP_201_CREATED)

    @extend_schema(request=CompleteStepInputSerializer, responses={200: StepSerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], permission_action="change")
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Record the step as done with its outcome; a done step cannot be completed again."""
        step = self.get_object()
        data = self.action_input(CompleteStepInputSerializer)
        self.run_service(services.complete_step, step=step, **data)
        return self.object_response(step.pk)

    @extend_schema(request=SkipStepInputSerializer, responses={200: StepSerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], permission_action="change")
    def skip(self, request: Request, pk: str | None = None) -> Response:
        """Skip an open step, with the reason."""
        step = self.get_object()
        data = self.action_input(SkipStepInputSerializer)
        self.run_service(services.skip_step, step=step, **data)
        return self.object_response(step.pk)

    @extend_schema(request=MoveStepInputSerializer, responses={200: StepSerializer, 400: _BAD_INPUT})
    @action(detail=True, methods=["post"], permission_action="change")
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Give an open step a new date; later changes to the placement's dates leave it there."""
        step = self.get_object()
        data = self.action_input(MoveStepInputSerializer)
        self.run_service(services.move_step, step=step, **data)
        return self.object_response(step.pk)
