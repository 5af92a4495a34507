"""The subject-access export: everything held about one client, as a ZIP with a readable PDF and JSON.

Flora §8.2 ("the client can get a printout of her own file"; the dossier as a document "in handen" of the
woman, IV.4.C.b) and the GDPR right of access. Third parties' contact data (the mentor's or coach's email
addresses, mail recipients) is left out; their names and roles are given where they are part of her file.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import zipfile
from typing import Any

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from crm.models import Interaction
from outreach.followups.models import FollowUpNotice
from outreach.mentors.models import MentorConcern, MentorMail, VisitReply
from outreach.packs.models import InfoPackDelivery
from outreach.packs.render import html_to_pdf
from outreach.surveys.models import Answer, SurveyMail, SurveyResponse
from placements.models import AftercareStep, Client, CoachingAgreement, ConsentRecord, LadderPosition, Placement
from privacy.audit import entries_for_client
from privacy.models import AccessEvent

# Fields never exported: secrets and internal bookkeeping of the mail queue.
_SKIPPED = {"token_hash", "token_seed", "token_prefix", "claim_token", "recipient_email", "email_sent_to"}


# The PDF's section headings, in the order of the JSON.
SECTION_TITLES = {
    "client": _("Her file"),
    "consents": _("Consents"),
    "coaching_agreements": _("Coaching agreements"),
    "ladder_positions": _("Ladder positions"),
    "placements": _("Placements"),
    "aftercare_steps": _("Aftercare steps"),
    "interactions_about_her_placements": _("Contacts with employers about her placements"),
    "survey_responses": _("Employer evaluations of her placements"),
    "concerns_from_mentors": _("Concerns her workplace mentors raised"),
    "mentor_replies_about_visits": _("Her workplace mentors' replies about visits"),
    "mails_about_her": _("Mails sent about her"),
    "audit_trail": _("Changes to her file"),
    "access_events": _("Who viewed or exported her file"),
}


def _value(obj: models.Model, field: models.Field[Any, Any]) -> Any:
    """A field's value as JSON: related rows by their name, choices with their label, dates as ISO text."""
    if field.is_relation:
        related = getattr(obj, field.name)
        return str(related) if related is not None else None
    value = getattr(obj, field.attname)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if field.choices and value not in (None, ""):
        return {"value": value, "label": str(getattr(obj, f"get_{field.name}_display")())}
    return value


