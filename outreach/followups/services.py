"""The follow-up engine: sweep what is due into notices, send each at most once, and the morning digest.

The database is the source of truth; the broker only carries work that is due now (DESIGN "The
follow-up engine"). A sweep, run by beat every few minutes or by `manage.py run_followups`:

1. moves planned steps whose day has come to "due" (found through a partial index of planned steps);
2. per rule (reminders before and on the day, the mentor check-in, the evaluation hand-off, the
   escalation) claims a batch of steps in one statement: INSERT ... SELECT ... ON CONFLICT DO NOTHING
   RETURNING, the SELECT locking its steps with SKIP LOCKED where the database can, one notice per
   step under the unique key (step, kind, days_before, due day);
3. publishes one message per batch of new notices after each batch commits (outreach/mail/queue.py;
   the requeue sweep publishes again whatever the broker lost or never took).

The send task delivers each notice through the one mail life cycle (outreach/mail/send.py): claimed
`pending -> sending`, sent outside any transaction, then marked sent; a redelivered message, a second
sweep or a second beat finds nothing to do. A notice that is no longer useful when its turn comes
(the step was done, cancelled or moved) is closed as skipped with the reason. Steps of cancelled (or
not yet started) placements and closed steps are never reminded.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.types import Actor
from outreach.followups.mails import digest_mail, notice_mail
from outreach.followups.models import MAILED_KINDS, CoachDigest, FollowUpNotice, NoticeKind
from outreach.mail.models import MailStatus
from outreach.mail.queue import Publisher, queued_fields, requeue_mails
from outreach.mail.render import Mail
from outreach.mail.send import Skip, deliver
from placements.choices import OPEN_STEP_STATUSES, PlacementStatus, StepKind, StepStatus, Track
from placements.models import AftercareStep, Placement
from placements.querysets import AftercareStepQuerySet

logger = logging.getLogger(__name__)

# Placements whose open steps the engine acts on: running ones, and ended ones for the steps after
# the end (evaluation, closing). Never planned (not started) or cancelled placements.
LIVE_PLACEMENT_STATUSES = (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED, PlacementStatus.ENDED_EARLY)
DIGEST_DAYS_AHEAD = 6


@dataclass
class SweepReport:
    """What one sweep did."""

    publisher: Publisher = field(default_factory=Publisher)
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
            "published": self.publisher.published,
            "unpublished": self.publisher.unpublished,
            "broker_error": self.publisher.broker_error,
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
    """One kind of notice: the steps that need it today and whom it goes to (a path from the step)."""

    kind: NoticeKind
    steps: AftercareStepQuerySet
    recipient: str
    missing_recipient: str
    days_before: int = 0
    # The recipient's preferred-language field; staff mails are in the site language.
    language: str = ""

    def email_expression(self) -> Case:
        """The recipient's address, or "" when there is nobody, no address or the person is inactive."""
        return active_email(f"{self.recipient}__")

    def language_expression(self) -> Coalesce | Value:
        """The recipient's language, or the site's."""
        site = Value(settings.LANGUAGE_CODE[:2], output_field=CharField())
        return Coalesce(F(self.language), site, output_field=CharField()) if self.language else site


def active_email(path: str = "") -> Case:
    """The address of the person at `path` ("" for the row itself, "placement__mentor__" for a relation),
    or "" when there is nobody, no address or the person is inactive: who a mail can go to."""
    active = Q(**{f"{path}is_active": True}) & ~Q(**{f"{path}email": ""})
    return Case(When(active, then=F(f"{path}email")), default=Value(""), output_field=CharField())


