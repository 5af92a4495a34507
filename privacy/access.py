"""Writing access events: `record(user, kind, client=None, detail="")`, where a file is read or data leaves.

The other apps do not import this module: they call common.access.record, whose signal `on_accessed`
receives (connected in privacy.apps), so their imports stay one way.
"""

from __future__ import annotations

from typing import Any

from auditlog.context import auditlog_value

from privacy.models import AccessEvent, AccessKind


def _user_or_none(user: Any) -> Any:
    """The user when signed in; None for an anonymous visitor, a command or a task."""
    return user if getattr(user, "is_authenticated", False) else None


def record(user: Any, kind: AccessKind | str, client: Any = None, detail: str = "") -> AccessEvent:
    """Append one access event: who (None for the command line or a task), what, about whom, and a short detail.

    The detail is for what was taken ("employers as xlsx", "report.pdf"); never put personal data in it,
    as erasure does not rewrite this log (it holds references only).
    """
    if kind not in AccessKind.values:
        raise ValueError(f"Unknown access kind: {kind!r}")
    who = _user_or_none(user)
    return AccessEvent.objects.create(
        user=who,
        username=who.get_username() if who is not None else "",
        kind=kind,
        client=client,
        client_reference=getattr(client, "reference", "") if client is not None else "",
        detail=str(detail)[:300],
    )


def record_admin_export(sender: Any, model: Any = None, **kwargs: Any) -> None:
    """django-import-export's post_export signal: an admin export, by the user of the current request.

    The signal carries no request; the audit middleware keeps the signed-in user in auditlog's context.
    """
    try:
        context = auditlog_value.get()
    except LookupError:
        context = {}
    label = model._meta.verbose_name_plural if model is not None else ""
    record(context.get("actor"), AccessKind.EXPORTED, detail=f"admin export: {label}")


def on_accessed(sender: Any, *, user: Any, kind: str, client: Any = None, detail: str = "", **kwargs: Any) -> None:
    """The receiver of common.access.accessed: append the event."""
    record(user, kind, client=client, detail=detail)
