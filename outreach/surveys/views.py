"""The public survey page: no sign-in, a personal link, GET shows and POST submits.

Unknown, tampered, expired, used and cancelled links all get the same polite page with the same
status, so a link says nothing about why it does not work (DESIGN "Non-negotiables"). Pages send
noindex and no referrer; posts are counted per client address in the shared Redis cache.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from crm.choices import Language
from outreach.surveys.answers import field_name, parse_answers
from outreach.surveys.models import Question, SurveyInvitation
from outreach.surveys.services import colleague_first_name, find_invitation, submit_response

logger = logging.getLogger(__name__)
UNAVAILABLE_STATUS = 404
LANGUAGES = tuple(Language.values)
NATIVE_NAMES = [("en", "English"), ("nl", "Nederlands"), ("sv", "Svenska")]


# The page's own words, written in every language like the mails (outreach/mail.py), so an employer
# reads her own language whether or not the catalogues are compiled.
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Your evaluation",
        "intro": "Thank you for taking a few minutes. Your answers help us support employers and new colleagues.",
        "about": "About the placement",
        "job": "Job",
        "start": "Start",
        "colleague": "Your colleague",
        "optional": "optional",
        "submit": "Send my answers",
        "errors": "Some answers need your attention; they are marked below.",
        "yes": "Yes",
        "no": "No",
        "language": "Language",
        "unavailable_title": "This link does not work",
        "unavailable": "This survey link is no longer valid: it may have been used, replaced by a newer mail, or "
        "expired. If you would like to share your views, simply reply to the mail from your job coach.",
        "thanks_title": "Thank you!",
        "thanks": "We received your answers. Thank you for your time and for working with us.",
        "busy_title": "Please try again in a minute",
        "busy": "We received many answers from your address in a short time. Please wait a minute and send again.",
    },
    "nl": {
        "title": "Uw evaluatie",
        "intro": "Bedankt om even tijd te maken. Uw antwoorden helpen ons werkgevers en nieuwe collega's te steunen.",
        "about": "Over de plaatsing",
        "job": "Functie",
        "start": "Start",
        "colleague": "Uw collega",
        "optional": "niet verplicht",
        "submit": "Mijn antwoorden versturen",
        "errors": "Enkele antwoorden vragen uw aandacht; ze zijn hieronder aangeduid.",
        "yes": "Ja",
        "no": "Nee",
        "language": "Taal",
        "unavailable_title": "Deze link werkt niet",
        "unavailable": "Deze link naar de vragenlijst is niet meer geldig: hij is misschien al gebruikt, vervangen "
        "door een nieuwere mail of verlopen. Wilt u toch uw mening geven? Antwoord dan gewoon op de mail van uw "
        "jobcoach.",
        "thanks_title": "Bedankt!",
        "thanks": "We hebben uw antwoorden ontvangen. Bedankt voor uw tijd en voor de samenwerking.",
        "busy_title": "Probeer het over een minuut opnieuw",
        "busy": "We kregen in korte tijd veel antwoorden van uw adres. Wacht even en verstuur dan opnieuw.",
    },
    "sv": {
        "title": "Er utvärdering",
        "intro": "Tack för att ni tar några minuter. Era svar hjälper oss att stötta arbetsgivare och nya kollegor.",
        "about": "Om placeringen",
        "job": "Tjänst",
        "start": "Start",
        "colleague": "Er kollega",
        "optional": "frivillig",
        "submit": "Skicka mina svar",
        "errors": "Några svar behöver er uppmärksamhet; de är markerade nedan.",
        "yes": "Ja",
        "no": "Nej",
        "language": "Språk",
        "unavailable_title": "Länken fungerar inte",
        "unavailable": "Länken till enkäten gäller inte längre: den kan redan ha använts, ersatts av ett nyare mejl "
        "eller gått ut. Vill ni ändå dela era synpunkter? Svara då på mejlet från er jobbcoach.",
        "thanks_title": "Tack!",
        "thanks": "Vi har tagit emot era svar. Tack för er tid och för samarbetet.",
        "busy_title": "Försök igen om en minut",
        "busy": "Vi fick många svar från er adress på kort tid. Vänta en minut och skicka igen.",
    },
}


def _language(request: HttpRequest, invitation: SurveyInvitation | None) -> str:
    """?lang= when it names one of ours, else the invitee's language, else the site's."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return invitation.language if invitation is not None else settings.LANGUAGE_CODE


