"""What demo employers offer on the ladder (igma ch. 5 "Betrokkenheid van de werkgever")."""

from __future__ import annotations

import datetime as dt
import random

from crm.choices import ContractType, LanguageLevel, Schedule, Sector, Stage, VacancyKind, VacancyStatus
from crm.demo import vocabulary as words
from crm.demo.identity import pick

KIND_WEIGHTS: dict[VacancyKind, int] = {
    VacancyKind.PAID_JOB: 30,
    VacancyKind.WORK_EXPERIENCE: 22,
    VacancyKind.TRIAL_DAY: 18,
    VacancyKind.INTERNSHIP: 8,
    VacancyKind.SHADOWING: 8,
    VacancyKind.VOLUNTEERING: 6,
    VacancyKind.TRAINING: 8,
}
# (fewest, most) hours a week per kind of offer; a trial day counts the hours of that day.
KIND_HOURS: dict[VacancyKind, tuple[int, int]] = {
    VacancyKind.PAID_JOB: (16, 36),
    VacancyKind.WORK_EXPERIENCE: (16, 24),
    VacancyKind.TRIAL_DAY: (6, 8),
    VacancyKind.INTERNSHIP: (20, 32),
    VacancyKind.SHADOWING: (4, 4),
    VacancyKind.VOLUNTEERING: (8, 12),
    VacancyKind.TRAINING: (16, 24),
}
SECTOR_SCHEDULES: dict[Sector, tuple[Schedule, ...]] = {
    Sector.HOSPITALITY: (Schedule.SPLIT, Schedule.EVENING, Schedule.WEEKEND, Schedule.SHIFTS, Schedule.DAY),
    Sector.CLEANING: (Schedule.DAY, Schedule.EVENING, Schedule.SPLIT),
    Sector.CARE: (Schedule.SHIFTS, Schedule.DAY, Schedule.WEEKEND),
    Sector.LOGISTICS: (Schedule.SHIFTS, Schedule.NIGHT, Schedule.DAY),
    Sector.RETAIL: (Schedule.DAY, Schedule.WEEKEND, Schedule.EVENING),
}
# Draft or open while a relationship grows; filled or closed once it has ended.
STATUS_WEIGHTS: dict[Stage, dict[VacancyStatus, int]] = {
    Stage.CONTACTED: {VacancyStatus.DRAFT: 1, VacancyStatus.OPEN: 1},
    Stage.ENGAGED: {VacancyStatus.DRAFT: 1, VacancyStatus.OPEN: 1},
    Stage.ACTIVE: {VacancyStatus.OPEN: 11, VacancyStatus.FILLED: 6, VacancyStatus.CLOSED: 2, VacancyStatus.DRAFT: 1},
    Stage.COMPLETED: {VacancyStatus.FILLED: 7, VacancyStatus.CLOSED: 3},
}


def ladder_steps(rng: random.Random, kind: VacancyKind) -> tuple[int, ...]:
    """The ladder positions an offer serves; a trial day covers one to three of steps 16-18."""
    steps = words.KIND_STEPS[kind]
    if kind == VacancyKind.TRIAL_DAY:
        first = rng.randrange(len(steps))
        return steps[first : rng.randint(first + 1, len(steps))]
    return steps


def status_for(rng: random.Random, stage: Stage) -> VacancyStatus:
    """A status that fits where the employer relationship stands."""
    return pick(rng, STATUS_WEIGHTS.get(stage, {VacancyStatus.CLOSED: 1}))


def contract_for(rng: random.Random, kind: VacancyKind) -> ContractType:
    """Paid jobs come with a contract; the other offers are unpaid."""
    if kind != VacancyKind.PAID_JOB:
        return ContractType.NONE
    weights = {
        ContractType.OPEN_ENDED: 3,
        ContractType.FIXED_TERM: 4,
        ContractType.TEMP_AGENCY: 1,
        ContractType.SUBSIDISED: 2,
    }
    return pick(rng, weights)


def language_level_for(rng: random.Random, kind: VacancyKind) -> LanguageLevel:
    """Paid jobs ask more of the local language than a trial day does."""
    if kind == VacancyKind.PAID_JOB:
        return pick(rng, {LanguageLevel.A2: 3, LanguageLevel.B1: 4, LanguageLevel.B2: 1})
    if kind in (VacancyKind.TRIAL_DAY, VacancyKind.SHADOWING):
        return pick(rng, {LanguageLevel.NONE: 2, LanguageLevel.A1: 1})
    return pick(rng, {LanguageLevel.NONE: 1, LanguageLevel.A1: 2, LanguageLevel.A2: 2})


def end_date(rng: random.Random, kind: VacancyKind, contract: str, start: dt.date) -> dt.date | None:
    """When a time-limited offer ends; open-ended jobs have no end."""
    if kind in (VacancyKind.TRIAL_DAY, VacancyKind.SHADOWING):
        return start
    weeks = {
        VacancyKind.WORK_EXPERIENCE: rng.randint(8, 13),
        VacancyKind.INTERNSHIP: rng.randint(12, 20),
        VacancyKind.TRAINING: 26,
        VacancyKind.VOLUNTEERING: 26,
    }
    if kind in weeks:
        return start + dt.timedelta(weeks=weeks[kind])
    if contract in (ContractType.FIXED_TERM, ContractType.SUBSIDISED):
        return start + dt.timedelta(days=rng.choice((182, 365)))
    return None


def title_for(rng: random.Random, kind: VacancyKind, sector: Sector, language: str) -> str:
    """ "Proefdag keukenhulp", "Praktikplats lokalvårdare", "Orderpicker" and so on."""
    job = rng.choice(words.JOB_NAMES[language][sector])
    title = words.KIND_TITLES[language][kind].format(title=job)
    return title[0].upper() + title[1:]
