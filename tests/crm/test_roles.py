"""Roles: read once per user object, superusers count as administrators."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User

from crm.roles import (
    ROLE_PERMISSIONS,
    Role,
    has_role,
    roles_of,
    sees_every_client,
    sees_placements_at_own_employers,
    works_with_every_employer,
)
from tests.placements.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_users_roles_are_read_in_one_query_however_often_they_are_checked(carl, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert roles_of(carl) == {Role.CASE_MANAGER}
        assert has_role(carl, Role.CASE_MANAGER)
        assert not has_role(carl, Role.COACH)
        assert not sees_every_client(carl)


def test_a_fresh_user_object_sees_a_changed_role(alice):
    assert has_role(alice, Role.COACH)

    alice.groups.set([Group.objects.get(name=Role.RELATIONSHIP_MANAGER)])

    fresh = User.objects.get(pk=alice.pk)
    assert roles_of(fresh) == {Role.RELATIONSHIP_MANAGER} and sees_placements_at_own_employers(fresh)
    assert roles_of(alice) == {Role.COACH}  # the object read before the change keeps what it read


def test_groups_that_are_not_roles_are_left_out(alice):
    alice.groups.add(Group.objects.create(name="newsletter"))

    assert roles_of(User.objects.get(pk=alice.pk)) == {Role.COACH}


def test_a_superuser_counts_as_an_administrator_and_sees_every_client():
    root = UserFactory(is_superuser=True)

    assert roles_of(root) == frozenset()
    assert has_role(root, Role.ADMINISTRATOR) and not has_role(root, Role.COACH)
    assert sees_every_client(root)


def test_only_administrators_see_every_client_and_relationship_managers_see_none_as_such(rita, adam, alice, carl):
    """Flora III.1.B: the relationship manager's work is with employers, so a client's file is not hers to read."""
    assert sees_every_client(adam)
    assert not sees_every_client(rita) and not sees_every_client(alice) and not sees_every_client(carl)
    assert sees_placements_at_own_employers(rita) and not sees_placements_at_own_employers(alice)
    assert works_with_every_employer(rita) and works_with_every_employer(adam) and not works_with_every_employer(carl)


def test_a_relationship_manager_has_no_permission_on_clients_consents_or_agreements(rita):
    granted = ROLE_PERMISSIONS[Role.RELATIONSHIP_MANAGER]["placements"]
    assert {"client", "consentrecord", "coachingagreement", "ladderposition"}.isdisjoint(granted)
    assert granted["placement"] == ("view",)
    assert not rita.has_perm("placements.view_client") and rita.has_perm("placements.view_placement")


def test_an_anonymous_user_has_no_role_and_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert roles_of(AnonymousUser()) == frozenset()
        assert not has_role(AnonymousUser(), Role.ADMINISTRATOR)
        assert not sees_every_client(AnonymousUser())
