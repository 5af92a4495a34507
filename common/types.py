"""Types every app's services share, and how a staff member is named."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# Who runs a service, for the audit trail: a user, an anonymous visitor (a public page), or None (the system).
Actor = AbstractBaseUser | AnonymousUser | None


def actor_user(actor: Actor) -> Any:
    """The actor as a user row to store (`created_by`, `changed_by`), or None for the system and anonymous users."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def display_name(user: Any) -> str:
    """A staff member's full name, else the username."""
    return str(user.get_full_name() or user.get_username())
