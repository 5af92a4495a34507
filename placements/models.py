"""Clients, their placements with employers, coaching agreements, and the aftercare schedule."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.i18n import in_language
from crm.choices import ContractType, Language, Schedule, VacancyKind
from crm.models import Contact, Employer, LadderStep, Vacancy, hours_per_week_field
from placements.choices import (
    Anchor,
    AssigneeRole,
    ClientStatus,
    ClosingReason,
    ConsentPurpose,
    ConsentSource,
    Destination,
    EndCause,
    EndedBy,
    Gender,
    LadderMove,
    PlacementStatus,
    StepKind,
    StepStatus,
    Track,
)
from placements.querysets import (
    AftercareStepQuerySet,
    ClientQuerySet,
    CoachingAgreementQuerySet,
    ConsentQuerySet,
    LadderPositionQuerySet,
    PlacementQuerySet,
)


class Client(models.Model):
    """A person we coach, known by a pseudonymous reference and the minimum we need (Flora §6.5, §8)."""

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    gender = models.CharField(_("gender (self-described)"), max_length=16, choices=Gender.choices, blank=True)
    gender_description = models.CharField(_("gender, in her or his own words"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.NL
    )
    hours_wanted = models.DecimalField(
        _("hours she wants per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
        help_text=_("What she would like to work, for the report of hours worked against hours wanted (Flora II.4)."),
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("coach"), on_delete=models.PROTECT, related_name="coached_clients"
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_clients",
    )
    status = models.CharField(_("status"), max_length=10, choices=ClientStatus.choices, default=ClientStatus.INTAKE)
    closing_reason = models.CharField(_("closing reason"), max_length=16, choices=ClosingReason.choices, blank=True)
    destination = models.CharField(_("destination"), max_length=16, choices=Destination.choices, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ClientStatus.CLOSED) | ~Q(closing_reason=""),
                name="placements_client_closed_needs_reason",
                violation_error_message=_("A closed file needs a closing reason."),
            ),
        ]
        indexes = [models.Index(fields=["coach", "status"], name="placements_client_coach")]

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        """A closed file says why; an open one has no closing reason."""
        if self.status == ClientStatus.CLOSED and not self.closing_reason:
            raise ValidationError({"closing_reason": _("A closed file needs a closing reason.")})
        if self.status != ClientStatus.CLOSED and self.closing_reason:
            raise ValidationError({"closing_reason": _("Only a closed file has a closing reason.")})

    def current_agreement(self) -> CoachingAgreement | None:
        """The version of her coaching agreement in force, if one was written."""
        return self.agreements.filter(superseded_at__isnull=True).first()

    def has_consent(self, purpose: ConsentPurpose | str, *, on: dt.date | None = None) -> bool:
        """True when the client gave consent for the purpose and had not withdrawn it on the date."""
        return (
            ConsentRecord.objects.for_client(self)
            .in_force(on=on or timezone.localdate())
            .filter(purpose=purpose)
            .exists()
        )


class LadderPosition(models.Model):
    """A client's stay on one ladder step, for time-per-step reports (igma ch. 5 good governance)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="ladder_positions")
    step = models.ForeignKey(LadderStep, on_delete=models.PROTECT, related_name="positions")
    entered_on = models.DateField(_("entered"))
    left_on = models.DateField(_("left"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # How she came to this step, against her stay before it (whenever that ended): kept when the stay opens
    # (placements.services.ladder), so reports count moves without reading every client's whole history.
    direction = models.CharField(_("move"), max_length=4, choices=LadderMove.choices, blank=True, default="")

    objects = LadderPositionQuerySet.as_manager()

    class Meta:
        ordering = ["client", "entered_on", "pk"]
        verbose_name = _("ladder position")
        verbose_name_plural = _("ladder positions")
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(left_on__isnull=True), name="placements_one_current_ladder_position"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("entered_on")),
                name="placements_ladder_left_after_entered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} @ {self.step.position}"

    @property
    def days(self) -> int | None:
        """Days spent on the step, when it has been left."""
        return (self.left_on - self.entered_on).days if self.left_on else None


class ConsentRecord(models.Model):
    """One consent a client gave for one purpose, and when she withdrew it (Flora III.1.B)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    given_on = models.DateField(_("given on"))
    source = models.CharField(
        _("source"), max_length=16, choices=ConsentSource.choices, default=ConsentSource.SIGNED_FORM
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["client", "purpose", "-given_on"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("given_on")),
                name="placements_consent_withdrawn_after_given",
            ),
            models.UniqueConstraint(
                fields=["client", "purpose"],
                condition=Q(withdrawn_on__isnull=True),
                name="placements_one_open_consent_per_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client}: {self.get_purpose_display()}"


class AftercarePlan(models.Model):
    """A follow-up schedule; once a placement uses it, changes make a new version (DESIGN "follow-up engine")."""

    name = models.CharField(_("name"), max_length=120)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_versions", editable=False
    )
    description = models.TextField(_("description"), blank=True)
    counts_working_days = models.BooleanField(
        _("count working days"), default=False, help_text=_("Offsets skip Saturdays and Sundays.")
    )
    is_default = models.BooleanField(_("default plan"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("aftercare plan")
        verbose_name_plural = _("aftercare plans")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="placements_plan_name_version_unique"),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="placements_one_default_plan"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class AftercareStepTemplate(models.Model):
    """One step of a plan: what, with whom, and when relative to the start or the end."""

    plan = models.ForeignKey(AftercarePlan, on_delete=models.CASCADE, related_name="templates")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title (English)"), max_length=200)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200, blank=True)
    title_sv = models.CharField(_("title (Swedish)"), max_length=200, blank=True)
    track = models.CharField(_("track"), max_length=8, choices=Track.choices, default=Track.CLIENT)
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices, default=StepKind.CALL)
    anchor = models.CharField(_("counted from"), max_length=5, choices=Anchor.choices, default=Anchor.START)
    offset_days = models.IntegerField(
        _("offset in days"), validators=[MinValueValidator(-365), MaxValueValidator(3 * 365)]
    )
    assignee_role = models.CharField(
        _("assigned to"), max_length=12, choices=AssigneeRole.choices, default=AssigneeRole.COACH
    )

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("aftercare step template")
        verbose_name_plural = _("aftercare step templates")
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="placements_template_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.title}"

    def label(self, language: str | None = None) -> str:
        """The title in the given (or active) language, falling back to English."""
        return in_language(language, {"en": self.title, "nl": self.title_nl, "sv": self.title_sv})


class KindPlan(models.Model):
    """The plan a kind of placement gets unless the coach picks another: a trial day is not a year-long job.

    Administrators change these rows; a kind without a row follows the default plan.
    """

    kind = models.CharField(_("kind of placement"), max_length=16, choices=VacancyKind.choices, unique=True)
    plan = models.ForeignKey(
        AftercarePlan, verbose_name=_("aftercare plan"), on_delete=models.PROTECT, related_name="kinds"
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = _("plan per kind of placement")
        verbose_name_plural = _("plans per kind of placement")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.plan}"


class Placement(models.Model):
    """An employment episode the client chose (Flora IV.2.A.a: the client decides which offer she takes)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="placements")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="placements")
    vacancy = models.ForeignKey(Vacancy, on_delete=models.SET_NULL, null=True, blank=True, related_name="placements")
    kind = models.CharField(_("kind"), max_length=16, choices=VacancyKind.choices, default=VacancyKind.PAID_JOB)
    job_title = models.CharField(_("job title"), max_length=200)
    start_on = models.DateField(_("start"))
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)
    actual_end_on = models.DateField(_("actual end"), null=True, blank=True)
    hours_per_week = hours_per_week_field()
    schedule = models.CharField(_("schedule"), max_length=8, choices=Schedule.choices, default=Schedule.DAY)
    contract_type = models.CharField(_("contract"), max_length=12, choices=ContractType.choices, blank=True)
    employment_measure = models.CharField(
        _("employment measure"), max_length=120, blank=True, help_text=_("Subsidy or scheme, e.g. Activa, IBO.")
    )
    mentor = models.ForeignKey(
        Contact,
        verbose_name=_("workplace mentor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_placements",
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("coach"), on_delete=models.PROTECT, related_name="placements"
    )
    plan = models.ForeignKey(
        AftercarePlan,
        verbose_name=_("aftercare plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PlacementStatus.choices, default=PlacementStatus.PLANNED
    )
    end_reason = models.TextField(_("end reason"), blank=True)
    end_cause = models.CharField(
        _("main reason it ended early"), max_length=16, choices=EndCause.choices, blank=True, default=""
    )
    ended_by = models.CharField(_("ended by"), max_length=12, choices=EndedBy.choices, blank=True)
    end_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-start_on", "-pk"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_on__isnull=True) | Q(planned_end_on__gte=F("start_on")),
                name="placements_planned_end_after_start",
                violation_error_message=_("The planned end cannot be before the start."),
            ),
            models.CheckConstraint(
                condition=Q(actual_end_on__isnull=True) | Q(actual_end_on__gte=F("start_on")),
                name="placements_actual_end_after_start",
                violation_error_message=_("The end cannot be before the start."),
            ),
            models.CheckConstraint(
                condition=~Q(status=PlacementStatus.ENDED_EARLY) | (~Q(end_reason="") & ~Q(ended_by="")),
                name="placements_ended_early_says_why_and_who",
                violation_error_message=_("An early end records why and who ended it."),
            ),
        ]
        indexes = [
            models.Index(fields=["coach", "status"], name="placements_placement_coach"),
            models.Index(fields=["employer", "status"], name="placements_placement_employer"),
            # The default order (latest start first): a page of the placements API reads its rows from the
            # index instead of sorting 100,000 placements joined to their clients (401 ms on PostgreSQL).
            models.Index(fields=["-start_on", "-id"], name="placements_start_order"),
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.job_title} · {self.employer}"

    def clean(self) -> None:
        """Dates in order; the mentor and vacancy belong to the employer."""
        if self.planned_end_on and self.start_on and self.planned_end_on < self.start_on:
            raise ValidationError({"planned_end_on": _("The planned end cannot be before the start.")})
        if self.actual_end_on and self.start_on and self.actual_end_on < self.start_on:
            raise ValidationError({"actual_end_on": _("The end cannot be before the start.")})
        if self.mentor is not None and self.employer_id and self.mentor.employer_id != self.employer_id:
            raise ValidationError({"mentor": _("The mentor must work at this employer.")})
        if self.vacancy is not None and self.employer_id and self.vacancy.employer_id != self.employer_id:
            raise ValidationError({"vacancy": _("The vacancy belongs to another employer.")})

    def days_in_work(self, *, as_of: dt.date) -> int:
        """Days from the start to the end (or to `as_of` while it runs); 0 before it starts."""
        if self.status in (PlacementStatus.PLANNED, PlacementStatus.CANCELLED):
            return 0
        end = min(self.actual_end_on or as_of, as_of)
        return max((end - self.start_on).days, 0)

    def retained(self, *, months: int, as_of: dt.date) -> bool:
        """True when the placement has lasted at least `months` calendar months (Flora I.3: at least 3 months)."""
        return self.days_in_work(as_of=as_of) >= _months_in_days(self.start_on, months)


