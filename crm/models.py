"""The employer network: the ladder, employers, their contacts, interactions and vacancies."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.i18n import in_language
from crm.choices import (
    ContactRole,
    ContractType,
    DeclineReason,
    Initiator,
    InteractionKind,
    Language,
    LanguageLevel,
    Outcome,
    Ownership,
    Schedule,
    Sector,
    SectorGender,
    SizeBand,
    SourceChannel,
    Stage,
    VacancyKind,
    VacancyStatus,
)
from crm.querysets import EmployerQuerySet, InteractionQuerySet, LadderStepQuerySet, VacancyQuerySet

# Matched after accents are folded, so the Swedish "ek. för." is spelled "ek. for." here.
_LEGAL_FORMS = re.compile(
    r"\b(b\.?v\.?|n\.?v\.?|v\.?o\.?f\.?|bvba|vzw|asbl|srl|sa|nv|ab|hb|kb|ek\.?\s?for\.?|stichting)\b"
)


def normalise_name(name: str) -> str:
    """Fold case, accents, legal forms and punctuation so "Bakkerij De Vries B.V." == "bakkerij de vries"."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    folded = _LEGAL_FORMS.sub(" ", folded)
    folded = re.sub(r"[^a-z0-9]+", " ", folded)
    return " ".join(folded.split())


def normalise_postcode(postcode: str) -> str:
    """Upper-case and drop spaces: "1234 ab" and "1234AB" are one postcode."""
    return re.sub(r"\s+", "", postcode).upper()


