"""The real URLs plus one view that fails, to see the 500 page Django's own handler renders."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler403, handler404
from config.urls import urlpatterns as real_urlpatterns

__all__ = ["handler403", "handler404", "urlpatterns"]


def boom(request: HttpRequest) -> HttpResponse:
    """Fail the way a bug does."""
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *real_urlpatterns]
