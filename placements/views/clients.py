"""Clients as the coach sees them: the list, her file, and the forms that take her in and keep her file.

Row-level privacy comes from the querysets' `visible_to(user)`: a coach who types another coach's
client into the address bar gets a 404, as if it did not exist, on every page and form here.
Every form is a full-page POST that redirects with a message, or shows the form again with its errors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common import access
from common.pagination import capped_count, keyset_page
from common.web import add_service_errors, staff_view
from crm.roles import Role, has_role
from placements.choices import ClientStatus, ConsentPurpose
from placements.forms import (
    ClientFileForm,
    ClientFilterForm,
    CloseClientForm,
    ConsentForm,
    IntakeForm,
    LadderMoveForm,
    WithdrawConsentForm,
)
from placements.models import AftercareStep, Client, ConsentRecord, Placement
from placements.services.clients import (
    FILE_FIELDS,
    close_client,
    next_client_reference,
    open_visit_steps,
    record_consent,
    take_in_client,
    update_client,
    withdraw_consent,
)
from placements.services.ladder import ladder_history, move_client_to_step
from placements.services.preview import preview_schedule

# --- Clients and placements -------------------------------------------------------------------


def _is_coach(user: Any) -> bool:
    """Coaches and case managers see "my clients"; others see every client."""
    return has_role(user, Role.COACH) or has_role(user, Role.CASE_MANAGER)


@staff_view("placements.view_client")
def client_list(request: HttpRequest) -> HttpResponse:
    """My clients (only those the user may see), each with her placements."""
    form = ClientFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    clients = Client.objects.visible_to(request.user).select_related("coach")
    if not filters.get("closed"):
        clients = clients.exclude(status=ClientStatus.CLOSED)
    if query := (filters.get("q") or "").strip():
        # No trigram index: a coach searches her own clients, which the coach index finds (0.1 ms for
        # 125 of 60,000 clients on PostgreSQL); only an administrator's search scans them all (about
        # 35 ms each for the count and the page in EXPLAIN ANALYZE), too rare to pay for an index.
        clients = clients.filter(Q(reference__icontains=query) | Q(first_name__icontains=query))
    placements = Placement.objects.select_related("employer").order_by("-start_on", "-pk")
    listed = clients.prefetch_related(Prefetch("placements", queryset=placements))
    page = keyset_page(listed, key="reference", cursor=request.GET.get("cursor", ""))
    total, more = capped_count(clients)
    query_string = request.GET.copy()
    query_string.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "total": total,
        "more_than": more,
        "query": query_string.urlencode(),
        "mine": _is_coach(request.user),
        "can_add": request.user.has_perm("placements.add_client"),
    }
    return render(request, "placements/client_list.html", context)


def _client_for(request: HttpRequest, pk: int) -> Client:
    """A client the user may see, with her coach and case manager; 404 for anyone else's."""
    clients = Client.objects.visible_to(request.user).select_related("coach", "case_manager")
    return get_object_or_404(clients, pk=pk)