def rules_for(today: dt.date) -> list[Rule]:
    """The notices due on `today`, from the Follow-ups settings."""
    days = dt.timedelta
    no_assignee = _("The assigned coach has no email address or is inactive.")
    no_mentor = _("The placement has no active workplace mentor with an email address.")
    rules = [
        Rule(
            kind=NoticeKind.REMINDER_DUE if before == 0 else NoticeKind.REMINDER_BEFORE,
            days_before=before,
            # A due-day reminder whose day a sweep missed (beat or the broker was down) still goes out, late.
            steps=live_steps().filter(due_on__lte=today, due_on__gte=today - days(settings.FOLLOWUP_CATCH_UP_DAYS))
            if before == 0
            else live_steps().filter(due_on=today + days(before)),
            recipient="assignee",
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
            recipient="placement__mentor",
            language="placement__mentor__preferred_language",
            missing_recipient=no_mentor,
        ),
        Rule(
            kind=NoticeKind.EVALUATION_DUE,
            steps=live_steps().filter(kind=StepKind.EMPLOYER_EVALUATION, due_on__lte=today),
            recipient="placement__mentor",
            language="placement__mentor__preferred_language",
            missing_recipient="",
        ),
        Rule(
            kind=NoticeKind.ESCALATION,
            steps=live_steps().filter(due_on__lte=today - days(settings.FOLLOWUP_ESCALATE_AFTER_DAYS)),
            recipient="placement__client__case_manager",
            missing_recipient=_("The client has no active case manager with an email address."),
        ),
    ]
    return rules


def claim_query(rule: Rule) -> AftercareStepQuerySet:
    """The steps of a rule that have no notice of its kind yet, oldest due first (the index's order)."""
    existing = FollowUpNotice.objects.filter(step=OuterRef("pk"), kind=rule.kind, days_before=rule.days_before)
    if rule.kind != NoticeKind.EVALUATION_DUE:
        # A reminder, check-in or escalation is per due day: a step moved to another day gets its own.
        existing = existing.filter(for_due_on=OuterRef("due_on"))
    # A scalar subquery with LIMIT 1 rather than NOT EXISTS: PostgreSQL never turns it into a hash anti
    # join over the whole notice table (which it picks for big batches when its statistics say so), so
    # each candidate step costs one probe of the notice's unique index however large that table grows.
    first = Subquery(existing.order_by().values("pk")[:1])
    return rule.steps.alias(existing_notice=first).filter(existing_notice__isnull=True).order_by("due_on")


# --- The sweep ---------------------------------------------------------------------------------


def mark_due_steps(*, now: dt.datetime) -> int:
    """Move planned steps whose day has come to "due" (a conditional update: a second run changes nothing).

    Two index-driven reads instead of one join, so no plan depends on the planner's statistics: the
    planned steps whose day came, through the partial index `placements_planned_steps_due` (the
    literal status term lets SQLite use it too); then which of their placements are live, by primary
    key. The update goes by primary key, a batch at a time. An idle sweep reads one empty index range.
    """
    ready = list(
        AftercareStep.objects.filter(InlineIn(F("status"), [StepStatus.PLANNED]), due_on__lte=local_day(now))
        .values_list("pk", "placement_id")
        .order_by()
    )
    if not ready:
        return 0
    batch = settings.FOLLOWUP_SWEEP_BATCH  # also keeps every IN list under SQLite's limit on parameters
    placements = sorted({placement for _pk, placement in ready})
    live: set[int] = set()
    for start in range(0, len(placements), batch):
        chunk = placements[start : start + batch]
        live.update(
            Placement.objects.filter(pk__in=chunk, status__in=LIVE_PLACEMENT_STATUSES).values_list("pk", flat=True)
        )
    pks = [pk for pk, placement in ready if placement in live]
    changed = 0
    with transaction.atomic():  # one commit, not one per batch
        for start in range(0, len(pks), batch):
            changed += AftercareStep.objects.filter(
                pk__in=pks[start : start + batch], status=StepStatus.PLANNED
            ).update(status=StepStatus.DUE, updated_at=now)
    return changed