def row(obj: models.Model, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every concrete field of a row, by name."""
    return {
        field.name: _value(obj, field)
        for field in obj._meta.concrete_fields
        if field.name not in _SKIPPED and field.name not in skip
    }


def _answers(response: SurveyResponse) -> list[dict[str, Any]]:
    answers = Answer.objects.filter(response=response).select_related("question").order_by("question__order")
    return [
        {
            "question": answer.question.text_en,
            "number": str(answer.number) if answer.number is not None else None,
            "text": answer.text,
            "choices": answer.choices,
        }
        for answer in answers
    ]


def _mails(placement_ids: list[int]) -> list[dict[str, Any]]:
    """The mails sent about her placements: kind, status and dates, without the recipients' addresses."""
    mails: list[dict[str, Any]] = []
    for notice in FollowUpNotice.objects.filter(step__placement__in=placement_ids).order_by("created_at", "pk"):
        mails.append({"type": "follow-up notice", **row(notice, skip=("last_error",))})
    for mail in SurveyMail.objects.filter(invitation__placement__in=placement_ids).order_by("created_at", "pk"):
        mails.append({"type": "survey mail", **row(mail, skip=("last_error",))})
    deliveries = InfoPackDelivery.objects.filter(pack__placement__in=placement_ids).order_by("created_at", "pk")
    for delivery in deliveries:
        mails.append({"type": "info pack", **row(delivery, skip=("last_error",))})
    about = models.Q(concern__placement__in=placement_ids) | models.Q(reply__step__placement__in=placement_ids)
    for mentor_mail in MentorMail.objects.filter(about).order_by("created_at", "pk"):
        mails.append({"type": "mentor's page", **row(mentor_mail, skip=("last_error",))})
    return mails


def collect(client: Client) -> dict[str, Any]:
    """Everything held about the client, as JSON-ready data."""
    placements = list(client.placements.order_by("start_on", "pk"))
    placement_ids = [p.pk for p in placements]
    responses = list(
        SurveyResponse.objects.filter(invitation__placement__in=placement_ids)
        .select_related("template", "invitation", "interaction")
        .order_by("submitted_at", "pk")
    )
    deliveries = InfoPackDelivery.objects.filter(pack__placement__in=placement_ids, interaction__isnull=False)
    interactions = [r.interaction for r in responses if r.interaction] + [
        d.interaction for d in deliveries.select_related("interaction") if d.interaction
    ]
    return {
        "generated_at": timezone.now().isoformat(),
        "client": row(client),
        "consents": [row(c) for c in client.consents.order_by("purpose", "given_on", "pk")],
        "coaching_agreements": [row(a) for a in client.agreements.order_by("version")],
        "ladder_positions": [row(p) for p in LadderPosition.objects.filter(client=client).order_by("entered_on")],
        "placements": [row(p) for p in placements],
        "aftercare_steps": [
            row(s) for s in AftercareStep.objects.filter(placement__in=placement_ids).order_by("due_on", "pk")
        ],
        "interactions_about_her_placements": [row(i) for i in interactions],
        "survey_responses": [
            {
                "survey": str(r.template),
                "placement": r.invitation.placement_id,
                **row(r, skip=("invitation",)),
                "answers": _answers(r),
            }
            for r in responses
        ],
        "concerns_from_mentors": [
            row(c, skip=("link", "idempotency_key", "phone"))
            for c in MentorConcern.objects.filter(placement__in=placement_ids).order_by("created_at", "pk")
        ],
        "mentor_replies_about_visits": [
            row(r, skip=("link", "idempotency_key"))
            for r in VisitReply.objects.filter(step__placement__in=placement_ids).order_by("created_at", "pk")
        ],
        "mails_about_her": _mails(placement_ids),
        "audit_trail": [
            {
                "when": entry.timestamp.isoformat(),
                "who": entry.actor.get_username() if entry.actor else None,
                "action": entry.get_action_display(),
                "row": entry.object_repr,
                "changes": entry.changes_dict,
            }
            for entry in entries_for_client(client)
        ],
        "access_events": [
            {"when": e.at.isoformat(), "who": e.username, "what": e.get_kind_display(), "detail": e.detail}
            for e in AccessEvent.objects.for_client(client)
        ],
    }


def _readable(value: Any) -> str:
    """A JSON value as one line of text for the PDF."""
    if isinstance(value, dict) and "label" in value:
        return str(value["label"])
    if value is None or value == "":
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _field_labels() -> dict[str, str]:
    """Field names as the forms call them, in the active language, for the PDF (the JSON keeps the names)."""
    labels: dict[str, str] = {}
    for model in (Client, ConsentRecord, CoachingAgreement, LadderPosition, Placement, AftercareStep, Interaction):
        for field in model._meta.concrete_fields:
            labels.setdefault(field.name, str(field.verbose_name))
    return labels


def render_pdf(data: dict[str, Any]) -> bytes:
    """The readable copy: one section per kind of data, one block per row."""
    sections = [
        (SECTION_TITLES[key], [value] if isinstance(value, dict) else value)
        for key, value in data.items()
        if key in SECTION_TITLES
    ]
    labels = _field_labels()
    blocks = [
        (title, [[(labels.get(name, name.replace("_", " ")), _readable(v)) for name, v in it.items()] for it in items])
        for title, items in sections
    ]
    context = {
        "reference": data["client"]["reference"],
        "generated_at": dt.datetime.fromisoformat(data["generated_at"]),
        "sections": blocks,
    }
    html = render_to_string("privacy/subject_access.html", context)
    return html_to_pdf(html)


def export_client(client: Client, *, language: str | None = None) -> bytes:
    """The ZIP for one client: `<reference>.pdf` to read and `<reference>.json` for machines."""
    with translation.override(language or translation.get_language()):
        data = collect(client)
        pdf = render_pdf(data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{client.reference}.pdf", pdf)
        archive.writestr(f"{client.reference}.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
    return buffer.getvalue()
