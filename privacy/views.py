"""The administrator's privacy actions on a client's page: her subject-access export and erasure of her file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from crm.roles import Role, has_role
from placements.models import Client
from privacy import access, erasure, sar
from privacy.models import AccessKind


def _client_for_administrator(request: HttpRequest, pk: int) -> Client:
    """The client, for an administrator only (403 for anyone else, 404 for an unknown client)."""
    if not has_role(request.user, Role.ADMINISTRATOR):
        raise PermissionDenied
    return get_object_or_404(Client, pk=pk)


@login_required
@require_POST
def subject_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Download everything held about the client as a ZIP (PDF and JSON); the export is logged."""
    client = _client_for_administrator(request, pk)
    data = sar.export_client(client)
    access.record(request.user, AccessKind.SUBJECT_ACCESS, client=client, detail="ZIP with PDF and JSON")
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{client.reference}.zip"'
    response["Cache-Control"] = "no-store"
    return response


class EraseForm(forms.Form):
    """Erasure is confirmed by typing the client's reference."""

    reference = forms.CharField(label=gettext_lazy("Type her reference to confirm"), max_length=32)

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def clean_reference(self) -> str:
        """The typed reference must be hers."""
        typed: str = self.cleaned_data["reference"].strip()
        if typed != self.client.reference:
            raise ValidationError(_("That is not this client's reference; nothing was erased."))
        return typed


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST erases her personal data and goes back to her page."""
    client = _client_for_administrator(request, pk)
    form = EraseForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        try:
            erasure.erase_client(client, request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Her personal data was erased; her reference and the counts remain."))
            return redirect("placements:client", pk=client.pk)
    context = {"client": client, "form": form, "erased": erasure.is_erased(client)}
    return render(request, "privacy/erase_confirm.html", context, status=400 if form.errors else 200)
