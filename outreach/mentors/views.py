"""The workplace mentor's page under m/<link>/ (no sign-in; GET shows, POST changes), its pack downloads, and the
coach's actions on it from the placement page.

A link that does not work, whatever the reason (malformed, unknown, tampered, revoked, expired, the
placement cancelled, a pack of another placement), gets the survey links' polite page with their status,
in the visitor's language, so a link says nothing about why it does not work (DESIGN "Non-negotiables").
The page speaks the mentor's language (her contact record), shows the client's first name and role only
while the client's consent to share with the employer is in force (Client.has_consent, the rule of the
check-in mail, Flora III.1.B), and is built for a phone: one column, big targets.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from common.web import staff_view
from outreach.mentors import services
from outreach.mentors.models import MentorConcern, MentorLink, Urgency, VisitReply, VisitReplyKind
from outreach.packs.models import InfoPack, InfoPackKind, StaffCard
from outreach.packs.render import PackDataError, programme_profile, question_blocks, staff_line
from outreach.packs.services import withheld_reason
from outreach.publicpages import native_language_names, page_language, private, rate_limited
from outreach.surveys.embed import REFUSED, answer_from_page, page_surveys
from outreach.surveys.views import UNAVAILABLE_STATUS
from placements.choices import ConsentPurpose
from placements.models import Placement

# The page lists at most this many concerns (newest first).
CONCERN_LIMIT = 20
# The short confirmation shown after a post (POST-redirect-GET): ?done=<key>, never text from the request.
DONE_MESSAGES = {
    "confirm": pgettext_lazy("employer", "Thank you: the visit is confirmed."),
    "propose": pgettext_lazy("employer", "Thank you: your coach has your proposal and will get back to you."),
    "concern": pgettext_lazy("employer", "Thank you: your concern was received. Your coach has been told at once."),
    "survey": pgettext_lazy("employer", "Thank you: your answers were received."),
}


def _form_key() -> str:
    """A fresh key for a form: the same form posted twice is stored once."""
    return secrets.token_urlsafe(24)


def _unavailable(request: HttpRequest) -> HttpResponse:
    """The survey links' polite page, with their status, in the visitor's language."""
    language = page_language(request, None)
    return _render(request, "outreach/surveys/unavailable.html", {"language": language}, status=UNAVAILABLE_STATUS)


def _too_many(request: HttpRequest) -> HttpResponse:
    """The survey links' page for too many requests from one address (429)."""
    context = {"language": page_language(request, None), "viewing": request.method != "POST"}
    return _render(request, "outreach/surveys/rate_limited.html", context, status=429)


