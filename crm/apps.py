"""The employer network app."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(sender: AppConfig, **kwargs: Any) -> None:
    """Create the role groups once every app's permissions exist."""
    from crm.roles import ensure_roles

    ensure_roles(using=kwargs.get("using", "default"))


class CrmConfig(AppConfig):
    """Employers, contacts, interactions, vacancies and the progression ladder."""

    name = "crm"
    verbose_name = _("Employer network")

    def ready(self) -> None:
        # Infrastructure, not domain flow: groups need the permissions that post_migrate creates.
        post_migrate.connect(_ensure_roles, dispatch_uid="crm.ensure_roles")
