"""Who may see a placement's rows: one rule (placement_access_q) behind every visible_to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from crm.roles import roles_of
from placements.models import AftercareStep, Client, Placement, Team
from placements.querysets import placement_access_q, placement_casework_q, supervised_coach_ids
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


def test_administrators_and_superusers_see_every_placement(adam, network):
    root = UserFactory(is_superuser=True)

    for user in (adam, root):
        assert set(Placement.objects.visible_to(user)) == set(network), user


def test_a_relationship_manager_sees_the_placements_at_her_employers_only_and_none_as_casework(rita, network):
    own, _coached, bobs = network
    for placement in (own, bobs):
        placement.employer.owner = rita
        placement.employer.save()

    assert set(Placement.objects.visible_to(rita)) == {own, bobs}
    assert not Placement.objects.in_casework_of(rita).exists()
    shown = dict(Placement.objects.visible_to(rita).with_client_access(rita).values_list("pk", "client_shown"))
    assert shown == {own.pk: False, bobs.pk: False}


def test_a_relationship_manager_who_also_coaches_reads_her_own_client_on_a_placement(rita, network):
    from django.contrib.auth.models import Group

    from crm.roles import Role

    _own, _coached, bobs = network
    rita.groups.add(Group.objects.get(name=Role.COACH))
    bobs.employer.owner = rita
    bobs.employer.save()
    mine = PlacementFactory(client=ClientFactory(coach=rita))

    shown = dict(Placement.objects.visible_to(rita).with_client_access(rita).values_list("pk", "client_shown"))
    assert shown == {bobs.pk: False, mine.pk: True}
    assert set(Client.objects.visible_to(rita)) == {mine.client}
    assert set(Placement.objects.in_casework_of(rita)) == {mine}


def test_seeing_every_placement_survives_an_or_with_another_condition(adam, alice, network):
    bobs = network[2]

    assert set(Placement.objects.filter(placement_access_q(adam) | Q(job_title="Nothing like it"))) == set(network)
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
    assert set(AftercareStep.objects.filter(placement_casework_q(alice, via="placement"))) == {
        steps[own],
        steps[coached],
    }
    own.employer.owner = rita
    own.employer.save()
    assert set(AftercareStep.objects.filter(placement_access_q(rita, via="placement"))) == {steps[own]}
    # Steps are casework: the relationship manager's restricted view does not reach them.
    assert not AftercareStep.objects.visible_to(rita).exists()


def test_clients_are_seen_by_their_coach_and_case_manager_and_not_by_a_relationship_manager(
    alice, carl, rita, adam, network
):
    own, coached, bobs = network

    assert set(Client.objects.visible_to(alice)) == {own.client}
    assert set(Client.objects.visible_to(carl)) == {own.client}
    assert not Client.objects.visible_to(rita).exists()
    assert set(Client.objects.visible_to(adam)) == {own.client, coached.client, bobs.client}


@pytest.fixture
def teams(alice, bob, carl, cora):
    """Carl leads a team with Alice; another case manager, Cora, leads Bob's team."""
    north = Team.objects.create(name="Noord")
    north.leads.add(carl)
    north.coaches.add(alice)
    south = Team.objects.create(name="Zuid")
    south.leads.add(cora)
    south.coaches.add(bob)
    return north, south, cora


def test_a_case_manager_sees_the_clients_and_placements_of_the_coaches_he_supervises(alice, bob, carl, network, teams):
    own, coached, bobs = network
    cora = teams[2]

    assert set(Placement.objects.visible_to(carl)) == {own, coached}
    assert set(Client.objects.visible_to(carl)) == {own.client}
    assert set(Placement.objects.visible_to(cora)) == {bobs}
    assert set(Client.objects.visible_to(cora)) == {bobs.client}


def test_a_case_manager_sees_the_steps_of_the_coaches_he_supervises_wherever_they_are(alice, carl, network, teams):
    bobs = network[2]
    lent = step(bobs, assignee=alice)
    theirs = step(bobs)

    assert lent in set(AftercareStep.objects.visible_to(carl))
    assert theirs not in set(AftercareStep.objects.visible_to(carl))
    assert set(AftercareStep.objects.visible_to(teams[2])) == {lent, theirs}


def test_supervision_is_read_once_per_user_object(carl, alice, teams, django_assert_num_queries):
    roles_of(carl)
    with django_assert_num_queries(1):
        assert supervised_coach_ids(carl) == {alice.pk}
        assert supervised_coach_ids(carl) == {alice.pk}


def test_coaches_are_unaffected_by_teams_even_when_listed_as_a_lead(alice, bob, network, teams):
    north = teams[0]
    north.leads.add(bob)
    bob_fresh = type(bob).objects.get(pk=bob.pk)

    assert supervised_coach_ids(bob_fresh) == frozenset()
    assert set(Placement.objects.visible_to(bob_fresh)) == {network[2]}
    assert set(Placement.objects.visible_to(alice)) == {network[0], network[1]}


def test_administrators_oversee_the_coaches_of_every_team(adam, alice, bob, teams):
    assert supervised_coach_ids(adam) == {alice.pk, bob.pk}
    assert supervised_coach_ids(AnonymousUser()) == frozenset()
