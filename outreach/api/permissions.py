"""Who may use the info pack API: relationship managers, coaches, case managers and administrators."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from outreach.packs.models import can_work_with_packs


class WorksWithPacks(permissions.BasePermission):
    """Staff roles that deal with employers; which rows they see is the queryset's business."""

    def has_permission(self, request: Request, view: Any) -> bool:
        """True for the pack roles (DESIGN "Who uses it")."""
        return can_work_with_packs(request.user)
