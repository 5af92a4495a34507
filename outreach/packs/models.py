"""The employer info pack (igma ch. 6 "Ondersteuning van werkgevers"; Flora §4.10): the organisation's
texts per language, staff contact cards, the generated documents and their deliveries.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from crm.choices import Language
from crm.models import Contact, Employer, Interaction
from crm.roles import Role, roles_of
from outreach.mail.models import OutgoingMail, OutgoingMailQuerySet, queue_indexes
from placements.models import Placement
from placements.querysets import placement_access_q

# Staff who work with employers may generate, preview and send packs (DESIGN "Who uses it").
PACK_ROLES = (Role.RELATIONSHIP_MANAGER, Role.COACH, Role.CASE_MANAGER, Role.ADMINISTRATOR)


def can_work_with_packs(user: Any) -> bool:
    """True for relationship managers, coaches, case managers and administrators."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles_of(user) & {str(role) for role in PACK_ROLES})


# An employer's general pack is the relationship manager's work: coaches see it but do not make or mail it.
GENERAL_PACK_ROLES = (Role.RELATIONSHIP_MANAGER, Role.ADMINISTRATOR)


def can_send_general_packs(user: Any) -> bool:
    """True for relationship managers and administrators: they generate and send an employer's general pack."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles_of(user) & {str(role) for role in GENERAL_PACK_ROLES})


class InfoPackQuerySet(models.QuerySet["InfoPack"]):
    """Info packs, with row-level visibility."""

    def visible_to(self, user: Any) -> InfoPackQuerySet:
        """General packs for anyone who works with packs; placement packs only for placements the user may see."""
        if not can_work_with_packs(user):
            return self.none()
        return self.filter(Q(placement__isnull=True) | placement_access_q(user, via="placement"))

    def of_scope(self, *, employer_id: int, placement_id: int | None) -> InfoPackQuerySet:
        """All versions of one employer's general pack, or of one placement's pack."""
        if placement_id is not None:
            return self.filter(placement_id=placement_id)
        return self.filter(employer_id=employer_id, placement__isnull=True)

    def ready(self) -> InfoPackQuerySet:
        """Packs whose PDF is built."""
        return self.filter(status="ready")


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


class InfoPackDelivery(OutgoingMail):
    """One pack mailed to one employer contact, at most once; the send is logged as an interaction."""

    pack = models.ForeignKey(InfoPack, verbose_name=_("pack"), on_delete=models.CASCADE, related_name="deliveries")
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="info_pack_deliveries"
    )
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

    kind_label = "pack"

    objects = OutgoingMailQuerySet.as_manager()

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
        indexes = queue_indexes("outreach_delivery")

    def __str__(self) -> str:
        return f"{self.pack} → {self.recipient_email}"
