"""CSV/XLSX import with a dry-run preview; big files run as a background task."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from common.web import HtmxHttpRequest, staff_view
from crm.forms import ImportUploadForm
from crm.import_jobs import ImportJob, jobs_dir, remove_stale_files, start_import_job
from crm.importing import import_file
from crm.resources import RESOURCES

# --- Import -----------------------------------------------------------------------------------

UPLOAD_SALT = "crm.import.upload"
UPLOAD_MAX_AGE = 3600


def _store_upload(data: bytes, suffix: str) -> str:
    """Keep an uploaded file until it is confirmed; returns its random name."""
    name = f"{uuid.uuid4().hex}{suffix}"
    directory = jobs_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)
    return name


def _upload_token(*, user: Any, kind: str, stored: str, filename: str) -> str:
    """A signed ticket for the confirmation: this user, this kind, this stored file."""
    return signing.dumps({"u": user.pk, "k": kind, "s": stored, "f": filename}, salt=UPLOAD_SALT)


def _read_ticket(token: str, user: Any) -> dict[str, str] | None:
    """The ticket's contents when it is genuine, fresh, the user's own and its file still there."""
    try:
        ticket = signing.loads(token, salt=UPLOAD_SALT, max_age=UPLOAD_MAX_AGE)
    except signing.BadSignature:
        return None
    if ticket.get("u") != user.pk or ticket.get("k") not in RESOURCES:
        return None
    if not (jobs_dir() / Path(ticket["s"]).name).is_file():
        return None
    return dict(ticket)


def _preview(request: HttpRequest, form: ImportUploadForm) -> HttpResponse:
    """Dry-run the upload and show the per-row errors, or the counts and a confirm button.

    A big file is dry-run by a background task instead, and the page follows its progress.
    """
    remove_stale_files()
    upload = form.cleaned_data["file"]
    kind = form.cleaned_data["kind"]
    data = upload.read()
    if len(data) > settings.IMPORT_BACKGROUND_BYTES:
        job = start_import_job(user=request.user, kind=kind, data=data, filename=upload.name, dry_run=True)
        return redirect("crm:import-job", job_id=job.id)
    report = import_file(resource=RESOURCES[kind](), data=data, actor=request.user, filename=upload.name, dry_run=True)
    context: dict[str, Any] = {"form": form, "report": report, "kind": kind, "filename": upload.name}
    if report.ok:
        stored = _store_upload(data, Path(upload.name).suffix.lower())
        context["ticket"] = _upload_token(user=request.user, kind=kind, stored=stored, filename=upload.name)
    return render(request, "crm/import.html", context)


def _confirm(request: HttpRequest) -> HttpResponse:
    """Import the previewed file for real, all or nothing (a big file in the background)."""
    ticket = _read_ticket(request.POST.get("ticket", ""), request.user)
    if ticket is None:
        messages.error(request, _("That preview has expired or was already imported; upload the file again."))
        return redirect("crm:import")
    path = jobs_dir() / Path(ticket["s"]).name
    if path.stat().st_size > settings.IMPORT_BACKGROUND_BYTES:
        job = start_import_job(
            user=request.user, kind=ticket["k"], data=None, stored=path.name, filename=ticket["f"], dry_run=False
        )
        return redirect("crm:import-job", job_id=job.id)
    report = import_file(
        resource=RESOURCES[ticket["k"]](), data=path.read_bytes(), actor=request.user, filename=ticket["f"]
    )
    path.unlink(missing_ok=True)
    context = {"form": ImportUploadForm(), "report": report, "kind": ticket["k"], "filename": ticket["f"]}
    return render(request, "crm/import.html", {**context, "confirmed": True})


@staff_view("crm.add_employer", "GET", "POST")
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or XLSX, see the dry run with per-row errors, then confirm."""
    if request.method == "POST" and "ticket" in request.POST:
        return _confirm(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        return _preview(request, form)
    return render(request, "crm/import.html", {"form": form})


@staff_view("crm.add_employer")
def import_job(request: HtmxHttpRequest, job_id: str) -> HttpResponse:
    """A background import's progress; when a dry run is done, its report and the confirm button."""
    job = ImportJob.load(job_id)
    if job is None or job.user_id != request.user.pk:
        raise Http404
    context: dict[str, Any] = {"job": job, "report": job.import_report(), "kind": job.kind, "filename": job.filename}
    if job.finished and job.dry_run and context["report"] is not None and context["report"].ok:
        context["ticket"] = _upload_token(user=request.user, kind=job.kind, stored=job.stored, filename=job.filename)
    context["confirmed"] = job.finished and not job.dry_run
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "crm/_import_job.html", context)
    return render(request, "crm/import.html", {**context, "form": ImportUploadForm()})
