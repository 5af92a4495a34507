"""The coaching agreement in the workspace (Flora III.4 "contract"): the version in force, its history, revising it.

Agreements are casework: the pages need `placements.view_coachingagreement`, which relationship
managers do not have, and the client is loaded through `Client.objects.visible_to(user)`, so a coach
who types another coach's client into the address bar gets a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.web import add_service_errors, staff_view
from placements.choices import ConsentPurpose
from placements.models import Client, CoachingAgreement
from placements.services import revise_agreement
from placements.services.agreements import AGREEMENT_FIELDS, TERMS, changed_terms

_TEXT = forms.Textarea(attrs={"rows": 3})


class AgreementForm(forms.Form):
    """The terms of the next version, with the day they were agreed and what changed (Flora III.4)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """The model's own fields (labels, limits, help texts), then the change note; the service decides the rest."""
        super().__init__(*args, **kwargs)
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            name: _TEXT for name in TERMS if name not in ("duration_weeks", "contact_rhythm")
        }
        widgets["agreed_on"] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields.update(fields_for_model(CoachingAgreement, fields=AGREEMENT_FIELDS, widgets=widgets))
        self.fields["agreed_on"].required = True
        self.fields["change_note"] = forms.CharField(
            label=gettext_lazy("What changed and why"),
            max_length=300,
            required=False,
            help_text=gettext_lazy("Needed for every version after the first."),
        )


def _client(request: HttpRequest, pk: int) -> Client:
    """A client the user may see, or 404."""
    return get_object_or_404(Client.objects.visible_to(request.user).select_related("coach"), pk=pk)


def _versions(client: Client) -> list[CoachingAgreement]:
    """Every version of the client's agreement, newest first, with who wrote it."""
    return list(client.agreements.select_related("created_by").order_by("-version"))


def _labels(names: list[str]) -> list[str]:
    """The labels of agreement fields, as the forms and pages show them."""
    fields = {field.name: field for field in CoachingAgreement._meta.concrete_fields}
    return [str(fields[name].verbose_name) for name in names]


def _sharing(client: Client, agreement: CoachingAgreement | None, *, today: dt.date) -> dict[str, Any]:
    """Whether she consents to sharing today, and what the employer may read today (Flora III.1.B)."""
    consented = client.has_consent(ConsentPurpose.SHARE_WITH_EMPLOYER, on=today)
    return {
        "sharing_consented": consented,
        "shared_today": agreement.shareable_text(on=today) if agreement is not None else "",
    }


@staff_view("placements.view_coachingagreement")
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """The version in force, everything it says, and the history of versions."""
    client = _client(request, pk)
    versions = _versions(client)
    current = next((version for version in versions if version.is_current), None)
    today = timezone.localdate()
    context = {"client": client, "agreement": current, "versions": versions, "today": today}
    context |= _sharing(client, current, today=today)
    return render(request, "placements/agreement.html", context)


@staff_view("placements.add_coachingagreement", "GET", "POST")
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The form for the next version, prefilled with the one in force (GET); save it as a new version (POST)."""
    client = _client(request, pk)
    current = client.current_agreement()
    if request.method == "POST":
        form = AgreementForm(request.POST)
        if form.is_valid():
            terms = {name: form.cleaned_data[name] for name in AGREEMENT_FIELDS}
            try:
                version = revise_agreement(
                    client=client, actor=request.user, fields=terms, change_note=form.cleaned_data["change_note"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Version %(version)s of the agreement is in force.") % {"version": version.version}
                )
                return redirect("placements:agreement", pk=client.pk)
    else:
        initial = {name: getattr(current, name) for name in TERMS} if current is not None else {}
        form = AgreementForm(initial=initial | {"agreed_on": timezone.localdate()})
    today = timezone.localdate()
    context = {"client": client, "agreement": current, "form": form}
    context |= _sharing(client, current, today=today)
    return render(request, "placements/agreement_edit.html", context)


@staff_view("placements.view_coachingagreement")
def agreement_version(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    """One version as a printable page with signature lines, and what changed since the version before."""
    client = _client(request, pk)
    versions = _versions(client)
    shown = next((row for row in versions if row.version == version), None)
    if shown is None:
        raise Http404(_("This version does not exist."))
    previous = next((row for row in versions if row.version < version), None)
    context = {
        "client": client,
        "agreement": shown,
        "previous": previous,
        "changes": _labels(changed_terms(previous, shown)) if previous is not None else [],
        "today": timezone.localdate(),
    }
    return render(request, "placements/agreement_version.html", context)
