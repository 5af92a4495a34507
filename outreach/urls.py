"""The public survey routes: a personal link, no sign-in (outreach/surveys/views.py)."""

from django.urls import path

from outreach.surveys import views

urlpatterns = [
    path("thanks/", views.thanks, name="survey-thanks"),
    path("<str:token>/", views.survey, name="survey"),
]