def _insert_notices(rule: Rule, *, now: dt.datetime, token: str) -> list[tuple[int, str]]:
    """One batch of a rule's notices in one statement: INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING.

    The SELECT is the claim query (locked with SKIP LOCKED where the database can), so the steps are
    read, the recipients worked out and the notices written without a row passing through Python.
    A notice with nobody to send it to is written failed, with the reason. Returns (pk, status).
    """
    mailed = rule.kind in MAILED_KINDS
    # The lock is taken in a subquery of its own: PostgreSQL locks no row on the nullable side of the
    # recipient's outer join.
    claimed = _locked(claim_query(rule)).values("pk")[: settings.FOLLOWUP_SWEEP_BATCH]
    candidates = (
        AftercareStep.objects.filter(pk__in=claimed)
        .annotate(
            c_step=F("pk"), c_day=F("due_on"), c_email=rule.email_expression(), c_language=rule.language_expression()
        )
        .values("c_step", "c_day", "c_email", "c_language")
    )
    select_sql, select_params = candidates.query.sql_with_params()
    ops = connection.ops
    moment = ops.adapt_datetimefield_value(now)
    next_attempt = ops.adapt_datetimefield_value(queued_fields()["next_attempt_at"])
    pending, failed = str(MailStatus.PENDING), str(MailStatus.FAILED)
    columns: list[tuple[str, str, tuple[Any, ...]]] = [
        ("step_id", "c.c_step", ()),
        ("kind", "%s", (str(rule.kind),)),
        ("days_before", "%s", (rule.days_before,)),
        ("for_due_on", "c.c_day", ()),
        ("recipient_email", "c.c_email", ()),
        ("language", "c.c_language", ()),
        ("attempts", "0", ()),
        ("closed_reason", "''", ()),
        ("claim_token", "%s", (token,)),
        ("created_at", "%s", (moment,)),
    ]
    if mailed:
        columns += [
            ("status", "CASE WHEN c.c_email = '' THEN %s ELSE %s END", (failed, pending)),
            ("last_error", "CASE WHEN c.c_email = '' THEN %s ELSE '' END", (str(rule.missing_recipient),)),
            ("queued_at", "CASE WHEN c.c_email = '' THEN NULL ELSE %s END", (moment,)),
            ("next_attempt_at", "CASE WHEN c.c_email = '' THEN NULL ELSE %s END", (next_attempt,)),
        ]
    else:  # the survey's hand-off: never mailed by the send task, so never queued
        columns += [("status", "%s", (pending,)), ("last_error", "''", ())]
    table = ops.quote_name(FollowUpNotice._meta.db_table)
    names = ", ".join(ops.quote_name(name) for name, _sql, _params in columns)
    values = ", ".join(sql for _name, sql, _params in columns)
    params = [param for _name, _sql, column_params in columns for param in column_params]
    # Every name is a model column and every value a parameter; WHERE true settles SQLite's
    # INSERT ... SELECT ... ON CONFLICT parsing ambiguity.
    sql = (
        f"INSERT INTO {table} ({names}) SELECT {values} FROM ({select_sql}) c WHERE true "  # noqa: S608
        f"ON CONFLICT DO NOTHING RETURNING {ops.quote_name('id')}, {ops.quote_name('status')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *select_params])
        return [(int(pk), str(status)) for pk, status in cursor.fetchall()]


def _claim_batch(rule: Rule, *, now: dt.datetime, token: str, report: SweepReport) -> int:
    """Claim one batch of a rule's steps in its own transaction, then publish its notices; how many it made."""
    # Compiling a claim would cost more than running it: JIT is off for every connection (POSTGRES_JIT).
    with transaction.atomic():
        made = _insert_notices(rule, now=now, token=token)
    mailed = []
    for pk, status in made:
        report.created[rule.kind] += 1
        if status == MailStatus.FAILED:
            report.failed += 1
        elif rule.kind in MAILED_KINDS:
            mailed.append(pk)
    report.notices += mailed
    report.publisher.publish(FollowUpNotice, mailed)
    return len(made)


def _claim_rule(rule: Rule, *, now: dt.datetime, token: str, report: SweepReport) -> None:
    """Claim all of a rule's steps, a batch per transaction.

    Every claimed step leaves the candidates (it has a notice now), so each batch is new work; a
    batch short of the batch size (the last, or another sweep got there first) ends the run, which
    the next sweep resumes.
    """
    while _claim_batch(rule, now=now, token=token, report=report) == settings.FOLLOWUP_SWEEP_BATCH:
        pass


def sweep_followups(*, now: dt.datetime | None = None, enqueue: bool = True) -> SweepReport:
    """Claim everything due at `now` and publish the new notices, one message per batch, after each batch commits.

    With `enqueue=False` nothing is published; the claimed notices are in the report for the caller
    to deliver inline.
    """
    now = now or timezone.now()
    report = SweepReport(publisher=Publisher(enabled=enqueue))
    report.became_due = mark_due_steps(now=now)
    token = uuid.uuid4().hex
    for rule in rules_for(local_day(now)):
        _claim_rule(rule, now=now, token=token, report=report)
    return report


def sweep_digests(*, now: dt.datetime | None = None, enqueue: bool = True) -> SweepReport:
    """Make today's morning digest for every coach with steps overdue or due this week, at most one per day."""
    now = now or timezone.now()
    today, token = local_day(now), uuid.uuid4().hex
    report = SweepReport(publisher=Publisher(enabled=enqueue))
    assignees = live_steps().filter(due_on__lte=today + dt.timedelta(days=DIGEST_DAYS_AHEAD)).values("assignee")
    existing = CoachDigest.objects.filter(coach=OuterRef("pk"), date=today)
    coaches = (
        get_user_model()
        .objects.filter(pk__in=assignees)
        .filter(~Exists(existing))
        .annotate(mail_to=active_email())
        .order_by("pk")
    )
    missing = _("The coach has no email address or is inactive.")
    with transaction.atomic():
        digests = []
        for coach in coaches:
            email = coach.mail_to
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
                    **(queued_fields() if email else {}),
                )
            )
        CoachDigest.objects.bulk_create(digests, ignore_conflicts=True)
        mine = list(CoachDigest.objects.filter(date=today, claim_token=token).values_list("pk", "status"))
    for pk, status in mine:
        report.created["digest"] += 1
        if status == MailStatus.FAILED:
            report.failed += 1
        else:
            report.digests.append(pk)
    report.publisher.publish(CoachDigest, report.digests)
    return report