def _months_in_days(start: dt.date, months: int) -> int:
    """Days from `start` to the same day `months` later (clamped to the month's end)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return (dt.date(year, month, day) - start).days


class CoachingAgreement(models.Model):
    """One version of a client's coaching "contract" (Flora III.4; III.5.D); a revision adds a version.

    The agreement is made with the client at the start of the coaching, before any placement, and
    revised as it goes; every version is kept, so the file shows what was agreed when. The current
    version is the one not superseded.
    """

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    parties = models.TextField(_("parties"), help_text=_("Who agrees: the client, the coach, the employer, others."))
    joint_work = models.TextField(_("what we do together"))
    duration_weeks = models.PositiveSmallIntegerField(_("duration (weeks)"), null=True, blank=True)
    expected_result = models.TextField(_("expected result"))
    success_measure = models.TextField(_("how we will know"))
    goals_work = models.TextField(_("goals at work"), blank=True)
    goals_private = models.TextField(_("goals in private life"), blank=True)
    contact_rhythm = models.CharField(_("agreed contact rhythm"), max_length=200, blank=True)
    share_with_employer = models.TextField(
        _("what may be shared with the employer"),
        blank=True,
        help_text=_("Only with the client's consent to share with the employer."),
    )
    agreed_on = models.DateField(_("agreed on"), default=timezone.localdate)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True, editable=False)

    objects = CoachingAgreementQuerySet.as_manager()

    class Meta:
        ordering = ["client", "-version"]
        verbose_name = _("coaching agreement")
        verbose_name_plural = _("coaching agreements")
        constraints = [
            models.UniqueConstraint(fields=["client", "version"], name="placements_agreement_version_unique"),
            models.UniqueConstraint(
                fields=["client"], condition=Q(superseded_at__isnull=True), name="placements_one_current_agreement"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} v{self.version}"

    @property
    def is_current(self) -> bool:
        """Not replaced by a later version."""
        return self.superseded_at is None

    def clean(self) -> None:
        """Nothing is marked shareable with the employer unless the client consented (Flora III.1.B)."""
        if self.share_with_employer.strip() and not self.client.has_consent(
            ConsentPurpose.SHARE_WITH_EMPLOYER, on=self.agreed_on
        ):
            raise ValidationError(
                {"share_with_employer": _("The client has not consented to sharing information with the employer.")}
            )

    def shareable_text(self, *, on: dt.date) -> str:
        """What the employer may read today: empty once consent is withdrawn."""
        if self.client.has_consent(ConsentPurpose.SHARE_WITH_EMPLOYER, on=on):
            return self.share_with_employer
        return ""


class AftercareStep(models.Model):
    """One follow-up of one placement: when, by whom, and what came of it."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="steps")
    template = models.ForeignKey(
        AftercareStepTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="steps"
    )
    title = models.CharField(_("title"), max_length=200)
    track = models.CharField(_("track"), max_length=8, choices=Track.choices, default=Track.CLIENT)
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices, default=StepKind.CALL)
    due_on = models.DateField(_("due"))
    planned_due_on = models.DateField(
        _("due by the plan"), null=True, blank=True, help_text=_("The date the plan gave; empty for added steps.")
    )
    moved_by_hand = models.BooleanField(_("moved by hand"), default=False)
    # No index of its own: placements_step_assignee (assignee, status, due_on) starts with it.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        related_name="aftercare_steps",
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=10, choices=StepStatus.choices, default=StepStatus.PLANNED)
    outcome = models.TextField(_("outcome"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    minutes_spent = models.PositiveIntegerField(_("minutes spent"), null=True, blank=True)
    reason = models.CharField(
        _("reason"), max_length=300, blank=True, help_text=_("Why the step was added, moved, skipped or cancelled.")
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AftercareStepQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("aftercare step")
        verbose_name_plural = _("aftercare steps")
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "template"],
                condition=Q(template__isnull=False),
                name="placements_one_step_per_template",
            ),
            models.CheckConstraint(
                condition=~Q(status=StepStatus.DONE) | Q(completed_at__isnull=False),
                name="placements_done_step_has_completion_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=Q(status__in=["planned", "due"]),
                name="placements_open_steps_due",
            ),
            # The steps whose day may have come: the follow-up sweep's planned -> due update reads only these.
            models.Index(
                fields=["due_on"],
                condition=Q(status__in=["planned"]),
                name="placements_planned_steps_due",
            ),
            models.Index(fields=["assignee", "status", "due_on"], name="placements_step_assignee"),
            # The default order (due day, id): a page of the steps API stops after its rows instead of
            # sorting a million steps.
            models.Index(fields=["due_on", "id"], name="placements_step_due_order"),
            # The steps done, by when: the programme reports sum a year of them (minutes per client, done and
            # on time per coach). On PostgreSQL the index carries what those sums read, so they scan about a
            # fifth of the table's entries and no table rows (bench/README.md, "Programme reports").
            models.Index(
                fields=["completed_at"],
                include=["id", "placement", "assignee", "minutes_spent", "due_on"],
                condition=Q(status="done"),
                name="placements_done_steps",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.due_on}"

    def label(self, language: str | None = None) -> str:
        """The title in the given (or active) language: the plan's wording, or the title typed for an added step."""
        return self.template.label(language) if self.template is not None else self.title

    @property
    def is_open(self) -> bool:
        """Still to be done."""
        return self.status in (StepStatus.PLANNED, StepStatus.DUE)


class Team(models.Model):
    """Coaches and the case managers (team leads) who supervise them (Flora IV.4: supervision and intervision)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("case managers"), related_name="led_teams", blank=True
    )
    coaches = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("coaches"), related_name="teams", blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class CalendarFeedToken(models.Model):
    """A user's secret calendar-feed link, kept only as a SHA-256 hash; issuing a new link retires the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed link")
        verbose_name_plural = _("calendar feed links")

    def __str__(self) -> str:
        return f"{self.user} · {self.issued_at:%Y-%m-%d}"
