"""Row-level visibility and version lookups for info packs, exposed as the InfoPack manager."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from crm.roles import Role, has_role
from placements.models import Placement

if TYPE_CHECKING:
    from outreach.models import InfoPack  # noqa: F401  (string generic)

# Staff who work with employers may generate, preview and send packs (DESIGN "Who uses it").
PACK_ROLES = (Role.RELATIONSHIP_MANAGER, Role.COACH, Role.CASE_MANAGER, Role.ADMINISTRATOR)


def can_work_with_packs(user: Any) -> bool:
    """True for relationship managers, coaches, case managers and administrators."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    names = {str(role) for role in PACK_ROLES}
    return bool(user.groups.filter(name__in=names).exists())


def sees_every_placement(user: Any) -> bool:
    """Administrators and relationship managers see every placement's pack."""
    return bool(
        getattr(user, "is_superuser", False)
        or has_role(user, Role.ADMINISTRATOR)
        or has_role(user, Role.RELATIONSHIP_MANAGER)
    )


class InfoPackQuerySet(models.QuerySet["InfoPack"]):
    """Info packs, with row-level visibility."""

    def visible_to(self, user: Any) -> InfoPackQuerySet:
        """General packs for anyone who works with packs; placement packs only for placements the user may see."""
        if not can_work_with_packs(user):
            return self.none()
        if sees_every_placement(user):
            return self
        return self.filter(Q(placement__isnull=True) | Q(placement__in=Placement.objects.visible_to(user)))

    def of_scope(self, *, employer_id: int, placement_id: int | None) -> InfoPackQuerySet:
        """All versions of one employer's general pack, or of one placement's pack."""
        if placement_id is not None:
            return self.filter(placement_id=placement_id)
        return self.filter(employer_id=employer_id, placement__isnull=True)

    def ready(self) -> InfoPackQuerySet:
        """Packs whose PDF is built."""
        return self.filter(status="ready")
