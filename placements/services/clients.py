"""A client's file: taking her in, her contact data, her coach, her consents, and closing it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, Max, QuerySet
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from common.types import Actor, actor_user
from crm.choices import Language
from crm.models import LadderStep
from crm.roles import Role, sees_every_client
from placements.choices import (
    OPEN_STEP_STATUSES,
    ClientStatus,
    ClosingReason,
    ConsentPurpose,
    ConsentSource,
    Destination,
    Gender,
    PlacementStatus,
    StepKind,
    StepStatus,
    Track,
)
from placements.models import (
    AftercareStep,
    Client,
    ConsentRecord,
    Placement,
)
from placements.scheduling import local_date
from placements.services.ladder import _close_ladder_position, place_on_ladder

# Pseudonymous references look like C-2026-0043: a year and a number counted per year.
REFERENCE_PATTERN = r"^C-%(year)d-[0-9]{1,18}$"  # at most 18 digits: a number the database counts with
# What a client's file says about her; the rest of the row is workflow state.
FILE_FIELDS = (
    "first_name",
    "email",
    "phone",
    "gender",
    "gender_description",
    "preferred_language",
    "hours_wanted",
    "case_manager",
)
# Follow-ups that take the coach to her workplace, which need her consent to workplace visits (Flora §8).
VISIT_KINDS = (StepKind.VISIT,)


# --- Taking a client in -----------------------------------------------------------------------


def next_client_reference(*, today: dt.date) -> str:
    """The next free pseudonymous reference of the year, like C-2026-0043 (Flora §8: no name in the reference)."""
    pattern = REFERENCE_PATTERN % {"year": today.year}
    prefix = f"C-{today.year}-"
    # The highest number is found by the database: reading every reference of the year into Python cost
    # 60 to 90 ms of each new-client form with 60,000 clients (PostgreSQL and SQLite).
    number = Cast(Substr("reference", len(prefix) + 1), output_field=BigIntegerField())
    found = Client.objects.filter(reference__startswith=prefix, reference__regex=pattern).aggregate(highest=Max(number))
    return f"{prefix}{(found['highest'] or 0) + 1:04d}"


def users_in_role(role: Role) -> QuerySet[Any]:
    """Active users in a role, by name: who may be chosen as a client's coach or case manager."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=role)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _check_people(*, actor: Actor, coach: Any, case_manager: Any) -> None:
    """The coach and case manager hold those roles; someone with a caseload keeps the new file in it.

    A coach or case manager sees only the clients she coaches or manages (Flora III.1.B, need to
    know), so she takes a client in as her coach, or (a case manager) as her case manager; whoever
    sees every client may take her in for anyone.
    """
    if coach is None or not users_in_role(Role.COACH).filter(pk=coach.pk).exists():
        raise ValidationError({"coach": _("Choose an active coach.")})
    if case_manager is not None and not users_in_role(Role.CASE_MANAGER).filter(pk=case_manager.pk).exists():
        raise ValidationError({"case_manager": _("Choose an active case manager.")})
    user = actor_user(actor)
    if user is None or sees_every_client(user):
        return
    if user.pk not in (coach.pk, getattr(case_manager, "pk", None)):
        raise ValidationError(
            {"coach": _("Take her in as her coach (or as her case manager), so her file stays in your caseload.")}
        )


def _check_file(*, gender: str, preferred_language: str, email: str, hours_wanted: Decimal | None = None) -> None:
    """Known choices and a plausible email address."""
    if gender not in Gender.values:
        raise ValidationError({"gender": _("Unknown gender: %(value)s.") % {"value": gender}})
    if preferred_language not in Language.values:
        raise ValidationError({"preferred_language": _("Choose a language.")})
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise ValidationError({"email": _("Enter a valid email address.")})
    if hours_wanted is not None and not 0 <= hours_wanted <= 60:
        raise ValidationError({"hours_wanted": _("Give the hours she wants per week as a number from 0 to 60.")})


