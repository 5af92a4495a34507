"""Workflows a relationship manager runs on the employer network."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField, OuterRef, QuerySet, Subquery, UniqueConstraint, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.types import Actor, actor_user
from crm.choices import DeclineReason, InteractionKind, Stage, VacancyStatus
from crm.models import (
    Contact,
    Employer,
    EmployerStageChange,
    Interaction,
    LadderStep,
    Vacancy,
    normalise_name,
    normalise_postcode,
)


class DuplicateEmployerError(ValidationError):
    """Raised when an employer looks like one we already have; `matches` holds the candidates."""

    def __init__(self, message: str, matches: list[Employer], conflicts: list[str] | None = None) -> None:
        super().__init__(message, code="duplicate")
        self.matches = matches
        # The unique constraints the new row would break; "create anyway" cannot get past these.
        self.conflicts = conflicts or []


def find_duplicate_employers(*, name: str, postcode: str = "", registration_number: str = "") -> list[Employer]:
    """Employers that share the registration number, or the normalised name and postcode."""
    reg = registration_number.strip().replace(" ", "")
    # Repeating the partial index's condition lets SQLite use it instead of scanning the table.
    by_name = Employer.objects.filter(normalised_name=normalise_name(name), postcode=normalise_postcode(postcode))
    if not reg:
        return list(by_name.order_by("pk")[:10])
    by_reg = Employer.objects.exclude(registration_number="").filter(registration_number=reg)
    return list(by_name.order_by().union(by_reg.order_by()).order_by("pk")[:10])


# The employer's core data, as the workspace's employer form edits it (the profile and vetting have their own).
EMPLOYER_FIELDS = (
    "name",
    "registration_number",
    "sector",
    "size_band",
    "ownership",
    "street",
    "postcode",
    "city",
    "country",
    "website",
    "phone",
    "email",
    "source",
    "owner",
    "notes",
)
# The 13 questions of Flora III.5.C.b «De werkgever» (domain analysis §4.6), in the order Flora asks them.
PROFILE_FIELDS = (
    "sector_gender",
    "share_women_pct",
    "share_women_supervisors_pct",
    "gendered_functions",
    "hard_to_fill_functions",
    "hiring_motivation",
    "status_offered",
    "collective_agreement",
    "schedules_and_peaks",
    "offers_flexitime",
    "career_break_attitude",
    "accessible_by_public_transport",
    "accessibility_notes",
    "atmosphere",
    "harassment_procedure",
    "union_delegation",
    "union_women_pct",
    "influence_channels",
    "childcare_support",
    "childcare_notes",
)


def _set_fields(employer: Employer, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """Copy the given fields onto the employer; a name outside `allowed` is a programming error."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"Unexpected employer fields: {', '.join(unknown)}")
    for name, value in fields.items():
        setattr(employer, name, value)


def _constraint_conflicts(employer: Employer) -> list[str]:
    """The messages of the unique constraints this (unsaved or changed) employer would break."""
    employer.normalise()
    conflicts: list[str] = []
    for constraint in Employer._meta.constraints:
        if isinstance(constraint, UniqueConstraint):
            try:
                constraint.validate(Employer, employer)
            except ValidationError as exc:
                conflicts += exc.messages
    return conflicts


def _duplicate_error(employer: Employer, matches: list[Employer]) -> DuplicateEmployerError:
    """The refusal naming the look-alikes and, when there are any, the constraints that make it final."""
    names = ", ".join(f"{m.name} (#{m.pk})" for m in matches)
    message = _("This employer may already exist: %(names)s.") % {"names": names}
    return DuplicateEmployerError(message, matches, _constraint_conflicts(employer))


@transaction.atomic
def register_employer(
    *,
    actor: Actor,
    name: str,
    postcode: str = "",
    registration_number: str = "",
    allow_duplicates: bool = False,
    **fields: Any,
) -> Employer:
    """Create an employer after checking for duplicates; the first stage change is recorded.

    `allow_duplicates` is the user's "create anyway" after seeing the look-alikes; the unique
    constraints (registration number, name and postcode) still refuse a true duplicate.
    """
    employer = Employer(name=name, postcode=postcode, registration_number=registration_number, **fields)
    matches = find_duplicate_employers(name=name, postcode=postcode, registration_number=registration_number)
    if matches and not allow_duplicates:
        raise _duplicate_error(employer, matches)
    if employer.owner_id is None and actor_user(actor) is not None:
        employer.owner = actor_user(actor)
    employer.full_clean()
    employer.save()
    EmployerStageChange.objects.create(
        employer=employer,
        from_stage="",
        to_stage=employer.stage,
        changed_at=employer.stage_changed_at,
        changed_by=actor_user(actor),
    )
    return employer


