"""Shared fixtures: the named users every permission test uses, a clean language and uncached reports."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.utils import translation

from crm.roles import Role


@pytest.fixture(autouse=True)
def _site_language() -> Any:
    """Every test starts in the site language: a request through LocaleMiddleware leaves its language
    active in the thread, and the next test must not inherit it."""
    translation.deactivate()
    yield
    translation.deactivate()


def _user(username: str, role: Role | None, **extra: Any) -> User:
    user = User.objects.create_user(
        username=username, password="correct-horse-battery", email=f"{username}@werkbrug.test", **extra
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Passwords made in tests are hashed with a fast hasher (Django's advice for test suites): the
    production hasher takes a third of a second by design, and most tests make users and sign them in.
    PBKDF2 stays listed, so a password hashed with it still checks."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _reports_counted_every_time(settings: Any) -> None:
    """Reports and coverage are counted on every request in tests, as rows come and go between tests (ids
    are reused); tests/reports/test_views.py and tests/placements/test_coverage.py turn the cache on where
    they test it."""
    settings.REPORTS_CACHE_SECONDS = 0
    settings.COVERAGE_CACHE_SECONDS = 0


@pytest.fixture
def alice(db: None) -> User:
    """A coach."""
    return _user("alice", Role.COACH, first_name="Alice")


@pytest.fixture
def bob(db: None) -> User:
    """Another coach."""
    return _user("bob", Role.COACH, first_name="Bob")


@pytest.fixture
def rita(db: None) -> User:
    """A relationship manager."""
    return _user("rita", Role.RELATIONSHIP_MANAGER, first_name="Rita")


@pytest.fixture
def carl(db: None) -> User:
    """A case manager."""
    return _user("carl", Role.CASE_MANAGER, first_name="Carl")


@pytest.fixture
def adam(db: None) -> User:
    """An administrator (staff and superuser)."""
    return _user("adam", Role.ADMINISTRATOR, is_staff=True, is_superuser=True, first_name="Adam")


@pytest.fixture
def cora(db: None) -> User:
    """Another case manager."""
    return _user("cora", Role.CASE_MANAGER, first_name="Cora")
