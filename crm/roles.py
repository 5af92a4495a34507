"""Roles are Django groups with model permissions; this module is the one place that defines them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The kinds of staff user; each is a group of the same name."""

    RELATIONSHIP_MANAGER = "relationship_manager", _("Relationship manager")
    COACH = "coach", _("Coach")
    CASE_MANAGER = "case_manager", _("Case manager")
    ADMINISTRATOR = "administrator", _("Administrator")


_ALL = ("view", "add", "change", "delete")

# What every staff role may do with outgoing mail and info packs.
_OUTREACH_STAFF: dict[str, tuple[str, ...]] = {
    "followupnotice": ("view",),
    "coachdigest": ("view",),
    "programmeprofile": ("view",),
    "staffcard": ("view",),
    "infopack": ("view", "add"),
    "infopackdelivery": ("view", "add"),
    # Coaches resend or cancel the survey links of the placements they see (row-level in the API).
    "surveytemplate": ("view",),
    "question": ("view",),
    "surveyinvitation": ("view", "add", "change"),
    "surveyresponse": ("view",),
    "answer": ("view",),
}

# Coaches and case managers do the same casework; which clients they see is row-level
# (placements.querysets visible_to), not a matter of model permissions.
_CASEWORK: dict[str, dict[str, tuple[str, ...]]] = {
    "crm": {
        "employer": ("view",),
        "employerstagechange": ("view",),
        "contact": ("view",),
        "interaction": ("view", "add", "change"),
        "vacancy": ("view",),
        "ladderstep": ("view",),
    },
    "placements": {
        "client": _ALL,
        "ladderposition": _ALL,
        "consentrecord": _ALL,
        "placement": _ALL,
        "coachingagreement": _ALL,
        "aftercarestep": _ALL,
        "aftercareplan": ("view",),
        "aftercaresteptemplate": ("view",),
    },
    "outreach": _OUTREACH_STAFF,
}

# app_label -> model -> actions, per role. Models of apps that are not installed yet are skipped,
# so later apps add their entries here and the next migrate grants them.
ROLE_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    Role.RELATIONSHIP_MANAGER: {
        "crm": {
            "employer": _ALL,
            "employerstagechange": ("view",),
            "contact": _ALL,
            "interaction": _ALL,
            "vacancy": _ALL,
            "ladderstep": ("view",),
        },
        "placements": {
            "client": ("view",),
            "placement": ("view",),
            "aftercarestep": ("view",),
            "aftercareplan": ("view",),
            "aftercaresteptemplate": ("view",),
        },
        "outreach": _OUTREACH_STAFF,
    },
    Role.COACH: _CASEWORK,
    # A case manager leads teams: the team page (placements/views/team.py) is his, not the coaches'.
    Role.CASE_MANAGER: {**_CASEWORK, "placements": {**_CASEWORK["placements"], "team": ("view",)}},
    Role.ADMINISTRATOR: {
        "crm": {
            "employer": _ALL,
            "employerstagechange": ("view",),
            "contact": _ALL,
            "interaction": _ALL,
            "vacancy": _ALL,
            "ladderstep": _ALL,
        },
        "placements": {
            "client": _ALL,
            "ladderposition": _ALL,
            "consentrecord": _ALL,
            "placement": _ALL,
            "coachingagreement": _ALL,
            "aftercarestep": _ALL,
            "aftercareplan": _ALL,
            "aftercaresteptemplate": _ALL,
            "team": _ALL,
        },
        "outreach": {
            "followupnotice": ("view", "change"),
            "coachdigest": ("view", "change"),
            "programmeprofile": _ALL,
            "staffcard": _ALL,
            "infopack": _ALL,
            "infopackdelivery": ("view", "add"),
            "surveytemplate": _ALL,
            "question": _ALL,
            "surveyinvitation": ("view", "add", "change"),
            "surveyresponse": ("view",),
            "answer": ("view",),
        },
    },
}


def ensure_roles(*, using: str = "default") -> dict[str, int]:
    """Create or update the role groups; returns the number of permissions per group."""
    granted: dict[str, int] = {}
    for role, apps in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        codenames = [
            f"{action}_{model}"
            for app_models in apps.values()
            for model, actions in app_models.items()
            for action in actions
        ]
        perms = Permission.objects.using(using).filter(content_type__app_label__in=list(apps), codename__in=codenames)
        group.permissions.set(perms)
        granted[str(role)] = len(codenames)
    return granted


def roles_of(user: Any) -> frozenset[str]:
    """The names of the user's role groups, read once and kept on the user object.

    Like Django's ModelBackend with `_perm_cache`, the first call per user object runs one query and later
    calls reuse it, so a page that checks roles in its view, its templates and its querysets still reads
    them once per request. A user whose groups change is seen anew on the next request (a fresh object).
    """
    if not getattr(user, "is_authenticated", False) or getattr(user, "groups", None) is None:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_role_cache", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        user._role_cache = cached
    return cached


def has_role(user: object, role: Role) -> bool:
    """True when the user is in the role's group (superusers count as administrators)."""
    if getattr(user, "is_superuser", False) and role == Role.ADMINISTRATOR:
        return True
    return str(role) in roles_of(user)


def sees_every_client(user: object) -> bool:
    """Administrators (superusers too) and relationship managers see every client and placement.

    They own the network, not a caseload; coaches and case managers see their own clients only
    (placements.querysets.placement_access_q).
    """
    return has_role(user, Role.ADMINISTRATOR) or has_role(user, Role.RELATIONSHIP_MANAGER)
