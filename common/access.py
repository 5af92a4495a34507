"""Telling the access log that somebody read a client's file or took data out, without importing it.

Pages, exports and commands in every app call `record(user, kind, client=..., detail=...)`; the privacy
app listens (privacy.apps connects `privacy.access.record` to `accessed`) and appends the event to its
log. Sending a signal keeps the apps' imports one way: nothing below privacy imports it. A receiver's
error (an unknown kind) reaches the caller, as Signal.send does not swallow it.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

# Sent with: user (None for a command or a task), kind ("viewed", "exported", ...), client, detail.
accessed = Signal()

VIEWED = "viewed"
EXPORTED = "exported"


def record(user: Any, kind: str, *, client: Any = None, detail: str = "") -> None:
    """Tell the access log: `user` did `kind` (to `client`'s file, when there is one); `detail` says what."""
    accessed.send(sender=None, user=user, kind=kind, client=client, detail=detail)
