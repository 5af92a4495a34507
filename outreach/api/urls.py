"""Routes of the outreach API, mounted under /api/v1/outreach/."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from outreach.api import survey_views, views

router = SimpleRouter()
router.register("info-packs", views.InfoPackViewSet, basename="info-pack")
router.register("survey-invitations", survey_views.SurveyInvitationViewSet, basename="survey-invitation")

urlpatterns = router.urls
