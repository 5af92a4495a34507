"""The workplace mentor's personal page (issue 14; Flora IV.3, the employer's part B: employers call too late,
want one contact who answers and to know what was agreed): the link, the concerns raised through it, the
mentor's replies to planned visits and the mails that tell the coach.

The link follows the survey links' token design (common.links, purpose "werkbrug.mentor"): only a
lookup prefix, the seed and the SHA-256 hash of the secret are stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import Contact, Interaction
from outreach.mail.models import OutgoingMail, OutgoingMailQuerySet, queue_indexes
from placements.choices import PlacementStatus
from placements.models import AftercareStep, Placement
from placements.querysets import placement_access_q, placement_casework_q

# What the mentor may type about what happened (a short form on a phone).
CONCERN_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 500
ANSWER_MAX_LENGTH = 1000


class MentorLinkQuerySet(models.QuerySet["MentorLink"]):
    """Mentor links."""

    def live(self) -> MentorLinkQuerySet:
        """Links not revoked (they may still have expired: see MentorLink.works)."""
        return self.filter(revoked_at__isnull=True)

    def visible_to(self, user: Any) -> MentorLinkQuerySet:
        """Links of placements the user may see (placement_access_q)."""
        return self.filter(placement_access_q(user, via="placement"))


class MentorLink(models.Model):
    """One mentor's personal link to her page about one placement; only the token's prefix, seed and hash are stored."""

    placement = models.ForeignKey(
        Placement, verbose_name=_("placement"), on_delete=models.CASCADE, related_name="mentor_links"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("workplace mentor"), on_delete=models.PROTECT, related_name="mentor_links"
    )
    token_prefix = models.CharField(_("link prefix"), max_length=12, db_index=True, editable=False)
    token_hash = models.CharField(_("link hash"), max_length=64, editable=False)
    token_seed = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    valid_until = models.DateTimeField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_(
            "Empty while the placement runs: the link then works until MENTOR_LINK_DAYS_AFTER_END after its end."
        ),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_opened_at = models.DateTimeField(_("last opened by the mentor"), null=True, blank=True)

    objects = MentorLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mentor link")
        verbose_name_plural = _("mentor links")
        constraints = [
            # Reissuing revokes the old row first: one working link per placement and mentor.
            models.UniqueConstraint(
                fields=["placement", "contact"],
                condition=Q(revoked_at__isnull=True),
                name="outreach_one_live_mentor_link",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} → {self.contact_id}"

    @property
    def language(self) -> str:
        """The mentor's language: her page and its words are in it."""
        return str(self.contact.preferred_language)

    def expires_at(self) -> dt.datetime | None:
        """When the link stops working: `valid_until` when set, else MENTOR_LINK_DAYS_AFTER_END after the placement's
        end (the end of that day), else never while the placement runs."""
        if self.valid_until is not None:
            return self.valid_until
        end = self.placement.actual_end_on
        if end is None:
            return None
        last_day = end + dt.timedelta(days=settings.MENTOR_LINK_DAYS_AFTER_END + 1)
        return timezone.make_aware(dt.datetime.combine(last_day, dt.time.min))

    def works(self, *, now: dt.datetime) -> bool:
        """Not revoked, not expired, the placement not cancelled and she still its mentor (the one validity rule)."""
        if self.revoked_at is not None or self.placement.status == PlacementStatus.CANCELLED:
            return False
        if self.contact_id != self.placement.mentor_id:
            return False
        expires = self.expires_at()
        return expires is None or now < expires


class Urgency(models.TextChoices):
    """How soon the mentor wants the coach to act."""

    TODAY = "today", _("Today")
    THIS_WEEK = "this_week", _("This week")
    NO_HURRY = "no_hurry", _("No hurry")


class MentorConcernQuerySet(models.QuerySet["MentorConcern"]):
    """Concerns raised by mentors."""

    def open(self) -> MentorConcernQuerySet:
        """Not answered yet."""
        return self.filter(answered_at__isnull=True)

    def in_casework_of(self, user: Any) -> MentorConcernQuerySet:
        """Concerns about placements the user follows as casework (placement_casework_q): the text is casework."""
        return self.filter(placement_casework_q(user, via="placement"))