@transaction.atomic
def update_employer(*, employer: Employer, actor: Actor, now: dt.datetime | None = None, **fields: Any) -> Employer:
    """Change an employer's core data; a name, postcode or number another employer has is refused, naming it."""
    _set_fields(employer, fields, EMPLOYER_FIELDS)
    employer.normalise()
    matches = [
        match
        for match in find_duplicate_employers(
            name=employer.name, postcode=employer.postcode, registration_number=employer.registration_number
        )
        if match.pk != employer.pk
    ]
    if matches:
        raise _duplicate_error(employer, matches)
    employer.full_clean()
    employer.updated_at = now or timezone.now()
    employer.save()
    return employer


@transaction.atomic
def record_vetting(
    *,
    employer: Employer,
    actor: Actor,
    checks: dict[str, bool],
    do_not_engage: bool = False,
    do_not_engage_reason: str = "",
    now: dt.datetime | None = None,
) -> Employer:
    """Save the conditions for collaboration (Flora IV.3 werkgever A.b) and the do-not-engage flag.

    The employer counts as vetted from the moment all nine conditions are confirmed; the date stays
    while they stay confirmed and is cleared when one is unticked.
    """
    now = now or timezone.now()
    was_vetted = employer.is_vetted and employer.vetted_at is not None
    _set_fields(employer, checks, Employer.VETTING_FIELDS)
    employer.do_not_engage = do_not_engage
    employer.do_not_engage_reason = do_not_engage_reason.strip() if do_not_engage else ""
    if not employer.is_vetted:
        employer.vetted_at = None
    elif not was_vetted:
        employer.vetted_at = now
    employer.full_clean()
    employer.updated_at = now
    employer.save(
        update_fields=[*Employer.VETTING_FIELDS, "vetted_at", "do_not_engage", "do_not_engage_reason", "updated_at"]
    )
    return employer


@transaction.atomic
def update_employer_profile(
    *, employer: Employer, actor: Actor, now: dt.datetime | None = None, **answers: Any
) -> Employer:
    """Save the answers to the gender and job-quality questions (Flora III.5.C.b); None stays "not asked"."""
    _set_fields(employer, answers, PROFILE_FIELDS)
    employer.full_clean()
    employer.updated_at = now or timezone.now()
    employer.save(update_fields=[*answers, "updated_at"])
    return employer


def _decline_refusal(reason: str, retry_on: dt.date | None, today: dt.date) -> ValidationError | None:
    """What is missing from a move to "declined": why they said no and when to try again."""
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("Say why the employer declined.")
    if retry_on is None:
        errors["retry_on"] = _("Pick a date to try again.")
    elif retry_on <= today:
        errors["retry_on"] = _("Pick a date after today to try again.")
    return ValidationError(errors) if errors else None


@transaction.atomic
def change_employer_stage(
    *,
    employer: Employer,
    stage: Stage | str,
    actor: Actor,
    note: str = "",
    reason: str = "",
    retry_on: dt.date | None = None,
    decline_reason: str = "",
    now: dt.datetime | None = None,
) -> EmployerStageChange | None:
    """Move an employer along the pipeline and keep the history; returns None when nothing changed.

    A move to "declined" (Flora IV.1 category C) needs the reason, kept on the stage change, and a
    date to try again, which becomes the employer's next step; its open next steps are settled. The
    reason's code (`decline_reason`, Flora IV.3 werkgever A.a) feeds the decline-reasons report.
    """
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage: %(stage)s.") % {"stage": stage}})
    if decline_reason not in DeclineReason.values or (decline_reason and stage != Stage.DECLINED):
        raise ValidationError({"decline_reason": _("Choose why the employer declined from the list.")})
    now = now or timezone.now()
    locked = Employer.objects.select_for_update().get(pk=employer.pk)
    if locked.stage == stage:
        return None
    if stage == Stage.DECLINED and (refusal := _decline_refusal(reason, retry_on, timezone.localdate(now))):
        raise refusal
    if stage in (Stage.ACTIVE, Stage.ENGAGED) and locked.do_not_engage:
        raise ValidationError(
            {"stage": _("This employer is flagged do-not-engage: %(reason)s") % {"reason": locked.do_not_engage_reason}}
        )
    reason = " ".join(reason.split())
    change = EmployerStageChange.objects.create(
        employer=locked,
        from_stage=locked.stage,
        to_stage=stage,
        changed_at=now,
        changed_by=actor_user(actor),
        note="\n".join(part for part in (reason, note.strip()) if part),
        decline_reason=decline_reason,
    )
    Employer.objects.filter(pk=locked.pk).update(stage=stage, stage_changed_at=now, updated_at=now)
    employer.stage, employer.stage_changed_at = Stage(stage), now
    if stage == Stage.DECLINED:
        _plan_retry(employer=locked, actor=actor, reason=reason, retry_on=retry_on, now=now)
    return change


