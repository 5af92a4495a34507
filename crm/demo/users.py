"""The demo users: one login per role, with a published password, for local try-outs only."""

from __future__ import annotations

from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from crm.roles import Role, ensure_roles

# Published in the README and printed by `make run`: never create these users on a server.
DEMO_PASSWORD = "werkbrug"  # noqa: S105


class DemoUser(NamedTuple):
    """A demo login and the role it plays."""

    username: str
    first_name: str
    last_name: str
    role: Role


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "Anouk", "de Wit", Role.ADMINISTRATOR),
    DemoUser("rita", "Rita", "Verhoeven", Role.RELATIONSHIP_MANAGER),
    DemoUser("sven", "Sven", "Lindqvist", Role.RELATIONSHIP_MANAGER),
    DemoUser("alice", "Alice", "Bakker", Role.COACH),
    DemoUser("bob", "Bob", "Mertens", Role.COACH),
    DemoUser("carl", "Carl", "Nilsson", Role.CASE_MANAGER),
)


@transaction.atomic
def ensure_demo_users() -> list[tuple[DemoUser, bool]]:
    """Create the missing demo users (staff, in their role's group); existing ones keep their password.

    Returns each demo user with True when it was created now.
    """
    ensure_roles()
    user_model = get_user_model()
    groups = {group.name: group for group in Group.objects.filter(name__in=[u.role for u in DEMO_USERS])}
    result: list[tuple[DemoUser, bool]] = []
    for demo in DEMO_USERS:
        is_admin = demo.role == Role.ADMINISTRATOR
        user, created = user_model.objects.get_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@werkbrug.example",
                "is_staff": True,
                "is_superuser": is_admin,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        elif not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(groups[demo.role])
        result.append((demo, created))
    return result