class MentorConcern(models.Model):
    """A concern the mentor raised on her page: it makes an urgent follow-up for the coach, mailed at once."""

    placement = models.ForeignKey(
        Placement, verbose_name=_("placement"), on_delete=models.CASCADE, related_name="mentor_concerns"
    )
    link = models.ForeignKey(MentorLink, verbose_name=_("link"), on_delete=models.CASCADE, related_name="concerns")
    what_happened = models.TextField(_("what happened"), max_length=CONCERN_MAX_LENGTH)
    urgency = models.CharField(_("how urgent"), max_length=10, choices=Urgency.choices)
    call_back = models.BooleanField(_("call me back"), default=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("raised"), default=timezone.now)
    step = models.ForeignKey(
        AftercareStep,
        verbose_name=_("follow-up"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentor_concerns",
    )
    interaction = models.ForeignKey(
        Interaction, verbose_name=_("interaction"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answer = models.TextField(_("answer"), max_length=ANSWER_MAX_LENGTH, blank=True)
    # Drawn by the form when it is shown: a double click or a second tab posts the same key, stored once.
    idempotency_key = models.CharField(_("form key"), max_length=64, editable=False)

    objects = MentorConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("concern from a mentor")
        verbose_name_plural = _("concerns from mentors")
        constraints = [
            models.UniqueConstraint(fields=["link", "idempotency_key"], name="outreach_concern_once_per_form"),
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(answered_at__isnull=True), name="outreach_concern_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()} · {self.placement_id} · {self.created_at:%Y-%m-%d}"


class VisitReplyKind(models.TextChoices):
    """What the mentor said about a planned step."""

    CONFIRMED = "confirmed", _("Confirmed")
    PROPOSED = "proposed", _("Proposed another date")


class VisitReply(models.Model):
    """The mentor confirmed a planned employer-track step or proposed another date; a proposal does not move it."""

    step = models.ForeignKey(
        AftercareStep, verbose_name=_("step"), on_delete=models.CASCADE, related_name="mentor_replies"
    )
    link = models.ForeignKey(MentorLink, verbose_name=_("link"), on_delete=models.CASCADE, related_name="replies")
    kind = models.CharField(_("reply"), max_length=10, choices=VisitReplyKind.choices)
    for_due_on = models.DateField(_("for the step due on"))
    proposed_on = models.DateField(_("proposed date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    idempotency_key = models.CharField(_("form key"), max_length=64, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mentor's reply about a visit")
        verbose_name_plural = _("mentor's replies about visits")
        constraints = [
            models.UniqueConstraint(fields=["link", "idempotency_key"], name="outreach_visit_reply_once_per_form"),
            models.CheckConstraint(
                condition=Q(kind="confirmed", proposed_on__isnull=True) | Q(kind="proposed", proposed_on__isnull=False),
                name="outreach_visit_reply_proposal_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.step_id}"


class MentorMailKind(models.TextChoices):
    """Why staff are told about the mentor's page."""

    CONCERN = "concern", _("Concern from the mentor")
    PROPOSAL = "proposal", _("Mentor proposed another date")


class MentorMail(OutgoingMail):
    """A mail to the coach or her case manager about a concern or a proposed date, each sent at most once."""

    kind = models.CharField(_("kind"), max_length=10, choices=MentorMailKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="+"
    )
    concern = models.ForeignKey(
        MentorConcern, verbose_name=_("concern"), on_delete=models.CASCADE, null=True, blank=True, related_name="mails"
    )
    reply = models.ForeignKey(
        VisitReply, verbose_name=_("reply"), on_delete=models.CASCADE, null=True, blank=True, related_name="mails"
    )

    kind_label = "mentor"

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("mail about the mentor's page")
        verbose_name_plural = _("mails about the mentor's page")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="concern", concern__isnull=False, reply__isnull=True)
                | Q(kind="proposal", reply__isnull=False, concern__isnull=True),
                name="outreach_mentor_mail_has_its_subject",
            ),
        ]
        indexes = queue_indexes("outreach_mentormail")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_email}"
