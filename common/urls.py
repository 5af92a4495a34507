"""Absolute links, for what leaves the site (mails, packs, calendar feeds): all built from SITE_URL."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` (as `reverse()` gives it) on the site's one base address, `settings.SITE_URL`.

    Links that leave the site never come from the request's Host header: a mail sent by a worker has no
    request, and a forged Host must not end up in a calendar or a mail. SITE_URL is the scheme and host
    (and port); `reverse()` already adds any script prefix.
    """
    if not path.startswith("/"):
        path = f"/{path}"
    return str(settings.SITE_URL).rstrip("/") + path