def _url_or_empty(name: str, *args: Any) -> str:
    """The address of a page another part of the workspace adds, or "" while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@dataclass
class ConsentPurposeRow:
    """One purpose on the client page: whether it is in force today, and its history, newest first."""

    purpose: str
    label: str
    in_force: ConsentRecord | None
    history: list[ConsentRecord]


def _consent_rows(records: list[ConsentRecord], *, today: dt.date) -> list[ConsentPurposeRow]:
    """The consents per purpose, every purpose listed (Flora III.1.B: separately and revocably)."""
    rows = []
    for purpose in ConsentPurpose:
        history = [record for record in records if record.purpose == purpose.value]
        in_force = next(
            (r for r in history if r.given_on <= today and (r.withdrawn_on is None or r.withdrawn_on > today)), None
        )
        rows.append(ConsentPurposeRow(purpose.value, str(purpose.label), in_force, history))
    return rows


def _detail_context(request: HttpRequest, client: Client, **forms: Any) -> dict[str, Any]:
    """What the client page shows; `forms` replaces a form with a bound one that has errors."""
    today = timezone.localdate()
    records = list(client.consents.select_related("recorded_by", "withdrawal_recorded_by").order_by("-given_on"))
    consent_rows = _consent_rows(records, today=today)
    visits_allowed = any(r.in_force for r in consent_rows if r.purpose == ConsentPurpose.WORKPLACE_VISITS)
    context = {
        "client": client,
        "today": today,
        "placements": client.placements.visible_to(request.user).select_related("employer").order_by("-start_on"),
        "stays": ladder_history(client.ladder_positions.select_related("step"), today=today),
        "consent_rows": consent_rows,
        # Open workplace visits she has not (or no longer) consented to: the coach moves them to a call or skips them.
        "visits_without_consent": [] if visits_allowed else list(open_visit_steps(client)),
        "consent_form": ConsentForm(initial={"given_on": today}),
        "ladder_form": LadderMoveForm(initial={"on": today}),
        "can_change": request.user.has_perm("placements.change_client"),
        "agreement_url": _url_or_empty("placements:agreement", client.pk),
        "placement_new_url": _url_or_empty("placements:placement-new", client.pk),
    }
    return context | forms


@staff_view("placements.view_client")
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One client: her file, placements, consents per purpose and ladder history."""
    client = _client_for(request, pk)
    access.record(request.user, access.VIEWED, client=client)  # the access log (privacy app)
    return render(request, "placements/client_detail.html", _detail_context(request, client))


# --- Intake and her file ----------------------------------------------------------------------


