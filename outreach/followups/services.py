"""The follow-up engine: sweep what is due into notices, send each at most once, and the morning digest.

The database is the source of truth; the broker only carries work that is due now (DESIGN "The
follow-up engine"). A sweep, run by beat every few minutes or by `manage.py run_followups`:

1. moves planned steps whose day has come to "due" (a conditional update);
2. per rule (reminders before and on the day, the mentor check-in, the evaluation hand-off, the
   escalation) claims a batch of steps with `select_for_update(skip_locked=True)` where the
   database has it, inserts one notice per step under the unique key (step, kind, days_before, due day)
   with ON CONFLICT DO NOTHING, and enqueues a task for the notices this run inserted, on commit;
3. enqueues again the pending notices whose message was lost (the broker is not the truth).

The send task claims its notice with `pending -> sending` and acts only if it won, sends outside
any transaction, then marks it sent; a redelivered message, a second sweep or a second beat finds
nothing to do. Steps of cancelled (or not yet started) placements and closed steps are never
reminded. These are the follow-up services (STYLE "Where logic goes" 3); they live here rather
than in services.py to keep outreach's info-pack and survey workflows apart.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.services import Actor
from outreach.followups.mails import digest_mail, notice_mail
from outreach.followups.models import MAILED_KINDS, CoachDigest, FollowUpNotice, NoticeKind
from outreach.mail.models import MailStatus, OutgoingMail
from outreach.mail.render import Mail
from outreach.mail.send import describe_error, is_transient, send_mail
from placements.choices import OPEN_STEP_STATUSES, PlacementStatus, StepKind, StepStatus, Track
from placements.models import AftercareStep
from placements.querysets import AftercareStepQuerySet

logger = logging.getLogger(__name__)

# Placements whose open steps the engine acts on: running ones, and ended ones for the steps after
# the end (evaluation, closing). Never planned (not started) or cancelled placements.
LIVE_PLACEMENT_STATUSES = (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED, PlacementStatus.ENDED_EARLY)
DIGEST_DAYS_AHEAD = 6


class TransientMailError(Exception):
    """A mail failed for a reason worth retrying (network, 4xx); the task retries it with backoff."""


@dataclass
class SweepReport:
    """What one sweep did."""

    enqueue: bool = True
    became_due: int = 0
    created: Counter[str] = field(default_factory=Counter)
    failed: int = 0
    requeued: int = 0
    notices: list[int] = field(default_factory=list)
    digests: list[int] = field(default_factory=list)
    delivered: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly summary (for task results and the command's output)."""
        return {
            "became_due": self.became_due,
            "created": dict(self.created),
            "failed": self.failed,
            "requeued": self.requeued,
            "notices_enqueued": len(self.notices),
            "digests_enqueued": len(self.digests),
            "delivered": dict(self.delivered),
        }


def local_day(now: dt.datetime) -> dt.date:
    """The local date of a moment."""
    return timezone.localdate(now) if timezone.is_aware(now) else now.date()


class InlineIn(In):
    """`column IN ('a', 'b')` with the constants written into the SQL rather than bound.

    SQLite uses a partial index only when the query repeats the index's WHERE literally; with bound
    parameters it cannot tell, and falls back to a scan. Only fixed choice values go in, never input.
    """

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        values = [str(value) for value in self.rhs]
        if not all(_CHOICE_VALUE.fullmatch(value) for value in values):
            raise ValueError(f"InlineIn takes choice constants only, not {values!r}")
        return "(" + ", ".join(f"'{value}'" for value in values) + ")", ()


_CHOICE_VALUE = re.compile(r"[a-z_]+")


def live_steps() -> AftercareStepQuerySet:
    """Open steps of running or ended placements: the only ones anyone is reminded of.

    The open-status term matches the partial index `placements_open_steps_due` word for word.
    """
    return AftercareStep.objects.filter(
        InlineIn(F("status"), list(OPEN_STEP_STATUSES)), placement__status__in=LIVE_PLACEMENT_STATUSES
    )


