"""Routes of the relationship manager's workspace, mounted under /network/."""

from __future__ import annotations

from django.urls import path

from crm.views import board, contacts, employer_forms, employers, imports, vacancies

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
    path("employers/<int:pk>/contacts/new/", contacts.contact_new, name="contact-new"),
    path("contacts/<int:pk>/edit/", contacts.contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/deactivate/", contacts.contact_deactivate, name="contact-deactivate"),
    path("contacts/<int:pk>/reactivate/", contacts.contact_reactivate, name="contact-reactivate"),
    path("employers/<int:pk>/vacancies/new/", vacancies.vacancy_new, name="vacancy-new"),
    path("vacancies/<int:pk>/edit/", vacancies.vacancy_edit, name="vacancy-edit"),
    path("vacancies/<int:pk>/open/", vacancies.vacancy_open, name="vacancy-open"),
    path("vacancies/<int:pk>/fill/", vacancies.vacancy_fill, name="vacancy-fill"),
    path("vacancies/<int:pk>/close/", vacancies.vacancy_close, name="vacancy-close"),
]
