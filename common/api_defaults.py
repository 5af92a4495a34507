"""The API classes REST_FRAMEWORK names as defaults: model permissions and cursor pagination.

DRF imports these from settings while rest_framework.views and generics load, so this module must
not import DRF's views, generics or viewsets (common/api.py does, and would make a cycle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, permissions

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

_VIEW = "%(app_label)s.view_%(model_name)s"


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions; reading needs `view`, and a workflow action names the permission it needs.

    Declare it on the action: `@action(detail=True, methods=["post"], permission_action="change")`.
    Without it a POST would ask for `add`, which is wrong for "close this vacancy".
    """

    perms_map = {**permissions.DjangoModelPermissions.perms_map, "GET": [_VIEW], "HEAD": [_VIEW]}

    def has_permission(self, request: Request, view: APIView) -> bool:
        """Check the action's declared permission when it has one, else the method's."""
        codename = getattr(view, "permission_action", None)
        if codename is None:
            return super().has_permission(request, view)
        user = request.user
        if not user or not user.is_authenticated:
            return False
        opts = self._queryset(view).model._meta
        return bool(user.has_perm(f"{opts.app_label}.{codename}_{opts.model_name}"))


class CursorPagination(pagination.CursorPagination):
    """Every API list's pagination, stable under inserts and constant-time at any depth.

    Orders by primary key descending unless a view says otherwise; clients may ask for up to 200 rows.
    """

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        """The page size asked for: a whole number from 1 to max_page_size; anything else is a 400, not ignored."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return cast(int, self.page_size)  # REST_FRAMEWORK["PAGE_SIZE"]
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            message = _("Ask for a whole number of rows from 1 to %(max)s.") % {"max": self.max_page_size}
            raise exceptions.ValidationError({self.page_size_query_param: [message]})
        return size

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        """DRF's cursor and page_size parameters, page_size with its bounds."""
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters
