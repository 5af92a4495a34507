"""Who may see a placement's rows: one rule (placement_access_q) behind every visible_to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from placements.models import AftercareStep, Client, Placement
from placements.querysets import placement_access_q
from tests.placements.factories import ClientFactory, PlacementFactory, UserFactory

pytestmark = pytest.mark.django_db


def step(placement: Placement, **fields) -> AftercareStep:
    fields.setdefault("assignee", placement.coach)
    return AftercareStep.objects.create(placement=placement, title="Belafspraak", due_on=dt.date(2027, 2, 1), **fields)


@pytest.fixture
def network(alice, bob, carl):
    """Alice coaches one client (Carl is the case manager) and another coach's placement; Bob coaches one client."""
    own = PlacementFactory(client=ClientFactory(coach=alice, case_manager=carl))
    coached = PlacementFactory(client=ClientFactory(coach=UserFactory()), coach=alice)
    bobs = PlacementFactory(client=ClientFactory(coach=bob))
    return own, coached, bobs


def test_a_placement_is_seen_by_its_coach_and_by_the_clients_coach_and_case_manager(alice, bob, carl, network):
    own, coached, bobs = network

    assert set(Placement.objects.visible_to(alice)) == {own, coached}
    assert set(Placement.objects.visible_to(carl)) == {own}
    assert set(Placement.objects.visible_to(bob)) == {bobs}
    assert set(Placement.objects.visible_to(coached.client.coach)) == {coached}


def test_administrators_superusers_and_relationship_managers_see_every_placement(rita, adam, network):
    root = UserFactory(is_superuser=True)

    for user in (rita, adam, root):
        assert set(Placement.objects.visible_to(user)) == set(network), user


def test_seeing_every_placement_survives_an_or_with_another_condition(rita, alice, network):
    bobs = network[2]

    assert set(Placement.objects.filter(placement_access_q(rita) | Q(job_title="Nothing like it"))) == set(network)
    assert set(Placement.objects.filter(placement_access_q(alice) | Q(pk=bobs.pk))) == set(network)
    assert set(Placement.objects.filter(placement_access_q(AnonymousUser()) | Q(pk=bobs.pk))) == {bobs}


def test_anyone_else_sees_no_placement(network):
    assert not Placement.objects.visible_to(UserFactory()).exists()
    assert not Placement.objects.visible_to(AnonymousUser()).exists()


def test_steps_follow_their_placement_and_a_step_assigned_to_someone_else_is_hers_too(alice, bob, carl, network):
    own, _coached, bobs = network
    mine = step(own)
    lent = step(bobs, assignee=alice)
    theirs = step(bobs)

    assert set(AftercareStep.objects.visible_to(alice)) == {mine, lent}
    assert set(AftercareStep.objects.visible_to(carl)) == {mine}
    assert set(AftercareStep.objects.visible_to(bob)) == {lent, theirs}
    assert not AftercareStep.objects.visible_to(AnonymousUser()).exists()


def test_the_rule_follows_a_path_to_the_placement(alice, rita, network):
    own, coached, _bobs = network
    nobody = UserFactory()
    steps = {placement: step(placement, assignee=nobody) for placement in network}

    assert set(AftercareStep.objects.filter(placement_access_q(alice, via="placement"))) == {
        steps[own],
        steps[coached],
    }
    assert set(AftercareStep.objects.filter(placement_access_q(rita, via="placement"))) == set(steps.values())


def test_clients_are_seen_by_their_coach_and_case_manager(alice, carl, rita, network):
    own, coached, bobs = network

    assert set(Client.objects.visible_to(alice)) == {own.client}
    assert set(Client.objects.visible_to(carl)) == {own.client}
    assert set(Client.objects.visible_to(rita)) == {own.client, coached.client, bobs.client}
