"""Routes of the coach's workspace."""

from __future__ import annotations

from django.urls import path

from placements import views

app_name = "placements"

urlpatterns = [
    path("followups/", views.followups, name="followups"),
    path("followups/<int:pk>/", views.followup_row, name="step-row"),
    path("followups/<int:pk>/complete/", views.complete_followup, name="complete-step"),
    path("followups/<int:pk>/move/", views.move_followup, name="move-step"),
    path("clients/", views.client_list, name="clients"),
    path("clients/<int:pk>/", views.client_detail, name="client"),
    path("placements/<int:pk>/", views.placement_detail, name="placement"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
