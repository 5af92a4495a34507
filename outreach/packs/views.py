"""Staff pages for a placement's info pack: the section on the placement page, generate, preview and send.

Every view finds the placement through Placement.objects.visible_to and the pack through
InfoPack.objects.visible_to, so a coach gets a 404 for another coach's placement, and calls one
service of outreach.packs.services. GET shows; POST changes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin

from common.web import HtmxHttpRequest, add_service_errors, staff_view
from crm.models import Contact
from outreach.api.views import html_preview_response, pdf_response
from outreach.packs import services as pack_services
from outreach.packs.forms import SendPackForm
from outreach.packs.models import InfoPack, InfoPackDelivery, InfoPackStatus
from placements.models import Placement

SECTION_TEMPLATE = "outreach/workspace/placement_packs.html"
# The send page lists at most this many deliveries of the placement's packs, newest first.
DELIVERY_LIMIT = 100


def _placement(request: HttpRequest, pk: int) -> Placement:
    """A placement the user may see (404 otherwise), with what the pack pages show."""
    visible = Placement.objects.visible_to(request.user).select_related("employer", "mentor", "client")
    return get_object_or_404(visible, pk=pk)


def _pack(request: HttpRequest, placement: Placement, pack_pk: int) -> InfoPack:
    """One of the placement's packs the user may see (404 otherwise)."""
    packs = InfoPack.objects.visible_to(request.user).filter(placement=placement).select_related("employer")
    return get_object_or_404(packs, pk=pack_pk)


def _placement_url(placement: Placement) -> str:
    return reverse("placements:placement", args=[placement.pk]) + "#packs"


def _section(request: HttpRequest, placement: Placement, **extra: Any) -> HttpResponse:
    """The packs section of the placement page on its own (what htmx swaps in and polls while building)."""
    return render(request, SECTION_TEMPLATE, {"placement": placement, **extra})


@staff_view("outreach.view_infopack")
def placement_pack_section(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The packs section, for htmx; without htmx, the placement page."""
    placement = _placement(request, pk)
    if not request.htmx:
        return redirect(_placement_url(placement))
    return _section(request, placement)


@staff_view("outreach.add_infopack", "POST")
def build_placement_pack(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Make the next version of the placement's pack in its readers' languages; the builds run after commit."""
    placement = _placement(request, pk)
    try:
        packs = pack_services.generate_info_pack(actor=request.user, placement=placement)
    except ValidationError as exc:
        if request.htmx:
            return _section(request, placement, pack_errors=exc.messages)
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_placement_url(placement))
    notice = _("Version %(version)s is being built.") % {"version": packs[0].version}
    if request.htmx:
        return _section(request, placement, pack_notice=notice)
    messages.success(request, notice)
    return redirect(_placement_url(placement))


@staff_view("outreach.view_infopack")
def preview_placement_pack(request: HttpRequest, pk: int, pack_pk: int) -> HttpResponse:
    """The pack as the employer reads it, in the pack's language, with links to its other languages and its PDF."""
    placement = _placement(request, pk)
    pack = _pack(request, placement, pack_pk)
    languages = (
        InfoPack.objects.visible_to(request.user).filter(placement=placement, version=pack.version).order_by("language")
    )
    context = {
        "placement": placement,
        "pack": pack,
        "languages": list(languages),
        "withheld": pack_services.withheld_reason(pack),
    }
    return render(request, "outreach/workspace/pack_preview.html", context)


@xframe_options_sameorigin
@staff_view("outreach.view_infopack")
def placement_pack_document(request: HttpRequest, pk: int, pack_pk: int) -> HttpResponse:
    """The pack's HTML with today's data, framed by the preview page: what the client consented to share only."""
    placement = _placement(request, pk)
    pack = _pack(request, placement, pack_pk)
    html = pack_services.preview_info_pack(
        actor=request.user,
        employer=placement.employer,
        placement=placement,
        language=pack.language,
        asset_base=settings.STATIC_URL,
    )
    return html_preview_response(html)


@staff_view("outreach.view_infopack")
def placement_pack_pdf(request: HttpRequest, pk: int, pack_pk: int) -> HttpResponseBase:
    """The built PDF of one of the placement's packs (404 until it is built, and once withheld: Flora §8)."""
    pack = _pack(request, _placement(request, pk), pack_pk)
    if pack.status != InfoPackStatus.READY:
        raise Http404(_("This pack is not built yet."))
    return pdf_response(pack)


def _contact_rows(placement: Placement, pack: InfoPack, chosen: set[int]) -> list[dict[str, Any]]:
    """The employer's active contacts, mentor first, with their language and whether that version is built in it."""
    ready = set(
        InfoPack.objects.filter(placement=placement, version=pack.version, status=InfoPackStatus.READY).values_list(
            "language", flat=True
        )
    )
    contacts = Contact.objects.filter(employer=placement.employer, is_active=True).order_by("last_name", "pk")
    rows = [
        {
            "contact": contact,
            "is_mentor": contact.pk == placement.mentor_id,
            "checked": contact.pk in chosen,
            "ready": contact.preferred_language in ready,
        }
        for contact in contacts
    ]
    return sorted(rows, key=lambda row: not row["is_mentor"])


def _deliveries(request: HttpRequest, placement: Placement) -> list[InfoPackDelivery]:
    """Who the placement's packs were mailed to and how it went, newest first; one query."""
    packs = InfoPack.objects.visible_to(request.user).filter(placement=placement)
    return list(
        InfoPackDelivery.objects.filter(pack__in=packs)
        .select_related("contact", "pack")
        .order_by("-created_at", "-pk")[:DELIVERY_LIMIT]
    )


@staff_view("outreach.add_infopackdelivery", "GET", "POST")
def send_placement_pack(request: HttpRequest, pk: int, pack_pk: int) -> HttpResponse:
    """Choose the employer's contacts (GET) and mail them this version, each in her language (POST)."""
    placement = _placement(request, pk)
    pack = _pack(request, placement, pack_pk)
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
        chosen = {placement.mentor_id} if placement.mentor_id else set()
        status = 200
    context = {
        "placement": placement,
        "pack": pack,
        "form": form,
        "contact_rows": _contact_rows(placement, pack, chosen),
        "deliveries": _deliveries(request, placement),
    }
    return render(request, "outreach/workspace/pack_send.html", context, status=status)
