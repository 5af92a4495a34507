"""URL routes: the staff workspace, sign-in, admin, the REST API under /api/v1/ with its docs, the health check;
and the error pages (common/errors.py, with the employer's own page under the survey links).
"""

from __future__ import annotations

from typing import Any

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import include, path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from common import errors, twofactor
from common.signin import ObtainTokenView
from placements.views.home import home

# Where the employers' survey links live: a wrong address there gets the employer's page, not the workspace's.
SURVEY_PREFIX = "/s/"


def health(request: HttpRequest) -> JsonResponse:
    """Liveness probe for process supervisors."""
    return JsonResponse({"status": "ok"})


class SignOutView(auth_views.LogoutView):
    """Sign out (POST), then land on the sign-in page, which says so in her language."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Sign out and leave the message for the next page (kept in a cookie: the session is gone)."""
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You are signed out."))
        return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: under the survey links the same polite page a dead link gets, elsewhere the workspace's page."""
    if not request.path.startswith(SURVEY_PREFIX):
        return errors.page_not_found(request, exception)
    context = {"language": get_language(), "path": request.path}
    response = render(request, "outreach/surveys/unavailable.html", context, status=404)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


handler403 = errors.permission_denied
handler404 = page_not_found
# handler500 stays Django's own: it renders templates/500.html without a request or a database.


urlpatterns = [
    path("", home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("accounts/two-step/", twofactor.two_factor, name="two-factor"),
    path("accounts/two-step/code/", twofactor.verify, name="two-factor-verify"),
    path("network/", include("crm.urls")),
    path("reports/", include("reports.urls")),
    # Administrators' privacy actions on a client's file: subject-access export and erasure.
    path("privacy/", include("privacy.urls")),
    path("", include("placements.urls")),
    path("healthz", health, name="health"),
    # The employer's evaluation survey: a personal link, no sign-in.
    path("", include("outreach.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # DRF's token endpoint, throttled by django-axes like the sign-in page (common/signin.py).
    path("api/v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/", include("crm.api.urls")),
    path("api/v1/outreach/", include("outreach.api.urls")),
    path("api/v1/", include("placements.api.urls")),
    # The schema needs a signed-in user or a token (SERVE_PERMISSIONS); the docs pages send an anonymous
    # visitor to the sign-in page and load Swagger UI and ReDoc from our own static files.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Both pages run under the Content-Security-Policy: Swagger UI's inline style and start script carry the
    # response's nonce (templates/api/swagger_ui.html). ReDoc writes its styles at run time and searches in a
    # worker built from a blob, so its page allows inline styles and that worker; its scripts are files.
    path(
        "api/docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="api-schema", template_name="api/swagger_ui.html")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        login_required(
            csp_replace({"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
                SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
            )
        ),
        name="api-redoc",
    ),
]