# --- Sending -------------------------------------------------------------------------------------


def why_not_wanted(notice: FollowUpNotice, *, queued_day: dt.date, today: dt.date) -> str:
    """Why a notice is no longer useful when its turn comes, or "" when it should go out.

    A reminder goes out only for the day it was made for, and a due-day reminder still goes out late
    (a worker or the broker was down on the day); an escalation only while the step is overdue; a
    check-in only when it was not moved into the future.
    """
    step = notice.step
    if step.status not in (StepStatus.PLANNED, StepStatus.DUE):
        return _("The step was closed (%(status)s) before the mail went out.") % {
            "status": step.get_status_display().lower()
        }
    if step.placement.status not in LIVE_PLACEMENT_STATUSES:
        return _("The placement is %(status)s.") % {"status": step.placement.get_status_display().lower()}
    moved = _("The step moved to %(day)s.") % {"day": date_format(step.due_on, "SHORT_DATE_FORMAT")}
    if notice.kind in (NoticeKind.REMINDER_BEFORE, NoticeKind.REMINDER_DUE):
        if step.due_on != notice.for_due_on:
            return moved
        if notice.kind == NoticeKind.REMINDER_BEFORE and today >= step.due_on:
            return _("The due day came before this reminder could go out; the due-day reminder replaces it.")
        return ""
    if notice.kind == NoticeKind.ESCALATION:
        overdue = step.due_on <= queued_day - dt.timedelta(days=settings.FOLLOWUP_ESCALATE_AFTER_DAYS)
        return "" if overdue else moved
    return "" if step.due_on <= queued_day else moved


def _load_notice(pk: int) -> FollowUpNotice:
    return FollowUpNotice.objects.select_related(
        "step__assignee",
        "step__template",
        "step__placement__client__case_manager",
        "step__placement__employer",
        "step__placement__mentor",
        "step__placement__coach",
    ).get(pk=pk)


