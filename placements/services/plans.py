"""Aftercare plans: revised in place until used, then versioned."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.types import Actor
from placements.choices import (
    PlacementStatus,
)
from placements.models import (
    AftercarePlan,
    AftercareStep,
    AftercareStepTemplate,
    KindPlan,
    Placement,
)

# --- Plans ------------------------------------------------------------------------------------

TEMPLATE_FIELDS = ("order", "title", "title_nl", "title_sv", "track", "kind", "anchor", "offset_days", "assignee_role")
PLAN_FIELDS = ("name", "description", "counts_working_days", "is_active")


def plan_is_used(plan: AftercarePlan) -> bool:
    """A placement has been given steps from this plan, so it must not change under it."""
    return AftercareStep.objects.filter(template__plan=plan).exists()


def template_rows(plan: AftercarePlan) -> list[dict[str, Any]]:
    """A plan's templates as plain values."""
    return list(plan.templates.order_by("order").values(*TEMPLATE_FIELDS))


def _create_templates(plan: AftercarePlan, rows: list[dict[str, Any]]) -> None:
    """Validate and create a plan's templates."""
    for row in rows:
        template = AftercareStepTemplate(plan=plan, **{k: v for k, v in row.items() if k in TEMPLATE_FIELDS})
        template.full_clean(validate_unique=False)
        template.save()


@transaction.atomic
def revise_plan(
    *,
    plan: AftercarePlan,
    actor: Actor,
    changes: dict[str, Any] | None = None,
    templates: list[dict[str, Any]] | None = None,
) -> AftercarePlan:
    """Change a plan; once used it becomes a new version, so existing placements keep their schedule.

    An unused plan changes in place. A used one is copied to version n+1 with `previous` set; the
    copy takes over the default flag and the kinds of placement that were proposed the old version,
    the old version is retired (inactive), and planned placements that pointed at it follow the new
    version. `templates` replaces the whole list of steps.
    """
    changes = {k: v for k, v in (changes or {}).items() if k in PLAN_FIELDS}
    rows = templates if templates is not None else template_rows(plan)
    locked = AftercarePlan.objects.select_for_update().get(pk=plan.pk)
    if not plan_is_used(locked):
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.full_clean()
        locked.save()
        if templates is not None:
            locked.templates.all().delete()
            _create_templates(locked, rows)
        return locked
    name = changes.pop("name", locked.name)
    latest = AftercarePlan.objects.filter(name=name).order_by("-version").values_list("version", flat=True).first()
    new = AftercarePlan(name=name, version=(latest or 0) + 1, previous=locked, description=locked.description)
    new.counts_working_days, new.is_active = locked.counts_working_days, True
    for field, value in changes.items():
        setattr(new, field, value)
    new.full_clean()
    was_default = locked.is_default
    AftercarePlan.objects.filter(pk=locked.pk).update(is_default=False, is_active=False)
    new.is_default = was_default
    new.save()
    _create_templates(new, rows)
    KindPlan.objects.filter(plan=locked).update(plan=new)
    Placement.objects.filter(plan=locked, status=PlacementStatus.PLANNED).update(plan=new)
    return new


@transaction.atomic
def make_default_plan(*, plan: AftercarePlan, actor: Actor) -> AftercarePlan:
    """Make this plan the one placements without a plan of their own follow."""
    if not plan.is_active:
        raise ValidationError({"is_default": _("A retired plan cannot be the default.")})
    AftercarePlan.objects.filter(is_default=True).exclude(pk=plan.pk).update(is_default=False)
    AftercarePlan.objects.filter(pk=plan.pk).update(is_default=True)
    plan.is_default = True
    return plan