def _render(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    with translation.override(context["language"]):
        response = render(request, template, {**context, "path": request.path}, status=status)
    response["Content-Language"] = context["language"]
    return private(response)


# --- What the page shows -----------------------------------------------------------------------------------------


def _colleague(placement: Placement, today: dt.date) -> dict[str, str]:
    """Her first name, role and the agreed shareable text, only while her consent to share is in force today."""
    client = placement.client
    if not client.has_consent(ConsentPurpose.SHARE_WITH_EMPLOYER, on=today):
        return {}
    agreement = client.current_agreement()
    shared = agreement.shareable_text(on=today).strip() if agreement is not None else ""
    return {"first_name": client.first_name, "role": placement.job_title, "shared": shared}


def _steps(link: MentorLink, language: str, posted: dict[str, Any]) -> list[dict[str, Any]]:
    """The employer track's open steps with what she replied about each on its current date."""
    steps = services.mentor_steps(link.placement)
    replies = VisitReply.objects.filter(step__in=steps).order_by("created_at", "pk")
    latest: dict[tuple[int, str], VisitReply] = {}
    for reply in replies:
        latest[(reply.step_id, reply.kind)] = reply
    rows = []
    for step in steps:
        confirmed = latest.get((step.pk, VisitReplyKind.CONFIRMED))
        proposed = latest.get((step.pk, VisitReplyKind.PROPOSED))
        mine = posted if posted.get("step") == str(step.pk) else {}
        rows.append(
            {
                "step": step,
                "label": step.label(language),
                "is_visit": services.is_visit(step),
                "confirmed": confirmed is not None and confirmed.for_due_on == step.due_on,
                "proposed": proposed if proposed is not None and proposed.for_due_on == step.due_on else None,
                "errors": mine.get("errors", {}),
                "values": mine.get("values", {}),
                "key": mine.get("key") or _form_key(),
                "open": bool(mine),
            }
        )
    return rows


def mentor_packs(link: MentorLink) -> list[InfoPack]:
    """The built packs she may download: the latest ready version of her placement's pack and of the employer's
    general pack, in each language, less any withheld since the client withdrew her consent (Flora §8)."""
    placement = link.placement
    own = Q(placement=placement) | Q(employer_id=placement.employer_id, placement__isnull=True)
    rows = InfoPack.objects.ready().filter(own).order_by("-version", "-pk")
    seen: set[tuple[str, str]] = set()
    latest = []
    for pack in rows:
        if (pack.kind, pack.language) not in seen:
            seen.add((pack.kind, pack.language))
            latest.append(pack)
    latest.sort(key=lambda p: (p.kind != InfoPackKind.PLACEMENT, p.language != link.language, p.language))
    return [pack for pack in latest if not withheld_reason(pack)]


def _coach(placement: Placement) -> Any:
    """The coach as employers see her: name, and the phone and mail of her staff card (outreach.packs.render)."""
    cards = {card.user_id: card for card in StaffCard.objects.filter(user_id=placement.coach_id)}
    return staff_line(pgettext("employer", "Job coach"), placement.coach, cards)


def _programme(language: str) -> dict[str, Any]:
    """The on-call line and the answers to the questions employers ask, from the programme profile."""
    try:
        profile = programme_profile(language)
    except PackDataError:
        return {}
    return {
        "organisation": profile.organisation_name,
        "on_call_phone": profile.on_call_phone,
        "on_call": profile.on_call,
        "office_phone": profile.contact_phone,
        "questions": question_blocks(profile.questions_and_answers),
    }


def _concerns(link: MentorLink) -> list[dict[str, Any]]:
    """The concerns she raised about this placement, newest first, with when they were received and answered."""
    concerns = (
        MentorConcern.objects.filter(placement=link.placement, link__contact_id=link.contact_id)
        .select_related("step")
        .order_by("-created_at", "-pk")[:CONCERN_LIMIT]
    )
    return [{"concern": c, "answered_at": services.concern_answered_at(c)} for c in concerns]


def _page_context(
    request: HttpRequest, link: MentorLink, language: str, *, posted: dict[str, Any] | None = None
) -> dict[str, Any]:
    posted = posted or {}
    placement = link.placement
    today = timezone.localdate()
    action = posted.get("action", "")
    survey_errors = posted.get("survey_errors", {})
    concern_form = posted if action == "concern" else {}
    prefix = f"step-{posted.get('step', '')}-" if action in ("confirm", "propose") else "concern-"
    fields = ("what_happened", "urgency", "phone", "proposed_on", "note")
    error_summary = [
        (prefix + (name if name in fields else "form"), message) for name, message in posted.get("errors", {}).items()
    ]
    if REFUSED in survey_errors:
        # The survey's own summary lists the answers to correct; one that is no longer open has no form to show it.
        error_summary.append(("surveys", survey_errors[REFUSED]))
    done = request.GET.get("done", "")
    return {
        "language": language,
        "languages": native_language_names(),
        "link": link,
        "link_token": services.link_text(link),
        # The open check-in and evaluation, answered here with the survey page's questions (outreach.surveys.embed).
        "surveys": page_surveys(
            placement,
            now=timezone.now(),
            language=language,
            contact=link.contact,
            data=posted.get("data"),
            errors=survey_errors or None,
        ),
        "placement": placement,
        "mentor_name": link.contact.first_name or link.contact.full_name,
        "employer_name": placement.employer.name,
        "colleague": _colleague(placement, today),
        "steps": _steps(link, language, posted if action in ("confirm", "propose") else {}),
        "coach": _coach(placement),
        "programme": _programme(language),
        "packs": mentor_packs(link),
        "concerns": _concerns(link),
        "urgencies": Urgency.choices,
        "concern_form": {
            "values": concern_form.get("values", {}),
            "errors": concern_form.get("errors", {}),
            "key": concern_form.get("key") or _form_key(),
        },
        "error_summary": error_summary,
        "done": DONE_MESSAGES.get(done, ""),
        "today": today,
    }


# --- What a post does --------------------------------------------------------------------------------------------


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _messages_of(error: ValidationError) -> dict[str, str]:
    """The first message per field of a service's refusal."""
    if hasattr(error, "error_dict"):
        return {name: messages[0] for name, messages in error.message_dict.items()}
    return {"__all__": error.messages[0]}


def _handle_post(request: HttpRequest, link: MentorLink, now: dt.datetime, language: str) -> tuple[str, dict[str, Any]]:
    """Run the posted action; ("done key", {}) on success, ("", what to show again) on a refusal."""
    data = request.POST
    action = data.get("action", "")
    key = data.get("key", "")
    try:
        if action == "confirm":
            services.confirm_visit(link=link, step_pk=data.get("step", ""), key=key, now=now)
        elif action == "propose":
            proposed = _date(data.get("proposed_on", ""))
            services.propose_date(
                link=link,
                step_pk=data.get("step", ""),
                proposed_on=proposed,
                note=data.get("note", ""),
                key=key,
                now=now,
            )
        elif action == "concern":
            services.raise_concern(
                link=link,
                what_happened=data.get("what_happened", ""),
                urgency=data.get("urgency", ""),
                call_back=data.get("call_back") == "yes",
                phone=data.get("phone", ""),
                key=key,
                now=now,
            )
        elif action == "survey":
            stored, errors = answer_from_page(link.placement, data, now=now, language=language, contact=link.contact)
            if not stored:
                return "", {"action": action, "survey_errors": errors, "data": data}
        else:
            raise ValidationError({"action": _("Reload the page and try again.")})
    except ValidationError as exc:
        values = {
            name: data.get(name, "")
            for name in ("what_happened", "urgency", "call_back", "phone", "proposed_on", "note")
        }
        return "", {
            "action": action,
            "step": data.get("step", ""),
            "key": key,
            "values": values,
            "errors": _messages_of(exc),
        }
    return action, {}


@csrf_exempt  # the link in the URL is the credential, as on the survey page (outreach.surveys.views.survey)
@require_http_methods(["GET", "HEAD", "POST"])
def mentor_page(request: HttpRequest, token: str) -> HttpResponse:
    """Show the mentor's page (GET and HEAD change nothing), or run one of her forms (POST, then redirect).

    That she opened it is noted by a POST her browser sends once the page has loaded (static/outreach/
    mentor.js): mail scanners fetch links without running scripts, so their visits change nothing, not
    even the "last opened" the coach sees (STYLE "Public links and documents").
    """
    if rate_limited(request):
        return _too_many(request)
    now = timezone.now()
    link = services.find_link(token, now=now)
    if link is None:
        return _unavailable(request)
    language = page_language(request, link.language)
    if request.method == "POST" and request.POST.get("action") == "opened":
        services.record_open(link=link, now=now)
        return private(HttpResponse(status=204))
    if request.method == "POST":
        with translation.override(language):
            done, posted = _handle_post(request, link, now, language)
            if not done:
                return _render(
                    request,
                    "outreach/mentors/page.html",
                    _page_context(request, link, language, posted=posted),
                    status=400,
                )
        return private(HttpResponseRedirect(f"{request.path}?lang={language}&done={done}#done"))
    with translation.override(language):
        context = _page_context(request, link, language)
    return _render(request, "outreach/mentors/page.html", context)


@require_http_methods(["GET", "HEAD"])
def mentor_pack_pdf(request: HttpRequest, token: str, pack_pk: int) -> HttpResponseBase:
    """One of the packs her page lists, as PDF; any other pack gets the same page as a link that does not work."""
    if rate_limited(request):
        return _too_many(request)
    link = services.find_link(token, now=timezone.now())
    pack = next((p for p in mentor_packs(link) if p.pk == pack_pk), None) if link is not None else None
    if pack is None:
        return _unavailable(request)
    response = FileResponse(
        pack.pdf.open("rb"), as_attachment=True, filename=pack.filename, content_type="application/pdf"
    )
    return private(response)


# --- The coach's side --------------------------------------------------------------------------------------------


def _casework_placement(request: HttpRequest, pk: int) -> Placement:
    """A placement the user follows as casework (the only ones she may change), else 404."""
    return get_object_or_404(Placement.objects.in_casework_of(request.user).select_related("mentor"), pk=pk)


def _back(placement: Placement) -> HttpResponse:
    return redirect(reverse("placements:placement", args=[placement.pk]) + "#mentor-page")


def _give_link(request: HttpRequest, pk: int, make: Any, done: str) -> HttpResponse:
    """Issue or reissue the mentor's link with `make`, then show it once with `done` (which has %(url)s)."""
    placement = _casework_placement(request, pk)
    try:
        link = make(placement=placement, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done % {"url": services.link_url(link)})
    return _back(placement)


@staff_view("placements.change_placement", "POST")
def issue_mentor_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the mentor her page (or keep the working link) and show the link to copy once."""
    return _give_link(request, pk, services.issue_link, _("The mentor's page: %(url)s"))


@staff_view("placements.change_placement", "POST")
def reissue_mentor_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A new link for the mentor; the old one stops working at once."""
    return _give_link(
        request, pk, services.reissue_link, _("A new link; the old one no longer works. The mentor's page: %(url)s")
    )


@staff_view("placements.change_placement", "POST")
def revoke_mentor_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop the mentor's link."""
    placement = _casework_placement(request, pk)
    if services.revoke_link(placement=placement, actor=request.user):
        messages.success(request, _("The mentor's link no longer works."))
    else:
        messages.error(request, _("There was no working link to revoke."))
    return _back(placement)


@staff_view("placements.change_placement", "POST")
def answer_mentor_concern(request: HttpRequest, pk: int, concern_pk: int) -> HttpResponse:
    """Mark a concern answered with a short answer; its follow-up is done and the mentor sees when."""
    placement = _casework_placement(request, pk)
    concern = get_object_or_404(MentorConcern.objects.filter(placement=placement), pk=concern_pk)
    try:
        services.answer_concern(concern=concern, actor=request.user, answer=request.POST.get("answer", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The concern is marked answered."))
    return _back(placement)
