"""Routes of the relationship manager's workspace, mounted under /network/."""

from __future__ import annotations

from django.urls import path

from crm.views import board, employer_forms, employers, imports

app_name = "crm"

urlpatterns = [
    path("employers/", employers.employer_list, name="employers"),
    path("employers/<int:pk>/", employers.employer_detail, name="employer"),
    path("employers/<int:pk>/log/", employers.log_employer_interaction, name="log-interaction"),
    path("employers/<int:pk>/move/", board.move_employer, name="move"),
    path("employers/new/", employer_forms.employer_new, name="employer-new"),
    path("employers/duplicates/", employer_forms.employer_duplicates, name="employer-duplicates"),
    path("employers/<int:pk>/edit/", employer_forms.employer_edit, name="employer-edit"),
    path("employers/<int:pk>/vetting/", employer_forms.employer_vetting, name="employer-vetting"),
    path("employers/<int:pk>/profile/", employer_forms.employer_profile, name="employer-profile"),
    path("employers/<int:pk>/decline/", employer_forms.employer_decline, name="employer-decline"),
    path("board/", board.board, name="board"),
    path("import/", imports.import_page, name="import"),
    path("import/jobs/<str:job_id>/", imports.import_job, name="import-job"),
    path("import/template/<slug:kind>.<slug:format>", imports.import_template, name="import-template"),
]
