"""Throttled sign-in: django-axes counts failed passwords per username and client address.

Every way in that takes a password is covered: the sign-in page and the admin's (Django's
authentication forms pass their request to `authenticate`), and the API token endpoint (DRF's
serializer passes its request too). After AXES_FAILURE_LIMIT failures for one username from one
address (common.clientip, so behind a trusted proxy each visitor counts alone) that pair is refused,
even with the right password, for AXES_COOLOFF_TIME; pages answer 429 with a page in the reader's
language, the API answers 429 with JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

LOCKED_OUT_STATUS = status.HTTP_429_TOO_MANY_REQUESTS


class SignInThrottle(AxesStandaloneBackend):
    """django-axes' lockout check, first among the authentication backends.

    A sign-in from the network always comes with its request (the sign-in page, the admin, the token
    endpoint). A call without one is code on the server itself (the test client's `login`, a shell):
    it has no client address to count, so it is left to the next backend instead of raising.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        """Refuse a locked-out username and address (PermissionDenied); otherwise let the next backend decide."""
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def cool_off_minutes() -> int:
    """How long a lockout lasts, in whole minutes (at least one)."""
    cool_off = settings.AXES_COOLOFF_TIME
    seconds = cool_off.total_seconds() if isinstance(cool_off, dt.timedelta) else float(cool_off) * 3600
    return max(1, round(seconds / 60))


def lockout_message() -> str:
    """What a locked-out person reads, in the active language."""
    minutes = cool_off_minutes()
    return ngettext(
        "Too many failed sign-ins for this username from your address. Try again in %(minutes)d minute.",
        "Too many failed sign-ins for this username from your address. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with the sign-in page's explanation, or JSON for an API client."""
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": lockout_message()}, status=LOCKED_OUT_STATUS)
    # "Back" leads to the sign-in form she came from (the workspace's or the admin's), for after the wait.
    context = {"message": lockout_message(), "back": request.path}
    return render(request, "registration/locked_out.html", context, status=LOCKED_OUT_STATUS)


class ObtainTokenView(ObtainAuthToken):
    """DRF's token endpoint, answering 429 with a clear message once django-axes locks the username and address.

    DRF wraps the request, so axes marks the lockout on the wrapper, where its middleware does not look;
    this view reads the mark itself.
    """

    @extend_schema(
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Wrong username or password, or a field missing."),
            429: inline_serializer("SignInLockedOut", {"detail": serializers.CharField()}),
        }
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A token for the right username and password, unless too many wrong ones came first."""
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            if getattr(request, "axes_locked_out", False):
                return Response({"detail": lockout_message()}, status=LOCKED_OUT_STATUS)
            raise
