"""URL routes: the staff workspace, sign-in, admin, the REST API under /api/v1/ with its docs, the health check."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from placements.views.home import home


def health(request: HttpRequest) -> JsonResponse:
    """Liveness probe for process supervisors."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("network/", include("crm.urls")),
    path("", include("placements.urls")),
    path("healthz", health, name="health"),
    # The employer's evaluation survey: a personal link, no sign-in.
    path("s/", include("outreach.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
    path("api/v1/", include("crm.api.urls")),
    path("api/v1/outreach/", include("outreach.api.urls")),
    path("api/v1/", include("placements.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
