"""Erasure: replace a client's personal data with an anonymous placeholder and keep every count.

The rows stay (the reference, dates, statuses, employer, coach, ladder steps, placements and their aftercare
schedule), so the programme reports, the caseloads and each employer's history give the same figures after
as before; what identifies or describes her is replaced: her name, contact data, her own words about her
gender, consent notes, the coaching agreement's text, notes on ladder moves, end reasons, step notes and
outcomes, evaluation free text, what her workplace mentors wrote (their pages about her placements close), and
the same values in the audit trail.

Gender is kept: Flora §6.5 classes it S0, "needed for gender reports" (I.3 splits every figure M/F), and
igma ch. 6 reports count by it; without it the gender columns would shift after an erasure. Alone it does
not identify anybody once name and contact data are gone. Only a closed file is erased (Flora §8.2:
"define retention periods after closing"); an open one is closed first, with its reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outreach.mentors.models import MentorConcern, MentorLink, VisitReply
from outreach.packs.models import InfoPack, InfoPackStatus
from outreach.surveys.models import Answer
from placements.choices import ClientStatus
from placements.models import AftercareStep, Client, CoachingAgreement, ConsentRecord, LadderPosition, Placement
from placements.services.agreements import TERMS as AGREEMENT_TERMS
from privacy import access
from privacy.audit import entries_for_client
from privacy.models import AccessEvent, AccessKind

# What stands where a required text was.
ERASED = "[erased]"


def _may_be_blank(model: type[Any], name: str) -> bool:
    """Whether the model lets the field be left blank."""
    return bool(getattr(model._meta.get_field(name), "blank", False))


def _written(model: type[Any], names: tuple[str, ...]) -> tuple[str, ...]:
    """The text fields among `names` (a number of weeks holds nothing personal)."""
    return tuple(name for name in names if isinstance(model._meta.get_field(name), models.CharField | models.TextField))


# Per audited model, the fields whose values erasure replaces, in the rows and in their audit entries.
PERSONAL_FIELDS: dict[type[Any], tuple[str, ...]] = {
    Client: ("first_name", "email", "phone", "gender_description"),
    ConsentRecord: ("note",),
    # Every written term of the agreement (placements.services.agreements.TERMS) and the note on a revision.
    CoachingAgreement: (*_written(CoachingAgreement, AGREEMENT_TERMS), "change_note"),
    Placement: ("end_reason",),
}


def is_erased(client: Client) -> bool:
    """True once her file has been erased."""
    return AccessEvent.objects.filter(client=client, kind=AccessKind.ERASED).exists()


def placeholder(client: Client) -> str:
    """The name an erased client is shown under, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Erased client %(reference)s") % {"reference": client.reference}


def erase_client(client: Client, actor: Any, *, now: dt.datetime | None = None) -> None:
    """Replace the client's personal data everywhere with placeholders; refused for an open or erased file."""
    now = now or timezone.now()
    if client.status != ClientStatus.CLOSED:
        raise ValidationError(_("Close her file before erasing it: an open file is still being worked on."))
    if is_erased(client):
        raise ValidationError(_("This file has already been erased."))
    with transaction.atomic(), disable_auditlog():
        _erase_rows(client, now=now)
        _erase_audit_entries(client)
        _log_erasure(client, actor)
        access.record(actor, AccessKind.ERASED, client=client, detail="personal data replaced by placeholders")


def _erase_rows(client: Client, *, now: dt.datetime) -> None:
    """Overwrite the personal values in her rows (bulk updates: no audit entry carries the old values)."""
    Client.objects.filter(pk=client.pk).update(
        first_name=placeholder(client), email="", phone="", gender_description="", updated_at=now
    )
    ConsentRecord.objects.filter(client=client).update(note="")
    # A term the agreement requires reads as erased; one it may leave blank is emptied.
    CoachingAgreement.objects.filter(client=client).update(
        **{
            name: "" if _may_be_blank(CoachingAgreement, name) else ERASED
            for name in PERSONAL_FIELDS[CoachingAgreement]
        }
    )
    LadderPosition.objects.filter(client=client).update(note="")
    placements = Placement.objects.filter(client=client)
    placements.exclude(end_reason="").update(end_reason=ERASED, updated_at=now)
    steps = AftercareStep.objects.filter(placement__client=client)
    steps.update(outcome="", notes="", updated_at=now)
    steps.filter(template__isnull=True).update(title=ERASED)  # a step added by hand has a typed title
    Answer.objects.filter(response__invitation__placement__client=client).exclude(text="").update(text="")
    # What her workplace mentors wrote about her, and their pages about her placements.
    MentorConcern.objects.filter(placement__client=client).update(what_happened=ERASED, answer="", phone="")
    VisitReply.objects.filter(step__placement__client=client).update(note="")
    MentorLink.objects.live().filter(placement__client=client).update(revoked_at=now)
    _erase_placement_packs(client)
    client.refresh_from_db()


def _erase_placement_packs(client: Client) -> None:
    """Her placements' info packs name her and what she agreed to share: their PDFs are deleted."""
    for pack in InfoPack.objects.filter(placement__client=client).exclude(pdf=""):
        pack.pdf.delete(save=False)
    InfoPack.objects.filter(placement__client=client).update(
        pdf="", sha256="", size=None, status=InfoPackStatus.FAILED, error=ERASED
    )


def _masked(changes: Any, fields: tuple[str, ...]) -> Any:
    """An entry's changes with the values of `fields` replaced."""
    if not isinstance(changes, dict):
        return changes
    return {key: [ERASED, ERASED] if key in fields else value for key, value in changes.items()}


def _erase_audit_entries(client: Client) -> None:
    """Mask her personal values in the audit trail; who changed what and when stays."""
    types = {ct.pk: model for model, ct in ContentType.objects.get_for_models(*PERSONAL_FIELDS).items()}
    for entry in entries_for_client(client).select_related(None).only("pk", "content_type", "changes"):
        fields = PERSONAL_FIELDS.get(types.get(entry.content_type_id), ())  # type: ignore[arg-type]
        LogEntry.objects.filter(pk=entry.pk).update(changes=_masked(entry.changes, fields), changes_text="")


def _log_erasure(client: Client, actor: Any) -> None:
    """One audit entry saying her file was erased, by whom, without the values."""
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Client),
        object_pk=str(client.pk),
        object_id=client.pk,
        object_repr=client.reference,
        action=LogEntry.Action.UPDATE,
        changes={name: [ERASED, ERASED] for name in PERSONAL_FIELDS[Client]},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        additional_data={"erased": True},
    )
