"""Background imports end to end: a real Celery worker on real Redis runs a queued import once."""

from __future__ import annotations

import pytest

from crm.import_jobs import ImportJob, jobs_dir
from crm.models import Employer, EmployerStageChange
from tests.outreach.realqueue import celery_worker, publish, redis_server, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
TASK = "crm.import_jobs.run_import_job"
CSV = (
    "registration_number,name,postcode,city,sector\n"
    + "".join(f"3080{n:04d},Werkgever {n},{1000 + n} AB,Utrecht,cleaning\n" for n in range(300))
).encode()


@pytest.fixture
def worker(transactional_db, tmp_path, settings, monkeypatch):
    """A worker that shares this test's database and media folder."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    with redis_server() as broker, celery_worker(broker, tmp_path) as running:
        yield running


def test_a_real_worker_imports_a_queued_file_once_even_when_the_message_comes_twice(worker, rita):
    jobs_dir().mkdir(parents=True)
    (jobs_dir() / "upload.csv").write_bytes(CSV)
    job = ImportJob(
        id="f" * 32, user_id=rita.pk, kind="employers", filename="big.csv", stored="upload.csv", dry_run=False
    )
    job.save()

    publish(worker, TASK, job.id, task_id="import-1")
    publish(worker, TASK, job.id, task_id="import-2")
    wait_until(lambda: worker.succeeded(TASK) >= 2, timeout=60, what="two task runs", check=worker.assert_alive)

    done = ImportJob.load(job.id)
    assert done is not None and done.state == "done" and (done.processed, done.total) == (300, 300)
    assert Employer.objects.count() == 300
    assert EmployerStageChange.objects.filter(changed_by=rita).count() == 300  # one history row each, by her


def test_an_import_whose_worker_is_killed_is_failed_on_its_page_and_imported_nothing(worker, rita, settings, client):
    from django.urls import reverse

    rows = "".join(f"3090{n:04d},Werkgever {n},{1000 + n % 8000} AB,Utrecht,cleaning\n" for n in range(5000))
    jobs_dir().mkdir(parents=True)
    (jobs_dir() / "upload.csv").write_text("registration_number,name,postcode,city,sector\n" + rows)
    job = ImportJob(
        id="d" * 32, user_id=rita.pk, kind="employers", filename="big.csv", stored="upload.csv", dry_run=False
    )
    job.save()

    publish(worker, TASK, job.id, task_id="import-killed")
    wait_until(lambda: ImportJob.load(job.id).processed > 0, timeout=60, what="rows", check=worker.assert_alive)
    worker.kill()  # as the kernel's out-of-memory killer would

    left = ImportJob.load(job.id)
    assert left is not None and left.state == "running" and left.processed < 5000
    settings.IMPORT_STALE_SECONDS = 0  # the heartbeat is already older than "no time at all"
    client.force_login(rita)
    page = client.get(reverse("crm:import-job", args=[job.id]), HTTP_HX_REQUEST="true").content.decode()

    assert "gave no sign of life" in page
    assert ImportJob.load(job.id).state == "failed"
    assert not Employer.objects.exists()  # the import's transaction died with the worker


# --- A worker that died ---------------------------------------------------------------------------


def running_job(user, *, beat_seconds_ago: float) -> ImportJob:
    """A job whose state file says running, last saved (its heartbeat) this long ago."""
    import json
    import time

    jobs_dir().mkdir(parents=True, exist_ok=True)
    job = ImportJob(
        id="e" * 32, user_id=user.pk, kind="employers", filename="big.csv", stored="gone.csv", dry_run=False
    )
    job.state, job.total, job.processed = "running", 300, 9
    job.save()
    state = json.loads(job.path.read_text())
    state["heartbeat"] = time.time() - beat_seconds_ago
    job.path.write_text(json.dumps(state))
    return job


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_running_import_whose_worker_stopped_beating_is_failed_with_a_message_when_its_page_is_seen(
    rita, media, settings, client
):
    from django.urls import reverse

    settings.IMPORT_STALE_SECONDS = 300
    job = running_job(rita, beat_seconds_ago=600)
    client.force_login(rita)

    page = client.get(reverse("crm:import-job", args=[job.id]), HTTP_HX_REQUEST="true").content.decode()

    assert "gave no sign of life for 10 minutes" in page and "Nothing was imported" in page
    assert "every 1s" not in page  # the page stops polling
    failed = ImportJob.load(job.id)
    assert failed is not None and failed.state == "failed" and failed.finished and failed.percent == 100
    assert not Employer.objects.exists()


def test_a_running_import_with_a_recent_heartbeat_keeps_running(rita, media, settings, client):
    from django.urls import reverse

    settings.IMPORT_STALE_SECONDS = 300
    job = running_job(rita, beat_seconds_ago=200)
    client.force_login(rita)

    page = client.get(reverse("crm:import-job", args=[job.id]), HTTP_HX_REQUEST="true").content.decode()

    assert "every 1s" in page and "9 of 300 rows" in page
    still = ImportJob.load(job.id)
    assert still is not None and still.state == "running"


def test_a_stale_job_is_failed_only_once_the_heartbeat_is_older_than_the_setting(rita, media, settings):
    settings.IMPORT_STALE_SECONDS = 60
    job = running_job(rita, beat_seconds_ago=0)
    loaded = ImportJob.load(job.id)
    assert loaded is not None

    assert not loaded.fail_if_stale(now=loaded.heartbeat + 60)
    assert loaded.fail_if_stale(now=loaded.heartbeat + 61)
    assert not loaded.fail_if_stale(now=loaded.heartbeat + 3600)  # failed already: nothing more to do
    assert ImportJob.load(job.id).state == "failed"


def test_a_job_saves_its_heartbeat_while_a_long_step_runs(rita, media, settings):
    import threading

    from crm.import_jobs import _heartbeat

    settings.IMPORT_STALE_SECONDS = 4  # a beat every second
    job = running_job(rita, beat_seconds_ago=3600)
    old = ImportJob.load(job.id).heartbeat
    beaten = threading.Event()

    with _heartbeat(job):
        # The main thread is busy (a long read or import); the beat comes from the job's own thread.
        for _tick in range(50):
            if ImportJob.load(job.id).heartbeat > old:
                beaten.set()
                break
            threading.Event().wait(0.1)

    assert beaten.is_set()
