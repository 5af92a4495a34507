"""The demo employer network: employers with their stage history, contacts, interactions and vacancies.

Employer number i is built from its own seeded random generator, so the first N employers are the
same whatever N is asked for, and its registration number (derived from i) is the key that makes a
second run skip what the first one created. Rows go in with bulk_create in batches, so a benchmark
can ask for tens of thousands.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from crm.choices import (
    ContactRole,
    ContractType,
    DeclineReason,
    Initiator,
    Language,
    Schedule,
    SizeBand,
    SourceChannel,
    Stage,
    VacancyKind,
    VacancyStatus,
)
from crm.demo import notes, offers, people
from crm.demo import vocabulary as words
from crm.demo.identity import (
    Identity,
    Registry,
    ascii_slug,
    domain_of,
    landline,
    make_identity,
    make_postcode,
    mobile,
    pick,
    staff_language,
)
from crm.models import Contact, Employer, EmployerStageChange, Interaction, LadderStep, Vacancy
from crm.roles import Role
from crm.services import refresh_last_contact

if TYPE_CHECKING:
    from crm.demo import DemoContext

STAGE_WEIGHTS: dict[Stage, int] = {
    Stage.PROSPECT: 14,
    Stage.CONTACTED: 17,
    Stage.ENGAGED: 16,
    Stage.ACTIVE: 28,
    Stage.COMPLETED: 8,
    Stage.ENDED_EARLY: 5,
    Stage.DECLINED: 6,
    Stage.DORMANT: 6,
}
# The way each final stage is reached (Flora IV.1: categories A, B and C, and the steps before them).
STAGE_PATHS: dict[Stage, tuple[Stage, ...]] = {
    Stage.PROSPECT: (Stage.PROSPECT,),
    Stage.CONTACTED: (Stage.PROSPECT, Stage.CONTACTED),
    Stage.ENGAGED: (Stage.PROSPECT, Stage.CONTACTED, Stage.ENGAGED),
    Stage.ACTIVE: (Stage.PROSPECT, Stage.CONTACTED, Stage.ENGAGED, Stage.ACTIVE),
    Stage.COMPLETED: (Stage.PROSPECT, Stage.CONTACTED, Stage.ENGAGED, Stage.ACTIVE, Stage.COMPLETED),
    Stage.ENDED_EARLY: (Stage.PROSPECT, Stage.CONTACTED, Stage.ENGAGED, Stage.ACTIVE, Stage.ENDED_EARLY),
    Stage.DECLINED: (Stage.PROSPECT, Stage.CONTACTED, Stage.DECLINED),
    Stage.DORMANT: (Stage.PROSPECT, Stage.CONTACTED, Stage.ENGAGED, Stage.DORMANT),
}
LIVE = (Stage.CONTACTED, Stage.ENGAGED, Stage.ACTIVE)
PARTNERED = (Stage.ENGAGED, Stage.ACTIVE, Stage.COMPLETED, Stage.ENDED_EARLY)
# The closing note that fits each way a relationship ends (an index into NOTES[language]["closing"]).
# The main reasons demo employers give for declining, the commoner ones more often (Flora IV.3 werkgever A.a).
DECLINE_REASONS = [
    DeclineReason.NO_NEED,
    DeclineReason.NO_NEED,
    DeclineReason.LANGUAGE,
    DeclineReason.EXPERIENCE,
    DeclineReason.IMMEDIATE,
    DeclineReason.FEASIBILITY,
    DeclineReason.PROFILE,
]
CLOSING_NOTE = {Stage.COMPLETED: 0, Stage.DECLINED: 1, Stage.ENDED_EARLY: 2, Stage.DORMANT: 3}
# (fewest, most) rows per final stage.
CONTACTS_PER_STAGE: dict[Stage, tuple[int, int]] = {
    Stage.PROSPECT: (0, 1),
    Stage.CONTACTED: (1, 2),
    Stage.ENGAGED: (2, 3),
    Stage.ACTIVE: (2, 4),
    Stage.COMPLETED: (2, 3),
    Stage.ENDED_EARLY: (1, 3),
    Stage.DECLINED: (1, 1),
    Stage.DORMANT: (1, 2),
}
INTERACTIONS_PER_STAGE: dict[Stage, tuple[int, int]] = {
    Stage.PROSPECT: (0, 0),
    Stage.CONTACTED: (1, 2),
    Stage.ENGAGED: (2, 5),
    Stage.ACTIVE: (4, 9),
    Stage.COMPLETED: (3, 6),
    Stage.ENDED_EARLY: (3, 6),
    Stage.DECLINED: (1, 3),
    Stage.DORMANT: (1, 3),
}
VACANCIES_PER_STAGE: dict[Stage, tuple[int, int]] = {
    Stage.ENGAGED: (1, 2),
    Stage.ACTIVE: (1, 4),
    Stage.COMPLETED: (1, 2),
    Stage.ENDED_EARLY: (1, 2),
    Stage.DORMANT: (0, 1),
}
MINUTES = {"call": (10, 30), "email": (5, 15), "meeting": (45, 90), "visit": (60, 120), "event": (60, 180)}
SOURCE_WEIGHTS: dict[SourceChannel, int] = {
    SourceChannel.EXISTING: 15,
    SourceChannel.REFERRAL: 15,
    SourceChannel.EVENT: 12,
    SourceChannel.DIRECT: 25,
    SourceChannel.VACANCY: 23,
    SourceChannel.EMPLOYER: 10,
}

Timeline = list[tuple[Stage, int]]  # each stage reached, with how many days ago (oldest first)


@dataclass
class Plan:
    """An unsaved employer and its unsaved related rows, linked as objects until they get keys."""

    employer: Employer
    changes: list[EmployerStageChange] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    vacancies: list[tuple[Vacancy, tuple[int, ...]]] = field(default_factory=list)  # (row, ladder positions)


@dataclass
class Builder:
    """Builds plans around one "today", with the staff who own and visit employers."""

    context: DemoContext
    registry: Registry
    managers: list[Any]
    coaches: list[Any]

    def at(self, days_ago: int, rng: random.Random) -> dt.datetime:
        """A moment in working hours `days_ago` days before today, never in the future."""
        day = self.context.as_of - dt.timedelta(days=days_ago)
        moment = dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))))
        return min(timezone.make_aware(moment), self.context.now)

    def plan(self, identity: Identity) -> Plan:
        """Everything demo employer number `identity.index` consists of."""
        rng = identity.rng
        stage: Stage = pick(rng, STAGE_WEIGHTS)
        domain = domain_of(identity.name, identity.country)
        employer = self.employer(identity, stage, domain)
        timeline = self.timeline(rng, stage)
        plan = Plan(employer=employer)
        plan.changes = self.stage_changes(rng, employer, timeline)
        employer.stage_changed_at = plan.changes[-1].changed_at
        plan.contacts = self.contacts(rng, identity, stage, employer, domain)
        plan.interactions = self.interactions(rng, identity, stage, timeline, plan)
        plan.vacancies = self.vacancies(rng, identity, stage, timeline, plan)
        self.profile(rng, employer, identity, stage, timeline)
        return plan

    def employer(self, identity: Identity, stage: Stage, domain: str) -> Employer:
        """The employer row: name, address, sector, source and owner."""
        rng, country = identity.rng, identity.country
        postcode = make_postcode(rng, country, identity.city)
        name = self.registry.claim_name(identity.name, postcode, "filial" if country == "SE" else "vestiging")
        source = pick(rng, SOURCE_WEIGHTS)
        if stage == Stage.PROSPECT and source in (SourceChannel.VACANCY, SourceChannel.EMPLOYER):
            source = SourceChannel.DIRECT
        owned = self.managers and rng.random() > 0.05
        employer = Employer(
            name=name,
            registration_number=identity.registration_number,
            sector=identity.sector,
            size_band=identity.size,
            ownership=identity.ownership,
            street=f"{rng.choice(words.STREETS[country])} {rng.randint(1, 180)}",
            postcode=postcode,
            city=identity.city.name,
            country=country,
            website=f"https://www.{domain}/",
            email=f"info@{domain}",
            phone=landline(rng, country),
            stage=stage,
            source=source,
            owner=self.managers[identity.index % len(self.managers)] if owned else None,
        )
        employer.normalise()
        return employer

    def timeline(self, rng: random.Random, stage: Stage) -> Timeline:
        """The stages the employer went through, each with how many days ago it got there."""
        path = STAGE_PATHS[stage]
        if len(path) == 1:
            return [(path[0], rng.randint(2, 150))]
        start = rng.randint(30 * len(path), 400)
        # Live relationships moved recently; ended ones stopped a while ago.
        last = rng.randint(3, start // len(path)) if stage in LIVE else rng.randint(20, min(150, start - 30))
        between = sorted(rng.sample(range(last + 1, start), len(path) - 2), reverse=True)
        return list(zip(path, [start, *between, last], strict=True))

    def stage_changes(self, rng: random.Random, employer: Employer, timeline: Timeline) -> list[EmployerStageChange]:
        """The pipeline history: one row per move, the first from nothing to prospect."""
        stage_notes = notes.STAGE_NOTES[staff_language(employer.country)]
        changes, previous = [], ""
        for stage, days_ago in timeline:
            changes.append(
                EmployerStageChange(
                    employer=employer,
                    from_stage=previous,
                    to_stage=stage,
                    changed_at=self.at(days_ago, rng),
                    changed_by=employer.owner,
                    note=stage_notes.get(stage, ""),
                    decline_reason=rng.choice(DECLINE_REASONS) if stage == Stage.DECLINED else "",
                )
            )
            previous = stage
        return changes

    def contacts(
        self, rng: random.Random, identity: Identity, stage: Stage, employer: Employer, domain: str
    ) -> list[Contact]:
        """The people we know at the employer, with email addresses on its domain."""
        small = identity.size in (SizeBand.MICRO, SizeBand.SMALL)
        roles = [
            ContactRole.DECISION_MAKER if small else ContactRole.HR,
            ContactRole.LINE_MANAGER,
            ContactRole.MENTOR,
            rng.choice((ContactRole.ADMIN, ContactRole.COLLEAGUE)),
        ]
        count = rng.randint(*CONTACTS_PER_STAGE[stage])
        return [self.contact(rng, employer, role, domain, first=n == 0) for n, role in enumerate(roles[:count])]

    def contact(
        self, rng: random.Random, employer: Employer, role: ContactRole, domain: str, *, first: bool
    ) -> Contact:
        """One person, named after one of the traditions common in the employer's country."""
        country = employer.country
        pool = people.NAME_POOLS[pick(rng, people.NAME_MIX[country])]
        first_name = rng.choice(pool.women if rng.random() < 0.55 else pool.men)
        last_name = rng.choice(pool.family)
        given = ascii_slug(first_name)
        local = f"{given if rng.random() < 0.6 else given[0]}.{ascii_slug(last_name)}"
        return Contact(
            employer=employer,
            first_name=first_name,
            last_name=last_name,
            role=role,
            job_title=rng.choice(people.JOB_TITLES[country][role]),
            email=self.registry.claim_email(local, domain),
            phone=mobile(rng, country),
            preferred_language=Language.EN
            if rng.random() < 0.12
            else (Language.SV if country == "SE" else Language.NL),
            is_active=first or rng.random() > 0.08,
        )

    def interactions(
        self, rng: random.Random, identity: Identity, stage: Stage, timeline: Timeline, plan: Plan
    ) -> list[Interaction]:
        """Every contact since the first one; each next step is settled by the contact after it."""
        count = rng.randint(*INTERACTIONS_PER_STAGE[stage])
        if count == 0 or not plan.contacts:
            return []
        reached = dict(timeline)
        first = reached[Stage.CONTACTED]
        due = self.open_step_due(rng) if stage in LIVE else None
        if due is not None:  # the last contact came a few days before its next step fell due
            last = rng.randint(1, 20) if due > 10 else max(1, rng.randint(2, 12) - due)
        else:  # relationships that ended had their last contact around the end
            last = reached[stage] + rng.randint(0, 10 if stage != Stage.DORMANT else 90)
        last = min(last, first)
        days = sorted({first, last, *(rng.randint(last, first) for _ in range(count - 2))}, reverse=True)
        rows = [self.interaction(rng, identity, reached, day, plan) for day in days]
        if stage not in LIVE:
            self.close(rng, rows[-1], identity, stage, plan)
        self.settle_next_steps(rng, rows, staff_language(identity.country), due)
        return rows

    def open_step_due(self, rng: random.Random) -> int:
        """Days from today the open next step is due: overdue, due this week, or later."""
        bucket = rng.random()
        if bucket < 0.3:
            return -rng.randint(1, 20)
        if bucket < 0.6:
            return rng.randint(0, 6)
        return rng.randint(7, 45)

    def interaction(
        self, rng: random.Random, identity: Identity, reached: dict[Stage, int], day: int, plan: Plan
    ) -> Interaction:
        """One logged contact, its note chosen by where the relationship stood that day."""
        language = staff_language(identity.country)
        phase = "intro"
        if Stage.ACTIVE in reached and day <= reached[Stage.ACTIVE]:
            phase = "partner"
        elif Stage.ENGAGED in reached and day <= reached[Stage.ENGAGED]:
            phase = "explore"
        note = rng.choice(notes.NOTES[language][phase])
        contact = plan.contacts[0] if phase == "intro" else rng.choice(plan.contacts)
        author = plan.employer.owner
        if note.kind == "visit" and self.coaches and rng.random() < 0.5:
            author = rng.choice(self.coaches)
        job = rng.choice(words.JOB_NAMES[language][identity.sector])
        return Interaction(
            employer=plan.employer,
            contact=contact,
            kind=note.kind,
            occurred_at=self.at(day, rng),
            minutes=rng.randint(*MINUTES[note.kind]),
            initiated_by=Initiator.EMPLOYER if note.by_employer else Initiator.US,
            summary=note.summary.format(first=contact.first_name, job=job),
            outcome=note.outcome,
            next_step=note.next_step,
            author=author,
        )

    def close(self, rng: random.Random, row: Interaction, identity: Identity, stage: Stage, plan: Plan) -> None:
        """Turn the last contact into the one that ended (or paused) the relationship."""
        note = notes.NOTES[staff_language(identity.country)]["closing"][CLOSING_NOTE[stage]]
        contact = plan.contacts[0]
        row.kind, row.outcome, row.next_step, row.contact = note.kind, note.outcome, note.next_step, contact
        row.summary = note.summary.format(first=contact.first_name, job="")
        row.minutes = rng.randint(*MINUTES[note.kind])
        row.initiated_by = Initiator.EMPLOYER if note.by_employer else Initiator.US

    def settle_next_steps(self, rng: random.Random, rows: list[Interaction], language: str, due: int | None) -> None:
        """Due dates for every next step; all but the last were done when the next contact happened."""
        for row, following in zip(rows, [*rows[1:], None], strict=True):
            day = timezone.localdate(row.occurred_at)
            if following is not None:
                row.next_step_due = day + dt.timedelta(days=rng.randint(3, 14)) if row.next_step else None
                row.next_step_done_at = following.occurred_at if row.next_step else None
            elif due is not None:
                row.next_step = row.next_step or rng.choice([n.next_step for n in notes.NOTES[language]["explore"]])
                row.next_step_due = max(self.context.as_of + dt.timedelta(days=due), day)
            elif row.next_step:
                row.next_step_due = day + dt.timedelta(days=90)

    def vacancies(
        self, rng: random.Random, identity: Identity, stage: Stage, timeline: Timeline, plan: Plan
    ) -> list[tuple[Vacancy, tuple[int, ...]]]:
        """Offers at several ladder steps; their status follows the relationship."""
        low, high = VACANCIES_PER_STAGE.get(stage, (0, 0))
        if stage == Stage.CONTACTED and plan.employer.source == SourceChannel.VACANCY:
            low, high = 1, 1  # we called because of their vacancy
        reached = dict(timeline)
        oldest = reached.get(Stage.ENGAGED, reached.get(Stage.CONTACTED, 2))
        newest = 1 if stage in LIVE else reached[stage]
        handler = next((c for c in plan.contacts if c.role in (ContactRole.MENTOR, ContactRole.LINE_MANAGER)), None)
        handler = handler or (plan.contacts[0] if plan.contacts else None)
        return [
            self.vacancy(rng, identity, stage, (newest, max(newest + 1, oldest)), number, plan.employer, handler)
            for number in range(rng.randint(low, high))
        ]

    def vacancy(
        self,
        rng: random.Random,
        identity: Identity,
        stage: Stage,
        window: tuple[int, int],
        number: int,
        employer: Employer,
        handler: Contact | None,
    ) -> tuple[Vacancy, tuple[int, ...]]:
        """One offer: kind, ladder steps, hours, schedule, contract and status, with fitting dates."""
        language = staff_language(identity.country)
        kind = pick(rng, offers.KIND_WEIGHTS)
        contract = offers.contract_for(rng, kind)
        vacancy = Vacancy(
            employer=employer,
            contact=handler,
            reference=f"WB-{identity.index:06d}-{number + 1}",
            title=offers.title_for(rng, kind, identity.sector, language),
            kind=kind,
            hours_per_week=Decimal(rng.randint(*offers.KIND_HOURS[kind])),
            schedule=rng.choice(offers.SECTOR_SCHEDULES.get(identity.sector, (Schedule.DAY,))),
            contract_type=contract,
            places=rng.randint(1, 2 if contract != ContractType.NONE else 3),
            language_level=offers.language_level_for(rng, kind),
            status=offers.status_for(rng, stage),
        )
        self.vacancy_dates(rng, vacancy, window, language)
        return vacancy, offers.ladder_steps(rng, kind)

    def vacancy_dates(self, rng: random.Random, vacancy: Vacancy, window: tuple[int, int], language: str) -> None:
        """Opened, closed, start and end dates consistent with the status, within the relationship's window."""
        if vacancy.status == VacancyStatus.DRAFT:
            return
        newest, oldest = window
        opened = rng.randint(newest + 1, oldest)
        vacancy.opened_at = self.at(opened, rng)
        start = self.context.as_of + dt.timedelta(days=rng.randint(-10, 40))
        if vacancy.status in (VacancyStatus.FILLED, VacancyStatus.CLOSED):
            vacancy.closed_at = max(
                self.at(rng.randint(newest, opened - 1) if opened > 1 else 1, rng), vacancy.opened_at
            )
            start = timezone.localdate(vacancy.closed_at) + dt.timedelta(days=rng.randint(7, 21))
        if vacancy.status == VacancyStatus.CLOSED:
            vacancy.close_reason = rng.choice(notes.CLOSE_REASONS[language])
        vacancy.starts_on = start
        vacancy.ends_on = offers.end_date(rng, VacancyKind(vacancy.kind), vacancy.contract_type, start)

    def profile(
        self, rng: random.Random, employer: Employer, identity: Identity, stage: Stage, timeline: Timeline
    ) -> None:
        """The gender and job-quality profile (Flora III.5.C.b) and the vetting checklist (Flora IV.3 werkgever A.b)."""
        if rng.random() < (0.75 if stage in PARTNERED else 0.15):
            gender_profile(rng, employer, identity)
        reached = dict(timeline)
        if stage in (Stage.ACTIVE, Stage.COMPLETED, Stage.ENDED_EARLY) and rng.random() < 0.8:
            for name in Employer.VETTING_FIELDS:
                setattr(employer, name, True)
            employer.vetted_at = self.at(reached[Stage.ENGAGED], rng)
        elif stage in (Stage.ENGAGED, Stage.ACTIVE):
            for name in rng.sample(Employer.VETTING_FIELDS, rng.randint(3, 7)):
                setattr(employer, name, True)
        elif stage == Stage.DECLINED and rng.random() < 0.25:
            employer.do_not_engage = True
            employer.do_not_engage_reason = rng.choice(notes.DO_NOT_ENGAGE_REASONS[staff_language(identity.country)])


