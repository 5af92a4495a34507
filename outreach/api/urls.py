"""Routes of the outreach API, mounted under /api/v1/outreach/."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from outreach.api import views

router = SimpleRouter()
router.register("info-packs", views.InfoPackViewSet, basename="info-pack")

urlpatterns = router.urls
