"""Big imports as a background Celery task, with progress the import page polls (STYLE "Import and export").

A file over IMPORT_BACKGROUND_BYTES is not read in the web request: the page stores it, queues
`run_import_job` after the commit and shows a progress bar until the task has written its report.
The dry run and the real import both run this way, through the same atomic import service
(crm.importing.import_dataset), so a big file changes nothing until every row is valid.

A job's state is a small JSON file beside its upload (MEDIA_ROOT/imports/<id>.json), written
atomically (rename); a worker claims a job by creating its lock file exclusively, so a redelivered
message runs it at most once. crm has no table for import jobs; a model would replace the JSON file
when imports get a history page.

A running job records a heartbeat: every save stamps the time, and a thread saves at least every
quarter of IMPORT_STALE_SECONDS while the worker lives. A worker that dies (killed, out of memory)
leaves a job "running" whose heartbeat grows old; the next look at its page marks it failed, with a
message. Its import ran in one transaction, so the database rolled it back: nothing was imported.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.utils.translation import gettext as _

from common.spreadsheets import EncodingChoice, ImportFileError, read_table
from crm.importing import ImportReport, RowProblem, default_owner, import_table

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
# Write progress at most this often (seconds), so a fast import is not slowed by file writes.
PROGRESS_EVERY = 0.5
# The job's heartbeat thread and its rows both save the state file; one at a time in this process.
_SAVING = threading.Lock()


def jobs_dir() -> Path:
    """Where uploads and job states wait."""
    return Path(settings.MEDIA_ROOT) / "imports"


@dataclasses.dataclass
class ImportJob:
    """One background import or dry run, and how far it got."""

    id: str
    user_id: int
    kind: str
    filename: str
    stored: str
    dry_run: bool
    #: The encoding the person importing chose; empty: detected as every import does.
    encoding: str = ""
    state: str = QUEUED
    total: int = 0
    processed: int = 0
    report: dict[str, Any] | None = None
    error: str = ""
    #: When the state was last saved (seconds since the epoch): the worker's sign of life while running.
    heartbeat: float = 0.0

    @property
    def path(self) -> Path:
        """The job's state file."""
        return jobs_dir() / f"{self.id}.json"

    @property
    def upload(self) -> Path:
        """The uploaded file."""
        return jobs_dir() / Path(self.stored).name

    @property
    def percent(self) -> int:
        """Rows processed, in percent (100 once finished)."""
        if self.state in (DONE, FAILED):
            return 100
        return min(99, self.processed * 100 // self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        """Done or failed."""
        return self.state in (DONE, FAILED)

    def save(self) -> None:
        """Write the state atomically with a fresh heartbeat, so the page never reads half a file."""
        with _SAVING:
            self.heartbeat = time.time()
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(dataclasses.asdict(self)))
            os.replace(temporary, self.path)

    def fail_if_stale(self, *, now: float | None = None) -> bool:
        """Mark a running job whose worker stopped beating failed, with a message; True when it was."""
        now = time.time() if now is None else now
        if self.state != RUNNING or now - self.heartbeat <= settings.IMPORT_STALE_SECONDS:
            return False
        self.state = FAILED
        self.error = _(
            "The import stopped: the worker running it gave no sign of life for %(minutes)s minutes (it may "
            "have run out of memory). Nothing was imported; upload the file again, or split it."
        ) % {"minutes": max(1, round((now - self.heartbeat) / 60))}
        self.save()
        return True

    @classmethod
    def load(cls, job_id: str) -> ImportJob | None:
        """The job with this id, or None for an unknown or malformed id."""
        if not job_id.isalnum() or len(job_id) != 32:
            return None
        path = jobs_dir() / f"{job_id}.json"
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def import_report(self) -> ImportReport | None:
        """The stored report as the object the templates know."""
        if self.report is None:
            return None
        data = dict(self.report)
        problems = [RowProblem(row=p["row"], messages=tuple(p["messages"])) for p in data.pop("problems", [])]
        choices = [EncodingChoice(**choice) for choice in data.pop("encoding_choices", [])]
        columns = [(header, column) for header, column in data.pop("columns", [])]
        return ImportReport(**data, problems=problems, encoding_choices=choices, columns=columns)


