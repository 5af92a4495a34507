"""Routes of the relationship manager's workspace, mounted under /network/."""

from __future__ import annotations

from django.urls import path

from crm import views

app_name = "crm"

urlpatterns = [
    path("employers/", views.employer_list, name="employers"),
    path("employers/<int:pk>/", views.employer_detail, name="employer"),
    path("employers/<int:pk>/log/", views.log_employer_interaction, name="log-interaction"),
    path("employers/<int:pk>/move/", views.move_employer, name="move"),
    path("board/", views.board, name="board"),
    path("coverage/", views.coverage, name="coverage"),
    path("import/", views.import_page, name="import"),
    path("import/jobs/<str:job_id>/", views.import_job, name="import-job"),
]
