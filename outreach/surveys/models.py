"""Evaluation surveys through a personal link (igma ch. 6 "Supporting employers": were the expectations
met, the goals reached, what can we learn; Flora §4.9 question bank). Templates are versioned like
aftercare plans: once answered, a change makes a new version.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.i18n import in_language
from crm.choices import Language
from crm.models import Contact, Employer, Interaction
from crm.roles import works_with_every_employer
from outreach.followups.models import FollowUpNotice
from outreach.mail.models import OutgoingMail, OutgoingMailQuerySet, queue_indexes
from placements.models import AftercareStep, Placement
from placements.querysets import placement_access_q


class SurveyKind(models.TextChoices):
    """Which survey a template is."""

    EMPLOYER_END = "employer_end", _("Employer evaluation at the end of a placement")
    EMPLOYER_DECLINED = "employer_declined", _("Employer who declined (Flora IV.1 category C)")
    MID_PLACEMENT = "mid_placement", _("Mid-placement check-in")


class ValueDimension(models.TextChoices):
    """What employers valued in job coaching: the five added-value dimensions of Flora IV.3 werkgever C
    (domain analysis §4.8), plus the overall judgement; the reports group evaluation results by them."""

    NONE = "", _("None")
    OVERALL = "overall", _("Overall")
    SUPPLY = "supply", _("Suitable workers, onboarded faster")
    ADVICE = "advice", _("Information and advice on integration")
    CONTACT = "contact", _("A contact person during onboarding")
    MEASURES = "measures", _("Access to employment measures")
    ADMINISTRATION = "administration", _("Administrative support")


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
        help_text=_(
            'A list of options, each with a "key" and a label per language code (en, nl, sv): '
            "the choices, or the labels of a scale."
        ),
    )
    source = models.CharField(
        _("source"), max_length=120, blank=True, help_text=_('E.g. "E3, Flora IV.3 werkgever C".')
    )
    dimension = models.CharField(
        _("value dimension"),
        max_length=16,
        choices=ValueDimension.choices,
        blank=True,
        default="",
        help_text=_("Which of the added values employers named (Flora IV.3 werkgever C) the question measures."),
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
        return in_language(language, {"en": self.text_en, "nl": self.text_nl, "sv": self.text_sv})

    def help(self, language: str) -> str:
        """The help text in a language, English when that one is empty."""
        return in_language(language, {"en": self.help_en, "nl": self.help_nl, "sv": self.help_sv})

    def choices(self, language: str) -> list[tuple[str, str]]:
        """(key, label) pairs of the options in a language (each option maps language codes to its label)."""
        return [(str(option["key"]), str(in_language(language, option))) for option in self.options]

    def option_keys(self) -> list[str]:
        """The stable keys of the options."""
        return [str(option["key"]) for option in self.options]


class SurveyInvitationQuerySet(models.QuerySet["SurveyInvitation"]):
    """Survey invitations."""

    def answerable(self, *, now: Any) -> SurveyInvitationQuerySet:
        """Links that still accept an answer: not submitted, cancelled or expired."""
        return self.filter(submitted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now)

    def visible_to(self, user: Any) -> SurveyInvitationQuerySet:
        """Invitations about placements the user may see (placement_access_q: a relationship manager those at her
        employers); relationship managers and administrators also see those about no placement (declined employers)."""
        rule = placement_access_q(user, via="placement")
        if works_with_every_employer(user):
            rule |= Q(placement__isnull=True)
        return self.filter(rule)


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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("first mailed"), null=True, blank=True)
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

    @property
    def mail_status(self) -> str:
        """The status of the newest mail of the link (prefetch `mails` in lists)."""
        mails = sorted(self.mails.all(), key=lambda mail: (mail.created_at, mail.pk))
        return str(mails[-1].status) if mails else ""

    @property
    def last_error(self) -> str:
        """The error of the newest mail of the link that failed or is waiting to be tried again."""
        errors = [mail.last_error for mail in sorted(self.mails.all(), key=lambda m: (m.created_at, m.pk))]
        return next((error for error in reversed(errors) if error), "")


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
    # The employer-evaluation step this answer is for; answering completes it while it is open.
    step = models.ForeignKey(
        AftercareStep,
        verbose_name=_("aftercare step"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
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


class SurveyMailKind(models.TextChoices):
    """Which mail of a link."""

    INVITATION = "invitation", _("Invitation")
    REMINDER = "reminder", _("Reminder")


class SurveyMail(OutgoingMail):
    """One mail of an invitation: the first mail (and one per resend) or a reminder, each sent at most once."""

    invitation = models.ForeignKey(
        SurveyInvitation, verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="mails"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyMailKind.choices)

    kind_label = "survey"

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("survey mail")
        verbose_name_plural = _("survey mails")
        indexes = queue_indexes("outreach_surveymail")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_email}"
