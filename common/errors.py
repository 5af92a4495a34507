"""The error pages people see instead of Django's: not allowed (403), a failed form check (CSRF), not found (404).

Each page speaks the reader's language and offers a way back: the page she came from when it is one of
ours, else the home page. The 500 page is Django's own handler with templates/500.html, which needs no
request, no context processors and no database.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def back_url(request: HttpRequest) -> str:
    """The page the reader came from when it is on this site (and not this very page), else ""."""
    referer = request.headers.get("referer", "")
    if not referer or referer.endswith(request.get_full_path()):
        return ""
    ours = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if ours else ""


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: the page does not exist (or is not hers to know about)."""
    return render(request, "404.html", {"back": back_url(request)}, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: signed in, but her role does not allow this."""
    return render(request, "403.html", {"back": back_url(request)}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form whose security check failed (CSRF_FAILURE_VIEW): usually an old tab or expired session."""
    return render(request, "403_csrf.html", {"back": back_url(request)}, status=403)
