"""Routes of the privacy actions on a client's file (administrators only)."""

from __future__ import annotations

from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("clients/<int:pk>/subject-access/", views.subject_access, name="subject-access"),
    path("clients/<int:pk>/erase/", views.erase, name="erase"),
]
