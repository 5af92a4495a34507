"""Forms of the placements app: the extra fields admin actions ask for."""

from __future__ import annotations

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _


class PlacementActionForm(ActionForm):
    """The placement list's action bar, with the reason a cancellation or end needs."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class StepActionForm(ActionForm):
    """The step list's action bar: the outcome of a completed step, or why it is skipped, and minutes spent."""

    text = forms.CharField(label=_("Outcome or reason"), required=False, max_length=300)
    minutes = forms.IntegerField(label=_("Minutes spent"), required=False, min_value=0, max_value=24 * 60)
