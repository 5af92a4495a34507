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
        # No client: she sees the placements at her employers without the client's file (Flora III.1.B).
        "placements": {
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
    """Administrators (superusers too) read every client's file and every placement: they lead the network.

    Everyone else reads the files of the clients she coaches or supervises (placements.querysets
    client_access_q); a relationship manager reads none as such (Flora III.1.B, share what the purpose needs;
    analysis §8.2: "employer, contact, vacancy and placement metadata only").
    """
    return has_role(user, Role.ADMINISTRATOR)


def sees_placements_at_own_employers(user: object) -> bool:
    """Relationship managers see the placements at the employers they own, without the client's file.

    The placement's reference, dates, status and mentor are her work with the employer; the client's name,
    contact data, gender, consents, agreement and notes are not (Flora III.1.B; analysis §6.5, §8.2), unless
    she also coaches the client (placements.querysets placement_access_q and placement_casework_q).
    """
    return has_role(user, Role.RELATIONSHIP_MANAGER)


def works_with_every_employer(user: object) -> bool:
    """Administrators and relationship managers act for the whole employer network (e.g. ask a declined employer)."""
    return has_role(user, Role.ADMINISTRATOR) or has_role(user, Role.RELATIONSHIP_MANAGER)


def may_change_interaction(user: object, interaction: Any) -> bool:
    """Only its author or an administrator changes or deletes an interaction (the one rule, crm.querysets uses it).

    Every staff role reads the employer's timeline; what someone wrote down stays hers to correct.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if has_role(user, Role.ADMINISTRATOR):
        return True
    author_id = getattr(interaction, "author_id", None)
    return author_id is not None and author_id == getattr(user, "pk", None)
