"""Data for the outreach sections of the staff workspace: an employer's or placement's info packs and survey results.

crm and placements never import outreach (DESIGN "Architecture"): their pages include
templates/outreach/workspace/<name>.html, which load their data through these tags. Each tag runs
a fixed number of queries whatever the number of packs, deliveries or answers, and shows only what
the user may see through InfoPack.objects.visible_to and SurveyInvitation.objects.visible_to (the
user's roles are read once per request, crm.roles.roles_of).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from outreach.packs.models import InfoPack, InfoPackDelivery, InfoPackKind
from outreach.surveys.models import QuestionType, SurveyInvitation, SurveyResponse
from outreach.surveys.results import TEXT, answers_for, summarise

register = template.Library()

# A section shows at most this many packs, invitations and free-text answers.
PACK_LIMIT = 50
INVITATION_LIMIT = 20
TEXT_LIMIT = 5


def _language() -> str:
    """The two-letter code of the active language, for question wording."""
    return (get_language() or "en")[:2]


def _pack_rows(packs: QuerySet[InfoPack]) -> dict[str, Any]:
    """The packs, the latest version of each kind, placement and language first; three queries at most."""
    deliveries = InfoPackDelivery.objects.select_related("contact").order_by("-created_at", "-pk")
    rows = list(
        packs.select_related("placement")
        .prefetch_related(Prefetch("deliveries", queryset=deliveries))
        .order_by("-version", "-created_at", "-pk")[: PACK_LIMIT + 1]
    )
    seen: set[tuple[str, int | None, str]] = set()
    latest: list[InfoPack] = []
    older: list[InfoPack] = []
    for pack in rows[:PACK_LIMIT]:
        scope = (pack.kind, pack.placement_id, pack.language)
        (older if scope in seen else latest).append(pack)
        seen.add(scope)
    latest.sort(key=lambda p: (p.kind != InfoPackKind.GENERAL, p.placement_id or 0, p.language))
    return {
        "latest": latest,
        "older": older,
        "more": len(rows) > PACK_LIMIT,
    }


@register.simple_tag
def employer_packs(employer: Any, user: Any) -> dict[str, Any]:
    """The employer's packs the user may see: a coach sees general packs and those of her placements."""
    return _pack_rows(InfoPack.objects.visible_to(user).filter(employer=employer))


@register.simple_tag
def placement_packs(placement: Any, user: Any) -> dict[str, Any]:
    """The placement's packs, when the user may see the placement."""
    return _pack_rows(InfoPack.objects.visible_to(user).filter(placement=placement))


def _headline(summary: list[dict[str, Any]]) -> dict[str, Any]:
    """The average over every 1-5 scale answer and the NPS of the most answered recommendation question."""
    scales = [row for row in summary if row["type"] == QuestionType.SCALE and row["average"] is not None]
    counted = sum(row["count"] for row in scales)
    average = round(sum(row["average"] * row["count"] for row in scales) / counted, 1) if counted else None
    nps_rows = sorted((row for row in summary if row["nps"] is not None), key=lambda row: -row["count"])
    return {"average": average, "nps": nps_rows[0]["nps"] if nps_rows else None}


def _results(invitations: QuerySet[SurveyInvitation]) -> dict[str, Any]:
    """Responses counted, the per-question summary, the headline figures and the latest free texts; three queries."""
    answers = answers_for(invitations=invitations)
    summary = summarise(answers, language=_language())
    texts = list(
        answers.filter(question__type__in=TEXT)
        .exclude(text="")
        .select_related("response", "question")
        .order_by("-response__submitted_at", "-pk")[:TEXT_LIMIT]
    )
    responses = SurveyResponse.objects.filter(invitation__in=invitations).count()
    return {"responses": responses, "summary": summary, "texts": texts, **_headline(summary)}


@register.simple_tag
def employer_evaluations(employer: Any, user: Any) -> dict[str, Any]:
    """The employer's survey results, from the invitations the user may see."""
    return _results(SurveyInvitation.objects.visible_to(user).filter(employer=employer))


@register.simple_tag
def placement_evaluation(placement: Any, user: Any) -> dict[str, Any]:
    """The placement's survey invitations with their status and the step each answer is for, and what they say."""
    invitations = SurveyInvitation.objects.visible_to(user).filter(placement=placement)
    now = timezone.now()
    rows = [
        {
            "invitation": invitation,
            "status": invitation.status(now=now),
            "step": getattr(getattr(invitation, "response", None), "step", None),
        }
        for invitation in invitations.select_related("template", "contact", "response__step")[:INVITATION_LIMIT]
    ]
    return {"invitations": rows, **_results(invitations)}
