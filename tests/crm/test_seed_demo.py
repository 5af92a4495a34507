"""The demo data command: a believable, deterministic, idempotent employer network."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db.models import Count, Max

from crm.choices import Language, Stage, VacancyKind, VacancyStatus
from crm.demo.identity import luhn_digit, registration_number
from crm.demo.users import DEMO_PASSWORD, DEMO_USERS
from crm.models import Contact, Employer, EmployerStageChange, Interaction, Vacancy
from crm.roles import Role

pytestmark = pytest.mark.django_db
AS_OF = "2026-11-02"
TODAY = dt.date(2026, 11, 2)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--as-of", AS_OF, *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Every demo row's natural content, to compare two states of the database."""
    return {
        "employers": list(Employer.objects.order_by("pk").values_list("pk", "name", "stage", "updated_at")),
        "changes": list(EmployerStageChange.objects.order_by("pk").values_list("pk", "to_stage", "changed_at")),
        "contacts": list(Contact.objects.order_by("pk").values_list("pk", "email", "updated_at")),
        "interactions": list(Interaction.objects.order_by("pk").values_list("pk", "occurred_at", "next_step_due")),
        "vacancies": list(Vacancy.objects.order_by("pk").values_list("pk", "reference", "status", "updated_at")),
        "steps": list(Vacancy.ladder_steps.through.objects.order_by("pk").values_list("pk")),
    }


def test_seeding_creates_employers_in_the_netherlands_belgium_and_sweden():
    seed()

    per_country = dict(Employer.objects.values_list("country").annotate(n=Count("pk")))
    assert Employer.objects.count() == 60
    assert set(per_country) == {"NL", "BE", "SE"}
    assert min(per_country.values()) >= 10
    assert Employer.objects.filter(name="Städbolaget Norrsken AB", city="Stockholm").exists()


def test_seeding_spreads_employers_over_the_pipeline_with_a_matching_history():
    seed()

    assert Employer.objects.values("stage").distinct().count() >= 6
    for employer in Employer.objects.prefetch_related("stage_changes"):
        history = sorted(employer.stage_changes.all(), key=lambda change: change.changed_at)
        assert history[0].from_stage == "" and history[0].to_stage == Stage.PROSPECT
        assert history[-1].to_stage == employer.stage
        assert history[-1].changed_at == employer.stage_changed_at
        assert employer.created_at == history[0].changed_at


def test_seeding_creates_contacts_interactions_and_vacancies_at_several_ladder_steps():
    seed()

    assert Contact.objects.count() > 60
    assert Interaction.objects.count() > 100
    steps_by_kind = {
        kind: set(Vacancy.objects.filter(kind=kind).values_list("ladder_steps__position", flat=True))
        for kind in (VacancyKind.WORK_EXPERIENCE, VacancyKind.TRIAL_DAY, VacancyKind.PAID_JOB)
    }
    assert steps_by_kind[VacancyKind.WORK_EXPERIENCE] == {19}
    assert steps_by_kind[VacancyKind.TRIAL_DAY] <= {16, 17, 18} and steps_by_kind[VacancyKind.TRIAL_DAY]
    assert steps_by_kind[VacancyKind.PAID_JOB] == {20, 21, 22}
    assert len(Vacancy.objects.open_per_step()) >= 6
    assert set(Vacancy.objects.values_list("status", flat=True)) == set(VacancyStatus.values)


def test_contacts_have_addresses_on_the_employer_domain_and_the_country_language():
    seed()

    for contact in Contact.objects.select_related("employer"):
        assert contact.email.endswith(contact.employer.website.removeprefix("https://www.").rstrip("/"))
        local = Language.SV if contact.employer.country == "SE" else Language.NL
        assert contact.preferred_language in (local, Language.EN)
    languages = set(Contact.objects.values_list("preferred_language", flat=True))
    assert languages == {Language.NL, Language.SV, Language.EN}


def test_interactions_lie_in_the_past_year_with_overdue_and_upcoming_next_steps():
    seed()

    occurred = Interaction.objects.values_list("occurred_at", flat=True)
    assert max(occurred).date() < TODAY
    assert min(occurred).date() > TODAY - dt.timedelta(days=400)
    open_steps = Interaction.objects.open_next_steps()
    assert Interaction.objects.overdue(today=TODAY).exists()
    assert open_steps.filter(next_step_due__gte=TODAY, next_step_due__lt=TODAY + dt.timedelta(days=7)).exists()
    assert open_steps.filter(next_step_due__gte=TODAY + dt.timedelta(days=7)).exists()
    assert Interaction.objects.filter(next_step_done_at__isnull=False).exists()


def test_every_seeded_employer_knows_its_last_contact():
    seed()

    latest = dict(Interaction.objects.values("employer").annotate(at=Max("occurred_at")).values_list("employer", "at"))
    stored = dict(Employer.objects.values_list("pk", "last_contact_at"))
    assert latest and stored == {pk: latest.get(pk) for pk in stored}


