"""Routes of the programme reports."""

from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("report.xlsx", views.export_xlsx, name="xlsx"),
    path("report.pdf", views.export_pdf, name="pdf"),
    path("<slug:section>/", views.section, name="section"),
    path("<slug:section>/<slug:table>/rows/", views.rows, name="rows"),
]
