"""The retention schedule: the dry run lists what is due and changes nothing; the real run does it; beat runs it."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from config.celery import app as celery_app
from outreach.followups.models import CoachDigest
from outreach.mail.models import MailStatus
from outreach.surveys.models import Answer
from placements import services
from placements.scheduling import add_months
from privacy import retention
from privacy.erasure import is_erased
from privacy.tasks import apply_retention
from tests.privacy.helpers import ANSWER, NOW, full_file

pytestmark = pytest.mark.django_db
TODAY = dt.date(2029, 6, 15)


@pytest.fixture
def due(settings, tmp_path, alice, bob):
    """Two closed files (one long ago), an old and a new mail, an old and a new upload."""
    settings.MEDIA_ROOT = tmp_path
    settings.RETENTION_CLOSED_FILE_MONTHS = 24
    settings.RETENTION_SURVEY_TEXT_MONTHS = 24
    settings.RETENTION_MAIL_MONTHS = 12
    settings.RETENTION_UPLOAD_DAYS = 7
    old = full_file(alice, reference="C-OLD")  # its survey was answered on 2027-01-01: 29 months before TODAY
    recent = full_file(bob, reference="C-RECENT")
    services.close_client(client=old, actor=None, reason="moved", closed_on=dt.date(2027, 2, 1), now=NOW)
    services.close_client(client=recent, actor=None, reason="moved", closed_on=dt.date(2029, 1, 2), now=NOW)
    Answer.objects.filter(response__invitation__placement__client=recent).update(text="Recent answer")
    _recent_response_of(recent)
    stale = CoachDigest.objects.create(coach=alice, date=dt.date(2028, 1, 1), recipient_email="alice@werkbrug.test")
    fresh = CoachDigest.objects.create(coach=alice, date=dt.date(2029, 6, 1), recipient_email="alice@werkbrug.test")
    CoachDigest.objects.filter(pk=stale.pk).update(status=MailStatus.SENT, created_at=NOW.replace(year=2028))
    CoachDigest.objects.filter(pk=fresh.pk).update(status=MailStatus.SENT, created_at=NOW.replace(year=2029, month=6))
    uploads = tmp_path / "imports"
    uploads.mkdir()
    (uploads / "old.xlsx").write_bytes(b"old")
    (uploads / "new.xlsx").write_bytes(b"new")
    for name, day in (("old.xlsx", 1), ("new.xlsx", 14)):  # 14 days and 1 day before TODAY
        written = dt.datetime(2029, 6, day, tzinfo=dt.UTC).timestamp()
        os.utime(uploads / name, (written, written))
    return {"old": old, "recent": recent, "stale": stale, "fresh": fresh, "uploads": uploads}


def _recent_response_of(client) -> None:
    from outreach.surveys.models import SurveyResponse

    SurveyResponse.objects.filter(invitation__placement__client=client).update(submitted_at=NOW.replace(year=2029))


def _state() -> list:
    from placements.models import Client

    return [
        list(Client.objects.order_by("pk").values_list("reference", "first_name", "email")),
        list(Answer.objects.order_by("pk").values_list("text", flat=True)),
        list(CoachDigest.objects.order_by("pk").values_list("recipient_email", flat=True)),
    ]


def test_the_plan_lists_only_what_is_past_its_period(due):
    now = dt.datetime(2029, 6, 15, 12, tzinfo=dt.UTC)

    plan = retention.plan(TODAY, now=now)

    assert plan.clients == [(due["old"].pk, "C-OLD")]
    assert list(Answer.objects.filter(pk__in=plan.answers).values_list("text", flat=True)) == [ANSWER]
    assert plan.mails["outreach.coachdigest"] == [due["stale"].pk]
    assert [path.name for path in plan.uploads] == ["old.xlsx"]


def test_the_dry_run_prints_the_plan_and_changes_nothing(due, time_machine):
    time_machine.move_to(dt.datetime(2029, 6, 15, 12, tzinfo=dt.UTC), tick=False)
    before = _state()
    out = io.StringIO()

    call_command("retention", "--dry-run", "--today", TODAY.isoformat(), stdout=out)

    printed = out.getvalue()
    assert "erase closed file C-OLD" in printed and "C-RECENT" not in printed
    assert "survey answer" in printed and "delete upload old.xlsx" in printed and "Dry run" in printed
    assert _state() == before
    assert (due["uploads"] / "old.xlsx").exists()
    assert not is_erased(due["old"])


def test_the_real_run_applies_the_plan(due, time_machine):
    time_machine.move_to(dt.datetime(2029, 6, 15, 12, tzinfo=dt.UTC), tick=False)

    call_command("retention", "--today", TODAY.isoformat(), stdout=io.StringIO())

    assert is_erased(due["old"]) and not is_erased(due["recent"])
    due["old"].refresh_from_db()
    assert due["old"].first_name == "Erased client C-OLD"
    assert sorted(Answer.objects.values_list("text", flat=True)) == ["", "Recent answer"]
    assert dict(CoachDigest.objects.values_list("pk", "recipient_email")) == {
        due["stale"].pk: "",
        due["fresh"].pk: "alice@werkbrug.test",
    }
    assert [p.name for p in due["uploads"].iterdir()] == ["new.xlsx"]
    again = io.StringIO()
    call_command("retention", "--today", TODAY.isoformat(), stdout=again)
    assert "Nothing is due" in again.getvalue()


def test_a_bad_date_is_refused(due):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("retention", "--today", "15/06/2029")


def test_beat_runs_the_retention_task_once_a_day_and_the_task_applies_the_plan(due, time_machine):
    entry = django_settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] == apply_retention.name == "privacy.tasks.apply_retention"
    assert entry["task"] in celery_app.tasks  # the worker finds it (tasks.py autodiscovery)
    assert entry["schedule"].hour == {django_settings.RETENTION_HOUR}
    assert entry["options"]["expires"] < 24 * 3600
    time_machine.move_to(dt.datetime(2029, 6, 15, 12, tzinfo=dt.UTC), tick=False)

    done = apply_retention()

    assert done["clients"] == 1 and is_erased(due["old"])


def test_retention_periods_count_back_in_calendar_months_clamped_to_a_shorter_month():
    assert add_months(dt.date(2029, 3, 31), -1) == dt.date(2029, 2, 28)
    assert add_months(dt.date(2029, 1, 15), -24) == dt.date(2027, 1, 15)
