"""Follow-up notices about aftercare steps and the coaches' morning digests."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.roles import Role, has_role
from outreach.mail.models import MailStatus, OutgoingMail, OutgoingMailQuerySet, queue_indexes
from placements.models import AftercareStep
from placements.querysets import AftercareStepQuerySet, step_access_q


class NoticeKind(models.TextChoices):
    """Why a notice goes out about a step."""

    REMINDER_BEFORE = "reminder_before", _("Reminder before the due day")
    REMINDER_DUE = "reminder_due", _("Reminder on the due day")
    EMPLOYER_CHECKIN = "employer_checkin", _("Check-in mail to the workplace mentor")
    EVALUATION_DUE = "evaluation_due", _("Employer evaluation due (handed to the survey)")
    ESCALATION = "escalation", _("Escalation to the case manager")


# Kinds a mail task sends; an evaluation_due notice waits for the survey to claim it.
MAILED_KINDS = (
    NoticeKind.REMINDER_BEFORE,
    NoticeKind.REMINDER_DUE,
    NoticeKind.EMPLOYER_CHECKIN,
    NoticeKind.ESCALATION,
)


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
        """Notices about steps the user may see (coaches see their own clients only; step_access_q)."""
        return self.filter(step_access_q(user, via="step"))


class CoachDigestQuerySet(OutgoingMailQuerySet):
    """Morning digests."""

    def visible_to(self, user: Any) -> CoachDigestQuerySet:
        """A coach sees her own digests; administrators see all of them."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if has_role(user, Role.ADMINISTRATOR):  # superusers count as administrators
            return self
        return self.filter(coach=user)


class FollowUpNotice(OutgoingMail):
    """One mail (or hand-off) about one aftercare step, at most once per step, kind and lead time."""

    # No index of its own: the unique key (step, kind, days before, due day) starts with the step.
    step = models.ForeignKey(
        AftercareStep,
        verbose_name=_("step"),
        on_delete=models.CASCADE,
        related_name="followup_notices",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    days_before = models.PositiveSmallIntegerField(
        _("days before the due day"), default=0, help_text=_("For reminders before the due day; 0 otherwise.")
    )
    # The step's due day the notice was made for: a step moved to another day is reminded again.
    for_due_on = models.DateField(_("for the step due on"))

    kind_label = "notice"

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
            *queue_indexes("outreach_notice"),
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

    kind_label = "digest"

    objects = CoachDigestQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "coach"]
        verbose_name = _("coach digest")
        verbose_name_plural = _("coach digests")
        constraints = [
            models.UniqueConstraint(fields=["coach", "date"], name="outreach_one_digest_per_coach_day"),
        ]
        indexes = queue_indexes("outreach_digest")

    def __str__(self) -> str:
        return f"{self.coach} · {self.date}"