@transaction.atomic
def take_in_client(
    *,
    actor: Actor,
    reference: str,
    coach: Any,
    case_manager: Any = None,
    first_name: str = "",
    email: str = "",
    phone: str = "",
    gender: str = "",
    gender_description: str = "",
    preferred_language: str = "nl",
    hours_wanted: Decimal | None = None,
    consents: Iterable[str] = (),
    consents_given_on: dt.date | None = None,
    consent_source: str = ConsentSource.SIGNED_FORM,
    ladder_step: LadderStep | None = None,
    now: dt.datetime | None = None,
) -> Client:
    """Open a client's file: reference, minimal contact data, coach, consents given at intake and her first step.

    Only what coaching needs is kept (Flora §8); consents are recorded per purpose (Flora III.1.B)
    and her ladder position starts today, so time per step counts from the intake (igma ch. 5).
    """
    now = now or timezone.now()
    today = local_date(now)
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": _("Give her a reference.")})
    if Client.objects.filter(reference__iexact=reference).exists():
        raise ValidationError(
            {
                "reference": _("This reference is taken; %(free)s is free.")
                % {"free": next_client_reference(today=today)}
            }
        )
    _check_people(actor=actor, coach=coach, case_manager=case_manager)
    _check_file(gender=gender, preferred_language=preferred_language, email=email.strip(), hours_wanted=hours_wanted)
    client = Client.objects.create(
        reference=reference[:32],
        first_name=first_name.strip()[:100],
        email=email.strip(),
        phone=phone.strip()[:40],
        gender=gender,
        gender_description=gender_description.strip()[:100],
        preferred_language=preferred_language,
        hours_wanted=hours_wanted,
        coach=coach,
        case_manager=case_manager,
        status=ClientStatus.INTAKE,
    )
    for purpose in dict.fromkeys(consents):
        record_consent(
            client=client,
            purpose=purpose,
            given_on=consents_given_on or today,
            source=consent_source,
            actor=actor,
            now=now,
        )
    if ladder_step is not None:
        place_on_ladder(client=client, step=ladder_step, on=today, note=_("Intake"))
    return client


@transaction.atomic
def update_client(*, client: Client, actor: Actor, now: dt.datetime | None = None, **fields: Any) -> Client:
    """Change her contact data, gender, language or case manager; the coach changes through reassign_coach."""
    unknown = set(fields) - set(FILE_FIELDS)
    if unknown:
        raise TypeError(f"update_client() got unexpected fields: {', '.join(sorted(unknown))}")
    locked = Client.objects.select_for_update().get(pk=client.pk)
    values = {name: fields.get(name, getattr(locked, name)) for name in FILE_FIELDS}
    for name in ("first_name", "email", "phone", "gender_description"):
        values[name] = (values[name] or "").strip()
    _check_file(
        gender=values["gender"],
        preferred_language=values["preferred_language"],
        email=values["email"],
        hours_wanted=values["hours_wanted"],
    )
    manager = values["case_manager"]
    changed = manager is not None and manager.pk != locked.case_manager_id
    if changed and not users_in_role(Role.CASE_MANAGER).filter(pk=manager.pk).exists():
        raise ValidationError({"case_manager": _("Choose an active case manager.")})
    Client.objects.filter(pk=locked.pk).update(**values, updated_at=now or timezone.now())
    for name, value in values.items():
        setattr(client, name, value)
    return client


# --- Coach and consent ------------------------------------------------------------------------


@transaction.atomic
def reassign_coach(*, client: Client, new_coach: Any, actor: Actor, now: dt.datetime | None = None) -> int:
    """Give a client a new coach: her open placements and open steps follow; done steps keep their history.

    Placements another coach follows (Flora IV.4.A: some organisations split the work) stay with
    that coach. Returns the number of steps moved.
    """
    now = now or timezone.now()
    if new_coach is None or not getattr(new_coach, "is_active", False):
        raise ValidationError({"new_coach": _("Choose an active user as the new coach.")})
    locked = Client.objects.select_for_update().get(pk=client.pk)
    old_coach_id = locked.coach_id
    if old_coach_id == new_coach.pk:
        return 0
    Client.objects.filter(pk=locked.pk).update(coach=new_coach, updated_at=now)
    Placement.objects.filter(
        client=locked, coach_id=old_coach_id, status__in=(PlacementStatus.PLANNED, PlacementStatus.ACTIVE)
    ).update(coach=new_coach, updated_at=now)
    moved = AftercareStep.objects.filter(
        placement__client=locked, assignee_id=old_coach_id, status__in=OPEN_STEP_STATUSES
    ).update(assignee=new_coach, updated_at=now)
    client.coach = new_coach
    return moved


@transaction.atomic
def record_consent(
    *,
    client: Client,
    purpose: str,
    given_on: dt.date,
    actor: Actor,
    source: str = ConsentSource.SIGNED_FORM,
    note: str = "",
    now: dt.datetime | None = None,
) -> ConsentRecord:
    """Record a consent the client gave for one purpose, with how it reached us (Flora III.1.B)."""
    if purpose not in ConsentPurpose.values:
        raise ValidationError({"purpose": _("Unknown purpose: %(value)s.") % {"value": purpose}})
    if source not in ConsentSource.values:
        raise ValidationError({"source": _("Unknown source: %(value)s.") % {"value": source}})
    if ConsentRecord.objects.filter(client=client, purpose=purpose, withdrawn_on__isnull=True).exists():
        raise ValidationError(
            {"purpose": _("The client already gave this consent; withdraw it first to record it anew.")}
        )
    return ConsentRecord.objects.create(
        client=client,
        purpose=purpose,
        given_on=given_on,
        source=source,
        recorded_by=actor_user(actor),
        note=note.strip()[:300],
    )


def open_visit_steps(client: Client) -> QuerySet[AftercareStep]:
    """Her open workplace visits: what a withdrawn consent to workplace visits leaves to move or skip."""
    return (
        AftercareStep.objects.open()
        .filter(placement__client=client, kind__in=VISIT_KINDS)
        .select_related("placement__employer", "template")
        .order_by("due_on", "pk")
    )


