"""Forms of the placements app: the extra fields admin actions ask for, and the workspace's inline forms."""

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


# --- Workspace ------------------------------------------------------------------------------
# The coach's follow-up list (placements/views/followups.py): one small form per action, inline in the list.


class CompleteStepForm(forms.Form):
    """Record a follow-up as done: what came of it, minutes spent and a note."""

    outcome = forms.CharField(label=_("Outcome"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    minutes_spent = forms.IntegerField(label=_("Minutes"), required=False, min_value=0, max_value=24 * 60)
    notes = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class MoveStepForm(forms.Form):
    """Give a follow-up another date, with the reason."""

    due_on = forms.DateField(label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Why"), max_length=300)


class ClientFilterForm(forms.Form):
    """Search the client list by reference or first name, and show open or all files."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    closed = forms.BooleanField(label=_("Include closed files"), required=False)
