"""What goes out: follow-up notices about aftercare steps and the coaches' morning digests.

A row here is the "at most once" guard of the follow-up engine (DESIGN "The follow-up engine"):
the sweep inserts it under a unique key, the task claims it with a conditional update
(pending -> sending) and only the winner sends.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.choices import Language
from crm.roles import Role, has_role
from placements.models import AftercareStep
from placements.querysets import AftercareStepQuerySet


class NoticeKind(models.TextChoices):
    """Why a notice goes out about a step."""

    REMINDER_BEFORE = "reminder_before", _("Reminder before the due day")
    REMINDER_DUE = "reminder_due", _("Reminder on the due day")
    EMPLOYER_CHECKIN = "employer_checkin", _("Check-in mail to the workplace mentor")
    EVALUATION_DUE = "evaluation_due", _("Employer evaluation due (handed to the survey)")
    ESCALATION = "escalation", _("Escalation to the case manager")


class MailStatus(models.TextChoices):
    """The life of one outgoing mail."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (the step was closed first)")


# Kinds a mail task sends; an evaluation_due notice waits for the survey to claim it.
MAILED_KINDS = (
    NoticeKind.REMINDER_BEFORE,
    NoticeKind.REMINDER_DUE,
    NoticeKind.EMPLOYER_CHECKIN,
    NoticeKind.ESCALATION,
)


class OutgoingMailQuerySet(models.QuerySet[Any]):
    """Outgoing mails of either kind."""

    def failed(self) -> OutgoingMailQuerySet:
        """Mails that gave up; `last_error` says why."""
        return self.filter(status=MailStatus.FAILED)

    def stale_pending(self, *, queued_before: Any) -> OutgoingMailQuerySet:
        """Pending mails whose task was enqueued before the moment and never claimed them (a lost message)."""
        return self.filter(status=MailStatus.PENDING, queued_at__lt=queued_before)


class FollowUpNoticeQuerySet(OutgoingMailQuerySet):
    """Follow-up notices."""

    def mailed(self) -> FollowUpNoticeQuerySet:
        """Notices a mail task sends (every kind but the evaluation hand-off)."""
        return self.filter(kind__in=MAILED_KINDS)

    def evaluations_due(self) -> FollowUpNoticeQuerySet:
        """The hand-off to the survey: employer evaluations that are due and not yet sent."""
        return self.filter(kind=NoticeKind.EVALUATION_DUE, status=MailStatus.PENDING)

    def for_steps(self, steps: AftercareStepQuerySet) -> FollowUpNoticeQuerySet:
        """Notices about the given steps."""
        return self.filter(step__in=steps)

    def visible_to(self, user: Any) -> FollowUpNoticeQuerySet:
        """Notices about steps the user may see (coaches see their own clients only)."""
        return self.for_steps(AftercareStep.objects.visible_to(user))


class CoachDigestQuerySet(OutgoingMailQuerySet):
    """Morning digests."""

    def visible_to(self, user: Any) -> CoachDigestQuerySet:
        """A coach sees her own digests; administrators see all of them."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if getattr(user, "is_superuser", False) or has_role(user, Role.ADMINISTRATOR):
            return self
        return self.filter(coach=user)


class OutgoingMail(models.Model):
    """The fields every outgoing mail shares: to whom, in which language, and how sending went."""

    recipient_email = models.EmailField(_("recipient"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.EN)
    status = models.CharField(_("status"), max_length=8, choices=MailStatus.choices, default=MailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claim_token = models.CharField(
        _("claimed by sweep"), max_length=32, blank=True, editable=False, help_text=_("The sweep run that enqueued it.")
    )
    queued_at = models.DateTimeField(_("enqueued"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        abstract = True


class FollowUpNotice(OutgoingMail):
    """One mail (or hand-off) about one aftercare step, at most once per step, kind and lead time."""

    step = models.ForeignKey(
        AftercareStep, verbose_name=_("step"), on_delete=models.CASCADE, related_name="followup_notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    days_before = models.PositiveSmallIntegerField(
        _("days before the due day"), default=0, help_text=_("For reminders before the due day; 0 otherwise.")
    )
    # The step's due day the notice was made for: a step moved to another day is reminded again.
    for_due_on = models.DateField(_("for the step due on"))

    objects = FollowUpNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow-up notice")
        verbose_name_plural = _("follow-up notices")
        constraints = [
            models.UniqueConstraint(
                fields=["step", "kind", "days_before", "for_due_on"], name="outreach_one_notice_per_step_kind_day"
            ),
            # The survey takes one hand-off per step, whatever day the step moves to afterwards.
            models.UniqueConstraint(
                fields=["step", "kind"],
                condition=Q(kind="evaluation_due"),
                name="outreach_one_evaluation_handoff_per_step",
            ),
        ]
        indexes = [
            models.Index(fields=["queued_at"], condition=Q(status=MailStatus.PENDING), name="outreach_notice_pending"),
            models.Index(fields=["status", "kind"], name="outreach_notice_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.step_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A notice made by hand (admin, shell) is for the day its step is due now."""
        if self.for_due_on is None and self.step_id is not None:
            self.for_due_on = self.step.due_on
        super().save(*args, **kwargs)


