"""Choice lists of the employer network, shared by models, forms, imports and the API."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    """Languages a person can be addressed in."""

    EN = "en", _("English")
    NL = "nl", _("Dutch")
    SV = "sv", _("Swedish")


class Sector(models.TextChoices):
    """Sectors the method documents name (Flora I.3, IV.3 werkgever A.b; igma ch. 6), plus other."""

    FORESTRY = "forestry", _("Forestry and green works")
    SEWING = "sewing", _("Sewing and textiles")
    LOGISTICS = "logistics", _("Logistics")
    HOSPITALITY = "hospitality", _("Hospitality and catering")
    CLEANING = "cleaning", _("Cleaning and maintenance")
    CARE = "care", _("Personal care and health")
    PERSONAL_SERVICES = "personal_services", _("Personal services")
    ADMINISTRATION = "administration", _("Administrative services")
    RETAIL = "retail", _("Retail and sales")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    EDUCATION = "education", _("Education and childcare")
    PUBLIC = "public", _("Public administration")
    OTHER = "other", _("Other")


class SizeBand(models.TextChoices):
    """Head-count bands (Flora II.3.D: mostly SMEs, even very small companies)."""

    MICRO = "micro", _("Micro (under 10)")
    SMALL = "small", _("Small (10-49)")
    MEDIUM = "medium", _("Medium (50-249)")
    LARGE = "large", _("Large (250+)")


class Ownership(models.TextChoices):
    """Profit, non-profit or public (Flora IV.3 werkgever A.a)."""

    PROFIT = "profit", _("Profit")
    NON_PROFIT = "non_profit", _("Non-profit")
    PUBLIC = "public", _("Public sector")


class Stage(models.TextChoices):
    """The employer pipeline (Flora IV.1 categories A, B and C, with the steps before them)."""

    PROSPECT = "prospect", _("Prospect")
    CONTACTED = "contacted", _("Contacted")
    ENGAGED = "engaged", _("Engaged")
    ACTIVE = "active", _("Active partner")
    COMPLETED = "completed", _("Completed")
    ENDED_EARLY = "ended_early", _("Ended early by employer")
    DECLINED = "declined", _("Declined")
    DORMANT = "dormant", _("Dormant")


class SourceChannel(models.TextChoices):
    """How the employer came in (igma ch. 6 figure 6.1; Flora §4.3)."""

    EXISTING = "existing", _("Existing contact")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    DIRECT = "direct", _("Direct approach")
    VACANCY = "vacancy", _("Response to a vacancy")
    EMPLOYER = "employer", _("Employer-initiated")


class DeclineReason(models.TextChoices):
    """Why an employer said no (Flora IV.3 werkgever A.a), coded for the decline-reasons report."""

    NONE = "", _("Not recorded")
    PROFILE = "profile", _("The candidate's profile did not match")
    EXPERIENCE = "experience", _("Not enough work experience")
    AUTONOMY = "autonomy", _("Not independent enough yet")
    LANGUAGE = "language", _("Language skills")
    STRONGER = "stronger", _("They found a stronger candidate")
    IMMEDIATE = "immediate", _("They needed someone operational at once")
    FEASIBILITY = "feasibility", _("Coaching did not seem feasible to them")
    NO_NEED = "no_need", _("No vacancies or no need now")
    OTHER = "other", _("Another reason")


class SectorGender(models.TextChoices):
    """Is the trade rather male or female (Flora III.5.C.b question 1)."""

    UNKNOWN = "", _("Unknown")
    MALE = "male", _("Mostly men")
    FEMALE = "female", _("Mostly women")
    MIXED = "mixed", _("Mixed")


class ContactRole(models.TextChoices):
    """What a person does at the employer, for us (Flora §4.2)."""

    DECISION_MAKER = "decision_maker", _("Decision maker")
    HR = "hr", _("HR / personnel")
    LINE_MANAGER = "line_manager", _("Line manager")
    MENTOR = "mentor", _("Workplace mentor")
    COLLEAGUE = "colleague", _("Colleague")
    ADMIN = "admin", _("Administration / payroll")


class InteractionKind(models.TextChoices):
    """Ways we are in touch with an employer."""

    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Workplace visit")
    EMAIL = "email", _("Email")
    EVENT = "event", _("Event")


class Initiator(models.TextChoices):
    """Who took the initiative for a contact."""

    US = "us", _("We did")
    EMPLOYER = "employer", _("The employer did")


class Outcome(models.TextChoices):
    """The result of an interaction, for the pipeline report."""

    NONE = "", _("Not recorded")
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")
    NO_ANSWER = "no_answer", _("No answer")


class VacancyKind(models.TextChoices):
    """What an employer offers on the ladder (igma ch. 5 "Betrokkenheid van de werkgever")."""

    PAID_JOB = "paid_job", _("Paid job")
    WORK_EXPERIENCE = "work_experience", _("Work-experience place")
    TRIAL_DAY = "trial_day", _("Trial day")
    INTERNSHIP = "internship", _("Internship")
    VOLUNTEERING = "volunteering", _("Volunteering")
    TRAINING = "training", _("Training place")
    SHADOWING = "shadowing", _("Job shadowing")


class Schedule(models.TextChoices):
    """When the work happens (Flora III.5.C.b question 8: schedules and childcare)."""

    DAY = "day", _("Day")
    SHIFTS = "shifts", _("Shifts")
    EVENING = "evening", _("Evening")
    NIGHT = "night", _("Night")
    WEEKEND = "weekend", _("Weekend")
    SPLIT = "split", _("Split shifts")


class ContractType(models.TextChoices):
    """The contract offered (Flora III.5.C.b question 6)."""

    OPEN_ENDED = "open_ended", _("Open-ended")
    FIXED_TERM = "fixed_term", _("Fixed-term")
    TEMP_AGENCY = "temp_agency", _("Temporary agency work")
    SUBSIDISED = "subsidised", _("Subsidised employment")
    NONE = "none", _("No contract (unpaid)")


class LanguageLevel(models.TextChoices):
    """Required level of the local language (CEFR)."""

    NONE = "", _("No requirement")
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"


class VacancyStatus(models.TextChoices):
    """Where a vacancy is in its life."""

    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    FILLED = "filled", _("Filled")
    CLOSED = "closed", _("Closed")
