"""The actor of a service, as the row that records who did it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from common.types import actor_user


@pytest.mark.django_db
def test_a_signed_in_user_is_recorded_and_the_system_or_a_visitor_is_not(alice):
    assert actor_user(alice) is alice
    assert actor_user(None) is None
    assert actor_user(AnonymousUser()) is None