def hours_per_week_field() -> models.DecimalField[Any, Any]:
    """Weekly hours of an offer or a placement: 0 to 60, one decimal, optional."""
    return models.DecimalField(
        _("hours per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )


class LadderStep(models.Model):
    """One rung of the network's progression ladder (igma handbook ch. 5)."""

    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    name = models.CharField(_("name (English)"), max_length=200)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200, blank=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    offers_places = models.BooleanField(
        _("employers offer places at this step"),
        default=False,
        help_text=_(
            "Steps where the network supplies places (work experience, trial days, jobs); coverage compares "
            "their open places with the clients who need them. Coaching steps without an employer stay off."
        ),
    )

    objects = LadderStepQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name = _("ladder step")
        verbose_name_plural = _("ladder steps")

    def __str__(self) -> str:
        return f"{self.position}. {self.label()}"

    def label(self, language: str | None = None) -> str:
        """The step's name in the given (or active) language, falling back to English."""
        return in_language(language, {"en": self.name, "nl": self.name_nl, "sv": self.name_sv})


class Employer(models.Model):
    """An organisation that offers, or may offer, places on the ladder."""

    name = models.CharField(_("name"), max_length=200)
    normalised_name = models.CharField(max_length=200, editable=False, db_index=True)
    registration_number = models.CharField(
        _("registration number"),
        max_length=40,
        blank=True,
        help_text=_("Chamber of Commerce (KvK), enterprise (KBO) or organisation number."),
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    size_band = models.CharField(_("size"), max_length=10, choices=SizeBand.choices, blank=True)
    ownership = models.CharField(_("ownership"), max_length=12, choices=Ownership.choices, default=Ownership.PROFIT)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="NL", help_text=_("ISO 3166 code, e.g. NL, BE, SE."))
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    stage = models.CharField(_("relationship stage"), max_length=12, choices=Stage.choices, default=Stage.PROSPECT)
    stage_changed_at = models.DateTimeField(_("stage changed"), default=timezone.now)
    source = models.CharField(_("source channel"), max_length=10, choices=SourceChannel.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relationship manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_employers",
    )

    # Gender and job-quality profile (Flora III.5.C.b «De werkgever»). None means "not asked yet".
    sector_gender = models.CharField(
        _("trade is mostly"), max_length=6, choices=SectorGender.choices, blank=True, default=SectorGender.UNKNOWN
    )
    share_women_pct = models.PositiveSmallIntegerField(
        _("women among staff (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    share_women_supervisors_pct = models.PositiveSmallIntegerField(
        _("women among supervisors (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    offers_flexitime = models.BooleanField(_("flexitime possible"), null=True, blank=True)
    childcare_support = models.BooleanField(_("helps with childcare"), null=True, blank=True)
    harassment_procedure = models.BooleanField(_("harassment procedure"), null=True, blank=True)
    union_delegation = models.BooleanField(_("union delegation"), null=True, blank=True)
    collective_agreement = models.CharField(
        _("collective agreement"), max_length=200, blank=True, help_text=_("Name or joint committee number.")
    )
    accessible_by_public_transport = models.BooleanField(_("reachable by public transport"), null=True, blank=True)
    accessibility_notes = models.TextField(_("accessibility"), blank=True)
    # The rest of the 13 questions of III.5.C.b (domain analysis §4.6), in the order Flora asks them.
    gendered_functions = models.TextField(
        _("functions held mostly by men or by women"), blank=True, help_text=_("Flora III.5.C.b question 3.")
    )
    hard_to_fill_functions = models.TextField(_("functions that are hard to fill"), blank=True)
    hiring_motivation = models.TextField(_("why they hire women or men"), blank=True)
    status_offered = models.TextField(
        _("contracts offered to women and to men"),
        blank=True,
        help_text=_("Open-ended, fixed-term, with a hiring subsidy, full-time, part-time."),
    )
    schedules_and_peaks = models.TextField(_("working hours, and how peaks are handled"), blank=True)
    career_break_attitude = models.TextField(_("attitude to career breaks"), blank=True)
    atmosphere = models.TextField(
        _("atmosphere, and how management steps in"), blank=True, help_text=_("For example with sexual harassment.")
    )
    union_women_pct = models.PositiveSmallIntegerField(
        _("women in the union delegation (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    influence_channels = models.TextField(_("how staff have a say, formal and informal"), blank=True)
    childcare_notes = models.TextField(_("what they do to make childcare easier"), blank=True)

    # Vetting checklist (Flora IV.3 werkgever A.b «Voorwaarden voor samenwerking»; II.3.C.b).
    vet_no_prejudice = models.BooleanField(_("no explicit prejudice against our target groups"), default=False)
    vet_quality_jobs = models.BooleanField(_("proper contracts, correct conditions, safe work"), default=False)
    vet_no_undeclared_work = models.BooleanField(_("no undeclared work or subsidy churning"), default=False)
    vet_feasible_jobs = models.BooleanField(_("jobs feasible for the target group"), default=False)
    vet_social_attitude = models.BooleanField(_("believes in and supports its staff"), default=False)
    vet_clear_communication = models.BooleanField(_("communicates clearly with staff"), default=False)
    vet_partner_attitude = models.BooleanField(_("makes time for the coach and keeps agreements"), default=False)
    vet_coach_access = models.BooleanField(_("gives the coach access to the workplace"), default=False)
    vet_open_to_review = models.BooleanField(_("open to questioning its own practice"), default=False)
    vetted_at = models.DateTimeField(_("vetted"), null=True, blank=True)
    do_not_engage = models.BooleanField(
        _("do not engage"), default=False, help_text=_("Set when an employer fails the conditions for collaboration.")
    )
    do_not_engage_reason = models.TextField(_("reason not to engage"), blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The latest Interaction.occurred_at (None without any), kept by crm.services.refresh_last_contact,
    # which every path that adds, moves or deletes an interaction calls. Stored rather than looked up
    # because the follow-up rule asks it of every live employer: see EmployerQuerySet.needing_follow_up.
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True, editable=False)

    objects = EmployerQuerySet.as_manager()

    VETTING_FIELDS = (
        "vet_no_prejudice",
        "vet_quality_jobs",
        "vet_no_undeclared_work",
        "vet_feasible_jobs",
        "vet_social_attitude",
        "vet_clear_communication",
        "vet_partner_attitude",
        "vet_coach_access",
        "vet_open_to_review",
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="crm_employer_registration_number_unique",
                violation_error_message=_("An employer with this registration number already exists."),
            ),
            models.UniqueConstraint(
                fields=["normalised_name", "postcode"],
                name="crm_employer_name_postcode_unique",
                violation_error_message=_("An employer with this name and postcode already exists."),
            ),
            models.CheckConstraint(
                condition=Q(share_women_pct__isnull=True) | Q(share_women_pct__lte=100),
                name="crm_employer_share_women_pct_range",
            ),
            models.CheckConstraint(
                condition=Q(share_women_supervisors_pct__isnull=True) | Q(share_women_supervisors_pct__lte=100),
                name="crm_employer_share_women_supervisors_pct_range",
            ),
            models.CheckConstraint(
                condition=Q(union_women_pct__isnull=True) | Q(union_women_pct__lte=100),
                name="crm_employer_union_women_pct_range",
            ),
            models.CheckConstraint(
                condition=Q(do_not_engage=False) | ~Q(do_not_engage_reason=""),
                name="crm_employer_do_not_engage_needs_reason",
                violation_error_message=_("Say why this employer should not be engaged."),
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "owner"], name="crm_employer_stage_owner"),
            # The default order: a page of the list (API or workspace) stops after its rows instead of
            # sorting every employer (bench/README.md, "Workspace pages").
            models.Index(fields=["name", "id"], name="crm_employer_name_order"),
            # A sort on the last contact (the admin's column) reads the first rows of this index instead
            # of sorting every employer: 293 ms to 0.3 ms for the first 100 of 50,000 on PostgreSQL.
            # The follow-up rule's silence test needs none: it is OR'ed with the open-next-step test, so
            # it is read off each row the scan visits anyway.
            models.Index(fields=["last_contact_at", "id"], name="crm_employer_contact_order"),
            # The pipeline board's columns, newest move first (crm.views.board): each column's first cards
            # are read from the index instead of sorting the stage's employers, the whole network's
            # ("everyone") or one relationship manager's: 27 to 37 ms a column to 0.05 ms on PostgreSQL with
            # 50,000 employers.
            models.Index(fields=["stage", "stage_changed_at", "id"], name="crm_employer_board_order"),
            models.Index(fields=["owner", "stage", "stage_changed_at", "id"], name="crm_employer_board_mine"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the derived lookup columns in step with what the user typed.

        Saving a stored employer writes every column but `last_contact_at`: only refresh_last_contact
        writes that one, so an employer read before an interaction was logged (a form, the admin, a
        service holding the row) cannot put back the older value when it is saved afterwards.
        """
        self.normalise()
        stored = not self._state.adding and not args and not kwargs.get("force_insert")
        if stored and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "last_contact_at"
            ]
        super().save(*args, **kwargs)

    def normalise(self) -> None:
        """Fill the normalised name and tidy the postcode and registration number."""
        self.name = " ".join(self.name.split())
        self.normalised_name = normalise_name(self.name)
        self.postcode = normalise_postcode(self.postcode)
        self.registration_number = self.registration_number.strip().replace(" ", "")
        self.country = self.country.strip().upper()

    def clean(self) -> None:
        """Validate the row as a whole; imports call this too."""
        self.normalise()
        if not self.normalised_name:
            raise ValidationError({"name": _("Enter the employer's name.")})
        if self.do_not_engage and not self.do_not_engage_reason.strip():
            raise ValidationError({"do_not_engage_reason": _("Say why this employer should not be engaged.")})

    @property
    def vetting_score(self) -> int:
        """How many of the nine conditions for collaboration are confirmed."""
        return sum(1 for field in self.VETTING_FIELDS if getattr(self, field))

    @property
    def is_vetted(self) -> bool:
        """All conditions for collaboration confirmed."""
        return self.vetting_score == len(self.VETTING_FIELDS)


class EmployerStageChange(models.Model):
    """One move of an employer along the pipeline: who, when, from where to where, and why."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=12, choices=Stage.choices)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    decline_reason = models.CharField(
        _("why they declined"), max_length=12, choices=DeclineReason.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        # The default order, newest first: the API's first page of 157,000 changes reads 51 index entries
        # instead of sorting the table (93 ms on PostgreSQL).
        indexes = [models.Index(fields=["-changed_at", "-id"], name="crm_stagechange_recent_order")]

    def __str__(self) -> str:
        return f"{self.employer}: {self.from_stage or '-'} → {self.to_stage}"


class Contact(models.Model):
    """A person at an employer we deal with."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=ContactRole.choices, default=ContactRole.LINE_MANAGER)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.NL
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="crm_contact_email_unique",
                violation_error_message=_("A contact with this email address already exists."),
            ),
        ]
        # The default order: a page of a list stops after its rows instead of sorting every contact.
        indexes = [models.Index(fields=["last_name", "first_name", "id"], name="crm_contact_name_order")]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Store email addresses in lower case so the natural key matches however it was typed."""
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        """Normalise the email before uniqueness is validated."""
        self.email = self.email.strip().lower()


class Interaction(models.Model):
    """One contact with an employer, and the next step it leads to."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="interactions")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="interactions")
    kind = models.CharField(_("kind"), max_length=10, choices=InteractionKind.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    initiated_by = models.CharField(_("initiated by"), max_length=10, choices=Initiator.choices, default=Initiator.US)
    summary = models.TextField(_("summary"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_due = models.DateField(_("next step due"), null=True, blank=True)
    next_step_done_at = models.DateTimeField(_("next step done"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="interactions"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = InteractionQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            models.CheckConstraint(
                condition=Q(next_step="") | Q(next_step_due__isnull=False),
                name="crm_interaction_next_step_needs_due_date",
                violation_error_message=_("A next step needs a due date."),
            ),
            models.CheckConstraint(
                condition=Q(next_step_due__isnull=True) | ~Q(next_step=""),
                name="crm_interaction_due_date_needs_next_step",
                violation_error_message=_("A due date needs a next step."),
            ),
        ]
        indexes = [
            # Open next steps by due date (open_next_steps: not done, not empty), with the employer, so
            # the follow-up rule's "open step due by today" reads its employers from the index alone
            # (17,740 open steps due among 378,655 interactions on PostgreSQL: an index-only scan of
            # 1 to 6 ms instead of a bitmap heap scan of 7,439 pages, 15 to 20 ms).
            models.Index(
                fields=["next_step_due", "employer"],
                condition=Q(next_step_done_at__isnull=True) & ~Q(next_step=""),
                name="crm_inter_open_due_employer",
            ),
            models.Index(fields=["employer", "-occurred_at"], name="crm_inter_employer_recent"),
            # The default order, newest first: a page of a list stops after its rows.
            models.Index(fields=["-occurred_at", "-id"], name="crm_inter_recent_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.employer} · {self.occurred_at:%Y-%m-%d}"

    def clean(self) -> None:
        """A next step needs a due date, and the contact must work at this employer."""
        self.next_step = self.next_step.strip()
        if self.next_step and not self.next_step_due:
            raise ValidationError({"next_step_due": _("A next step needs a due date.")})
        if self.next_step_due and not self.next_step:
            raise ValidationError({"next_step": _("Say what the next step is.")})
        if self.contact is not None and self.employer_id and self.contact.employer_id != self.employer_id:
            raise ValidationError({"contact": _("This contact works at another employer.")})


class Vacancy(models.Model):
    """An offer on the ladder: a job, a work-experience place, a trial day and so on."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="vacancies")
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.SET_NULL, null=True, blank=True, related_name="vacancies"
    )
    reference = models.CharField(
        _("reference"), max_length=40, blank=True, help_text=_("The employer's or our own reference.")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=VacancyKind.choices, default=VacancyKind.PAID_JOB)
    ladder_steps = models.ManyToManyField(
        LadderStep, verbose_name=_("ladder steps"), blank=True, related_name="vacancies"
    )
    description = models.TextField(_("description"), blank=True)
    hours_per_week = hours_per_week_field()
    schedule = models.CharField(_("schedule"), max_length=8, choices=Schedule.choices, default=Schedule.DAY)
    contract_type = models.CharField(_("contract"), max_length=12, choices=ContractType.choices, blank=True)
    places = models.PositiveSmallIntegerField(_("places"), default=1, validators=[MinValueValidator(1)])
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    language_level = models.CharField(
        _("language level"), max_length=2, choices=LanguageLevel.choices, blank=True, default=LanguageLevel.NONE
    )
    status = models.CharField(_("status"), max_length=8, choices=VacancyStatus.choices, default=VacancyStatus.DRAFT)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_reason = models.TextField(_("reason for closing"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = VacancyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1), name="crm_vacancy_places_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="crm_vacancy_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True) | (Q(hours_per_week__gte=0) & Q(hours_per_week__lte=60)),
                name="crm_vacancy_hours_range",
            ),
            models.UniqueConstraint(
                fields=["employer", "reference"],
                condition=~Q(reference=""),
                name="crm_vacancy_reference_unique_per_employer",
                violation_error_message=_("This employer already has a vacancy with this reference."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "employer"], name="crm_vacancy_status_employer"),
            # The default order, newest first: the API's first page of 60,000 vacancies stopped sorting them
            # on disk (102 ms on PostgreSQL).
            models.Index(fields=["-created_at", "-id"], name="crm_vacancy_recent_order"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.employer})"

    def clean(self) -> None:
        """Dates in order; the contact works at this employer."""
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
        if self.contact is not None and self.employer_id and self.contact.employer_id != self.employer_id:
            raise ValidationError({"contact": _("This contact works at another employer.")})
