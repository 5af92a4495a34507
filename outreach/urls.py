"""Routes of outreach: the public survey pages under s/ and the workplace mentor's page under m/ (a personal
link, no sign-in), and the staff actions on an employer's general pack under employers/<pk>/, and on a
placement's pack, evaluation and mentor's page under placements/<pk>/ (namespace "outreach").

The survey paths and names are the ones sent mails link to: they stay exactly as they are. Both kinds
of pack share one set of views; the extra argument `kind` says which pack the route is about.
"""

from django.urls import URLPattern, include, path

from outreach.mentors import views as mentor_views
from outreach.packs import views as pack_views
from outreach.packs.models import InfoPackKind
from outreach.surveys import views as survey_views

public_patterns = [
    path("s/thanks/", survey_views.thanks, name="survey-thanks"),
    path("s/<str:token>/", survey_views.survey, name="survey"),
    path("m/<str:token>/", mentor_views.mentor_page, name="mentor-page"),
    path("m/<str:token>/packs/<int:pack_pk>/pdf/", mentor_views.mentor_pack_pdf, name="mentor-pack-pdf"),
]


def pack_patterns(prefix: str, kind: str, name: str) -> list[URLPattern]:
    """The pack section, build, preview, document, PDF and send routes of one kind of pack."""
    scope = {"kind": kind}
    return [
        path(f"{prefix}/", pack_views.pack_section, scope, name=f"{name}-section"),
        path(f"{prefix}/build/", pack_views.build_pack, scope, name=f"{name}-build"),
        path(f"{prefix}/<int:pack_pk>/preview/", pack_views.preview_pack, scope, name=f"{name}-preview"),
        path(f"{prefix}/<int:pack_pk>/document/", pack_views.pack_document, scope, name=f"{name}-document"),
        path(f"{prefix}/<int:pack_pk>/pdf/", pack_views.pack_pdf, scope, name=f"{name}-pdf"),
        path(f"{prefix}/<int:pack_pk>/send/", pack_views.send_pack, scope, name=f"{name}-send"),
    ]


staff_patterns = [
    *pack_patterns("employers/<int:pk>/pack", InfoPackKind.GENERAL, "employer-pack"),
    *pack_patterns("placements/<int:pk>/pack", InfoPackKind.PLACEMENT, "placement-pack"),
    path(
        "placements/<int:pk>/evaluation/<int:invitation_pk>/resend/",
        survey_views.resend_placement_invitation,
        name="placement-evaluation-resend",
    ),
    path("placements/<int:pk>/mentor-link/issue/", mentor_views.issue_mentor_link, name="mentor-link-issue"),
    path("placements/<int:pk>/mentor-link/reissue/", mentor_views.reissue_mentor_link, name="mentor-link-reissue"),
    path("placements/<int:pk>/mentor-link/revoke/", mentor_views.revoke_mentor_link, name="mentor-link-revoke"),
    path(
        "placements/<int:pk>/concerns/<int:concern_pk>/answer/",
        mentor_views.answer_mentor_concern,
        name="mentor-concern-answer",
    ),
]

urlpatterns = [
    *public_patterns,
    path("", include((staff_patterns, "outreach"))),
]
