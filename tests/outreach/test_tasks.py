"""The Celery side: one beat schedule, every task named and routed, time limits, and the sweep task itself."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings as django_settings

from config.celery import app
from outreach import tasks
from outreach.followups.models import FollowUpNotice
from outreach.tasks import run_followup_sweep
from tests.outreach.helpers import START, at, enqueued


def test_every_beat_entry_names_a_registered_task_and_expires_before_its_next_run():
    app.loader.import_default_modules()  # what a worker does at start: every app's tasks module
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    digest = schedule["followups-morning-digest"]

    assert set(schedule) == {
        "followups-sweep",
        "followups-morning-digest",
        "mail-requeue",
        "info-packs-reconcile",
        "surveys-sweep",
        "privacy-retention",
    }
    for name, entry in schedule.items():
        assert entry["task"] in app.tasks, name
        if not isinstance(entry["schedule"], crontab):
            assert 0 < entry["options"]["expires"] < entry["schedule"], name
    assert schedule["followups-sweep"]["schedule"] == django_settings.FOLLOWUP_SWEEP_SECONDS
    assert schedule["mail-requeue"]["schedule"] == django_settings.MAIL_REQUEUE_SWEEP_SECONDS
    assert digest["schedule"].hour == {django_settings.FOLLOWUP_DIGEST_HOUR}
    assert digest["schedule"].minute == {0}
    assert 0 < digest["options"]["expires"] < 24 * 3600


OUTREACH_TASKS = [
    tasks.send_mails,
    tasks.requeue_mails_task,
    tasks.run_followup_sweep,
    tasks.run_digest_sweep,
    tasks.build_info_pack,
    tasks.reconcile_placement_packs,
    tasks.run_survey_sweep,
]


@pytest.mark.parametrize("task", OUTREACH_TASKS, ids=lambda task: task.name)
def test_every_outreach_task_has_a_stable_name_and_goes_to_the_outreach_queue(task):
    route = app.amqp.router.route({}, task.name, (), {})

    assert task.name.startswith("outreach.tasks.")
    assert route["queue"].name == django_settings.OUTREACH_QUEUE


def test_the_send_task_knows_every_kind_of_mail_row_and_is_bounded_in_time():
    from outreach.mail.queue import mail_models

    assert (
        set(tasks.SENDERS)
        == {model.kind_label for model in mail_models()}
        == {"notice", "digest", "pack", "survey", "mentor"}
    )
    assert tasks.send_mails.acks_late is True
    assert tasks.send_mails.time_limit == django_settings.MAIL_TASK_TIME_LIMIT_SECONDS
    assert tasks.send_mails.time_limit < django_settings.MAIL_SENDING_LEASE_SECONDS
    assert django_settings.EMAIL_TIMEOUT == django_settings.MAIL_TIMEOUT_SECONDS


@pytest.mark.django_db
def test_the_beat_sweep_claims_what_is_due_now_and_enqueues_it(placement, django_capture_on_commit_callbacks):
    with time_machine.travel(at(START, hour=9), tick=False), django_capture_on_commit_callbacks() as callbacks:
        result = run_followup_sweep()

    notice = FollowUpNotice.objects.get()
    assert enqueued(callbacks) == [("outreach.tasks.send_mails", ("notice", [notice.pk]))]
    assert result["notices_enqueued"] == 1


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("FOLLOWUP_REMINDER_DAYS_BEFORE", "1,tomorrow", "comma-separated list of whole days"),
        ("FOLLOWUP_REMINDER_DAYS_BEFORE", "-1", "negative"),
        ("FOLLOWUP_DIGEST_HOUR", "24", "an hour from 0 to 23"),
        ("MAIL_SENDING_LEASE_SECONDS", "600", "must exceed MAIL_TASK_TIME_LIMIT_SECONDS"),
        ("MAIL_BATCH_SIZE", "0", "must be >= 1"),
        ("FOLLOWUP_SWEEP_BATCH", "50000", "between 1 and 20000"),
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
