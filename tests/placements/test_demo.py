"""The placements demo: a believable caseload for the coaches, built through the services around --as-of."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO
from itertools import pairwise

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from crm.choices import VacancyKind
from crm.models import Employer
from placements.choices import ClientStatus, ConsentPurpose, EndedBy, PlacementStatus, StepKind, StepStatus
from placements.demo import DEMO_TEAM
from placements.models import (
    AftercareStep,
    Client,
    CoachingAgreement,
    ConsentRecord,
    LadderPosition,
    Placement,
    Team,
)

pytestmark = pytest.mark.django_db
AS_OF = "2026-11-02"
TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def staff(alice: User, bob: User, carl: User) -> dict[str, User]:
    """The demo caseload's coaches and case manager."""
    return {"alice": alice, "bob": bob, "carl": carl}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--as-of", AS_OF, "--employers", "30", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    """The demo's rows, to compare two states of the database."""
    return {
        "clients": list(Client.objects.order_by("pk").values_list("pk", "reference", "status", "updated_at")),
        "placements": list(Placement.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        "steps": list(AftercareStep.objects.order_by("pk").values_list("pk", "status", "due_on", "updated_at")),
        "ladder": list(LadderPosition.objects.order_by("pk").values_list("pk", "entered_on", "left_on")),
        "consents": list(ConsentRecord.objects.order_by("pk").values_list("pk", "purpose", "withdrawn_on")),
        "agreements": list(CoachingAgreement.objects.order_by("pk").values_list("pk", "version", "superseded_at")),
    }


def test_seeding_gives_alice_and_bob_a_caseload_with_carl_as_case_manager(staff):
    seed()

    per_coach = Counter(Client.objects.values_list("coach__username", flat=True))
    assert sum(per_coach.values()) == 24
    assert per_coach["alice"] >= 10 and per_coach["bob"] >= 10
    assert Client.objects.filter(case_manager=staff["carl"]).count() >= 18
    assert set(Client.objects.values_list("status", flat=True)) >= {
        ClientStatus.INTAKE,
        ClientStatus.ACTIVE,
        ClientStatus.PLACED,
        ClientStatus.AFTERCARE,
        ClientStatus.PAUSED,
        ClientStatus.CLOSED,
    }
    assert set(Client.objects.values_list("preferred_language", flat=True)) == {"nl", "sv", "en"}
    assert Client.objects.filter(reference="WB-2026-0001", first_name="Amina").exists()


def test_most_clients_are_women_and_some_describe_their_gender_otherwise(staff):
    seed()

    genders = Counter(Client.objects.values_list("gender", flat=True))
    assert genders["woman"] > sum(genders.values()) / 2
    assert genders["man"] >= 2 and genders["non_binary"] == 1 and genders[""] >= 1


def test_closed_files_say_why_where_to_and_leave_no_open_ladder_position(staff):
    seed()

    closed = Client.objects.filter(status=ClientStatus.CLOSED)
    assert closed.count() == 3
    for client in closed:
        assert client.closing_reason and client.destination and client.closed_on
        assert not client.ladder_positions.filter(left_on__isnull=True).exists()


def test_placements_span_every_status_with_activated_ones_following_their_plan(staff):
    seed()

    assert Counter(Placement.objects.values_list("status", flat=True)) == {
        PlacementStatus.ACTIVE: 14,
        PlacementStatus.COMPLETED: 4,
        PlacementStatus.ENDED_EARLY: 2,
        PlacementStatus.CANCELLED: 1,
        PlacementStatus.PLANNED: 2,
    }
    for placement in Placement.objects.exclude(status__in=(PlacementStatus.PLANNED, PlacementStatus.CANCELLED)):
        assert placement.plan is not None
        assert placement.steps.count() == placement.plan.templates.count()
        assert placement.mentor is None or placement.mentor.employer_id == placement.employer_id
        assert placement.vacancy is None or placement.vacancy.employer_id == placement.employer_id
        assert placement.employer.stage in ("active", "engaged")
    early = Placement.objects.filter(status=PlacementStatus.ENDED_EARLY)
    assert set(early.values_list("ended_by", flat=True)) == {EndedBy.EMPLOYER, EndedBy.CLIENT}
    assert all(placement.end_reason for placement in early)
    assert not AftercareStep.objects.filter(placement__status=PlacementStatus.PLANNED).exists()
    assert Placement.objects.filter(vacancy__isnull=False, mentor__isnull=False).exists()


def test_active_placements_started_from_ten_months_ago_to_next_week(staff):
    seed()

    starts = list(Placement.objects.running().values_list("start_on", flat=True))
    assert min(starts) >= TODAY - dt.timedelta(days=310)
    assert max(starts) > TODAY
    assert max(starts) <= TODAY + dt.timedelta(days=7)


def test_as_of_the_seed_date_steps_are_overdue_due_today_and_due_later(staff):
    seed()

    open_steps = AftercareStep.objects.open()
    overdue = AftercareStep.objects.overdue(today=TODAY)
    assert overdue.filter(assignee=staff["alice"]).exists() and overdue.filter(assignee=staff["bob"]).exists()
    assert open_steps.filter(due_on=TODAY).exists()
    assert open_steps.filter(due_on__gt=TODAY, due_on__lte=TODAY + dt.timedelta(days=7)).exists()
    assert open_steps.filter(due_on__gt=TODAY + dt.timedelta(days=7)).exists()
    assert AftercareStep.objects.filter(status=StepStatus.DONE).exists()
    # A completed placement keeps only an employer evaluation that is waiting for the employer's answer.
    waiting = open_steps.filter(placement__status=PlacementStatus.COMPLETED)
    assert set(waiting.values_list("kind", flat=True)) <= {StepKind.EMPLOYER_EVALUATION}


def test_past_steps_are_mostly_done_with_an_outcome_and_a_few_skipped_with_a_reason(staff):
    seed()

    done = AftercareStep.objects.filter(status=StepStatus.DONE)
    skipped = AftercareStep.objects.filter(status=StepStatus.SKIPPED)
    assert done.count() > 80
    assert not done.filter(outcome="").exists()
    # Steps the coaches recorded say how long they took; an employer's survey answer completes its step by itself.
    assert not done.filter(completed_by__isnull=False, minutes_spent__isnull=True).exists()
    assert not done.filter(completed_at__date__gte=TODAY).exists()
    assert 1 <= skipped.count() <= 4
    assert not skipped.filter(reason="").exists()


def test_ladder_history_is_in_order_with_one_open_position_at_most(staff):
    seed()

    for client in Client.objects.prefetch_related("ladder_positions"):
        positions = list(client.ladder_positions.all())
        assert positions, client
        assert sum(position.left_on is None for position in positions) <= 1
        for earlier, later in pairwise(positions):
            assert earlier.left_on is not None and earlier.left_on <= later.entered_on
    assert LadderPosition.objects.filter(step__position=23).count() >= 3


def test_every_client_consented_to_coaching_and_most_placed_ones_to_visits_and_sharing(staff):
    seed()

    placed = Client.objects.filter(placements__status=PlacementStatus.ACTIVE).distinct()
    coaching = ConsentRecord.objects.filter(purpose=ConsentPurpose.COACHING)
    assert coaching.count() == Client.objects.count()
    visits = placed.filter(consents__purpose=ConsentPurpose.WORKPLACE_VISITS).distinct().count()
    sharing = placed.filter(consents__purpose=ConsentPurpose.SHARE_WITH_EMPLOYER).distinct().count()
    assert visits > placed.count() / 2 and sharing > placed.count() / 2
    assert ConsentRecord.objects.filter(purpose=ConsentPurpose.REFERENCE).count() >= 2
    withdrawn = ConsentRecord.objects.filter(purpose=ConsentPurpose.SHARE_WITH_EMPLOYER, withdrawn_on__isnull=False)
    assert withdrawn.count() == 1


def test_a_client_without_share_consent_has_an_agreement_with_nothing_to_share(staff):
    seed()

    never_consented = CoachingAgreement.objects.exclude(client__consents__purpose=ConsentPurpose.SHARE_WITH_EMPLOYER)
    assert never_consented.exists()
    assert set(never_consented.values_list("share_with_employer", flat=True)) == {""}
    assert CoachingAgreement.objects.exclude(share_with_employer="").exists()


def test_a_withdrawn_sharing_consent_hides_the_agreement_from_the_employer(staff):
    seed()

    record = ConsentRecord.objects.get(purpose=ConsentPurpose.SHARE_WITH_EMPLOYER, withdrawn_on__isnull=False)
    agreement = record.client.current_agreement()
    assert agreement is not None and agreement.share_with_employer
    assert agreement.shareable_text(on=TODAY) == ""


def test_agreements_are_per_client_in_her_language_and_revised_when_she_starts_work(staff):
    seed()

    current = CoachingAgreement.objects.current().select_related("client")
    assert current.count() >= 18
    assert not Client.objects.filter(reference="WB-2026-0011").get().agreements.exists()
    for agreement in current:
        assert agreement.client.first_name in agreement.parties
        agreement.full_clean()
    placed = current.filter(client__preferred_language="sv", version__gte=2).first()
    assert placed is not None and "handledaren" in placed.parties
    revised = CoachingAgreement.objects.filter(version__gte=2)
    assert revised.count() >= 12 and not revised.filter(change_note="").exists()
    assert CoachingAgreement.objects.filter(version=3).exists()  # a second placement revised it again
    for old in CoachingAgreement.objects.filter(superseded_at__isnull=False).select_related("client"):
        newer = old.client.agreements.get(version=old.version + 1)
        assert newer.agreed_on >= old.agreed_on and newer.created_at == old.superseded_at


def test_a_coach_meets_every_state_of_a_client_and_a_placement(staff):
    seed()

    assert set(Client.objects.values_list("status", flat=True)) == set(ClientStatus.values)
    closed = Client.objects.filter(status=ClientStatus.CLOSED)
    assert all(client.closing_reason and client.destination for client in closed)
    assert set(Placement.objects.values_list("status", flat=True)) == set(PlacementStatus.values)
    trial_days = Placement.objects.filter(kind=VacancyKind.TRIAL_DAY)
    assert {PlacementStatus.COMPLETED, PlacementStatus.PLANNED, PlacementStatus.CANCELLED} <= set(
        trial_days.values_list("status", flat=True)
    )
    assert all(placement.planned_end_on == placement.start_on for placement in trial_days)
    consents = ConsentRecord.objects.all()
    assert consents.filter(withdrawn_on__isnull=True).exists() and consents.filter(withdrawn_on__isnull=False).exists()


def test_seeding_twice_changes_nothing(staff):
    seed()
    before = snapshot()

    output = seed()

    assert snapshot() == before
    assert "0 clients, 0 placements" in output


def test_the_caseload_is_the_same_size_whatever_the_number_of_employers(staff):
    call_command("seed_demo", "--as-of", AS_OF, "--employers", "200", stdout=StringIO())

    assert Employer.objects.count() == 200
    assert Client.objects.count() == 24
    assert Placement.objects.count() == 23


def test_without_coaches_the_demo_creates_no_clients():
    output = seed()

    assert Employer.objects.exists()
    assert not Client.objects.exists()
    assert "demo clients skipped" in output


def test_the_demo_case_manager_supervises_the_demo_coaches(staff):
    seed()
    seed()
    assert Team.objects.count() == 1
    team = Team.objects.get(name=DEMO_TEAM)
    assert {user.username for user in team.leads.all()} == {"carl"}
    assert {user.username for user in team.coaches.all()} == {"alice", "bob"}
