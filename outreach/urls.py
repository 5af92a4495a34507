"""Routes of outreach: the public survey pages under s/ (a personal link, no sign-in) and the staff actions on
a placement's pack and evaluation under placements/<pk>/ (namespace "outreach").

The survey paths and names are the ones sent mails link to: they stay exactly as they are.
"""

from django.urls import include, path

from outreach.packs import views as pack_views
from outreach.surveys import views as survey_views

public_patterns = [
    path("s/thanks/", survey_views.thanks, name="survey-thanks"),
    path("s/<str:token>/", survey_views.survey, name="survey"),
]

staff_patterns = [
    path("placements/<int:pk>/pack/", pack_views.placement_pack_section, name="placement-pack-section"),
    path("placements/<int:pk>/pack/build/", pack_views.build_placement_pack, name="placement-pack-build"),
    path(
        "placements/<int:pk>/pack/<int:pack_pk>/preview/",
        pack_views.preview_placement_pack,
        name="placement-pack-preview",
    ),
    path(
        "placements/<int:pk>/pack/<int:pack_pk>/document/",
        pack_views.placement_pack_document,
        name="placement-pack-document",
    ),
    path("placements/<int:pk>/pack/<int:pack_pk>/pdf/", pack_views.placement_pack_pdf, name="placement-pack-pdf"),
    path("placements/<int:pk>/pack/<int:pack_pk>/send/", pack_views.send_placement_pack, name="placement-pack-send"),
    path(
        "placements/<int:pk>/evaluation/<int:invitation_pk>/resend/",
        survey_views.resend_placement_invitation,
        name="placement-evaluation-resend",
    ),
]

urlpatterns = [
    *public_patterns,
    path("", include((staff_patterns, "outreach"))),
]
