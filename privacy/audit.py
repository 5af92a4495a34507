"""The audit trail of changes: django-auditlog on the client's rows (Flora §8.2: changes and access are audited).

Client, ConsentRecord, CoachingAgreement and Placement are registered here rather than in placements, which
stays free of privacy code. auditlog listens to save and delete signals; the placements services also
change rows with conditional bulk updates (`Client.objects.filter(pk=...).update(...)`, which send no
signal), so the managers of these models get a queryset whose `update()` writes the same entries
(AuditedUpdates): the rows are read before and after, and each changed row gets its entry.

Each entry of a related row keeps its client's id in `serialized_data` (`{"fields": {"client": <id>}}`),
so a client's history includes rows since deleted. Entries are append-only for staff (privacy.admin);
the one rewrite is erasure, which masks her personal values (privacy.erasure) because the right to
erasure covers the log too.
"""

from __future__ import annotations

from typing import Any

from auditlog.context import auditlog_disabled
from auditlog.models import LogEntry
from auditlog.receivers import _create_log_entry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

# Timestamps that change on every save and say nothing about what changed.
_NOISE = ["updated_at", "created_at"]


def audited_models() -> list[Any]:
    """The models whose changes are kept."""
    from placements.models import Client, CoachingAgreement, ConsentRecord, Placement

    return [Client, ConsentRecord, CoachingAgreement, Placement]


class AuditedUpdates(QuerySet[Any]):
    """A queryset whose bulk `update()` leaves the audit entries a `save()` would have left."""

    def update(self, **kwargs: Any) -> int:
        """Update the rows, then log each changed row with its before and after values."""
        fields = [name for name in kwargs if name not in _NOISE]
        if not fields or auditlog_disabled.get() or not auditlog.contains(self.model):
            return super().update(**kwargs)
        rows = self.model._base_manager.filter(pk__in=list(self.values_list("pk", flat=True)))
        before = {row.pk: row for row in rows}
        count = super().update(**kwargs)
        for row in self.model._base_manager.filter(pk__in=list(before)):
            _create_log_entry(
                action=LogEntry.Action.UPDATE,
                instance=row,
                sender=self.model,
                diff_old=before[row.pk],
                diff_new=row,
                fields_to_check=fields,
                use_json_for_changes=getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False),
            )
        return count


def _audit_bulk_updates(model: type[Model]) -> None:
    """Give the model's managers (its own and the related ones built from it) the audited queryset."""
    manager_class = type(model._default_manager)
    queryset_class = manager_class._queryset_class  # type: ignore[attr-defined]
    if not issubclass(queryset_class, AuditedUpdates):
        audited = type(f"Audited{queryset_class.__name__}", (AuditedUpdates, queryset_class), {})
        manager_class._queryset_class = audited  # type: ignore[attr-defined]


def register_models() -> None:
    """Register the client's rows with auditlog, bulk updates included (idempotent)."""
    client_model, *related = audited_models()
    if not auditlog.contains(client_model):
        auditlog.register(client_model, exclude_fields=_NOISE)
    for model in related:
        if not auditlog.contains(model):
            auditlog.register(
                model, exclude_fields=_NOISE, serialize_data=True, serialize_kwargs={"fields": ["client"]}
            )
    for model in (client_model, *related):
        _audit_bulk_updates(model)


def entries_for_client(client: Any) -> QuerySet[LogEntry]:
    """Every audit entry about the client and her consents, agreements and placements, newest first."""
    client_model, *related = audited_models()
    types = ContentType.objects.get_for_models(client_model, *related)
    own = Q(content_type=types[client_model], object_id=client.pk)
    rows = Q(content_type__in=[types[model] for model in related], serialized_data__fields__client=client.pk)
    return LogEntry.objects.filter(own | rows).select_related("actor", "content_type").order_by("-timestamp", "-pk")
