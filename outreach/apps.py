"""Everything that goes out to employers and coaches."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    """Info packs, evaluation surveys, reminder mails and the follow-up tasks."""

    name = "outreach"
    verbose_name = _("Outreach")