def _locked(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Lock the claimed rows and skip those another sweep holds, where the database can (PostgreSQL).

    SQLite has no row locks; its IMMEDIATE transactions make two sweeps take turns instead, and
    the unique key on the notice is the final guard on both.
    """
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs


# --- Rules: which steps get which notice, to whom ------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One kind of notice: the steps that need it today and whom it goes to."""

    kind: NoticeKind
    steps: AftercareStepQuerySet
    recipient: Callable[[AftercareStep], tuple[str, str]]
    missing_recipient: str
    days_before: int = 0
    related: tuple[str, ...] = ("assignee",)


def _active_email(person: Any) -> str:
    """The person's address, or empty when there is nobody, no address or the account is inactive."""
    return str(person.email) if person is not None and person.is_active and person.email else ""


def _assignee(step: AftercareStep) -> tuple[str, str]:
    """The coach the step is assigned to; staff mails are in the site language."""
    return _active_email(step.assignee), settings.LANGUAGE_CODE


def _mentor(step: AftercareStep) -> tuple[str, str]:
    """The workplace mentor, in her preferred language."""
    mentor = step.placement.mentor
    return _active_email(mentor), mentor.preferred_language if mentor is not None else settings.LANGUAGE_CODE


def _case_manager(step: AftercareStep) -> tuple[str, str]:
    """The client's case manager."""
    return _active_email(step.placement.client.case_manager), settings.LANGUAGE_CODE


def rules_for(today: dt.date) -> list[Rule]:
    """The notices due on `today`, from the Follow-ups settings."""
    days = dt.timedelta
    no_assignee = _("The assigned coach has no email address or is inactive.")
    no_mentor = _("The placement has no active workplace mentor with an email address.")
    rules = [
        Rule(
            kind=NoticeKind.REMINDER_DUE if before == 0 else NoticeKind.REMINDER_BEFORE,
            days_before=before,
            steps=live_steps().filter(due_on=today + days(before)),
            recipient=_assignee,
            missing_recipient=no_assignee,
        )
        for before in settings.FOLLOWUP_REMINDER_DAYS_BEFORE
    ]
    rules += [
        Rule(
            kind=NoticeKind.EMPLOYER_CHECKIN,
            steps=live_steps().filter(
                kind=StepKind.EMAIL_CHECKIN,
                track=Track.EMPLOYER,
                due_on__lte=today,
                due_on__gte=today - days(settings.FOLLOWUP_CATCH_UP_DAYS),
            ),
            recipient=_mentor,
            missing_recipient=no_mentor,
            related=("placement__mentor",),
        ),
        Rule(
            kind=NoticeKind.EVALUATION_DUE,
            steps=live_steps().filter(kind=StepKind.EMPLOYER_EVALUATION, due_on__lte=today),
            recipient=_mentor,
            missing_recipient="",
            related=("placement__mentor",),
        ),
        Rule(
            kind=NoticeKind.ESCALATION,
            steps=live_steps().filter(due_on__lte=today - days(settings.FOLLOWUP_ESCALATE_AFTER_DAYS)),
            recipient=_case_manager,
            missing_recipient=_("The client has no active case manager with an email address."),
            related=("placement__client__case_manager",),
        ),
    ]
    return rules


def claim_query(rule: Rule) -> AftercareStepQuerySet:
    """The steps of a rule that have no notice of its kind yet, oldest due first (the index's order)."""
    existing = FollowUpNotice.objects.filter(step=OuterRef("pk"), kind=rule.kind, days_before=rule.days_before)
    if rule.kind != NoticeKind.EVALUATION_DUE:
        # A reminder, check-in or escalation is per due day: a step moved to another day gets its own.
        existing = existing.filter(for_due_on=OuterRef("due_on"))
    return rule.steps.filter(~Exists(existing)).select_related(*rule.related).order_by("due_on")


# --- The sweep ---------------------------------------------------------------------------------


def mark_due_steps(*, now: dt.datetime) -> int:
    """Move planned steps whose day has come to "due" (a conditional update: a second run changes nothing)."""
    return (
        live_steps()
        .filter(status=StepStatus.PLANNED, due_on__lte=local_day(now))
        .update(status=StepStatus.DUE, updated_at=now)
    )


def _new_notice(rule: Rule, step: AftercareStep, *, now: dt.datetime, token: str) -> FollowUpNotice:
    """The notice a rule makes for a step; failed at once when there is nobody to send it to."""
    email, language = rule.recipient(step)
    hand_off = rule.kind not in MAILED_KINDS
    status = MailStatus.PENDING if email or hand_off else MailStatus.FAILED
    return FollowUpNotice(
        step=step,
        kind=rule.kind,
        days_before=rule.days_before,
        for_due_on=step.due_on,
        recipient_email=email,
        language=language,
        status=status,
        last_error="" if status == MailStatus.PENDING else rule.missing_recipient,
        claim_token=token,
        queued_at=now if status == MailStatus.PENDING and not hand_off else None,
    )


def _claim_batch(rule: Rule, *, now: dt.datetime, token: str, report: SweepReport) -> tuple[int, int]:
    """Claim one batch of a rule's steps in its own transaction; returns (steps seen, notices this run made)."""
    with transaction.atomic():
        steps = list(_locked(claim_query(rule))[: settings.FOLLOWUP_SWEEP_BATCH])
        if not steps:
            return 0, 0
        FollowUpNotice.objects.bulk_create(
            [_new_notice(rule, step, now=now, token=token) for step in steps], ignore_conflicts=True
        )
        # ON CONFLICT DO NOTHING returns no keys: the token tells the rows this run inserted.
        mine = list(
            FollowUpNotice.objects.filter(
                step__in=[step.pk for step in steps], kind=rule.kind, days_before=rule.days_before, claim_token=token
            ).values_list("pk", "status")
        )
        for pk, status in mine:
            report.created[rule.kind] += 1
            if status == MailStatus.FAILED:
                report.failed += 1
            elif rule.kind in MAILED_KINDS:
                report.notices.append(pk)
                _enqueue_on_commit(FollowUpNotice, pk, report)
    return len(steps), len(mine)


def _claim_rule(rule: Rule, *, now: dt.datetime, token: str, report: SweepReport) -> None:
    """Claim all of a rule's steps, a batch per transaction.

    Every claimed step leaves the candidates (it has a notice now), so each batch is new work; a
    batch that made nothing (another sweep got there first) ends the run, which the next sweep resumes.
    """
    while True:
        seen, made = _claim_batch(rule, now=now, token=token, report=report)
        if seen < settings.FOLLOWUP_SWEEP_BATCH or made == 0:
            return


def _enqueue_on_commit(model: type[OutgoingMail], pk: int, report: SweepReport) -> None:
    """Enqueue the send task once the claim is committed (unless the caller delivers inline)."""
    if not report.enqueue:
        return
    from outreach import tasks

    task = tasks.send_notice if model is FollowUpNotice else tasks.send_digest
    task.delay_on_commit(pk)


def _requeue_stale(
    model: type[OutgoingMail], mails: QuerySet[Any], *, now: dt.datetime, token: str, report: SweepReport
) -> None:
    """Enqueue again the pending mails whose message never reached a worker (a broker restart, a lost publish)."""
    cutoff = now - dt.timedelta(seconds=settings.FOLLOWUP_REQUEUE_AFTER_SECONDS)
    stale = mails.filter(status=MailStatus.PENDING, queued_at__lt=cutoff)
    with transaction.atomic():
        pks = list(_locked(stale.order_by("pk")).values_list("pk", flat=True)[: settings.FOLLOWUP_SWEEP_BATCH])
        stale.filter(pk__in=pks).update(queued_at=now, claim_token=token)
        for pk in mails.filter(pk__in=pks, claim_token=token).values_list("pk", flat=True):
            report.requeued += 1
            (report.notices if model is FollowUpNotice else report.digests).append(pk)
            _enqueue_on_commit(model, pk, report)


def sweep_followups(*, now: dt.datetime | None = None, enqueue: bool = True) -> SweepReport:
    """Claim everything due at `now` and enqueue one send task per new notice, after each batch commits.

    With `enqueue=False` nothing is enqueued; the claimed notices are in the report for the caller
    to deliver inline.
    """
    now = now or timezone.now()
    token = uuid.uuid4().hex
    report = SweepReport(enqueue=enqueue)
    report.became_due = mark_due_steps(now=now)
    for rule in rules_for(local_day(now)):
        _claim_rule(rule, now=now, token=token, report=report)
    _requeue_stale(FollowUpNotice, FollowUpNotice.objects.mailed(), now=now, token=token, report=report)
    _requeue_stale(CoachDigest, CoachDigest.objects.all(), now=now, token=token, report=report)
    return report


def sweep_digests(*, now: dt.datetime | None = None, enqueue: bool = True) -> SweepReport:
    """Make today's morning digest for every coach with steps overdue or due this week, at most one per day."""
    now = now or timezone.now()
    today, token = local_day(now), uuid.uuid4().hex
    report = SweepReport(enqueue=enqueue)
    assignees = live_steps().filter(due_on__lte=today + dt.timedelta(days=DIGEST_DAYS_AHEAD)).values("assignee")
    existing = CoachDigest.objects.filter(coach=OuterRef("pk"), date=today)
    coaches = get_user_model().objects.filter(pk__in=assignees).filter(~Exists(existing)).order_by("pk")
    missing = _("The coach has no email address or is inactive.")
    with transaction.atomic():
        digests = []
        for coach in coaches:
            email = _active_email(coach)
            digests.append(
                CoachDigest(
                    coach=coach,
                    date=today,
                    recipient_email=email,
                    language=settings.LANGUAGE_CODE,
                    status=MailStatus.PENDING if email else MailStatus.FAILED,
                    last_error="" if email else missing,
                    claim_token=token,
                    queued_at=now if email else None,
                )
            )
        CoachDigest.objects.bulk_create(digests, ignore_conflicts=True)
        for pk, status in CoachDigest.objects.filter(date=today, claim_token=token).values_list("pk", "status"):
            report.created["digest"] += 1
            if status == MailStatus.FAILED:
                report.failed += 1
            else:
                report.digests.append(pk)
                _enqueue_on_commit(CoachDigest, pk, report)
    return report


# --- Sending, at most once -----------------------------------------------------------------------


def _claim(qs: QuerySet[Any], pk: int) -> bool:
    """Take a pending mail for sending; only one caller ever wins (a conditional update)."""
    return (
        qs.filter(pk=pk, status=MailStatus.PENDING).update(status=MailStatus.SENDING, attempts=F("attempts") + 1) == 1
    )


def _finish(model: type[OutgoingMail], pk: int, status: MailStatus, *, now: dt.datetime, error: str = "") -> str:
    """Record how sending a claimed mail ended."""
    sent_at = now if status == MailStatus.SENT else None
    model._default_manager.filter(pk=pk, status=MailStatus.SENDING).update(
        status=status, sent_at=sent_at, last_error=error
    )
    return str(status)


def _send(model: type[OutgoingMail], pk: int, build: Callable[[], Mail], *, now: dt.datetime, final: bool) -> str:
    """Render and send a claimed mail outside any transaction; transient errors go back to pending and raise."""
    try:
        mail = build()
    except Exception as exc:  # a rendering bug: retrying will not fix it
        logger.exception("Could not render %s %s", model.__name__, pk)
        return _finish(model, pk, MailStatus.FAILED, now=now, error=describe_error(exc))
    try:
        send_mail(mail)
    except Exception as exc:
        error = describe_error(exc)
        if is_transient(exc) and not final:
            # Back to pending for the task's own retry; queued_at keeps the sweep's moment (see
            # _still_wanted), and FOLLOWUP_REQUEUE_AFTER_SECONDS outlasts every backoff.
            model._default_manager.filter(pk=pk, status=MailStatus.SENDING).update(
                status=MailStatus.PENDING, last_error=error
            )
            raise TransientMailError(error) from exc
        logger.warning("Giving up on %s %s: %s", model.__name__, pk, error)
        return _finish(model, pk, MailStatus.FAILED, now=now, error=error)
    return _finish(model, pk, MailStatus.SENT, now=now)


def _still_wanted(notice: FollowUpNotice, queued_day: dt.date) -> bool:
    """The step is open, its placement live, and the step still stands where it stood when the notice was queued.

    A reminder goes out only for the day it was meant for, an escalation only while the step is still
    overdue, and a check-in only when it was not moved into the future, so a step a coach moved or a
    message that arrives a day late sends nothing stale.
    """
    step = notice.step
    if step.status not in (StepStatus.PLANNED, StepStatus.DUE):
        return False
    if step.placement.status not in LIVE_PLACEMENT_STATUSES:
        return False
    if notice.kind in (NoticeKind.REMINDER_BEFORE, NoticeKind.REMINDER_DUE):
        return step.due_on == queued_day + dt.timedelta(days=notice.days_before)
    if notice.kind == NoticeKind.ESCALATION:
        return step.due_on <= queued_day - dt.timedelta(days=settings.FOLLOWUP_ESCALATE_AFTER_DAYS)
    return step.due_on <= queued_day


def deliver_notice(*, notice_pk: int, now: dt.datetime | None = None, final_attempt: bool = True) -> str:
    """Send one follow-up notice at most once; returns its new status, or "" when there was nothing to do.

    A notice that is gone, already taken by another delivery, or an evaluation hand-off is left
    alone. With `final_attempt=False` a transient error puts it back to pending and raises
    TransientMailError for the task to retry; on the final attempt it is marked failed.
    """
    now = now or timezone.now()
    if not _claim(FollowUpNotice.objects.filter(kind__in=MAILED_KINDS), notice_pk):
        return ""
    notice = FollowUpNotice.objects.select_related(
        "step__assignee",
        "step__template",
        "step__placement__client__case_manager",
        "step__placement__employer",
        "step__placement__mentor",
        "step__placement__coach",
    ).get(pk=notice_pk)
    # The sweep's moment (the queue time) decides what the notice is about, so `run_followups --as-of`
    # means the same to a worker as to an inline run; consent is checked on the later of the two days.
    today = local_day(now)
    queued_day = local_day(notice.queued_at) if notice.queued_at else today
    if not _still_wanted(notice, queued_day):
        return _finish(FollowUpNotice, notice_pk, MailStatus.SKIPPED, now=now)
    day = max(today, queued_day)
    return _send(FollowUpNotice, notice_pk, lambda: notice_mail(notice, today=day), now=now, final=final_attempt)


def digest_steps(digest: CoachDigest) -> list[AftercareStep]:
    """The coach's open steps that are overdue or due within the digest's week."""
    until = digest.date + dt.timedelta(days=DIGEST_DAYS_AHEAD)
    return list(
        live_steps()
        .filter(assignee_id=digest.coach_id, due_on__lte=until)
        .select_related("template", "placement__client", "placement__employer")
        .order_by("due_on", "pk")
    )


def deliver_digest(*, digest_pk: int, now: dt.datetime | None = None, final_attempt: bool = True) -> str:
    """Send one morning digest at most once; skipped when the coach's list emptied since the sweep."""
    now = now or timezone.now()
    if not _claim(CoachDigest.objects.all(), digest_pk):
        return ""
    digest = CoachDigest.objects.select_related("coach").get(pk=digest_pk)
    steps = digest_steps(digest)
    if not steps:
        return _finish(CoachDigest, digest_pk, MailStatus.SKIPPED, now=now)
    return _send(CoachDigest, digest_pk, lambda: digest_mail(digest, steps), now=now, final=final_attempt)


def _deliver_all(pks: Iterable[int], deliver: Callable[..., str], now: dt.datetime, report: SweepReport) -> None:
    """Deliver claimed mails in this process (no worker): a transient failure stays pending for the next run."""
    for pk in pks:
        try:
            outcome = deliver(pk, now)
        except TransientMailError:
            outcome = "retry_later"
        report.delivered[outcome or "nothing_to_do"] += 1


def run_followups(*, now: dt.datetime, inline: bool = False, digest: bool = False) -> SweepReport:
    """The sweep for a given moment, for operators: enqueue as beat does, or deliver here with `inline`."""
    report = sweep_followups(now=now, enqueue=not inline)
    if digest:
        digests = sweep_digests(now=now, enqueue=not inline)
        report.created.update(digests.created)
        report.failed += digests.failed
        report.digests += digests.digests
    if inline:
        _deliver_all(
            report.notices, lambda pk, at: deliver_notice(notice_pk=pk, now=at, final_attempt=False), now, report
        )
        _deliver_all(
            report.digests, lambda pk, at: deliver_digest(digest_pk=pk, now=at, final_attempt=False), now, report
        )
    return report


@transaction.atomic
def resend_notice(*, notice: FollowUpNotice, actor: Actor, now: dt.datetime | None = None) -> bool:
    """Put a failed (or stuck) notice back to pending and enqueue it; an evaluation hand-off is not mailed."""
    now = now or timezone.now()
    if notice.kind not in MAILED_KINDS or not notice.recipient_email:
        return False
    updated = FollowUpNotice.objects.filter(pk=notice.pk, status__in=[MailStatus.FAILED, MailStatus.SENDING]).update(
        status=MailStatus.PENDING, queued_at=now, last_error=""
    )
    if updated:
        logger.info("Notice %s sent again by %s", notice.pk, actor)
        _enqueue_on_commit(FollowUpNotice, notice.pk, SweepReport())
    return bool(updated)
