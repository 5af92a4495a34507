"""auditlog's middleware, with the actor read when an entry is written rather than when the request comes in.

AuditlogMiddleware reads `request.user` before the view runs. A REST API call signed with a token is
authenticated later, inside the DRF view (which then sets `request.user` on the Django request too), so
the stock middleware would record its changes without an actor. Here the actor is looked up again when
each LogEntry is saved.
"""

from __future__ import annotations

from typing import Any

from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest

from common.clientip import client_address


class AuditActorMiddleware(AuditlogMiddleware):
    """Records who changed an audited row, for session and token users alike, and from which address."""

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        # The one client address rule (common.clientip): X-Forwarded-For only as far as the trusted
        # proxies (TRUSTED_PROXY_COUNT) vouch for it, so the trail never records an address the visitor chose.
        return client_address(request) or None

    def get_extra_data(self, request: HttpRequest) -> dict[str, Any]:
        """The stock context, with the actor resolved lazily when nobody is signed in yet."""
        data: dict[str, Any] = super().get_extra_data(request)
        if data.get("actor") is None:
            # auditlog sets every other context key on the entry, calling it when it is callable.
            data.pop("actor", None)
            data["actor_id"] = lambda: _signed_in(request).pk if _signed_in(request) is not None else None
            data["actor_email"] = lambda: getattr(_signed_in(request), "email", None)
        return data


def _signed_in(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None