def _plan_retry(*, employer: Employer, actor: Actor, reason: str, retry_on: dt.date | None, now: dt.datetime) -> None:
    """Record the refusal as an interaction whose next step is to try again on the chosen date."""
    Interaction.objects.open_next_steps().filter(employer=employer).update(next_step_done_at=now)
    step = _("Try again: %(reason)s") % {"reason": reason}
    interaction = Interaction(
        employer=employer,
        kind=InteractionKind.CALL,
        summary=_("Declined: %(reason)s") % {"reason": reason},
        occurred_at=now,
        author=actor_user(actor),
        next_step=step[: Interaction._meta.get_field("next_step").max_length],
        next_step_due=retry_on,
    )
    interaction.full_clean()
    interaction.save()
    advance_last_contact(employer_id=employer.pk, occurred_at=interaction.occurred_at)


def advance_last_contact(*, employer_id: int, occurred_at: dt.datetime) -> None:
    """A new interaction: the employer's last contact becomes the later of the stored one and its moment.

    The form of refresh_last_contact for a path that only adds (logging from the workspace, the API
    and the survey and mentor pages, whose posts must hold 100 a second): one UPDATE, no subquery
    and no lock. Two logged at once stay right: an UPDATE that waited for the other transaction's
    compares with the value that transaction committed.
    """
    at = Value(occurred_at, output_field=DateTimeField())
    Employer.objects.filter(pk=employer_id).update(last_contact_at=Greatest(Coalesce("last_contact_at", at), at))


@transaction.atomic(savepoint=False)  # inside the caller's transaction; its own when called alone
def refresh_last_contact(*, employer_ids: Iterable[int | None] | None) -> int:
    """Set these employers' `last_contact_at` to their latest interaction (None without one); returns the rows.

    Every path that moves an interaction's time or employer, deletes one or loads many calls this
    once, after writing, with every employer it touched (the old and the new one of a move); a path
    that only adds one may call advance_last_contact instead. One UPDATE with a correlated
    subquery, which the (employer, -occurred_at) index answers per row. `employer_ids=None`
    refreshes every employer (bulk loads, which run alone).

    The rows are locked first (FOR NO KEY UPDATE, which the foreign-key checks of new interactions
    do not wait for), in a statement of their own: on PostgreSQL an UPDATE that waited for another
    transaction's refresh of the same employer would otherwise still compute its subquery from the
    snapshot it started with, without that transaction's interaction, and store an older moment.
    """
    latest = Interaction.objects.filter(employer=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
    employers = Employer.objects.all()
    if employer_ids is not None:
        ids = sorted({pk for pk in employer_ids if pk is not None})
        if not ids:
            return 0
        employers = employers.filter(pk__in=ids)
        list(employers.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))
    return employers.update(last_contact_at=Subquery(latest))


@transaction.atomic
def log_interaction(
    *,
    employer: Employer,
    actor: Actor,
    kind: str,
    summary: str,
    occurred_at: dt.datetime | None = None,
    contact: Contact | None = None,
    complete_open_steps: bool = True,
    now: dt.datetime | None = None,
    **fields: Any,
) -> Interaction:
    """Record a contact with an employer; by default it settles the open next steps it answers.

    A first contact moves a prospect to "contacted", so the pipeline reflects reality without a
    second click.
    """
    now = now or timezone.now()
    interaction = Interaction(
        employer=employer,
        contact=contact,
        kind=kind,
        summary=summary,
        occurred_at=occurred_at or now,
        author=actor_user(actor),
        **fields,
    )
    interaction.full_clean()
    if complete_open_steps:
        Interaction.objects.open_next_steps().filter(employer=employer).update(next_step_done_at=now)
    interaction.save()
    advance_last_contact(employer_id=employer.pk, occurred_at=interaction.occurred_at)
    if employer.stage == Stage.PROSPECT:
        change_employer_stage(
            employer=employer, stage=Stage.CONTACTED, actor=actor, note=_("First contact logged."), now=now
        )
    return interaction