class CoachDigest(OutgoingMail):
    """A coach's morning digest of overdue, today's and this week's steps, at most one per coach and day."""

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("coach"), on_delete=models.CASCADE, related_name="followup_digests"
    )
    date = models.DateField(_("date"))

    objects = CoachDigestQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "coach"]
        verbose_name = _("coach digest")
        verbose_name_plural = _("coach digests")
        constraints = [
            models.UniqueConstraint(fields=["coach", "date"], name="outreach_one_digest_per_coach_day"),
        ]
        indexes = [
            models.Index(fields=["queued_at"], condition=Q(status=MailStatus.PENDING), name="outreach_digest_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.coach} · {self.date}"


# --- Info packs ---
# The employer info pack (igma ch. 6 "Ondersteuning van werkgevers"; Flora §4.10): the organisation's
# texts per language, staff contact cards, the generated documents and their deliveries. Its imports
# sit here so this section stays self-contained next to the follow-up models above.

from django.core.validators import FileExtensionValidator  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from crm.models import Contact, Employer, Interaction  # noqa: E402
from outreach.pack_querysets import InfoPackQuerySet  # noqa: E402
from placements.models import Placement  # noqa: E402


class ProgrammeProfile(models.Model):
    """The organisation's texts for employers in one language, edited by an administrator (Flora §4.10)."""

    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    organisation_name = models.CharField(_("organisation name"), max_length=200)
    logo = models.FileField(
        _("logo"),
        upload_to="programme/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "svg"])],
        help_text=_("PNG, JPEG or SVG up to 1 MB; leave empty for the default logo."),
    )
    programme_description = models.TextField(_("about the programme"))
    results_for_employer = models.TextField(_("intended results for the employer"))
    results_for_individual = models.TextField(_("intended results for the individual"))
    employer_expectations = models.TextField(
        _("what we expect from the employer"), help_text=_("Flora IV.3 werkgever A.b: time, agreements, information.")
    )
    support_offered = models.TextField(_("support offered"))
    coach_role = models.TextField(_("what the job coach does"))
    coach_limits = models.TextField(_("what the job coach does not do"))
    call_early = models.TextField(
        _("why to call early"), help_text=_("Flora IV.3 werkgever B: employers call when a dismissal is a fact.")
    )
    questions_and_answers = models.TextField(
        _("questions and answers"),
        help_text=_("One question per block: the question on the first line, the answer below; a blank line between."),
    )
    employment_measures = models.TextField(_("employment measures"))
    administrative_help = models.TextField(_("administrative help"))
    on_call = models.TextField(_("on-call arrangement"))
    confidentiality = models.TextField(_("confidentiality statement"))
    job_quality = models.TextField(_("quality-of-job principles"))
    no_promised_results = models.TextField(_("no promised results"))
    onboarding_plan = models.TextField(_("onboarding step plan"), help_text=_("One step per line (Flora IV.2.A.b)."))
    contact_phone = models.CharField(_("office phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("office email"), blank=True)
    on_call_phone = models.CharField(_("on-call phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["language"]
        verbose_name = _("programme profile")
        verbose_name_plural = _("programme profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["language"],
                name="outreach_one_programme_profile_per_language",
                violation_error_message=_("There already are programme texts in this language."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.get_language_display()})"


class StaffCard(models.Model):
    """How a staff member appears on employer-facing documents: the phone and mail employers may use."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="staff_card"
    )
    phone = models.CharField(_("work phone"), max_length=40, blank=True)
    email = models.EmailField(_("work email"), blank=True, help_text=_("Leave empty to use the account's email."))

    class Meta:
        verbose_name = _("staff contact card")
        verbose_name_plural = _("staff contact cards")

    def __str__(self) -> str:
        return str(self.user)


class InfoPackKind(models.TextChoices):
    """A pack for an employer in general, or for one placement."""

    GENERAL = "general", _("General")
    PLACEMENT = "placement", _("Placement")


class InfoPackStatus(models.TextChoices):
    """The build of one pack."""

    PENDING = "pending", _("Pending")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class InfoPackTrigger(models.TextChoices):
    """Why a pack was generated."""

    MANUAL = "manual", _("Requested by staff")
    ACTIVATION = "activation", _("Placement activated")
    SCHEDULE_CHANGE = "schedule_change", _("Follow-up schedule changed")


class InfoPack(models.Model):
    """One version of an employer's info pack in one language, its PDF and its build status."""

    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.CASCADE, related_name="info_packs"
    )
    placement = models.ForeignKey(
        Placement,
        verbose_name=_("placement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="info_packs",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=InfoPackKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=8, choices=InfoPackStatus.choices, default=InfoPackStatus.PENDING)
    trigger = models.CharField(
        _("generated because"), max_length=16, choices=InfoPackTrigger.choices, default=InfoPackTrigger.MANUAL
    )
    error = models.TextField(_("error"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="infopacks/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    schedule_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    claimed_at = models.DateTimeField(_("build started"), null=True, blank=True)
    built_at = models.DateTimeField(_("built"), null=True, blank=True)

    objects = InfoPackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("info pack")
        verbose_name_plural = _("info packs")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="general") & Q(placement__isnull=True))
                | (Q(kind="placement") & Q(placement__isnull=False)),
                name="outreach_infopack_kind_matches_placement",
            ),
            models.UniqueConstraint(
                fields=["employer", "version", "language"],
                condition=Q(placement__isnull=True),
                name="outreach_infopack_general_version_unique",
            ),
            models.UniqueConstraint(
                fields=["placement", "version", "language"],
                condition=Q(placement__isnull=False),
                name="outreach_infopack_placement_version_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(sha256="") & ~Q(pdf="")),
                name="outreach_infopack_ready_has_pdf",
            ),
        ]
        indexes = [
            models.Index(fields=["employer", "placement", "-version"], name="outreach_infopack_versions"),
            models.Index(fields=["status", "claimed_at"], name="outreach_infopack_status"),
        ]

    def __str__(self) -> str:
        return f"{self.employer} · {self.get_kind_display()} v{self.version} ({self.language})"

    @property
    def filename(self) -> str:
        """The name the PDF is downloaded and attached under."""
        scope = f"placement-{self.placement_id}" if self.placement_id else "general"
        return (
            f"info-pack-{slugify(self.employer.name) or self.employer_id}-{scope}-v{self.version}-{self.language}.pdf"
        )


class DeliveryStatus(models.TextChoices):
    """The life of one mailed pack."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class InfoPackDelivery(models.Model):
    """One pack mailed to one employer contact, at most once; the send is logged as an interaction."""

    pack = models.ForeignKey(InfoPack, verbose_name=_("pack"), on_delete=models.CASCADE, related_name="deliveries")
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="info_pack_deliveries"
    )
    email = models.EmailField(_("sent to"))
    status = models.CharField(_("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    interaction = models.ForeignKey(
        Interaction, verbose_name=_("interaction"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("info pack delivery")
        verbose_name_plural = _("info pack deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["pack", "contact"],
                condition=Q(status__in=["pending", "sending"]),
                name="outreach_one_open_delivery_per_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pack} → {self.email}"


# --- Evaluation surveys ---
# The employer's evaluation through a personal link (igma ch. 6 "Supporting employers": were the
# expectations met, the goals reached, what can we learn; Flora §4.9 question bank). Templates are
# versioned like aftercare plans: once answered, a change makes a new version.

from django.core.exceptions import ValidationError  # noqa: E402


class SurveyKind(models.TextChoices):
    """Which survey a template is."""

    EMPLOYER_END = "employer_end", _("Employer evaluation at the end of a placement")
    EMPLOYER_DECLINED = "employer_declined", _("Employer who declined (Flora IV.1 category C)")
    MID_PLACEMENT = "mid_placement", _("Mid-placement check-in")


class QuestionType(models.TextChoices):
    """How a question is answered."""

    SCALE = "scale_1_5", _("Scale 1-5")
    YES_NO = "yes_no", _("Yes or no")
    SINGLE_CHOICE = "single_choice", _("One choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Several choices")
    NUMBER = "number", _("Number")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NPS = "nps_0_10", _("Recommendation 0-10")


class SurveyTemplate(models.Model):
    """One version of a survey: its questions in English, Dutch and Swedish."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SurveyKind.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self", verbose_name=_("previous version"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(
        _("in use for new invitations"), default=True, help_text=_("One active version per kind.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="outreach_survey_template_version"),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(is_active=True),
                name="outreach_one_active_survey_per_kind",
                violation_error_message=_("Another version of this survey is already in use."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Question(models.Model):
    """One question of a template; `options` holds the choices (or scale labels) with stable keys per language."""

    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    key = models.SlugField(_("key"), max_length=40, help_text=_("Stable across versions, e.g. e3_candidate_fit."))
    type = models.CharField(_("type"), max_length=16, choices=QuestionType.choices)
    required = models.BooleanField(_("required"), default=True)
    text_en = models.CharField(_("question (English)"), max_length=400)
    text_nl = models.CharField(_("question (Dutch)"), max_length=400)
    text_sv = models.CharField(_("question (Swedish)"), max_length=400)
    help_en = models.CharField(_("help text (English)"), max_length=400, blank=True)
    help_nl = models.CharField(_("help text (Dutch)"), max_length=400, blank=True)
    help_sv = models.CharField(_("help text (Swedish)"), max_length=400, blank=True)
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_('A list of {"key": ..., "en": ..., "nl": ..., "sv": ...}: choices, or the labels of a scale.'),
    )
    source = models.CharField(
        _("source"), max_length=120, blank=True, help_text=_('E.g. "E3, Flora IV.3 werkgever C".')
    )

    class Meta:
        ordering = ["template", "order"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="outreach_question_order"),
            models.UniqueConstraint(fields=["template", "key"], name="outreach_question_key"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text_en}"

    def clean(self) -> None:
        """Options are a list of {"key", "en", "nl", "sv"} with unique keys; choices need two, a scale five."""
        options = self.options if isinstance(self.options, list) else None
        if options is None or any(not isinstance(o, dict) or not o.get("key") or not o.get("en") for o in options):
            raise ValidationError({"options": _('Each option needs a "key" and an English label ("en").')})
        keys = [str(option["key"]) for option in options]
        if len(set(keys)) != len(keys):
            raise ValidationError({"options": _("Two options share a key.")})
        if self.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE) and len(keys) < 2:
            raise ValidationError({"options": _("A choice question needs at least two options.")})
        if self.type == QuestionType.SCALE and keys != ["1", "2", "3", "4", "5"]:
            raise ValidationError({"options": _('A 1-5 scale needs five labels with the keys "1" to "5".')})

    def text(self, language: str) -> str:
        """The wording in a language, English when that one is empty."""
        return str(getattr(self, f"text_{language}", "") or self.text_en)

    def help(self, language: str) -> str:
        """The help text in a language, English when that one is empty."""
        return str(getattr(self, f"help_{language}", "") or self.help_en)

    def choices(self, language: str) -> list[tuple[str, str]]:
        """(key, label) pairs of the options in a language."""
        return [(str(option["key"]), str(option.get(language) or option.get("en") or "")) for option in self.options]

    def option_keys(self) -> list[str]:
        """The stable keys of the options."""
        return [str(option["key"]) for option in self.options]


def sees_all_invitations(user: Any) -> bool:
    """Administrators and relationship managers see every invitation; one query for the roles."""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = set(user.groups.values_list("name", flat=True))
    return bool(getattr(user, "is_superuser", False) or roles & {Role.ADMINISTRATOR, Role.RELATIONSHIP_MANAGER})


class SurveyInvitationQuerySet(models.QuerySet["SurveyInvitation"]):
    """Survey invitations."""

    def answerable(self, *, now: Any) -> SurveyInvitationQuerySet:
        """Links that still accept an answer: not submitted, cancelled or expired."""
        return self.filter(submitted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now)

    def visible_to(self, user: Any) -> SurveyInvitationQuerySet:
        """Coaches see invitations about their clients' placements; relationship managers and admins see all."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if sees_all_invitations(user):
            return self
        # The row rule is placements.querysets.PlacementQuerySet.visible_to's, spelled as joins.
        return self.filter(
            Q(placement__coach=user) | Q(placement__client__coach=user) | Q(placement__client__case_manager=user)
        )


class SurveyInvitation(models.Model):
    """A personal link to one survey for one employer contact; only the token's hash and prefix are stored."""

    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="invitations"
    )
    placement = models.ForeignKey(
        Placement,
        verbose_name=_("placement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_invitations",
    )
    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.CASCADE, related_name="survey_invitations"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="survey_invitations"
    )
    email = models.EmailField(_("sent to"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    notice = models.OneToOneField(
        FollowUpNotice,
        verbose_name=_("follow-up notice"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_invitation",
    )
    token_prefix = models.CharField(_("link prefix"), max_length=12, db_index=True, editable=False)
    token_hash = models.CharField(_("link hash"), max_length=64, editable=False)
    token_seed = models.CharField(max_length=64, editable=False)
    mail_status = models.CharField(
        _("mail status"), max_length=8, choices=MailStatus.choices, default=MailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    objects = SurveyInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.CheckConstraint(
                condition=~(Q(submitted_at__isnull=False) & Q(cancelled_at__isnull=False)),
                name="outreach_invitation_submitted_or_cancelled",
            ),
        ]
        indexes = [
            models.Index(fields=["submitted_at", "cancelled_at", "expires_at"], name="outreach_invitation_open"),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.email}"

    def status(self, *, now: Any) -> str:
        """Submitted, cancelled, expired, sent or pending, as of a moment."""
        if self.submitted_at is not None:
            return str(_("Submitted"))
        if self.cancelled_at is not None:
            return str(_("Cancelled"))
        if self.expires_at <= now:
            return str(_("Expired"))
        return str(_("Sent")) if self.sent_at is not None else str(_("Pending"))


class SurveyResponse(models.Model):
    """The answers given through one invitation, at most one."""

    invitation = models.OneToOneField(
        SurveyInvitation, verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="response"
    )
    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="responses"
    )
    submitted_at = models.DateTimeField(_("submitted"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    interaction = models.ForeignKey(
        Interaction, verbose_name=_("interaction"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["template", "submitted_at"], name="outreach_response_period")]

    def __str__(self) -> str:
        return f"{self.template} · {self.submitted_at:%Y-%m-%d}"


class Answer(models.Model):
    """One answer to one question; the field used depends on the question's type."""

    response = models.ForeignKey(
        SurveyResponse, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers")
    number = models.DecimalField(_("number"), max_digits=10, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        ordering = ["response", "question__order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="outreach_one_answer_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.number if self.number is not None else self.text or self.choices}"