def test_every_seeded_row_passes_model_validation():
    seed()

    for model in (Employer, Contact, Interaction, Vacancy):
        for row in model.objects.all():
            row.full_clean()


def test_seeding_twice_changes_nothing():
    seed()
    before = snapshot()

    output = seed()

    assert snapshot() == before
    assert "created 0 employers" in output


def test_asking_for_200_employers_creates_200():
    seed("--employers", "200")

    assert Employer.objects.count() == 200


def test_asking_for_more_later_adds_only_the_difference_and_keeps_what_was_there():
    seed("--employers", "20")
    first = snapshot()

    seed("--employers", "50", "--batch-size", "7")

    assert Employer.objects.count() == 50
    assert (
        list(Employer.objects.order_by("pk").values_list("pk", "name", "stage", "updated_at")[:20])
        == (first["employers"])
    )


def test_the_same_seed_builds_the_same_network():
    seed("--employers", "30")
    first = list(Employer.objects.order_by("registration_number").values_list("registration_number", "name"))
    emails = sorted(Contact.objects.values_list("email", flat=True))
    Employer.objects.all().delete()

    seed("--employers", "30")

    assert list(Employer.objects.order_by("registration_number").values_list("registration_number", "name")) == first
    assert sorted(Contact.objects.values_list("email", flat=True)) == emails


def test_another_seed_does_not_duplicate_employers_that_share_a_registration_number():
    seed("--employers", "30")

    seed("--employers", "30", "--seed", "other")

    assert Employer.objects.count() == 30


def test_a_taken_name_at_the_same_postcode_becomes_a_numbered_branch():
    seed("--employers", "3")
    kade = Employer.objects.get(name="Brasserie De Kade")
    kade.registration_number = "12345678"  # someone re-registered it by hand
    kade.save()

    seed("--employers", "3")

    branch = Employer.objects.exclude(pk=kade.pk).get(normalised_name__startswith="brasserie de kade")
    assert branch.name == "Brasserie De Kade vestiging 2"
    assert branch.postcode == kade.postcode


def test_registration_numbers_carry_valid_check_digits():
    kbo = registration_number(5, "BE", "profit").replace(".", "")
    swedish = registration_number(5, "SE", "profit").replace("-", "")

    assert (97 - int(kbo[:8]) % 97) == int(kbo[8:])
    assert luhn_digit(swedish[:9]) == int(swedish[9])
    assert len({registration_number(i, "NL", "profit") for i in range(10_000)}) == 10_000


def test_a_bad_date_is_refused_and_changes_nothing():
    with pytest.raises(CommandError, match="is not a date"):
        call_command("seed_demo", "--as-of", "yesterday")

    assert not Employer.objects.exists()


def test_a_negative_number_of_employers_is_refused():
    with pytest.raises(CommandError, match="negative"):
        call_command("seed_demo", "--employers", "-5")


def test_users_flag_creates_one_staff_login_per_role_once(settings):
    settings.DEBUG = True

    seed("--users", "--employers", "10")
    seed("--users", "--employers", "10")

    users = {user.username: user for user in User.objects.prefetch_related("groups")}
    assert set(users) == {demo.username for demo in DEMO_USERS}
    assert {role for demo in DEMO_USERS for role in [demo.role]} == set(Role)
    for demo in DEMO_USERS:
        user = users[demo.username]
        assert user.is_staff and user.check_password(DEMO_PASSWORD)
        assert [group.name for group in user.groups.all()] == [demo.role]
        assert user.is_superuser == (demo.role == Role.ADMINISTRATOR)


def test_users_keep_a_password_they_changed(settings):
    settings.DEBUG = True
    seed("--users", "--employers", "0")
    rita = User.objects.get(username="rita")
    rita.set_password("something-else-entirely")
    rita.save()

    output = seed("--users", "--employers", "0")

    rita.refresh_from_db()
    assert rita.check_password("something-else-entirely")
    assert "rita" in output and "password unchanged" in output


def test_users_are_refused_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        seed("--users")

    assert not User.objects.exists()
    assert not Employer.objects.exists()


def test_employers_are_owned_by_relationship_managers_and_visited_by_coaches(settings):
    settings.DEBUG = True

    seed("--users")

    managers = set(User.objects.filter(groups__name=Role.RELATIONSHIP_MANAGER))
    owners = {employer.owner for employer in Employer.objects.select_related("owner")}
    assert owners - {None} == managers
    authors = set(Interaction.objects.exclude(author=None).values_list("author__groups__name", flat=True))
    assert authors == {Role.RELATIONSHIP_MANAGER, Role.COACH}


def test_setup_roles_recreates_the_role_groups_with_permissions():
    Group.objects.all().delete()

    call_command("setup_roles", stdout=StringIO())

    groups = {group.name: group.permissions.count() for group in Group.objects.all()}
    assert set(groups) == set(Role.values)
    assert all(count > 0 for count in groups.values())
