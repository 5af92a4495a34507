"""The form staff use to send a placement pack: which of the employer's contacts receive it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.models import Contact


class SendPackForm(forms.Form):
    """The contacts to mail the pack to; whether each may receive it is the service's decision (send_info_pack)."""

    # Any contact id is accepted here so that the service refuses a wrong one by name (another employer,
    # no email address) instead of the form saying only "not a valid choice".
    contacts = forms.ModelMultipleChoiceField(
        label=_("Send to"),
        queryset=Contact.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The template lists the employer's contacts itself; the widget must not render every contact.
        self.fields["contacts"].widget.choices = []
