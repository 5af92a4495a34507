"""The audit trail and the access log in the admin: read-only for everyone, readable by administrators only.

Nobody adds, changes or deletes an entry here, superusers included; the stock LogEntry admin would let a
superuser delete entries in some paths, so it is replaced.
"""

from __future__ import annotations

from typing import Any

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.http import HttpRequest

from crm.roles import Role, has_role
from privacy.models import AccessEvent


class ReadOnlyForAdministrators:
    """Administrators (and superusers) view; nobody adds, changes or deletes."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Administrators only (Flora §8.2: the log itself is personal data)."""
        return has_role(request.user, Role.ADMINISTRATOR)

    def has_module_permission(self, request: HttpRequest) -> bool:
        """The app shows in the admin index for administrators only."""
        return has_role(request.user, Role.ADMINISTRATOR)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Entries are written by the system, never typed."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Append-only."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Append-only."""
        return False


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyForAdministrators, admin.ModelAdmin):
    """Who viewed, exported or erased what, and when."""

    list_display = ["at", "username", "kind", "client_reference", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "client_reference", "detail"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    actions = None


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditEntryAdmin(ReadOnlyForAdministrators, LogEntryAdmin):
    """auditlog's own list and detail pages, with its delete path closed too."""

    actions = None
