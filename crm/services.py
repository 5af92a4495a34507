"""Workflows a relationship manager runs on the employer network."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.types import Actor, actor_user
from crm.choices import Stage, VacancyStatus
from crm.models import Contact, Employer, EmployerStageChange, Interaction, Vacancy, normalise_name, normalise_postcode


class DuplicateEmployerError(ValidationError):
    """Raised when an employer looks like one we already have; `matches` holds the candidates."""

    def __init__(self, message: str, matches: list[Employer]) -> None:
        super().__init__(message, code="duplicate")
        self.matches = matches


def find_duplicate_employers(*, name: str, postcode: str = "", registration_number: str = "") -> list[Employer]:
    """Employers that share the registration number, or the normalised name and postcode."""
    reg = registration_number.strip().replace(" ", "")
    # Repeating the partial index's condition lets SQLite use it instead of scanning the table.
    by_name = Employer.objects.filter(normalised_name=normalise_name(name), postcode=normalise_postcode(postcode))
    if not reg:
        return list(by_name.order_by("pk")[:10])
    by_reg = Employer.objects.exclude(registration_number="").filter(registration_number=reg)
    return list(by_name.order_by().union(by_reg.order_by()).order_by("pk")[:10])


@transaction.atomic
def register_employer(
    *, actor: Actor, name: str, postcode: str = "", registration_number: str = "", **fields: Any
) -> Employer:
    """Create an employer after checking for duplicates; the first stage change is recorded."""
    matches = find_duplicate_employers(name=name, postcode=postcode, registration_number=registration_number)
    if matches:
        names = ", ".join(f"{m.name} (#{m.pk})" for m in matches)
        raise DuplicateEmployerError(_("This employer may already exist: %(names)s.") % {"names": names}, matches)
    employer = Employer(name=name, postcode=postcode, registration_number=registration_number, **fields)
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
def change_employer_stage(
    *, employer: Employer, stage: Stage | str, actor: Actor, note: str = "", now: dt.datetime | None = None
) -> EmployerStageChange | None:
    """Move an employer along the pipeline and keep the history; returns None when nothing changed."""
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage: %(stage)s.") % {"stage": stage}})
    now = now or timezone.now()
    locked = Employer.objects.select_for_update().get(pk=employer.pk)
    if locked.stage == stage:
        return None
    if stage in (Stage.ACTIVE, Stage.ENGAGED) and locked.do_not_engage:
        raise ValidationError(
            {"stage": _("This employer is flagged do-not-engage: %(reason)s") % {"reason": locked.do_not_engage_reason}}
        )
    change = EmployerStageChange.objects.create(
        employer=locked,
        from_stage=locked.stage,
        to_stage=stage,
        changed_at=now,
        changed_by=actor_user(actor),
        note=note,
    )
    Employer.objects.filter(pk=locked.pk).update(stage=stage, stage_changed_at=now, updated_at=now)
    employer.stage, employer.stage_changed_at = Stage(stage), now
    return change


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
    if employer.stage == Stage.PROSPECT:
        change_employer_stage(
            employer=employer, stage=Stage.CONTACTED, actor=actor, note=_("First contact logged."), now=now
        )
    return interaction


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
