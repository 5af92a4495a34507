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