def start_import_job(
    *, user: Any, kind: str, data: bytes | None, filename: str, dry_run: bool, stored: str = "", encoding: str = ""
) -> ImportJob:
    """Store the upload (or reuse a stored one) and queue its import after the commit."""
    directory = jobs_dir()
    directory.mkdir(parents=True, exist_ok=True)
    job_id = uuid.uuid4().hex
    if data is not None:
        stored = f"{job_id}{Path(filename).suffix.lower()}"
        (directory / stored).write_bytes(data)
    job = ImportJob(
        id=job_id, user_id=user.pk, kind=kind, filename=filename, stored=stored, dry_run=dry_run, encoding=encoding
    )
    job.save()
    run_import_job.delay_on_commit(job.id)
    return job


def remove_stale_files(*, older_than: float = 24 * 3600, now: float | None = None) -> int:
    """Delete uploads and job states nobody came back for (a preview never confirmed); returns how many."""
    cutoff = (now if now is not None else time.time()) - older_than
    removed = 0
    for path in jobs_dir().glob("*") if jobs_dir().is_dir() else ():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _claim(job: ImportJob) -> bool:
    """Take the job for this worker; False when another delivery of the message already has it."""
    try:
        descriptor = os.open(job.path.with_suffix(".lock"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.close(descriptor)
    return True


def _count_rows(resource: Any, job: ImportJob) -> None:
    """Make the resource report each row it handles to the job's state file."""
    import_row = resource.import_row
    last_write = [0.0]

    @wraps(import_row)
    def counted(row: Any, instance_loader: Any, **kwargs: Any) -> Any:
        result = import_row(row, instance_loader, **kwargs)
        job.processed += 1
        if time.monotonic() - last_write[0] > PROGRESS_EVERY:
            last_write[0] = time.monotonic()
            job.save()
        return result

    resource.import_row = counted


def perform_import_job(job_id: str) -> ImportJob | None:
    """Run a queued job once: read the file, import it (or dry-run it) atomically, store the report."""
    from crm.resources import RESOURCES

    job = ImportJob.load(job_id)
    if job is None or job.state != QUEUED or not _claim(job):
        return job
    job.state = RUNNING
    job.save()
    with _heartbeat(job):
        try:
            # The stored path, so that read_table checks its size before reading it (IMPORT_MAX_BYTES).
            table = read_table(job.upload, filename=job.filename, encoding=job.encoding or None)
        except ImportFileError as exc:
            report = ImportReport(dry_run=job.dry_run, file_errors=[str(exc)])
        else:
            job.total = len(table.dataset)
            job.save()
            resource = RESOURCES[job.kind]()
            _count_rows(resource, job)
            actor = _user(job.user_id)
            report = import_table(
                resource=resource, table=table, actor=actor, owner=default_owner(actor), dry_run=job.dry_run
            )
    job.report = dataclasses.asdict(report)
    job.state = DONE
    job.save()
    # A preview keeps its file for the confirmation, or for reading it again in another encoding.
    if not job.dry_run or not (report.ok or report.encoding_choices):
        job.upload.unlink(missing_ok=True)
    return job


@contextmanager
def _heartbeat(job: ImportJob) -> Iterator[None]:
    """Save the job at least every quarter of IMPORT_STALE_SECONDS while the block runs (a sign of life)."""
    stop = threading.Event()
    interval = max(1.0, settings.IMPORT_STALE_SECONDS / 4)

    def beat() -> None:
        while not stop.wait(interval):
            job.save()

    thread = threading.Thread(target=beat, name=f"import-heartbeat-{job.id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _user(user_id: int) -> Any:
    """The user who started the import, for the audit trail."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first()


@shared_task(base=DjangoTask, ignore_result=True, acks_late=True, time_limit=3600, soft_time_limit=3500)
def run_import_job(job_id: str) -> None:
    """Run one background import (or dry run); a job that is gone or already taken is left alone."""
    try:
        perform_import_job(job_id)
    except Exception as exc:
        job = ImportJob.load(job_id)
        if job is not None:
            job.state, job.error = FAILED, _("The import stopped with an error: %(error)s") % {"error": exc}
            job.save()
        raise