@transaction.atomic
def change_interaction(
    *, interaction: Interaction, actor: Actor, save: Callable[[], object] | None = None
) -> Interaction:
    """Store the changes made to an interaction; the last contact of its employer, and of one it left, follows.

    `save` writes the row when the caller has its own way (a serializer's or an admin form's save);
    without it the interaction is checked and saved as it is.
    """
    stored = None
    if not interaction._state.adding:  # the employer it is stored under, which a move leaves
        stored = Interaction.objects.filter(pk=interaction.pk).values_list("employer_id", flat=True).first()
    if save is None:
        interaction.full_clean()
        interaction.save()
    else:
        save()
    refresh_last_contact(employer_ids=[stored, interaction.employer_id])
    return interaction


@transaction.atomic
def delete_interactions(*, interactions: QuerySet[Interaction], actor: Actor) -> int:
    """Delete interactions; their employers' last contact falls back to the latest one left."""
    employer_ids = set(interactions.values_list("employer_id", flat=True))
    deleted, _by_model = interactions.delete()
    refresh_last_contact(employer_ids=employer_ids)
    return deleted


def complete_next_step(*, interaction: Interaction, actor: Actor, now: dt.datetime | None = None) -> bool:
    """Mark an interaction's next step done; returns False when it was already done or there is none."""
    now = now or timezone.now()
    done = Interaction.objects.open_next_steps().filter(pk=interaction.pk).update(next_step_done_at=now)
    if done:
        interaction.next_step_done_at = now
    return bool(done)


@transaction.atomic
def open_vacancy(*, vacancy: Vacancy, actor: Actor, now: dt.datetime | None = None) -> Vacancy:
    """Publish a draft (or reopen a closed) vacancy so coaches can propose candidates."""
    now = now or timezone.now()
    if vacancy.status == VacancyStatus.OPEN:
        raise ValidationError({"status": _("This vacancy is already open.")})
    if vacancy.employer.do_not_engage:
        raise ValidationError({"employer": _("This employer is flagged do-not-engage.")})
    vacancy.full_clean()
    vacancy.status = VacancyStatus.OPEN
    vacancy.opened_at = now
    vacancy.closed_at = None
    vacancy.close_reason = ""
    vacancy.save(update_fields=["status", "opened_at", "closed_at", "close_reason", "updated_at"])
    return vacancy


@transaction.atomic
def close_vacancy(
    *, vacancy: Vacancy, actor: Actor, filled: bool, reason: str = "", now: dt.datetime | None = None
) -> Vacancy:
    """Close a vacancy as filled or closed (with a reason when it was not filled)."""
    if filled:
        return fill_vacancy(vacancy=vacancy, actor=actor, now=now)
    now = now or timezone.now()
    if vacancy.status in (VacancyStatus.FILLED, VacancyStatus.CLOSED):
        raise ValidationError({"status": _("This vacancy is already closed.")})
    if not filled and not reason.strip():
        raise ValidationError({"close_reason": _("Say why the vacancy closed without being filled.")})
    vacancy.status = VacancyStatus.FILLED if filled else VacancyStatus.CLOSED
    vacancy.closed_at = now
    vacancy.close_reason = reason.strip()
    vacancy.save(update_fields=["status", "closed_at", "close_reason", "updated_at"])
    return vacancy


# --- Contacts and vacancies -------------------------------------------------------------------
# A vacancy's life: draft -> open -> filled or closed. A filled vacancy reopens when a place frees up
# (open_vacancy). A closed one may be reopened too, rather than copied, so the employer's next round of
# the same offer keeps its placements and references on one row; reopening clears the reason. A draft
# that is never published is closed with a reason (withdrawn). Only an open vacancy can be filled: a
# draft nobody could be proposed for was not filled.

CONTACT_FIELDS = ("first_name", "last_name", "role", "job_title", "email", "phone", "preferred_language", "notes")
VACANCY_FIELDS = (
    "contact",
    "reference",
    "title",
    "kind",
    "description",
    "hours_per_week",
    "schedule",
    "contract_type",
    "places",
    "starts_on",
    "ends_on",
    "language_level",
)


class MentorOfRunningPlacementsError(ValidationError):
    """Raised when a contact to deactivate mentors running placements; `placements` holds them."""

    def __init__(self, message: str, placements: list[Any]) -> None:
        super().__init__(message, code="mentor")
        self.placements = placements


