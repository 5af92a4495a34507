"""Clients and placements as the coach sees them.

Row-level privacy comes from the querysets' `visible_to(user)`: a coach who types another coach's
client or placement into the address bar gets a 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from common.pagination import capped_count, keyset_page
from common.web import staff_view
from crm.roles import Role, has_role
from placements.choices import ClientStatus
from placements.forms import ClientFilterForm
from placements.models import Client, Placement

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
    }
    return render(request, "placements/client_list.html", context)


@staff_view("placements.view_client")
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One client: her placements and ladder history."""
    client = get_object_or_404(Client.objects.visible_to(request.user).select_related("coach", "case_manager"), pk=pk)
    context = {
        "client": client,
        "placements": client.placements.visible_to(request.user).select_related("employer").order_by("-start_on"),
        "positions": client.ladder_positions.select_related("step").order_by("-entered_on", "-pk"),
        "consents": client.consents.order_by("purpose", "-given_on"),
    }
    return render(request, "placements/client_detail.html", context)