@staff_view("placements.add_client", "GET", "POST")
def client_new(request: HttpRequest) -> HttpResponse:
    """Take in a client (GET shows the form with a free reference; POST opens her file)."""
    now = timezone.now()
    if request.method == "GET":
        initial: dict[str, Any] = {"reference": next_client_reference(today=timezone.localdate(now))}
        if has_role(request.user, Role.COACH):
            initial["coach"] = request.user.pk
        return render(request, "placements/client_form.html", {"form": IntakeForm(initial=initial), "new": True})
    form = IntakeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            client = take_in_client(actor=request.user, now=now, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(reference)s is taken in.") % {"reference": client.reference})
            return redirect("placements:client", client.pk)
    return render(request, "placements/client_form.html", {"form": form, "new": True})


@staff_view("placements.change_client", "GET", "POST")
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change her contact data, gender, language or case manager."""
    client = _client_for(request, pk)
    if request.method == "GET":
        form = ClientFileForm(initial={name: getattr(client, name) for name in FILE_FIELDS})
        return render(request, "placements/client_form.html", {"form": form, "client": client})
    form = ClientFileForm(request.POST)
    if form.is_valid():
        try:
            update_client(client=client, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Her file is saved."))
            if not Client.objects.visible_to(request.user).filter(pk=client.pk).exists():
                return redirect("placements:clients")
            return redirect("placements:client", client.pk)
    return render(request, "placements/client_form.html", {"form": form, "client": client})


# --- Consents ---------------------------------------------------------------------------------


@staff_view("placements.add_consentrecord", "POST")
def consent_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a consent she gave; on a mistake the client page shows the form again with what was typed."""
    client = _client_for(request, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            record = record_consent(client=client, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Consent recorded: %(purpose)s.") % {"purpose": record.get_purpose_display()})
            return redirect(reverse("placements:client", args=[client.pk]) + "#consent-title")
    return render(request, "placements/client_detail.html", _detail_context(request, client, consent_form=form))


@staff_view("placements.change_consentrecord", "GET", "POST")
def consent_withdraw(request: HttpRequest, pk: int, purpose: str) -> HttpResponse:
    """Confirm a withdrawal (GET shows what stops at once; POST records it, in force from that day)."""
    client = _client_for(request, pk)
    if purpose not in ConsentPurpose.values:
        raise Http404
    record = client.consents.filter(purpose=purpose, withdrawn_on__isnull=True).first()
    if record is None:
        messages.info(request, _("She has no consent in force for this purpose."))
        return redirect("placements:client", client.pk)
    visits: list[AftercareStep] = []
    if purpose == ConsentPurpose.WORKPLACE_VISITS:
        visits = list(open_visit_steps(client))
    if request.method == "GET":
        form = WithdrawConsentForm(initial={"withdrawn_on": timezone.localdate(), "skip_visits": bool(visits)})
    else:
        form = WithdrawConsentForm(request.POST)
        if form.is_valid():
            try:
                withdraw_consent(client=client, purpose=purpose, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                label = ConsentPurpose(purpose).label
                messages.success(request, _("Consent withdrawn: %(purpose)s.") % {"purpose": label})
                return redirect(reverse("placements:client", args=[client.pk]) + "#consent-title")
    context = {"client": client, "record": record, "purpose": purpose, "form": form, "visits": visits}
    return render(request, "placements/client_withdraw.html", context)


# --- Ladder -----------------------------------------------------------------------------------


@staff_view("placements.add_ladderposition", "POST")
def ladder_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move her up or down the ladder; on a mistake the client page shows the form again."""
    client = _client_for(request, pk)
    form = LadderMoveForm(request.POST)
    if form.is_valid():
        try:
            position = move_client_to_step(client=client, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("She is now on step %(step)s.") % {"step": position.step})
            return redirect(reverse("placements:client", args=[client.pk]) + "#ladder-title")
    return render(request, "placements/client_detail.html", _detail_context(request, client, ladder_form=form))


# --- Closing ----------------------------------------------------------------------------------

CHANGE_LABELS = {
    "added": _("Added"),
    "removed": _("Removed"),
    "cancelled": _("Cancelled"),
    "moved": _("Moved"),
    "reopened": _("Reopened"),
    "changed": _("Changed"),
}


def _preview_rows(client: Client, data: dict[str, Any], actor: Any) -> tuple[list[dict[str, Any]], Any]:
    """What closing would change to her follow-ups (the real service, rolled back), or why it would be refused."""
    placement_ids = list(client.placements.values_list("pk", flat=True))
    # A fresh row: the service writes the new status on the instance it gets, and this run is undone.
    preview = preview_schedule(
        placement_ids=placement_ids,
        run=lambda: close_client(client=Client.objects.get(pk=client.pk), actor=actor, **data),
    )
    if not preview.ok:
        return [], preview.error
    steps = AftercareStep.objects.select_related("template", "placement__employer").in_bulk(
        [change.row["pk"] for change in preview.changes]
    )
    rows = [
        {"change": CHANGE_LABELS[c.change], "step": steps.get(c.row["pk"]), "row": c.row, "old_due": c.old_due}
        for c in preview.changes
    ]
    return rows, None


@staff_view("placements.change_client", "GET", "POST")
def client_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close her file: the form (GET), what it changes to the schedule ("preview"), then the closing ("confirm")."""
    client = _client_for(request, pk)
    if client.status == ClientStatus.CLOSED:
        messages.info(request, _("This file is already closed."))
        return redirect("placements:client", client.pk)
    context: dict[str, Any] = {"client": client, "previewed": False}
    if request.method == "GET":
        context["form"] = CloseClientForm(initial={"closed_on": timezone.localdate()})
        return render(request, "placements/client_close.html", context)
    form = context["form"] = CloseClientForm(request.POST)
    if form.is_valid():
        data = {
            "reason": form.cleaned_data["closing_reason"],
            "destination": form.cleaned_data["destination"],
            "closed_on": form.cleaned_data["closed_on"],
        }
        if "confirm" in request.POST:
            try:
                close_client(client=client, actor=request.user, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The file of %(reference)s is closed.") % {"reference": client.reference})
                return redirect("placements:client", client.pk)
        else:
            rows, error = _preview_rows(client, data, request.user)
            if error is not None:
                add_service_errors(form, error)
            else:
                context.update(previewed=True, changes=rows)
    return render(request, "placements/client_close.html", context)
