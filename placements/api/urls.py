"""Routes of the placements API, mounted under /api/v1/ next to the employer-network routes."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from placements.api import views

# A SimpleRouter: the API root view belongs to the crm router, mounted at the same prefix.
router = SimpleRouter()
router.register("clients", views.ClientViewSet, basename="client")
router.register("placements", views.PlacementViewSet, basename="placement")
router.register("agreements", views.AgreementViewSet, basename="coachingagreement")
router.register("plans", views.PlanViewSet, basename="aftercareplan")
router.register("steps", views.StepViewSet, basename="aftercarestep")

urlpatterns = router.urls
