"""Routes of the coach's workspace."""

from __future__ import annotations

from django.urls import path

from placements.views import calendar, clients, followups, placements, team

app_name = "placements"

urlpatterns = [
    path("followups/", followups.followups, name="followups"),
    path("followups/<int:pk>/", followups.followup_row, name="step-row"),
    path("followups/<int:pk>/complete/", followups.complete_followup, name="complete-step"),
    path("followups/<int:pk>/move/", followups.move_followup, name="move-step"),
    path("clients/", clients.client_list, name="clients"),
    path("clients/<int:pk>/", clients.client_detail, name="client"),
    # The client's file: intake, consents, ladder, closing.
    # The coaching agreement and its versions.
    path("placements/<int:pk>/", placements.placement_detail, name="placement"),
    # Placements: create, activate, dates, end, cancel.
    # The case manager's team page, caseloads and reassignment.
    path("team/", team.team, name="team"),
    path("team/steps/<int:pk>/reassign/", team.step_reassign, name="step-reassign"),
    path("team/clients/<int:pk>/reassign/", team.client_reassign, name="client-reassign"),
    path("calendar/", calendar.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
]