def gender_profile(rng: random.Random, employer: Employer, identity: Identity) -> None:
    """Shares of women, flexitime, childcare help and the other answers of Flora III.5.C.b."""
    gender = words.SECTOR_GENDER.get(identity.sector, "mixed")
    low, high = {"female": (60, 95), "male": (5, 35)}.get(gender, (35, 65))
    employer.sector_gender = gender
    employer.share_women_pct = rng.randint(low, high)
    employer.share_women_supervisors_pct = max(0, employer.share_women_pct - rng.randint(0, 30))
    employer.offers_flexitime = rng.random() < 0.45
    employer.childcare_support = rng.random() < 0.2
    employer.harassment_procedure = rng.random() < (0.8 if identity.size in (SizeBand.MEDIUM, SizeBand.LARGE) else 0.4)
    employer.union_delegation = identity.size == SizeBand.LARGE or rng.random() < 0.1
    employer.collective_agreement = words.COLLECTIVE_AGREEMENTS[identity.country].get(identity.sector, "")
    employer.accessible_by_public_transport = rng.random() < 0.85


def staff_in(role: Role) -> list[Any]:
    """Active users in a role, in a stable order."""
    return list(get_user_model().objects.filter(groups__name=role, is_active=True).order_by("username"))


def seed_network(*, context: DemoContext) -> dict[str, int]:
    """Create those of the first `context.employers` demo employers that are missing, with their rows."""
    builder = Builder(context, Registry.load(), staff_in(Role.RELATIONSHIP_MANAGER), staff_in(Role.COACH))
    steps = dict(LadderStep.objects.values_list("position", "pk"))
    totals = dict.fromkeys(("employers", "stage changes", "contacts", "interactions", "vacancies"), 0)
    for start in range(0, context.employers, context.batch_size):
        stop = min(start + context.batch_size, context.employers)
        identities = [make_identity(index, context.seed) for index in range(start, stop)]
        numbers = [identity.registration_number for identity in identities]
        taken = set(
            Employer.objects.filter(registration_number__in=numbers).values_list("registration_number", flat=True)
        )
        plans = [builder.plan(identity) for identity in identities if identity.registration_number not in taken]
        for key, count in save_plans(plans, steps=steps).items():
            totals[key] += count
        if context.employers > context.batch_size:
            context.log(f"{stop} of {context.employers} employers")
    return totals


