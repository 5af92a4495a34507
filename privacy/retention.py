"""The retention schedule: what is kept how long, listed by `plan(today)` and carried out by `apply(plan)`.

Flora §8.2 asks to "define retention periods after closing" and to keep sensitive narratives to a minimum.
Each kind of data has its own period (settings RETENTION_*):
- a closed file, RETENTION_CLOSED_FILE_MONTHS after it was closed, is erased (privacy.erasure: anonymised,
  the counts stay);
- the free text of employer evaluations, RETENTION_SURVEY_TEXT_MONTHS after they were answered, is cleared
  (scores and choices stay for the reports);
- stored mails, RETENTION_MAIL_MONTHS after they were made and once finished (sent, failed or closed), lose
  their recipient address and error text: mail bodies are not stored (they are rendered when sent), so
  that is all a mail row holds about a person;
- import uploads under MEDIA_ROOT/imports are deleted RETENTION_UPLOAD_DAYS after they were written.
A beat task applies the plan daily; `manage.py retention --dry-run` lists it without changing anything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.import_jobs import jobs_dir
from outreach.followups.models import CoachDigest, FollowUpNotice
from outreach.mail.models import MailStatus
from outreach.mentors.models import MentorMail
from outreach.packs.models import InfoPackDelivery
from outreach.surveys.models import Answer, SurveyMail
from placements.choices import ClientStatus
from placements.models import Client
from placements.scheduling import add_months
from privacy.erasure import erase_client
from privacy.models import AccessEvent, AccessKind

MAIL_MODELS: tuple[Any, ...] = (FollowUpNotice, CoachDigest, InfoPackDelivery, SurveyMail, MentorMail)
FINISHED = (MailStatus.SENT, MailStatus.FAILED, MailStatus.SKIPPED)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclasses.dataclass
class RetentionPlan:
    """What is due on a day: the clients to erase, answers to clear, mails to strip and uploads to delete."""

    today: dt.date
    clients: list[tuple[int, str]]
    answers: list[int]
    mails: dict[str, list[int]]
    uploads: list[Path]

    def is_empty(self) -> bool:
        """Nothing is due."""
        return not (self.clients or self.answers or any(self.mails.values()) or self.uploads)

    def lines(self) -> list[str]:
        """What the plan does, one line per item, for the dry run."""
        out = [_("erase closed file %(reference)s") % {"reference": ref} for _pk, ref in self.clients]
        if self.answers:
            out.append(_("clear the free text of %(count)d survey answer(s)") % {"count": len(self.answers)})
        out += [
            _("remove the addresses of %(count)d mail(s) (%(kind)s)") % {"count": len(ids), "kind": label}
            for label, ids in self.mails.items()
            if ids
        ]
        out += [_("delete upload %(name)s") % {"name": path.name} for path in self.uploads]
        return out


def plan(today: dt.date, *, now: dt.datetime | None = None) -> RetentionPlan:
    """List what is due on `today`; changes nothing."""
    now = now or timezone.now()
    closed_before = add_months(today, -settings.RETENTION_CLOSED_FILE_MONTHS)
    erased = AccessEvent.objects.filter(kind=AccessKind.ERASED, client__isnull=False).values("client")
    clients = (
        Client.objects.filter(status=ClientStatus.CLOSED, closed_on__lt=closed_before)
        .exclude(pk__in=erased)
        .order_by("closed_on", "pk")
        .values_list("pk", "reference")
    )
    text_before = _start_of(add_months(today, -settings.RETENTION_SURVEY_TEXT_MONTHS))
    answers = Answer.objects.filter(response__submitted_at__lt=text_before).exclude(text="").order_by("pk")
    mail_before = _start_of(add_months(today, -settings.RETENTION_MAIL_MONTHS))
    mails = {
        model._meta.label_lower: list(
            model.objects.filter(status__in=FINISHED, created_at__lt=mail_before)
            .filter(~Q(recipient_email="") | ~Q(last_error=""))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for model in MAIL_MODELS
    }
    return RetentionPlan(
        today=today,
        clients=list(clients),
        answers=list(answers.values_list("pk", flat=True)),
        mails=mails,
        uploads=_old_uploads(now.timestamp() - settings.RETENTION_UPLOAD_DAYS * 86400),
    )


def _old_uploads(cutoff: float) -> list[Path]:
    folder = jobs_dir()
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.is_file() and path.stat().st_mtime < cutoff)


def apply(due: RetentionPlan, *, actor: Any = None) -> dict[str, int]:
    """Carry out a plan; returns how many of each kind were done. A client changed since the plan is skipped."""
    done = {"clients": 0, "answers": 0, "mails": 0, "uploads": 0}
    erased = AccessEvent.objects.filter(kind=AccessKind.ERASED, client__isnull=False).values("client")
    due_clients = Client.objects.filter(pk__in=[pk for pk, _ref in due.clients], status=ClientStatus.CLOSED)
    for client in due_clients.exclude(pk__in=erased):
        erase_client(client, actor)
        done["clients"] += 1
    with transaction.atomic():
        for ids in _chunks(due.answers):
            done["answers"] += Answer.objects.filter(pk__in=ids).update(text="")
        by_label = {model._meta.label_lower: model for model in MAIL_MODELS}
        for label, mail_ids in due.mails.items():
            for ids in _chunks(mail_ids):
                done["mails"] += by_label[label].objects.filter(pk__in=ids).update(recipient_email="", last_error="")
    for path in due.uploads:
        path.unlink(missing_ok=True)
        done["uploads"] += 1
    return done


def _chunks(ids: list[int], size: int = 5000) -> list[list[int]]:
    """Ids in slices that keep every IN list well under SQLite's parameter limit."""
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def run(*, today: dt.date | None = None) -> dict[str, int]:
    """Plan and apply today's retention (the beat task)."""
    return apply(plan(today or timezone.localdate()))