def _assign(instance: Contact | Vacancy, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """Copy the given fields onto the row; a name outside `allowed` is a programming error."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(unknown)}")
    for name, value in fields.items():
        setattr(instance, name, value)


def running_mentored_placements(contact: Contact) -> list[Any]:
    """The running placements this contact is the workplace mentor of, oldest first.

    Read through the reverse relation and its queryset, because crm never imports placements.
    """
    placements = contact.mentored_placements.running().select_related("client", "coach")
    return list(placements.order_by("start_on", "pk"))


@transaction.atomic
def add_contact(*, employer: Employer, actor: Actor, first_name: str, **fields: Any) -> Contact:
    """Record a person at an employer, with her role and the language to address her in."""
    contact = Contact(employer=employer, first_name=first_name)
    _assign(contact, fields, CONTACT_FIELDS)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def update_contact(*, contact: Contact, actor: Actor, **fields: Any) -> Contact:
    """Change a contact's name, role, job title, email, phone, language or notes."""
    _assign(contact, fields, CONTACT_FIELDS)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def deactivate_contact(
    *, contact: Contact, actor: Actor, acknowledged: Collection[int] = (), now: dt.datetime | None = None
) -> Contact:
    """Mark a contact as no longer there; the mentor of running placements only once those are acknowledged.

    `acknowledged` holds the ids of the placements the user was warned about; a placement that started
    since then is warned about again rather than passed over.
    """
    now = now or timezone.now()
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if not locked.is_active:
        raise ValidationError({"is_active": _("%(name)s is already inactive.") % {"name": locked.full_name}})
    running = running_mentored_placements(locked)
    if any(placement.pk not in acknowledged for placement in running):
        message = ngettext(
            "%(name)s is the workplace mentor of %(count)d running placement; its coach needs another mentor.",
            "%(name)s is the workplace mentor of %(count)d running placements; their coaches need another mentor.",
            len(running),
        ) % {"name": locked.full_name, "count": len(running)}
        raise MentorOfRunningPlacementsError(message, running)
    Contact.objects.filter(pk=locked.pk).update(is_active=False, updated_at=now)
    contact.is_active, contact.updated_at = False, now
    return contact


@transaction.atomic
def reactivate_contact(*, contact: Contact, actor: Actor, now: dt.datetime | None = None) -> Contact:
    """Mark a contact who was deactivated as active again."""
    now = now or timezone.now()
    if not Contact.objects.filter(pk=contact.pk, is_active=False).update(is_active=True, updated_at=now):
        raise ValidationError({"is_active": _("%(name)s is already active.") % {"name": contact.full_name}})
    contact.is_active, contact.updated_at = True, now
    return contact


@transaction.atomic
def create_vacancy(
    *,
    employer: Employer,
    actor: Actor,
    title: str,
    ladder_steps: Iterable[LadderStep] = (),
    open_now: bool = False,
    now: dt.datetime | None = None,
    **fields: Any,
) -> Vacancy:
    """Record an offer as a draft with the ladder steps it serves; `open_now` publishes it at once."""
    vacancy = Vacancy(employer=employer, title=title, status=VacancyStatus.DRAFT)
    _assign(vacancy, fields, VACANCY_FIELDS)
    vacancy.full_clean()
    vacancy.save()
    vacancy.ladder_steps.set(list(ladder_steps))
    if open_now:
        open_vacancy(vacancy=vacancy, actor=actor, now=now)
    return vacancy


@transaction.atomic
def update_vacancy(
    *, vacancy: Vacancy, actor: Actor, ladder_steps: Iterable[LadderStep] | None = None, **fields: Any
) -> Vacancy:
    """Change an offer's details and, when given, the ladder steps it serves; its status moves elsewhere."""
    _assign(vacancy, fields, VACANCY_FIELDS)
    vacancy.full_clean()
    vacancy.save()
    if ladder_steps is not None:
        vacancy.ladder_steps.set(list(ladder_steps))
    return vacancy


@transaction.atomic
def fill_vacancy(*, vacancy: Vacancy, actor: Actor, now: dt.datetime | None = None) -> Vacancy:
    """Mark an open vacancy filled: all its places are taken. It reopens through open_vacancy."""
    now = now or timezone.now()
    status = Vacancy.objects.select_for_update().values_list("status", flat=True).get(pk=vacancy.pk)
    refusals = {
        VacancyStatus.DRAFT: _("A draft cannot be filled: open it first."),
        VacancyStatus.FILLED: _("This vacancy is already filled."),
        VacancyStatus.CLOSED: _("This vacancy is closed: reopen it first."),
    }
    if status in refusals:
        raise ValidationError({"status": refusals[VacancyStatus(status)]})
    vacancy.status = VacancyStatus.FILLED
    vacancy.closed_at = now
    vacancy.close_reason = ""
    vacancy.save(update_fields=["status", "closed_at", "close_reason", "updated_at"])
    return vacancy
