"""The admins of outreach's sub-packages, imported so Django's admin autodiscovery registers them."""

from outreach.followups import admin as followups_admin
from outreach.packs import admin as packs_admin
from outreach.surveys import admin as surveys_admin

__all__ = ["followups_admin", "packs_admin", "surveys_admin"]
