"""Routes of the relationship manager's workspace, mounted under /network/."""

from __future__ import annotations

from django.urls import path

from crm.views import board, coverage, employers, imports

app_name = "crm"

urlpatterns = [
    path("employers/", employers.employer_list, name="employers"),
    path("employers/<int:pk>/", employers.employer_detail, name="employer"),
    path("employers/<int:pk>/log/", employers.log_employer_interaction, name="log-interaction"),
    path("employers/<int:pk>/move/", board.move_employer, name="move"),
    path("board/", board.board, name="board"),
    path("coverage/", coverage.coverage, name="coverage"),
    path("import/", imports.import_page, name="import"),
    path("import/jobs/<str:job_id>/", imports.import_job, name="import-job"),
    path("import/template/<slug:kind>.<slug:format>", imports.import_template, name="import-template"),
]
