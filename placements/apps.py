"""Clients, placements and their aftercare."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    """Clients, placements, coaching agreements, aftercare plans and steps."""

    name = "placements"
    verbose_name = _("Placements")
