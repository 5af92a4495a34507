"""Routes of the coach's workspace."""

from __future__ import annotations

from django.urls import path

from placements.views import agreements, calendar, clients, coverage, followups, placements, team

app_name = "placements"

urlpatterns = [
    path("followups/", followups.followups, name="followups"),
    path("followups/<int:pk>/", followups.followup_row, name="step-row"),
    path("followups/<int:pk>/complete/", followups.complete_followup, name="complete-step"),
    path("followups/<int:pk>/move/", followups.move_followup, name="move-step"),
    path("clients/", clients.client_list, name="clients"),
    path("clients/<int:pk>/", clients.client_detail, name="client"),
    # The client's file: intake, consents, ladder, closing.
    path("clients/new/", clients.client_new, name="client-new"),
    path("clients/<int:pk>/edit/", clients.client_edit, name="client-edit"),
    path("clients/<int:pk>/consents/", clients.consent_record, name="consent-record"),
    path("clients/<int:pk>/consents/<str:purpose>/withdraw/", clients.consent_withdraw, name="consent-withdraw"),
    path("clients/<int:pk>/ladder/", clients.ladder_move, name="ladder-move"),
    path("clients/<int:pk>/close/", clients.client_close, name="client-close"),
    # The coaching agreement and its versions.
    path("clients/<int:pk>/agreement/", agreements.agreement, name="agreement"),
    path("clients/<int:pk>/agreement/edit/", agreements.agreement_edit, name="agreement-edit"),
    path("clients/<int:pk>/agreement/v<int:version>/", agreements.agreement_version, name="agreement-version"),
    path("placements/<int:pk>/", placements.placement_detail, name="placement"),
    # Placements: create, activate, dates, end, cancel.
    path("clients/<int:pk>/placements/new/", placements.placement_new, name="placement-new"),
    path("placements/<int:pk>/edit/", placements.placement_edit, name="placement-edit"),
    path("placements/<int:pk>/activate/", placements.placement_activate, name="placement-activate"),
    path("placements/<int:pk>/dates/", placements.placement_dates, name="placement-dates"),
    path("placements/<int:pk>/end/", placements.placement_end, name="placement-end"),
    path("placements/<int:pk>/cancel/", placements.placement_cancel, name="placement-cancel"),
    # The case manager's team page, caseloads and reassignment.
    path("team/", team.team, name="team"),
    path("team/steps/<int:pk>/reassign/", team.step_reassign, name="step-reassign"),
    path("team/clients/<int:pk>/reassign/", team.client_reassign, name="client-reassign"),
    path("calendar/", calendar.calendar_settings, name="calendar"),
    # Network coverage: supply against demand per ladder step, under the network's address.
    path("network/coverage/", coverage.coverage, name="coverage"),
    path("network/coverage/<int:position>/", coverage.coverage_step, name="coverage-step"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
]
