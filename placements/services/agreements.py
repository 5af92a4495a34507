"""The coaching agreement (Flora III.4 "contract"; III.5.D): every revision is a new version, the old ones are kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from common.types import Actor, actor_user
from placements.choices import ClientStatus
from placements.models import Client, CoachingAgreement
from placements.scheduling import local_date

# What the coach and the client agree on (Flora III.4 "Het contract preciseert"), in the order the page shows it.
TERMS = (
    "parties",
    "joint_work",
    "duration_weeks",
    "expected_result",
    "success_measure",
    "goals_work",
    "goals_private",
    "contact_rhythm",
    "share_with_employer",
)
# What a revision may set: the terms and the day they were agreed.
AGREEMENT_FIELDS = (*TERMS, "agreed_on")


def _normalised(value: Any) -> Any:
    """Text without surrounding whitespace (so a stray space is not a revision); other values as they are."""
    return value.strip() if isinstance(value, str) else value


def changed_terms(previous: CoachingAgreement | None, version: CoachingAgreement) -> list[str]:
    """The terms in which `version` differs from `previous` (all of its filled-in terms for a first version)."""
    if previous is None:
        return [name for name in TERMS if getattr(version, name) not in ("", None)]
    return [name for name in TERMS if _normalised(getattr(previous, name)) != _normalised(getattr(version, name))]


def _candidate(
    client: Client, current: CoachingAgreement | None, fields: dict[str, Any], *, today: dt.date
) -> CoachingAgreement:
    """The would-be next version: the current terms, overwritten by `fields`; agreed today unless a date is given."""
    unknown = sorted(set(fields) - set(AGREEMENT_FIELDS))
    if unknown:
        raise ValidationError(_("These are not terms of the agreement: %(names)s.") % {"names": ", ".join(unknown)})
    values = {name: getattr(current, name) for name in TERMS} if current is not None else {}
    values.update({name: _normalised(value) for name, value in fields.items()})
    if values.get("agreed_on") is None:
        values["agreed_on"] = today
    return CoachingAgreement(client=client, **values)


def _refuse_bad_revision(current: CoachingAgreement | None, new: CoachingAgreement, change_note: str) -> None:
    """A revision changes something, says what, and is not dated before the version it replaces."""
    if current is None:
        return
    if not changed_terms(current, new):
        raise ValidationError(_("Nothing changed compared with the version in force; there is nothing to save."))
    if not change_note:
        raise ValidationError({"change_note": _("Say what changed and why; the next reader needs to know.")})
    if new.agreed_on < current.agreed_on:
        message = _("A revision cannot be agreed before the version it replaces (%(date)s).")
        raise ValidationError({"agreed_on": message % {"date": current.agreed_on.isoformat()}})


@transaction.atomic
def revise_agreement(
    *,
    client: Client,
    actor: Actor,
    fields: dict[str, Any],
    change_note: str,
    now: dt.datetime | None = None,
) -> CoachingAgreement:
    """Write the first version of a client's coaching agreement, or the next one; the version in force is kept.

    Terms missing from `fields` carry over from the version in force. The new version is validated in
    full (the consent rule included) before anything is written; one identical to the version in force
    is refused, and every version after the first says what changed.
    """
    now = now or timezone.now()
    change_note = change_note.strip()
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if locked.status == ClientStatus.CLOSED:
        raise ValidationError(_("This file is closed; its agreement can no longer be revised."))
    current = CoachingAgreement.objects.select_for_update().filter(client=locked, superseded_at__isnull=True).first()
    new = _candidate(locked, current, fields, today=local_date(now))
    _refuse_bad_revision(current, new, change_note)
    latest = CoachingAgreement.objects.filter(client=locked).aggregate(latest=Max("version"))["latest"]
    new.version = (latest or 0) + 1
    new.change_note = change_note
    new.created_by = actor_user(actor)
    # Constraints are left to the database: "one version in force" only holds once the current one is superseded.
    new.full_clean(validate_constraints=False)
    if current is not None:
        CoachingAgreement.objects.filter(pk=current.pk).update(superseded_at=now)
    new.save()
    CoachingAgreement.objects.filter(pk=new.pk).update(created_at=now)  # auto_now_add ignores "as of" runs
    new.created_at = now
    return new
