"""The reports app holds no models: it aggregates what crm, placements and outreach keep."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Programme reports for the network lead, case managers, coaches and relationship managers."""

    name = "reports"
    verbose_name = _("Reports")
