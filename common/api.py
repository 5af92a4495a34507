"""Building blocks every app's API shares: model-validating serializers, workflow actions, the error handler.

The permission and pagination classes REST_FRAMEWORK names are in common/api_defaults.py: DRF
imports them while its own views module loads, so they cannot live beside a ModelViewSet subclass.

The pattern (STYLE.md "Where logic goes" 4): a CRUD viewset is a queryset, a serializer and a
filterset; a workflow endpoint validates its input with a small serializer, calls one service
through `run_service`, and answers with the object read back through the viewset's queryset.
A model `ValidationError` from a service becomes HTTP 400 with field errors and, because services
are atomic, changes nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from rest_framework import exceptions, generics, serializers, viewsets
from rest_framework import views as drf_views
from rest_framework.response import Response
from rest_framework.settings import api_settings

_M = TypeVar("_M", bound=models.Model)
_T = TypeVar("_T")


def validation_error_detail(
    exc: DjangoValidationError, *, rename: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """A Django ValidationError as DRF's `{field: [messages]}`, non-field errors under DRF's usual key."""
    names = {NON_FIELD_ERRORS: api_settings.NON_FIELD_ERRORS_KEY, **(rename or {})}
    if hasattr(exc, "error_dict"):
        return {names.get(field, field): messages for field, messages in exc.message_dict.items()}
    return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, which also answers a model ValidationError that reached a view with HTTP 400."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    return drf_views.exception_handler(exc, context)


class CleanModelSerializer(serializers.ModelSerializer[_M], Generic[_M]):
    """A model serializer that runs the model's own validation (`clean()`, field rules, constraints) as a form does.

    A serializer whose create goes through a service that cleans the row itself can set
    `run_model_clean = False`, so the service decides how a conflict is reported.
    """

    run_model_clean = True

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Validate the would-be row on a copy, so a failed request changes nothing."""
        attrs = super().validate(attrs)
        if not self.run_model_clean:
            return attrs
        model: type[models.Model] = self.Meta.model
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        concrete = {field.name for field in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in concrete:
                setattr(candidate, name, value)
        try:
            candidate.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(validation_error_detail(exc)) from exc
        return attrs


class WorkflowViewSet(viewsets.ModelViewSet[_M], Generic[_M]):
    """A model viewset whose plain writes are atomic, with helpers for actions that each call one service."""

    # Set per action through @action(..., permission_action="change"); read by ModelPermissions.
    permission_action: str | None = None

    def perform_create(self, serializer: serializers.BaseSerializer[_M]) -> None:
        """Save the row and its many-to-many links together or not at all."""
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer: serializers.BaseSerializer[_M]) -> None:
        """Save the row and its many-to-many links together or not at all."""
        with transaction.atomic():
            serializer.save()

    def action_input(self, serializer_class: type[serializers.Serializer[Any]]) -> dict[str, Any]:
        """Validate the request body with the action's input serializer (400 on bad input)."""
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def run_service(
        self, service: Callable[..., _T], /, *, rename_errors: Mapping[str, str] | None = None, **kwargs: Any
    ) -> _T:
        """Call a service as the requesting user; its ValidationError becomes HTTP 400 with field errors."""
        try:
            return service(actor=self.request.user, **kwargs)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(validation_error_detail(exc, rename=rename_errors)) from exc

    def object_response(self, pk: Any, *, status: int = 200) -> Response:
        """The object as the detail endpoint shows it, read back with the viewset's annotations."""
        instance = generics.get_object_or_404(self.get_queryset(), pk=pk)
        return Response(self.get_serializer(instance).data, status=status)
