"""The Celery side: beat schedule, routing, retry policy, and the sweep task itself."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings as django_settings

from config.celery import app
from outreach.followups.models import FollowUpNotice
from outreach.followups.services import TransientMailError
from outreach.tasks import run_digest_sweep, run_followup_sweep, send_digest, send_notice
from tests.outreach.conftest import START, at, enqueued


def test_every_beat_entry_expires_before_its_next_run():
    sweep = django_settings.CELERY_BEAT_SCHEDULE["followups-sweep"]
    digest = django_settings.CELERY_BEAT_SCHEDULE["followups-morning-digest"]

    assert sweep["schedule"] == django_settings.FOLLOWUP_SWEEP_SECONDS
    assert 0 < sweep["options"]["expires"] < sweep["schedule"]
    assert isinstance(digest["schedule"], crontab)
    assert digest["schedule"].hour == {django_settings.FOLLOWUP_DIGEST_HOUR}
    assert digest["schedule"].minute == {0}
    assert 0 < digest["options"]["expires"] < 24 * 3600
    assert {entry["task"] for entry in (sweep, digest)} <= set(app.tasks)


@pytest.mark.parametrize("task", [run_followup_sweep, run_digest_sweep, send_notice, send_digest])
def test_the_follow_up_tasks_go_to_the_follow_up_queue(task):
    route = app.amqp.router.route({}, task.name, (), {})

    assert route["queue"].name == django_settings.FOLLOWUP_QUEUE


@pytest.mark.parametrize("task", [send_notice, send_digest])
def test_mail_tasks_retry_only_transient_errors_with_backoff_and_jitter(task):
    assert tuple(task.autoretry_for) == (TransientMailError,)
    assert task.max_retries == django_settings.FOLLOWUP_MAIL_MAX_RETRIES
    assert task.retry_backoff == django_settings.FOLLOWUP_MAIL_RETRY_BACKOFF_SECONDS
    assert task.retry_backoff_max == django_settings.FOLLOWUP_MAIL_RETRY_BACKOFF_MAX_SECONDS
    assert task.retry_jitter is True
    assert task.acks_late is True
    assert task.soft_time_limit < task.time_limit


@pytest.mark.django_db
def test_the_beat_sweep_claims_what_is_due_now_and_enqueues_it(placement, django_capture_on_commit_callbacks):
    with time_machine.travel(at(START, hour=9), tick=False), django_capture_on_commit_callbacks() as callbacks:
        result = run_followup_sweep()

    notice = FollowUpNotice.objects.get()
    assert enqueued(callbacks) == [("outreach.tasks.send_notice", (notice.pk,))]
    assert result["notices_enqueued"] == 1


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("FOLLOWUP_REMINDER_DAYS_BEFORE", "1,tomorrow", "comma-separated list of whole days"),
        ("FOLLOWUP_REMINDER_DAYS_BEFORE", "-1", "negative"),
        ("FOLLOWUP_DIGEST_HOUR", "24", "an hour from 0 to 23"),
        ("FOLLOWUP_REQUEUE_AFTER_SECONDS", "900", "must exceed the longest retry span (930 s)"),
        ("FOLLOWUP_SWEEP_SECONDS", "five", "is not an integer"),
    ],
)
def test_bad_follow_up_settings_stop_the_start_with_a_clear_message(variable, value, message):
    env = {**os.environ, "DEBUG": "1", variable: value}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"], env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode != 0
    assert message in result.stderr
