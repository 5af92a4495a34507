"""Staff pages for info packs: the section on the employer or placement page, generate, preview and send.

One set of views serves both kinds of pack; the route says which (`kind`): an employer's general
pack under employers/<pk>/pack/, a placement's pack under placements/<pk>/pack/. `_scope` finds the
employer, or the placement through Placement.objects.visible_to (a coach gets a 404 for another
coach's placement), and every pack is looked up through InfoPack.objects.visible_to within that
scope. Each view calls one service of outreach.packs.services. GET shows; POST changes.

Who may: anyone who works with packs views both kinds; the placement's staff generate and send its
pack; only relationship managers and administrators generate and send an employer's general pack
(`can_send_general_packs`), so a coach gets a 403 there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin

from common.web import HtmxHttpRequest, add_service_errors, staff_view
from crm.models import Contact, Employer
from outreach.api.views import html_preview_response, pdf_response
from outreach.packs import services as pack_services
from outreach.packs.forms import SendPackForm
from outreach.packs.models import InfoPack, InfoPackDelivery, InfoPackKind, InfoPackStatus, can_send_general_packs
from placements.models import Placement

# The send page lists at most this many deliveries of the scope's packs, newest first.
DELIVERY_LIMIT = 100


@dataclass(frozen=True)
class PackScope:
    """Whose pack a page is about: an employer's general pack, or a placement's pack."""

    employer: Employer
    placement: Placement | None = None

    @property
    def kind(self) -> str:
        return InfoPackKind.GENERAL if self.placement is None else InfoPackKind.PLACEMENT

    @property
    def pk(self) -> int:
        """The primary key in the scope's routes: the placement's, or the employer's."""
        return self.employer.pk if self.placement is None else self.placement.pk

    @property
    def names(self) -> dict[str, str]:
        """The scope's route names by action, for `{% url scope.names.preview scope.pk pack.pk %}`."""
        prefix = "outreach:employer-pack-" if self.placement is None else "outreach:placement-pack-"
        return {name: prefix + name for name in ("section", "build", "preview", "document", "pdf", "send")}

    @property
    def page_url(self) -> str:
        """The packs section of the employer or placement page."""
        if self.placement is None:
            return reverse("crm:employer", args=[self.employer.pk]) + "#packs"
        return reverse("placements:placement", args=[self.placement.pk]) + "#packs"

    @property
    def section_template(self) -> str:
        name = "employer_packs" if self.placement is None else "placement_packs"
        return f"outreach/workspace/{name}.html"

    @property
    def mentor_id(self) -> int | None:
        return self.placement.mentor_id if self.placement is not None else None

    def packs(self, user: Any) -> QuerySet[InfoPack]:
        """The scope's packs the user may see, all versions and languages."""
        placement_id = self.placement.pk if self.placement is not None else None
        return InfoPack.objects.visible_to(user).of_scope(employer_id=self.employer.pk, placement_id=placement_id)

    def context(self) -> dict[str, Any]:
        """What the section and pages need: the employer, and the placement for a placement pack."""
        extra = {"placement": self.placement} if self.placement is not None else {}
        return {"scope": self, "employer": self.employer, **extra}


def _scope(request: HttpRequest, kind: str, pk: int) -> PackScope:
    """The employer, or a placement the user may see (404 otherwise), with what the pack pages show."""
    if kind == InfoPackKind.GENERAL:
        return PackScope(employer=get_object_or_404(Employer, pk=pk))
    visible = Placement.objects.visible_to(request.user).select_related("employer", "mentor", "client")
    placement = get_object_or_404(visible, pk=pk)
    return PackScope(employer=placement.employer, placement=placement)


def _changing_scope(request: HttpRequest, kind: str, pk: int) -> PackScope:
    """The scope, when the user may generate and send its pack (403 for a coach on a general pack)."""
    scope = _scope(request, kind, pk)
    if scope.placement is None and not can_send_general_packs(request.user):
        raise PermissionDenied(_("Only relationship managers and administrators send an employer's general pack."))
    return scope


def _pack(request: HttpRequest, scope: PackScope, pack_pk: int) -> InfoPack:
    """One of the scope's packs the user may see (404 otherwise)."""
    return get_object_or_404(scope.packs(request.user).select_related("employer"), pk=pack_pk)


def _section(request: HttpRequest, scope: PackScope, **extra: Any) -> HttpResponse:
    """The packs section of the page on its own (what htmx swaps in and polls while building)."""
    return render(request, scope.section_template, {**scope.context(), **extra})


@staff_view("outreach.view_infopack")
def pack_section(request: HtmxHttpRequest, pk: int, kind: str) -> HttpResponse:
    """The packs section, for htmx; without htmx, the employer or placement page."""
    scope = _scope(request, kind, pk)
    if not request.htmx:
        return redirect(scope.page_url)
    return _section(request, scope, pack_polled=True)  # the section polls while a pack is built


