"""Fault injection: the follow-up mail guarantee holds with a real worker, real Redis and a real SMTP server.

Two dozen placements in four cohorts are swept day by day for seven months "as of" each simulated day
(the domain clock), while the worker, Redis and the SMTP server run in real time (the operational
clock: leases and next attempts). Each day the test sweeps follow-ups, surveys and digests, runs
the requeue sweep, waits (bounded) until the worker has finished every mail, then plays the
coaches, who complete their steps (some days late, so cases escalate). On the way:

- the worker is SIGKILLed mid-batch, while the SMTP server holds a conversation at MAIL FROM
  (nothing of that mail was transferred), and started again;
- the worker is SIGKILLed mid-SMTP, while the server holds a conversation after the message
  arrived and before its reply: the one case where a mail may arrive twice, with one Message-ID;
- Redis is stopped during a sweep (before its first message is published) and started again
  without its data; nobody requeues that day, the coaches do nothing, and the next morning they
  close, move or skip some of the steps the stuck reminders are about before the sweep runs.

Independently of the code under test, the test keeps a ledger of the mails the schedule calls for
(from the steps' state before each sweep). At the end every expected mail exists exactly once by
Message-ID (one identified duplicate allowed: the mid-SMTP kill), no mail was sent that nobody
expected, no row is pending or sending, nothing failed, and every skipped row says why.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest
from celery.signals import before_task_publish
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone

from outreach.followups.models import CoachDigest, FollowUpNotice, NoticeKind
from outreach.followups.services import sweep_digests, sweep_followups
from outreach.mail.models import MailStatus, OutgoingMail
from outreach.mail.queue import requeue_mails
from outreach.packs.models import InfoPack, InfoPackDelivery, InfoPackKind, InfoPackStatus
from outreach.packs.services import send_info_pack
from outreach.surveys.models import SurveyMail, SurveyMailKind
from outreach.surveys.services import sweep_reminders, take_evaluation_notices
from placements.choices import OPEN_STEP_STATUSES, PlacementStatus, StepKind, Track
from placements.models import AftercareStep, Placement
from placements.services import activate_placement, complete_step, end_placement, move_step, skip_step
from tests.crm.factories import ContactFactory
from tests.outreach.realqueue import (
    BASE_DIR,
    PrivateRedis,
    SmtpServer,
    Worker,
    celery_worker,
    free_port,
    private_redis,
    publishing_to,
    smtp_server,
    worker_env,
)
from tests.placements.factories import ClientFactory, PlacementFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Short operational clocks, so a lost message or an expired lease comes back within seconds.
MAIL_SETTINGS = {
    "MAIL_TIMEOUT_SECONDS": 5,
    "MAIL_TASK_TIME_LIMIT_SECONDS": 6,
    "MAIL_SENDING_LEASE_SECONDS": 7,
    "MAIL_REQUEUE_AFTER_SECONDS": 3,
    "MAIL_MAX_ATTEMPTS": 5,
    "MAIL_RETRY_BACKOFF_SECONDS": 1,
    "MAIL_RETRY_BACKOFF_MAX_SECONDS": 2,
    "MAIL_BATCH_SIZE": 20,
}
DAYS = 212  # about seven months
COHORTS, PER_COHORT, COHORT_GAP = 4, 6, 5
LATE_DAYS = 5  # a coach who does a step late does it this many days after its day (after the escalation)
EVALUATION_LATE_DAYS = 20
DIGEST_DAYS_AHEAD = 6  # the morning digest lists what is overdue and what is due in the coming week
DRAIN_SECONDS = 60
LIVE = (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED, PlacementStatus.ENDED_EARLY)
OPEN = (MailStatus.PENDING, MailStatus.SENDING)
PDF = b"%PDF-1.4\n% a stand-in: the guarantee is about the mail, not the pack\n%%EOF\n"


def first_monday() -> dt.date:
    """The Monday after today, so the simulated months lie ahead of the real clock whatever the date.

    A row that took its next attempt from the domain clock instead of the real one would then wait
    months and the drain would say so, rather than the mix-up passing unseen.
    """
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


START = first_monday()


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    """A moment on a simulated day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@contextmanager
def bounded(seconds: float, what: str) -> Iterator[None]:
    """Fail (instead of hanging) when the block runs longer than `seconds` (a sweep stuck on a dead broker)."""

    def expire(signum: int, frame: Any) -> None:
        raise AssertionError(f"{what} took longer than {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- The rig: Redis, SMTP, a worker, this process publishing to them -------------------------------


@dataclass
class Rig:
    """What the faults act on."""

    redis: PrivateRedis
    smtp: SmtpServer
    worker: Worker


@pytest.fixture
def rig(transactional_db: None, tmp_path: Path, settings: Any) -> Iterator[Rig]:
    """A private Redis, a recording SMTP server and a worker sending to it; this process publishes to the worker."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    for name, value in MAIL_SETTINGS.items():
        setattr(settings, name, value)
    env = {name: str(value) for name, value in MAIL_SETTINGS.items()} | {"MEDIA_ROOT": settings.MEDIA_ROOT}
    with (
        private_redis() as redis,
        smtp_server() as smtp,
        celery_worker(redis.url, tmp_path, env=env | smtp.env()) as worker,
        publishing_to(worker),
    ):
        yield Rig(redis=redis, smtp=smtp, worker=worker)


# --- The scenario's people and placements ---------------------------------------------------------


def make_placements(coaches: list[User], case_manager: User) -> list[Placement]:
    """Four cohorts of six placements, a cohort every five days, so each day's mails come in batches."""
    placements = []
    for number in range(COHORTS * PER_COHORT):
        cohort, coach = number // PER_COHORT, coaches[number % len(coaches)]
        start = START + dt.timedelta(days=cohort * COHORT_GAP)
        mentor = ContactFactory(role="mentor", preferred_language=("nl", "en", "sv")[number % 3])
        client = ClientFactory(coach=coach, case_manager=case_manager)
        # One placement in three has a planned end inside the window: its employer is asked to evaluate.
        end = start + dt.timedelta(days=120) if number % 3 == 0 else None
        placement = cast(
            Placement,
            PlacementFactory(
                client=client, employer=mentor.employer, mentor=mentor, start_on=start, planned_end_on=end
            ),
        )
        activate_placement(placement=placement, actor=coach, now=at(START - dt.timedelta(days=7)))
        placements.append(placement)
    return placements


def ready_pack(placement: Placement, now: dt.datetime) -> InfoPack:
    """A built placement pack in the mentor's language (a stand-in PDF: the pack's rendering is tested elsewhere)."""
    assert placement.mentor is not None
    pack = InfoPack(
        employer=placement.employer,
        placement=placement,
        kind=InfoPackKind.PLACEMENT,
        language=placement.mentor.preferred_language,
        version=1,
        status=InfoPackStatus.READY,
        sha256="0" * 64,
        size=len(PDF),
        created_at=now,
        built_at=now,
    )
    pack.pdf.save(f"fault-pack-{placement.pk}.pdf", ContentFile(PDF), save=False)
    pack.save()
    return pack


# --- The ledger: what the schedule calls for, kept apart from the code under test -------------------

Key = tuple[Any, ...]


@dataclass
class Ledger:
    """The mails the schedule calls for, from the steps' state before each day's sweep."""

    sent: set[Key] = field(default_factory=set)
    skipped: set[Key] = field(default_factory=set)
    either: set[Key] = field(default_factory=set)
    invited_on: dict[int, dt.date] = field(default_factory=dict)

    def expect_day(self, today: dt.date) -> Counter[str]:
        """Add what is due on `today`; returns the new keys of the day by kind."""
        before = set(self.sent)
        week = today + dt.timedelta(days=DIGEST_DAYS_AHEAD)
        steps = AftercareStep.objects.filter(
            status__in=OPEN_STEP_STATUSES, placement__status__in=LIVE, due_on__lte=week
        ).values_list("pk", "due_on", "kind", "track", "assignee_id", "placement_id")
        coaches = set()
        for pk, due, kind, track, assignee, placement in steps:
            coaches.add(assignee)
            self._expect_step(today, pk, due, kind, track, placement)
        self.sent |= {("digest", coach, today) for coach in coaches}
        new = self.sent - before
        return Counter(key[1] if key[0] == "notice" else key[0] for key in new)

    def _expect_step(self, today: dt.date, pk: int, due: dt.date, kind: str, track: str, placement: int) -> None:
        """The coach is reminded the day(s) before and on the day (late, within the catch-up days, if need be);
        the mentor gets her check-in; the case manager hears of a step overdue; the employer is asked to evaluate."""
        days = dt.timedelta
        for before in (before for before in settings.FOLLOWUP_REMINDER_DAYS_BEFORE if before):
            if due == today + days(before):
                self.sent.add(("notice", NoticeKind.REMINDER_BEFORE, pk, due, before))
        if today - days(settings.FOLLOWUP_CATCH_UP_DAYS) <= due <= today:
            self.sent.add(("notice", NoticeKind.REMINDER_DUE, pk, due, 0))
            if kind == StepKind.EMAIL_CHECKIN and track == Track.EMPLOYER:
                self.sent.add(("notice", NoticeKind.EMPLOYER_CHECKIN, pk, due, 0))
        if due <= today - days(settings.FOLLOWUP_ESCALATE_AFTER_DAYS):
            self.sent.add(("notice", NoticeKind.ESCALATION, pk, due, 0))
        if kind == StepKind.EMPLOYER_EVALUATION and due <= today and placement not in self.invited_on:
            self.invited_on[placement] = today
            self.sent.add(("survey", SurveyMailKind.INVITATION, placement, 0))

    def expect_survey_reminders(self, last_day: dt.date) -> None:
        """Unanswered links get a reminder every SURVEY_REMINDER_AFTER_DAYS, at most SURVEY_MAX_REMINDERS times."""
        every = settings.SURVEY_REMINDER_AFTER_DAYS
        for placement, invited in self.invited_on.items():
            for number in range(1, settings.SURVEY_MAX_REMINDERS + 1):
                if invited + dt.timedelta(days=every * number) <= last_day:
                    self.sent.add(("survey", SurveyMailKind.REMINDER, placement, number))

    def expected_to_send(self) -> set[Key]:
        """Keys that must end sent exactly once."""
        return self.sent - self.skipped - self.either


def notice_key(notice: FollowUpNotice) -> Key:
    """A notice's ledger key: its kind, its step, the due day it was made for, and how many days before it."""
    return ("notice", str(notice.kind), notice.step_id, notice.for_due_on, notice.days_before)


def mail_rows() -> list[tuple[Key, OutgoingMail]]:
    """Every mail row of every kind with its ledger key."""
    rows: list[tuple[Key, OutgoingMail]] = []
    for notice in FollowUpNotice.objects.mailed():
        rows.append((notice_key(notice), notice))
    for digest in CoachDigest.objects.all():
        rows.append((("digest", digest.coach_id, digest.date), digest))
    for delivery in InfoPackDelivery.objects.all():
        rows.append((("pack", delivery.pk), delivery))
    numbers: Counter[int] = Counter()
    for mail in SurveyMail.objects.select_related("invitation").order_by("created_at", "pk"):
        placement = mail.invitation.placement_id or 0  # evaluation links are always about a placement
        number = 0 if mail.kind == SurveyMailKind.INVITATION else numbers[placement] + 1
        numbers[placement] = number
        rows.append((("survey", mail.kind, placement, number), mail))
    return rows


def any_open() -> bool:
    """Whether a mail row of any kind is still pending or sending (one query while there is)."""
    querysets = (
        FollowUpNotice.objects.mailed(),
        CoachDigest.objects.all(),
        InfoPackDelivery.objects.all(),
        SurveyMail.objects.all(),
    )
    return any(qs.filter(status__in=OPEN).exists() for qs in querysets)


# --- A simulated day ---------------------------------------------------------------------------------


@dataclass
class Day:
    """One simulated day's sweeps and what they reported."""

    today: dt.date
    broker_errors: list[str] = field(default_factory=list)

    def sweep(self) -> None:
        """Follow-ups, then surveys, then digests, "as of" the day, as beat would run them."""
        now = at(self.today)
        self.broker_errors.append(sweep_followups(now=now).publisher.broker_error)
        take_evaluation_notices(now=now)
        sweep_reminders(now=now)
        self.broker_errors.append(sweep_digests(now=now).publisher.broker_error)


def drain(rig: Rig, what: str, timeout: float = DRAIN_SECONDS) -> None:
    """Wait until no mail row is pending or sending, running the requeue sweep every second as beat would."""
    deadline = time.monotonic() + timeout
    requeued = 0.0
    while any_open():
        rig.worker.assert_alive()
        if time.monotonic() - requeued >= 1:
            requeue_mails()
            requeued = time.monotonic()
        if time.monotonic() > deadline:
            stuck = [(key, row.status, row.next_attempt_at) for key, row in mail_rows() if row.status in OPEN]
            log = rig.worker.log.read_text(errors="replace")[-3000:]
            raise AssertionError(f"{what}: {len(stuck)} mail(s) still open after {timeout} s: {stuck[:10]}\n{log}")
        time.sleep(0.03)


def days_late(step: AftercareStep, number: dict[int, int]) -> int:
    """How late the coach records a step: evaluations well after the day, one step in four after its escalation.

    Which steps are late follows the placement's place in the scenario and the step's place in the plan,
    not primary keys, so every run (and both databases) plays the same schedule.
    """
    if step.kind == StepKind.EMPLOYER_EVALUATION:
        return EVALUATION_LATE_DAYS
    order = step.template.order if step.template is not None else 0
    return LATE_DAYS if (number[step.placement_id] + order // 10) % 4 == 0 else 0


def coaches_work(today: dt.date, number: dict[int, int]) -> None:
    """The coaches record the steps whose day has come: most on the day, some late, evaluations later."""
    steps = AftercareStep.objects.filter(
        status__in=OPEN_STEP_STATUSES, placement__status__in=LIVE, due_on__lte=today
    ).select_related("assignee", "template")
    for step in steps:
        if step.due_on + dt.timedelta(days=days_late(step, number)) <= today:
            complete_step(step=step, actor=step.assignee, outcome="Done", now=at(today, 17))


# --- The faults --------------------------------------------------------------------------------------


@dataclass
class Faults:
    """What the faults did, for the final checks."""

    mid_batch_row: Key | None = None
    mid_smtp_row: Key | None = None
    mid_smtp_message_id: str = ""
    outage_day: dt.date | None = None
    late: list[Key] = field(default_factory=list)


def the_sending_row() -> tuple[Key, OutgoingMail]:
    """The one mail row in `sending` (the worker is held in an SMTP conversation)."""
    sending = [(key, row) for key, row in mail_rows() if row.status == MailStatus.SENDING]
    assert len(sending) == 1, f"expected one mail in sending while the SMTP server holds a conversation: {sending}"
    return sending[0]


def kill_mid_batch(rig: Rig, day: Day, faults: Faults) -> None:
    """Hold the day's second conversation at MAIL FROM, SIGKILL the worker there, start it again."""
    hold = rig.smtp.hold("mail", after=1)
    day.sweep()
    hold.wait_reached(timeout=30)
    key, _row = the_sending_row()
    assert key[0] == "notice", key
    siblings = Counter(
        other.status for other_key, other in mail_rows() if other_key[:2] == key[:2] and other_key[3:] == key[3:]
    )
    # The held mail is in the middle of its batch: one of its batch went out, others wait their turn.
    assert siblings[MailStatus.SENT] >= 1 and siblings[MailStatus.PENDING] >= 1, siblings
    rig.worker.kill()
    hold.release()
    rig.worker.start()
    faults.mid_batch_row = key


def kill_mid_smtp(rig: Rig, day: Day, faults: Faults) -> None:
    """Hold the day's second conversation after its message arrived, SIGKILL the worker there, start it again."""
    hold = rig.smtp.hold("data", after=1)
    day.sweep()
    hold.wait_reached(timeout=30)
    key, _row = the_sending_row()
    rig.worker.kill()
    hold.release()
    rig.worker.start()
    faults.mid_smtp_row, faults.mid_smtp_message_id = key, hold.message_id


def sweep_without_broker(rig: Rig, day: Day) -> None:
    """Stop Redis when the sweep publishes its first message, finish the day's sweeps, start Redis again."""
    stopped: list[bool] = []

    def stop_redis(**kwargs: Any) -> None:
        if not stopped:
            stopped.append(True)
            rig.redis.stop()

    before_task_publish.connect(stop_redis, weak=False)
    try:
        with bounded(60, "the day's sweeps with the broker down"):
            day.sweep()
    finally:
        before_task_publish.disconnect(stop_redis)
        if rig.redis.process is None:
            rig.redis.start()
    assert stopped, "the sweep published nothing, so Redis was never stopped during it"
    assert any(day.broker_errors), "the sweeps did not notice the broker was down"


def stuck_reminders(day: dt.date) -> list[FollowUpNotice]:
    """The due-day reminders the outage held back, one per placement."""
    stuck = FollowUpNotice.objects.filter(
        kind=NoticeKind.REMINDER_DUE, for_due_on=day, status=MailStatus.PENDING
    ).select_related("step__placement", "step__assignee")
    by_placement = {notice.step.placement_id: notice for notice in stuck.order_by("pk")}
    return list(by_placement.values())


def coaches_overtake_the_outage(ledger: Ledger, faults: Faults, today: dt.date) -> None:
    """The morning after: some steps of held-back reminders are done, moved, skipped or ended before the sweep."""
    assert faults.outage_day is not None
    stuck = stuck_reminders(faults.outage_day)
    assert len(stuck) >= 5, f"the outage held back {len(stuck)} due-day reminders; the scenario needs five"
    now = at(today, 7)
    done, moved, skipped, ended = (notice.step for notice in stuck[:4])
    complete_step(step=done, actor=done.assignee, outcome="Done without the reminder", now=now)
    move_step(step=moved, actor=moved.assignee, due_on=today + dt.timedelta(days=3), reason="Client is ill", now=now)
    skip_step(step=skipped, actor=skipped.assignee, reason="Agreed by phone", now=now)
    placement = Placement.objects.get(pk=ended.placement_id)
    end_placement(
        placement=placement,
        actor=ended.assignee,
        ended_by="employer",
        reason="Business closed",
        end_on=faults.outage_day - dt.timedelta(days=1),
        completed=False,
        now=now,
    )
    expect_held_back(ledger, faults)


def expect_held_back(ledger: Ledger, faults: Faults) -> None:
    """Held-back notices whose step closed or moved must be skipped; a late reminder before the day may be."""
    held = FollowUpNotice.objects.mailed().filter(status=MailStatus.PENDING).select_related("step__placement")
    for notice in held:
        key, step = notice_key(notice), notice.step
        closed = step.status not in OPEN_STEP_STATUSES or step.placement.status not in LIVE
        if closed or step.due_on != notice.for_due_on:
            ledger.skipped.add(key)
        elif notice.kind == NoticeKind.REMINDER_BEFORE:
            ledger.either.add(key)
        else:
            faults.late.append(key)


# --- The final account -------------------------------------------------------------------------------


@dataclass
class Account:
    """Every mail row with its key, and every message the SMTP server received, counted by Message-ID."""

    rows: list[tuple[Key, OutgoingMail]]
    received: Counter[str]

    @classmethod
    def take(cls, rig: Rig) -> Account:
        """Read the rows and the SMTP server's messages."""
        return cls(rows=mail_rows(), received=Counter(message.message_id for message in rig.smtp.received()))

    def by_status(self, status: str) -> list[tuple[Key, OutgoingMail]]:
        """The rows in a status."""
        return [(key, row) for key, row in self.rows if row.status == status]

    def copies(self, key: Key | None) -> tuple[str, int, int]:
        """(status, attempts, messages received) of the row with this key."""
        row = next(row for row_key, row in self.rows if row_key == key)
        return row.status, row.attempts, self.received[row.message_id()]

    def summary(self, ledger: Ledger, faults: Faults) -> dict[str, Any]:
        """What happened: rows by status and kind, messages, duplicates, late reminders, survey reminder lags."""
        return {
            "rows": dict(Counter(str(row.status) for _key, row in self.rows)),
            "kinds": dict(Counter(key[1] if key[0] == "notice" else key[0] for key, _row in self.rows)),
            "messages": sum(self.received.values()),
            "expected": len(ledger.expected_to_send()),
            "expected skipped": len(ledger.skipped),
            "duplicates": {mid: n for mid, n in self.received.items() if n > 1},
            "late": len(faults.late),
            "survey reminder lag (days)": dict(reminder_lags()),
        }

    def problems(self, ledger: Ledger, faults: Faults) -> dict[str, Any]:
        """Everything that breaks the guarantee, by rule; empty when it holds."""
        status_of = {key: str(row.status) for key, row in self.rows}
        sent = Counter(key for key, _row in self.by_status(MailStatus.SENT))
        by_id = {row.message_id(): row for _key, row in self.rows}
        found = {
            "expected but not sent once": [
                (key, status_of.get(key, "no row"), sent[key]) for key in ledger.expected_to_send() if sent[key] != 1
            ],
            "sent but not expected": [key for key in sent if key not in ledger.sent],
            "expected skipped but not": [
                (key, status_of.get(key, "no row"))
                for key in ledger.skipped
                if status_of.get(key) != MailStatus.SKIPPED
            ],
            "rows left pending or sending": [key for key, row in self.rows if row.status in OPEN],
            "hand-offs left open": list(FollowUpNotice.objects.evaluations_due().values_list("step_id", flat=True)),
            "rows failed": [(key, row.last_error) for key, row in self.by_status(MailStatus.FAILED)],
            "skipped without a reason": [
                key for key, row in self.by_status(MailStatus.SKIPPED) if not row.closed_reason
            ],
            "messages of no row": [mid for mid in self.received if mid not in by_id],
            "messages of unsent rows": [
                mid for mid, row in by_id.items() if row.status != MailStatus.SENT and self.received[mid]
            ],
            "sent rows without a message": [
                key for key, row in self.by_status(MailStatus.SENT) if not self.received[row.message_id()]
            ],
            "duplicates other than the mid-SMTP kill": [
                (mid, n) for mid, n in self.received.items() if n > 1 and (mid != faults.mid_smtp_message_id or n > 2)
            ],
        }
        return {rule: sorted(items, key=repr) for rule, items in found.items() if items}


def reminder_lags() -> Counter[int]:
    """Days between a link's invitation and each reminder, on the domain clock."""
    invited = {mail.invitation_id: mail.queued_at for mail in SurveyMail.objects.filter(kind=SurveyMailKind.INVITATION)}
    lags: Counter[int] = Counter()
    for mail in SurveyMail.objects.filter(kind=SurveyMailKind.REMINDER):
        start = invited.get(mail.invitation_id)
        if start is not None and mail.queued_at is not None:
            lags[(timezone.localdate(mail.queued_at) - timezone.localdate(start)).days] += 1
    return lags


@dataclass
class Scenario:
    """Seven months of two dozen placements, one simulated day at a time, with the faults on the way."""

    rig: Rig
    placements: list[Placement]
    coach: User
    ledger: Ledger = field(default_factory=Ledger)
    faults: Faults = field(default_factory=Faults)

    def __post_init__(self) -> None:
        self.number = {placement.pk: index for index, placement in enumerate(self.placements)}

    def run(self) -> None:
        """Every day of the window, then the last requeue and drain."""
        for offset in range(DAYS):
            with bounded(120, f"day {offset}"):
                self.day(offset, START + dt.timedelta(days=offset))
        self.ledger.expect_survey_reminders(START + dt.timedelta(days=DAYS - 1))
        requeue_mails()
        drain(self.rig, "the end")

    def day(self, offset: int, today: dt.date) -> None:
        """Before the sweep what people did in the morning, then the sweeps (or a fault), the drain, the coaches."""
        if offset == 2:
            self.send_packs(today)
        if self.faults.outage_day == today - dt.timedelta(days=1):
            coaches_overtake_the_outage(self.ledger, self.faults, today)
        new = self.ledger.expect_day(today)
        day = Day(today)
        if self.faults.mid_batch_row is None and new[NoticeKind.REMINDER_BEFORE] >= 4:
            kill_mid_batch(self.rig, day, self.faults)
        elif offset >= 40 and self.faults.mid_smtp_row is None and new[NoticeKind.REMINDER_BEFORE] >= 4:
            kill_mid_smtp(self.rig, day, self.faults)
        elif offset >= 80 and self.faults.outage_day is None and new[NoticeKind.REMINDER_DUE] >= 5:
            self.faults.outage_day = today
            sweep_without_broker(self.rig, day)
            return  # nobody requeues and the coaches do nothing that day
        else:
            day.sweep()
        requeue_mails()
        drain(self.rig, f"day {offset} ({today})")
        coaches_work(today, self.number)
        if offset == 60:
            self.end_early(self.placements[13], today)

    def send_packs(self, today: dt.date) -> None:
        """Info packs for three mentors, mailed through the same life cycle."""
        for placement in self.placements[:3]:
            assert placement.mentor is not None
            pack = ready_pack(placement, at(today))
            sent = send_info_pack(pack=pack, contacts=[placement.mentor], actor=self.coach, now=at(today))
            self.ledger.sent |= {("pack", delivery.pk) for delivery in sent}

    def end_early(self, placement: Placement, today: dt.date) -> None:
        """A client leaves her job: the steps after the end are cancelled, the employer's evaluation comes early."""
        end_placement(
            placement=placement,
            actor=placement.coach,
            ended_by="client",
            reason="Moved away",
            end_on=today,
            completed=False,
            now=at(today, 18),
        )


def test_every_due_mail_goes_out_once_through_worker_kills_and_a_broker_outage(
    rig: Rig, alice: User, bob: User, carl: User
) -> None:
    started = time.monotonic()
    scenario = Scenario(rig=rig, placements=make_placements([alice, bob], carl), coach=alice)

    scenario.run()

    account, faults = Account.take(rig), scenario.faults
    print(f"\nFault injection in {time.monotonic() - started:.0f} s: {account.summary(scenario.ledger, faults)}")
    print(faults)
    assert faults.mid_batch_row and faults.mid_smtp_row and faults.outage_day, "a fault did not happen"
    assert faults.late, "the outage held back no reminder that still had to go out late"
    # The mail held at MAIL FROM went out once, on a second attempt after its lease ran out; the one
    # held after its content arrived went out twice under one Message-ID (the allowed duplicate).
    assert account.copies(faults.mid_batch_row)[::2] == (MailStatus.SENT, 1)
    assert account.copies(faults.mid_batch_row)[1] >= 2
    assert account.copies(faults.mid_smtp_row)[::2] == (MailStatus.SENT, 2)
    assert account.problems(scenario.ledger, faults) == {}
    # Survey reminders keep their days on the domain clock, whatever the worker's clock says.
    every = settings.SURVEY_REMINDER_AFTER_DAYS
    assert set(reminder_lags()) == {every * n for n in range(1, settings.SURVEY_MAX_REMINDERS + 1)}


def test_run_followups_with_the_broker_down_says_so_in_one_line_and_exits_non_zero(make_placement, tmp_path):
    make_placement()  # a welcome visit due on conftest's START: there is a notice to publish
    from tests.outreach.helpers import START as DUE_DAY

    env = worker_env(f"redis://127.0.0.1:{free_port()}/0", "outreach-test-nobody", tmp_path, {})
    result = subprocess.run(
        [sys.executable, "manage.py", "run_followups", "--as-of", f"{DUE_DAY.isoformat()}T09:00"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "unreachable" in lines[0]
    # Nothing is lost: the notice waits, due again now, for the next sweep to publish.
    waiting = FollowUpNotice.objects.mailed().get()
    assert waiting.status == MailStatus.PENDING
    assert waiting.next_attempt_at is not None and waiting.next_attempt_at <= timezone.now()
