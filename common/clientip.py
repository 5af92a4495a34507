"""The one rule for a request's client address, used by every rate limit and by the sign-in lockout.

Behind reverse proxies the socket address (REMOTE_ADDR) is the last proxy's, so every visitor would
share one counter. Each proxy appends the address it received the connection from to
X-Forwarded-For; with TRUSTED_PROXY_COUNT proxies in front of the application, the client is the
entry that many places from the end. Entries further left were written by the client itself and
are never trusted. With TRUSTED_PROXY_COUNT = 0 (the default) the header is ignored altogether, so a
visitor cannot choose her own address by sending it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    """The value as a normalised IP address, or None when it is not one."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The client's IP address: X-Forwarded-For as far as TRUSTED_PROXY_COUNT proxies vouch for it, else REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted < 1:
        return remote
    forwarded = [item.strip() for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request entered past the outermost proxy; the leftmost entry
    # was still written by one of ours.
    chosen = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    return _address(chosen) or remote