@transaction.atomic
def withdraw_consent(
    *,
    client: Client,
    purpose: str,
    withdrawn_on: dt.date,
    actor: Actor,
    source: str = "",
    note: str = "",
    skip_visits: bool = False,
    now: dt.datetime | None = None,
) -> ConsentRecord:
    """Record that the client withdrew a consent; it takes effect at once, so it cannot be dated ahead.

    Everything that depends on a consent reads it when it is used (the employer's check-in mail, the
    placement pack, the employer's page), so nothing else needs changing for sharing (Flora III.1.B).
    Workplace visits are follow-ups the coach planned: with `skip_visits` her open visits are skipped
    with the reason; otherwise they stay for the coach to turn into calls or skip one by one (Flora §8).
    """
    now = now or timezone.now()
    if source and source not in ConsentSource.values:
        raise ValidationError({"source": _("Unknown source: %(value)s.") % {"value": source}})
    record = (
        ConsentRecord.objects.select_for_update()
        .filter(client=client, purpose=purpose, withdrawn_on__isnull=True)
        .first()
    )
    if record is None:
        raise ValidationError({"purpose": _("The client has no consent in force for this purpose.")})
    if withdrawn_on < record.given_on:
        raise ValidationError({"withdrawn_on": _("A consent cannot be withdrawn before it was given.")})
    if withdrawn_on > local_date(now):
        raise ValidationError({"withdrawn_on": _("A withdrawal takes effect at once: date it today or earlier.")})
    record.withdrawn_on = withdrawn_on
    record.withdrawal_recorded_by = actor_user(actor)
    # The record has one source field, for the consent; how the withdrawal reached us goes with the note.
    said = [record.note, note.strip()]
    if source:
        said.append(_("Withdrawal: %(source)s.") % {"source": ConsentSource(source).label})
    record.note = " · ".join(part for part in said if part)[:300]
    record.save(update_fields=["withdrawn_on", "withdrawal_recorded_by", "note"])
    if skip_visits and purpose == ConsentPurpose.WORKPLACE_VISITS:
        open_visit_steps(client).update(
            status=StepStatus.SKIPPED,
            reason=_("The client withdrew her consent to workplace visits."),
            completed_at=now,
            completed_by=actor_user(actor),
            updated_at=now,
        )
    return record


# --- Closing the file -------------------------------------------------------------------------


def _cancel_client_follow_up(client: Client, closed_on: dt.date, now: dt.datetime) -> int:
    """Cancel the open client and joint follow-ups of her ended placements; the employer's track stays.

    Closing the file ends the personal coaching (Flora III.3.B: the coach reviews the path and says
    goodbye), so no call or three-way meeting with her is left to chase. The employer's track has its
    own end (Flora IV.3 werkgever D) and its evaluation is what the network learns from (igma ch. 5
    good governance), so employer steps and the evaluation stay open.
    """
    return (
        AftercareStep.objects.open()
        .filter(placement__client=client, track__in=(Track.CLIENT, Track.JOINT))
        .exclude(kind=StepKind.EMPLOYER_EVALUATION)
        .update(
            status=StepStatus.CANCELLED,
            reason=_("File closed on %(date)s.") % {"date": closed_on.isoformat()},
            updated_at=now,
        )
    )


@transaction.atomic
def close_client(
    *,
    client: Client,
    actor: Actor,
    reason: str,
    destination: str = "",
    closed_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Client:
    """Close a client's file with why and where she went (igma ch. 5: early leaving and destinations).

    A file with a placement still planned or running is not closed: end or cancel it first, so no
    follow-up is left without a coach who knows it is hers. Her open client and joint follow-ups are
    cancelled, the employer's stay (see _cancel_client_follow_up); her ladder position is closed.
    """
    now = now or timezone.now()
    closed_on = closed_on or local_date(now)
    if reason not in ClosingReason.values or not reason:
        raise ValidationError({"closing_reason": _("Choose why the file is closed.")})
    if destination not in Destination.values:
        raise ValidationError({"destination": _("Unknown destination: %(value)s.") % {"value": destination}})
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if locked.status == ClientStatus.CLOSED:
        raise ValidationError({"status": _("This file is already closed.")})
    if locked.placements.filter(status__in=(PlacementStatus.PLANNED, PlacementStatus.ACTIVE)).exists():
        raise ValidationError({"status": _("End or cancel her running placements before closing the file.")})
    _cancel_client_follow_up(locked, closed_on, now)
    _close_ladder_position(locked, closed_on)
    Client.objects.filter(pk=locked.pk).update(
        status=ClientStatus.CLOSED, closing_reason=reason, destination=destination, closed_on=closed_on, updated_at=now
    )
    client.status, client.closing_reason = ClientStatus.CLOSED, reason
    client.destination, client.closed_on = destination, closed_on
    return client
