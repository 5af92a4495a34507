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

from common.spreadsheets import ENCODINGS, FORMATS, ImportFileError, read_upload
from common.web import HtmxHttpRequest, staff_view
from crm.forms import ImportUploadForm
from crm.import_jobs import ImportJob, jobs_dir, remove_stale_files, start_import_job
from crm.importing import ImportReport, default_owner, import_file, template_file
from crm.resources import RESOURCES, column_reference

# --- Import -----------------------------------------------------------------------------------

UPLOAD_SALT = "crm.import.upload"
UPLOAD_MAX_AGE = 3600
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _store_upload(data: bytes, suffix: str) -> str:
    """Keep an uploaded file until it is confirmed; returns its random name."""
    name = f"{uuid.uuid4().hex}{suffix}"
    directory = jobs_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)
    return name


def _upload_token(*, user: Any, kind: str, stored: str, filename: str, encoding: str = "") -> str:
    """A signed ticket for the confirmation: this user, this kind, this stored file, read in this encoding."""
    return signing.dumps({"u": user.pk, "k": kind, "s": stored, "f": filename, "e": encoding}, salt=UPLOAD_SALT)


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


def _explained(context: dict[str, Any]) -> dict[str, Any]:
    """Add to a report's context how each header was understood: (header, column, what the column means)."""
    report: ImportReport | None = context.get("report")
    if report is not None and context.get("kind") in RESOURCES:
        meanings = {c.name: c.meaning for c in RESOURCES[context["kind"]]().column_help()}
        context["understood"] = [(header, column, meanings.get(column, "")) for header, column in report.columns]
    return context


def _page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The import page: what there is to show, the upload form and the column reference."""
    _explained(context)
    context.setdefault("form", ImportUploadForm())
    context["references"] = column_reference(user=request.user)
    context["template_formats"] = FORMATS
    return render(request, "crm/import.html", context)


def _preview(
    request: HttpRequest, *, kind: str, data: bytes, filename: str, stored: str = "", encoding: str = ""
) -> HttpResponse:
    """Dry-run a file and show how it was read, the per-row errors, or the counts and a confirm button.

    A big file is dry-run by a background task instead, and the page follows its progress. When the
    encoding is unsure, the file is kept so that it can be read again in the encoding the user picks.
    """
    if len(data) > settings.IMPORT_BACKGROUND_BYTES:
        job = start_import_job(
            user=request.user,
            kind=kind,
            data=None if stored else data,
            stored=stored,
            filename=filename,
            dry_run=True,
            encoding=encoding,
        )
        return redirect("crm:import-job", job_id=job.id)
    report = import_file(
        resource=RESOURCES[kind](),
        data=data,
        actor=request.user,
        owner=default_owner(request.user),
        filename=filename,
        encoding=encoding or None,
        dry_run=True,
    )
    context: dict[str, Any] = {"report": report, "kind": kind, "filename": filename, "chosen_encoding": encoding}
    if report.ok or report.encoding_choices:
        stored = stored or _store_upload(data, Path(filename).suffix.lower())
        token = _upload_token(user=request.user, kind=kind, stored=stored, filename=filename, encoding=encoding)
        context["ticket" if report.ok else "reread"] = token
    return _page(request, context)


def _reread(request: HttpRequest) -> HttpResponse:
    """Preview a kept file again, read in the encoding the user chose."""
    ticket = _read_ticket(request.POST.get("reread", ""), request.user)
    if ticket is None:
        messages.error(request, _("That preview has expired or was already imported; upload the file again."))
        return redirect("crm:import")
    encoding = request.POST.get("encoding", "")
    if encoding not in ENCODINGS:
        messages.error(request, _("Choose one of the readings offered."))
        return redirect("crm:import")
    path = jobs_dir() / Path(ticket["s"]).name
    return _preview(
        request, kind=ticket["k"], data=path.read_bytes(), filename=ticket["f"], stored=path.name, encoding=encoding
    )


def _confirm(request: HttpRequest) -> HttpResponse:
    """Import the previewed file for real, all or nothing (a big file in the background)."""
    ticket = _read_ticket(request.POST.get("ticket", ""), request.user)
    if ticket is None:
        messages.error(request, _("That preview has expired or was already imported; upload the file again."))
        return redirect("crm:import")
    path = jobs_dir() / Path(ticket["s"]).name
    encoding = ticket.get("e", "")
    if path.stat().st_size > settings.IMPORT_BACKGROUND_BYTES:
        job = start_import_job(
            user=request.user,
            kind=ticket["k"],
            data=None,
            stored=path.name,
            filename=ticket["f"],
            dry_run=False,
            encoding=encoding,
        )
        return redirect("crm:import-job", job_id=job.id)
    report = import_file(
        resource=RESOURCES[ticket["k"]](),
        data=path.read_bytes(),
        actor=request.user,
        owner=default_owner(request.user),
        filename=ticket["f"],
        encoding=encoding or None,
    )
    path.unlink(missing_ok=True)
    return _page(request, {"report": report, "kind": ticket["k"], "filename": ticket["f"], "confirmed": True})


@staff_view("crm.add_employer", "GET", "POST")
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or XLSX, see how it was read and the dry run with per-row errors, then confirm."""
    if request.method == "POST" and "ticket" in request.POST:
        return _confirm(request)
    if request.method == "POST" and "reread" in request.POST:
        return _reread(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        remove_stale_files()
        upload = form.cleaned_data["file"]
        try:
            data = read_upload(upload)  # refused by its size before it is read whole
        except ImportFileError as exc:
            report = ImportReport(dry_run=True, file_errors=[str(exc)])
            return _page(request, {"report": report, "kind": form.cleaned_data["kind"], "filename": upload.name})
        return _preview(request, kind=form.cleaned_data["kind"], data=data, filename=upload.name)
    return _page(request, {"form": form})


@staff_view("crm.add_employer")
def import_template(request: HttpRequest, kind: str, format: str) -> HttpResponse:
    """An empty file to fill in: the header row and one example row, as CSV or XLSX."""
    if kind not in RESOURCES or format not in FORMATS:
        raise Http404
    data = template_file(resource=RESOURCES[kind](), fmt=format, user=request.user)
    response = HttpResponse(data, content_type=CONTENT_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="{kind}.{format}"'
    return response


@staff_view("crm.add_employer")
def import_job(request: HtmxHttpRequest, job_id: str) -> HttpResponse:
    """A background import's progress; when a dry run is done, its report and the confirm button."""
    job = ImportJob.load(job_id)
    if job is None or job.user_id != request.user.pk:
        raise Http404
    job.fail_if_stale()
    report = job.import_report()
    context: dict[str, Any] = {"job": job, "report": report, "kind": job.kind, "filename": job.filename}
    context["chosen_encoding"] = job.encoding
    if job.finished and job.dry_run and report is not None and (report.ok or report.encoding_choices):
        token = _upload_token(
            user=request.user, kind=job.kind, stored=job.stored, filename=job.filename, encoding=job.encoding
        )
        context["ticket" if report.ok else "reread"] = token
    context["confirmed"] = job.finished and not job.dry_run
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "crm/_import_job.html", _explained(context))
    return _page(request, context)
