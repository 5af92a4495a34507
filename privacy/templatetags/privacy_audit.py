"""`{% client_audit client %}`: the audit section of a client's page, for administrators only."""

from __future__ import annotations

from typing import Any

from django import template

from crm.roles import Role, has_role
from privacy.audit import entries_for_client
from privacy.models import AccessEvent, AccessKind

register = template.Library()

# Entries of each kind shown on the page; the admin lists them all.
SHOWN = 20


@register.inclusion_tag("privacy/_client_audit.html", takes_context=True)
def client_audit(context: template.Context, client: Any) -> dict[str, Any]:
    """Recent changes and access events about the client; an empty section for anyone but an administrator."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not has_role(user, Role.ADMINISTRATOR):
        return {"hidden": True}
    events = list(AccessEvent.objects.for_client(client)[:SHOWN])
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "client": client,
        "changes": list(entries_for_client(client)[:SHOWN]),
        "events": events,
        "erased": AccessEvent.objects.filter(client=client, kind=AccessKind.ERASED).exists(),
    }