@staff_view("outreach.add_infopack", "POST")
def build_pack(request: HtmxHttpRequest, pk: int, kind: str) -> HttpResponse:
    """Make the next version of the pack in its readers' languages; the builds run after commit."""
    scope = _changing_scope(request, kind, pk)
    try:
        packs = pack_services.generate_info_pack(actor=request.user, employer=scope.employer, placement=scope.placement)
    except ValidationError as exc:
        if request.htmx:
            return _section(request, scope, pack_errors=exc.messages)
        for message in exc.messages:
            messages.error(request, message)
        return redirect(scope.page_url)
    notice = _("Version %(version)s is being built.") % {"version": packs[0].version}
    if request.htmx:
        return _section(request, scope, pack_notice=notice)
    messages.success(request, notice)
    return redirect(scope.page_url)


@staff_view("outreach.view_infopack")
def preview_pack(request: HttpRequest, pk: int, pack_pk: int, kind: str) -> HttpResponse:
    """The pack as the employer reads it, in the pack's language, with links to its other languages and its PDF."""
    scope = _scope(request, kind, pk)
    pack = _pack(request, scope, pack_pk)
    context = {
        **scope.context(),
        "pack": pack,
        "languages": list(scope.packs(request.user).filter(version=pack.version).order_by("language")),
        "withheld": pack_services.withheld_reason(pack),
        "can_send": request.user.has_perm("outreach.add_infopackdelivery")
        and (scope.placement is not None or can_send_general_packs(request.user)),
    }
    return render(request, "outreach/workspace/pack_preview.html", context)


@xframe_options_sameorigin
@staff_view("outreach.view_infopack")
def pack_document(request: HttpRequest, pk: int, pack_pk: int, kind: str) -> HttpResponse:
    """The pack's HTML with today's data, framed by the preview page: what the client consented to share only."""
    scope = _scope(request, kind, pk)
    pack = _pack(request, scope, pack_pk)
    html = pack_services.preview_info_pack(
        actor=request.user,
        employer=scope.employer,
        placement=scope.placement,
        language=pack.language,
        asset_base=settings.STATIC_URL,
    )
    return html_preview_response(html)


@staff_view("outreach.view_infopack")
def pack_pdf(request: HttpRequest, pk: int, pack_pk: int, kind: str) -> HttpResponseBase:
    """The built PDF of one of the scope's packs (404 until it is built, and once withheld: Flora §8)."""
    pack = _pack(request, _scope(request, kind, pk), pack_pk)
    if pack.status != InfoPackStatus.READY:
        raise Http404(_("This pack is not built yet."))
    return pdf_response(pack)


def _contact_rows(scope: PackScope, pack: InfoPack, chosen: set[int]) -> list[dict[str, Any]]:
    """The employer's active contacts, the mentor first, with their language and whether that version is built in it."""
    ready = set(
        InfoPack.objects.of_scope(employer_id=pack.employer_id, placement_id=pack.placement_id)
        .filter(version=pack.version, status=InfoPackStatus.READY)
        .values_list("language", flat=True)
    )
    contacts = Contact.objects.filter(employer=scope.employer, is_active=True).order_by("last_name", "pk")
    rows = [
        {
            "contact": contact,
            "is_mentor": contact.pk == scope.mentor_id,
            "checked": contact.pk in chosen,
            "ready": contact.preferred_language in ready,
        }
        for contact in contacts
    ]
    return sorted(rows, key=lambda row: not row["is_mentor"])


def _deliveries(request: HttpRequest, scope: PackScope) -> list[InfoPackDelivery]:
    """Who the scope's packs were mailed to and how it went, newest first; one query."""
    return list(
        InfoPackDelivery.objects.filter(pack__in=scope.packs(request.user))
        .select_related("contact", "pack")
        .order_by("-created_at", "-pk")[:DELIVERY_LIMIT]
    )


@staff_view("outreach.add_infopackdelivery", "GET", "POST")
def send_pack(request: HttpRequest, pk: int, pack_pk: int, kind: str) -> HttpResponse:
    """Choose the employer's contacts (GET) and mail them this version, each in her language (POST)."""
    scope = _changing_scope(request, kind, pk)
    pack = _pack(request, scope, pack_pk)
    if request.method == "POST":
        form = SendPackForm(request.POST)
        if form.is_valid():
            try:
                sent = pack_services.send_info_pack(
                    pack=pack, contacts=form.cleaned_data["contacts"], actor=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                count = len(sent)
                messages.success(
                    request,
                    ngettext(
                        "The pack is queued for %(count)d contact.", "The pack is queued for %(count)d contacts.", count
                    )
                    % {"count": count},
                )
                return HttpResponseRedirect(request.path)
        chosen = {int(value) for value in request.POST.getlist("contacts") if value.isdigit()}
        status = 400
    else:
        form = SendPackForm()
        chosen = {scope.mentor_id} if scope.mentor_id else set()
        status = 200
    context = {
        **scope.context(),
        "pack": pack,
        "form": form,
        "contact_rows": _contact_rows(scope, pack, chosen),
        "deliveries": _deliveries(request, scope),
    }
    return render(request, "outreach/workspace/pack_send.html", context, status=status)