@transaction.atomic
def save_plans(plans: list[Plan], *, steps: dict[int, int]) -> dict[str, int]:
    """Insert one batch of plans: employers first, then the rows that point at them."""
    if not plans:
        return {}
    employers = Employer.objects.bulk_create([plan.employer for plan in plans])
    changes = EmployerStageChange.objects.bulk_create([row for plan in plans for row in plan.changes])
    # auto_now_add stamped "now"; the demo history starts when the employer became a prospect.
    first_change = EmployerStageChange.objects.filter(employer=OuterRef("pk"), from_stage="").order_by("changed_at")
    Employer.objects.filter(pk__in=[e.pk for e in employers]).update(
        created_at=Subquery(first_change.values("changed_at")[:1])
    )
    contacts = Contact.objects.bulk_create([row for plan in plans for row in plan.contacts])
    interactions = Interaction.objects.bulk_create([row for plan in plans for row in plan.interactions])
    refresh_last_contact(employer_ids=[employer.pk for employer in employers])
    vacancies = Vacancy.objects.bulk_create([row for plan in plans for row, _steps in plan.vacancies])
    through = Vacancy.ladder_steps.through
    through.objects.bulk_create(
        [
            through(vacancy_id=row.pk, ladderstep_id=steps[position])
            for plan in plans
            for row, positions in plan.vacancies
            for position in positions
            if position in steps
        ]
    )
    return {
        "employers": len(employers),
        "stage changes": len(changes),
        "contacts": len(contacts),
        "interactions": len(interactions),
        "vacancies": len(vacancies),
    }
