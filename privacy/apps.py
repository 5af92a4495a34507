"""The privacy app: who changed and who looked at a client's file, her subject-access export, erasure and retention."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Registers the audited models with django-auditlog and logs the admin's exports when the app is ready."""

    name = "privacy"
    verbose_name = _("Privacy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Audit the client's rows; record every admin export as an access event."""
        from import_export.signals import post_export

        from common.access import accessed
        from privacy import access, audit

        audit.register_models()
        post_export.connect(access.record_admin_export, dispatch_uid="privacy.admin_export")
        accessed.connect(access.on_accessed, dispatch_uid="privacy.accessed")
