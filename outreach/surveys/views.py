"""The public survey page: no sign-in, a personal link, GET shows and POST submits. At the end, apart from
it, the one staff action on a placement's evaluation: resend its link.

Unknown, tampered, expired, used and cancelled links all get the same polite page with the same
status, so a link says nothing about why it does not work (DESIGN "Non-negotiables"). Pages send
noindex and no referrer; views and posts are counted per client address in the shared Redis cache.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from common.web import staff_view
from crm.choices import Language
from outreach.publicpages import native_language_names, page_language, private, rate_limited
from outreach.surveys.answers import parse_answers
from outreach.surveys.embed import question_context
from outreach.surveys.models import Question, SurveyInvitation
from outreach.surveys.services import colleague_first_name, find_invitation, resend_invitation, submit_response
from placements.models import Placement

logger = logging.getLogger(__name__)
UNAVAILABLE_STATUS = 404
LANGUAGES = tuple(Language.values)


def _language(request: HttpRequest, invitation: SurveyInvitation | None) -> str:
    """The page's language (outreach.publicpages.page_language), the invitee's when the link works."""
    return page_language(request, invitation.language if invitation is not None else None)


def _page(request: HttpRequest, name: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """Render a survey page with its words in the page's language (`context["language"]`)."""
    with translation.override(context["language"]):
        response = render(request, f"outreach/surveys/{name}", {**context, "path": request.path}, status=status)
    response["Content-Language"] = context["language"]
    return private(response)


def _form_context(
    invitation: SurveyInvitation,
    language: str,
    questions: list[Question],
    data: Any = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The survey page: the questions as the include renders them everywhere, and what the page says about the job."""
    placement = invitation.placement
    return {
        **question_context(invitation, language=language, data=data, errors=errors, questions=questions),
        "language": language,
        "languages": native_language_names(),
        "job_title": placement.job_title if placement is not None else "",
        "start_on": placement.start_on if placement is not None else None,
        "colleague": colleague_first_name(invitation, today=timezone.localdate()),
        "employer_name": invitation.employer.name,
    }


# No CSRF token: the secret link in the URL is the only credential, so a forged cross-site post
# carries no ambient authority (no cookie or session). And with Referrer-Policy: no-referrer,
# browsers send `Origin: null` on the post, which Django's origin check would refuse.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """Show the survey (GET) or store the answers once (POST)."""
    if rate_limited(request):
        context = {"language": _language(request, None), "viewing": request.method != "POST"}
        return _page(request, "rate_limited.html", context, status=429)
    now = timezone.now()
    invitation = find_invitation(token, now=now)
    language = _language(request, invitation)
    with translation.override(language):
        if invitation is None:
            return _page(request, "unavailable.html", {"language": language}, status=UNAVAILABLE_STATUS)
        questions = list(invitation.template.questions.order_by("order"))
        if request.method != "POST":
            return _page(request, "form.html", _form_context(invitation, language, questions))
        answers, errors = parse_answers(questions, request.POST)
        if errors:
            context = _form_context(invitation, language, questions, request.POST, errors)
            return _page(request, "form.html", context, status=400)
        if submit_response(invitation=invitation, answers=answers, language=language, now=now) is None:
            return _page(request, "unavailable.html", {"language": language}, status=UNAVAILABLE_STATUS)
    return private(HttpResponseRedirect(f"{reverse('survey-thanks')}?lang={language}"))


@require_http_methods(["GET", "HEAD"])
def thanks(request: HttpRequest) -> HttpResponse:
    """The thank-you page after a submission."""
    return _page(request, "thanks.html", {"language": _language(request, None)})


# --- Staff: the evaluation of a placement --------------------------------------------------------


@staff_view("outreach.change_surveyinvitation", "POST")
def resend_placement_invitation(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    """Mail a placement's evaluation link again (a new link; the old one stops working), then back to the page."""
    placement = get_object_or_404(Placement.objects.visible_to(request.user), pk=pk)
    invitations = SurveyInvitation.objects.visible_to(request.user).filter(placement=placement)
    invitation = get_object_or_404(invitations.select_related("template"), pk=invitation_pk)
    try:
        resend_invitation(invitation=invitation, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("A new link is on its way to %(email)s.") % {"email": invitation.email})
    return redirect(reverse("placements:placement", args=[placement.pk]) + "#evaluation")