def deliver_notice(*, notice_pk: int, now: dt.datetime | None = None) -> str:
    """Send one follow-up notice at most once; its new status, "retry", or "" when there was nothing to do.

    The sweep's moment (the queue time) decides what the notice is about, so `run_followups --as-of`
    means the same to a worker as to an inline run; consent is checked on the later of the two days.
    """
    now = now or timezone.now()
    if not FollowUpNotice.objects.mailed().filter(pk=notice_pk).exists():
        return ""

    def build(notice: FollowUpNotice) -> Mail | Skip:
        today = local_day(now)
        queued_day = local_day(notice.queued_at) if notice.queued_at else today
        reason = why_not_wanted(notice, queued_day=queued_day, today=max(today, queued_day))
        return Skip(reason) if reason else notice_mail(notice, today=max(today, queued_day))

    return deliver(FollowUpNotice, notice_pk, load=_load_notice, build=build, now=now)


def digest_steps(digest: CoachDigest) -> list[AftercareStep]:
    """The coach's open steps that are overdue or due within the digest's week."""
    until = digest.date + dt.timedelta(days=DIGEST_DAYS_AHEAD)
    return list(
        live_steps()
        .filter(assignee_id=digest.coach_id, due_on__lte=until)
        .select_related("template", "placement__client", "placement__employer")
        .order_by("due_on", "pk")
    )


def deliver_digest(*, digest_pk: int, now: dt.datetime | None = None) -> str:
    """Send one morning digest at most once; closed unsent when the coach's list emptied since the sweep."""

    def build(digest: CoachDigest) -> Mail | Skip:
        steps = digest_steps(digest)
        if not steps:
            return Skip(_("Nothing was overdue or due that week any more."))
        return digest_mail(digest, steps)

    return deliver(
        CoachDigest,
        digest_pk,
        load=lambda pk: CoachDigest.objects.select_related("coach").get(pk=pk),
        build=build,
        now=now,
    )


def run_followups(*, now: dt.datetime, inline: bool = False, digest: bool = False) -> SweepReport:
    """The sweep for a given moment, for operators: publish as beat does, or deliver here with `inline`.

    It also publishes again the follow-up mails the broker lost or never took (the requeue sweep),
    so running it right after a broker outage sends what the outage held back.
    """
    report = sweep_followups(now=now, enqueue=not inline)
    if digest:
        digests = sweep_digests(now=now, enqueue=not inline)
        report.created.update(digests.created)
        report.failed += digests.failed
        report.digests += digests.digests
        report.publisher.batches += digests.publisher.batches
        report.publisher.published += digests.publisher.published
        report.publisher.unpublished += digests.publisher.unpublished
        report.publisher.broker_error = report.publisher.broker_error or digests.publisher.broker_error
    requeued = requeue_mails(publisher=report.publisher, models=[FollowUpNotice, CoachDigest])
    report.requeued = sum(requeued.values())
    if inline:
        senders: dict[str, Callable[[int], str]] = {
            FollowUpNotice.kind_label: lambda pk: deliver_notice(notice_pk=pk, now=now),
            CoachDigest.kind_label: lambda pk: deliver_digest(digest_pk=pk, now=now),
        }
        for kind, pks in report.publisher.batches:
            for pk in pks:
                report.delivered[senders[kind](pk) or "nothing_to_do"] += 1
    return report


@transaction.atomic
def resend_notice(*, notice: FollowUpNotice, actor: Actor, now: dt.datetime | None = None) -> bool:
    """Put a failed (or stuck) notice back to pending and publish it; an evaluation hand-off is not mailed."""
    if notice.kind not in MAILED_KINDS or not notice.recipient_email:
        return False
    updated = FollowUpNotice.objects.filter(pk=notice.pk, status__in=[MailStatus.FAILED, MailStatus.SENDING]).update(
        status=MailStatus.PENDING, queued_at=now or timezone.now(), last_error="", closed_reason="", **queued_fields()
    )
    if updated:
        logger.info("Notice %s sent again by %s", notice.pk, actor)
        Publisher().publish(FollowUpNotice, [notice.pk])
    return bool(updated)
