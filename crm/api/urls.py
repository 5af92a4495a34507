"""Routes of the employer-network API."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

from crm.api import views

router = DefaultRouter()
router.register("ladder-steps", views.LadderStepViewSet, basename="ladderstep")
router.register("employers", views.EmployerViewSet, basename="employer")
router.register("employer-stage-changes", views.EmployerStageChangeViewSet, basename="employerstagechange")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("interactions", views.InteractionViewSet, basename="interaction")
router.register("vacancies", views.VacancyViewSet, basename="vacancy")

urlpatterns = router.urls