def _private(response: HttpResponse) -> HttpResponse:
    """Not indexed, no referrer to other sites, never cached."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


def _page(request: HttpRequest, name: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """Render a survey page with its words in the page's language."""
    language = context.get("language") or settings.LANGUAGE_CODE
    context = {**context, "t": TEXTS.get(language, TEXTS["en"]), "path": request.path}
    return _private(render(request, f"outreach/surveys/{name}", context, status=status))


def rate_limited(request: HttpRequest) -> bool:
    """Count this POST against its address for the current minute; True beyond SURVEY_POSTS_PER_MINUTE."""
    window = int(timezone.now().timestamp() // 60)
    key = f"survey-post:{request.META.get('REMOTE_ADDR', '')}:{window}"
    cache = caches[settings.SURVEY_RATE_LIMIT_CACHE]
    try:
        cache.add(key, 0, timeout=120)
        count = cache.incr(key)
    except Exception:
        # A cache outage must not stop employers answering; the link is still single-use.
        logger.exception("Survey rate limit unavailable")
        return False
    return bool(count > settings.SURVEY_POSTS_PER_MINUTE)


def _rows(questions: list[Question], language: str, data: Any, errors: dict[str, str]) -> list[dict[str, Any]]:
    """What the template needs per question, with the values given so far."""
    rows = []
    for question in questions:
        name = field_name(question)
        rows.append(
            {
                "q": question,
                "name": name,
                "text": question.text(language),
                "help": question.help(language),
                "choices": question.choices(language),
                "values": data.getlist(name) if data is not None else [],
                "error": errors.get(question.key, ""),
            }
        )
    return rows


def _form_context(invitation: SurveyInvitation, language: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    placement = invitation.placement
    return {
        "invitation": invitation,
        "language": language,
        "languages": NATIVE_NAMES,
        "rows": rows,
        "nps_keys": [str(number) for number in range(11)],
        "errors": any(row["error"] for row in rows),
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
    if request.method == "POST" and rate_limited(request):
        with translation.override(_language(request, None)):
            return _page(request, "rate_limited.html", {"language": translation.get_language()}, status=429)
    now = timezone.now()
    invitation = find_invitation(token, now=now)
    language = _language(request, invitation)
    with translation.override(language):
        if invitation is None:
            return _page(request, "unavailable.html", {"language": language}, status=UNAVAILABLE_STATUS)
        questions = list(invitation.template.questions.order_by("order"))
        if request.method != "POST":
            return _page(
                request, "form.html", _form_context(invitation, language, _rows(questions, language, None, {}))
            )
        answers, errors = parse_answers(questions, request.POST, language=language)
        if errors:
            rows = _rows(questions, language, request.POST, errors)
            return _page(request, "form.html", _form_context(invitation, language, rows), status=400)
        if submit_response(invitation=invitation, answers=answers, language=language, now=now) is None:
            return _page(request, "unavailable.html", {"language": language}, status=UNAVAILABLE_STATUS)
    return _private(HttpResponseRedirect(f"{reverse('survey-thanks')}?lang={language}"))


@require_http_methods(["GET", "HEAD"])
def thanks(request: HttpRequest) -> HttpResponse:
    """The thank-you page after a submission."""
    language = _language(request, None)
    with translation.override(language):
        return _page(request, "thanks.html", {"language": language})
