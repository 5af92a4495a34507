"""The outreach sections of the staff workspace: info packs and survey results on the employer and placement pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client
from django.urls import reverse

from crm.models import Contact, Employer
from outreach.mail.models import MailStatus
from outreach.packs.models import InfoPack, InfoPackDelivery, InfoPackKind, InfoPackStatus
from outreach.surveys.answers import parse_answer
from outreach.surveys.models import QuestionType, SurveyInvitation
from outreach.surveys.services import invite_declined_employer, submit_response
from placements.models import Placement
from tests.crm.factories import ContactFactory, EmployerFactory
from tests.outreach.packs.helpers import NOW, placement_scenario
from tests.outreach.surveys.helpers import ANSWER_FOR, invite
from tests.placements.factories import ClientFactory, PlacementFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def employer_page(user: User, employer: Employer) -> str:
    return signed_in(user).get(reverse("crm:employer", args=[employer.pk])).content.decode()


def placement_page(user: User, placement: Placement) -> str:
    return signed_in(user).get(reverse("placements:placement", args=[placement.pk])).content.decode()


def section(page: str, element_id: str) -> str:
    """The markup of one <section id=...> of a page."""
    match = re.search(rf'<section[^>]*id="{element_id}".*?</section>', page, re.S)
    assert match, f"no section {element_id}"
    return match.group(0)


def pack(employer: Employer, *, version: int, placement: Placement | None = None, **fields) -> InfoPack:
    """A pack row; a ready one gets a stored PDF name and checksum."""
    if fields.get("status") == InfoPackStatus.READY:
        fields.update(pdf=f"infopacks/v{version}.pdf", sha256="a" * 64, built_at=NOW)
    return InfoPack.objects.create(
        employer=employer,
        placement=placement,
        kind=InfoPackKind.PLACEMENT if placement else InfoPackKind.GENERAL,
        language=fields.pop("language", "nl"),
        version=version,
        **fields,
    )


def pack_url(action: str, made: InfoPack) -> str:
    """The staff page of a pack: under its placement, or under the employer for a general pack."""
    if made.placement_id:
        return reverse(f"outreach:placement-pack-{action}", args=[made.placement_id, made.pk])
    return reverse(f"outreach:employer-pack-{action}", args=[made.employer_id, made.pk])


def answer_survey(invitation: SurveyInvitation, *, at: dt.datetime = NOW) -> None:
    """Submit a complete response: 4 on every scale, 9 for the recommendation, the helpers' free texts."""
    answers = []
    for question in invitation.template.questions.all():
        value = (
            question.option_keys()[0] if question.type.endswith("choice") else ANSWER_FOR[QuestionType(question.type)]
        )
        answers.append(parse_answer(question, [value]))
    assert submit_response(invitation=invitation, answers=[a for a in answers if a], language="nl", now=at)


# --- Info packs -------------------------------------------------------------------------------


def test_the_employer_page_lists_the_latest_pack_versions_first_with_links_and_recipients(rita, alice):
    scenario = placement_scenario(coach=alice, consent=False, owner=rita)
    old = pack(scenario.employer, version=1, status=InfoPackStatus.READY)
    new = pack(scenario.employer, version=2, status=InfoPackStatus.READY)
    building = pack(scenario.employer, version=1, placement=scenario.placement, language="sv", status="building")
    InfoPackDelivery.objects.create(
        pack=new,
        contact=scenario.mentor,
        recipient_email=scenario.mentor.email,
        status=MailStatus.SENT,
        sent_at=NOW,
    )

    packs = section(employer_page(rita, scenario.employer), "packs")

    latest, older = packs.split('id="packs-older"')
    assert latest.index(pack_url("preview", new)) < latest.index(pack_url("preview", building))
    assert pack_url("pdf", new) in latest and pack_url("send", new) in latest
    assert pack_url("pdf", building) not in packs
    assert pack_url("preview", old) in older and pack_url("preview", old) not in latest
    assert "Medewerker bakkerij" in latest and "Building" in latest and "Swedish" in latest
    assert f"Sent to {scenario.mentor} ({scenario.mentor.email})" in latest
    assert "Not sent to anyone yet." in latest


def test_a_coach_sees_on_the_employer_page_only_general_packs_and_those_of_her_placements(alice, bob):
    mine = placement_scenario(coach=alice, consent=False)
    theirs = PlacementFactory(client=ClientFactory(coach=bob), employer=mine.employer, job_title="Chauffeur")
    general = pack(mine.employer, version=1)
    own = pack(mine.employer, version=1, placement=mine.placement)
    hidden = pack(mine.employer, version=1, placement=theirs)

    alices = section(employer_page(alice, mine.employer), "packs")
    bobs = section(employer_page(bob, mine.employer), "packs")

    assert pack_url("preview", general) in alices and pack_url("preview", own) in alices
    assert pack_url("preview", hidden) not in alices and "Chauffeur" not in alices
    assert pack_url("preview", hidden) in bobs and pack_url("preview", own) not in bobs


def test_the_managers_show_each_user_the_packs_and_invitations_of_the_placements_she_may_see(
    alice, bob, carl, rita, adam
):
    mine = placement_scenario(coach=alice, case_manager=carl, consent=False)
    theirs = placement_scenario(coach=bob, consent=False, owner=rita)
    general = {pack(scenario.employer, version=1) for scenario in (mine, theirs)}
    my_pack = pack(mine.employer, version=1, placement=mine.placement)
    their_pack = pack(theirs.employer, version=1, placement=theirs.placement)
    my_invitation, _ = invite(mine.placement, now=NOW)
    their_invitation, _ = invite(theirs.placement, now=NOW)
    declined = EmployerFactory(stage="declined")
    ContactFactory(employer=declined)
    unplaced = invite_declined_employer(employer=declined, contact=None, actor=None, now=NOW)
    inactive_coach = UserFactory(is_active=False)
    inactive_coach.groups.add(*alice.groups.all())

    expected = {
        alice: (general | {my_pack}, {my_invitation}),
        carl: (general | {my_pack}, {my_invitation}),
        bob: (general | {their_pack}, {their_invitation}),
        # Rita owns only Bob's placement's employer: she sees its packs and invitations, not Alice's.
        rita: (general | {their_pack}, {their_invitation, unplaced}),
        adam: (general | {my_pack, their_pack}, {my_invitation, their_invitation, unplaced}),
        UserFactory(): (set(), set()),
        AnonymousUser(): (set(), set()),
        inactive_coach: (set(), set()),
    }
    for user, (packs, invitations) in expected.items():
        assert set(InfoPack.objects.visible_to(user)) == packs, user
        assert set(SurveyInvitation.objects.visible_to(user)) == invitations, user


def test_the_placement_page_lists_only_that_placements_packs(alice):
    scenario = placement_scenario(coach=alice, consent=False)
    own = pack(scenario.employer, version=3, placement=scenario.placement, status=InfoPackStatus.FAILED)
    general = pack(scenario.employer, version=1)

    packs = section(placement_page(alice, scenario.placement), "packs")

    assert (
        f"/placements/{scenario.placement.pk}/pack/{own.pk}/preview/" in packs
        and "Failed" in packs
        and "version 3" in packs
    )
    assert f"/info-packs/{general.pk}/" not in packs


def test_without_packs_or_answers_the_sections_say_so(rita, alice):
    scenario = placement_scenario(coach=alice, consent=False)

    employer = employer_page(rita, scenario.employer)
    placement = placement_page(alice, scenario.placement)

    assert "No info packs yet." in section(employer, "packs")
    assert "No survey results yet." in section(employer, "evaluations")
    assert "No info packs yet." in section(placement, "packs")
    assert "No evaluation yet." in section(placement, "evaluation")


# --- Survey results ---------------------------------------------------------------------------


def test_the_employer_page_summarises_the_survey_answers(rita, alice):
    scenario = placement_scenario(coach=alice, consent=False, owner=rita)
    invitation, _ = invite(scenario.placement, now=NOW)
    answer_survey(invitation)

    results = section(employer_page(rita, scenario.employer), "evaluations")

    headline = section_text(results, "results-headline")
    assert re.search(r"Responses</dt><dd>1<", headline)
    assert re.search(r"Average score \(1-5\)</dt><dd>4\.0<", headline)
    assert re.search(r"Net promoter score</dt><dd>100<", headline)
    assert "More visits in the first month." in results


def test_a_coach_does_not_see_the_results_of_another_coachs_placement(alice, bob):
    scenario = placement_scenario(coach=bob, consent=False)
    invitation, _ = invite(scenario.placement, now=NOW)
    answer_survey(invitation)

    results = section(employer_page(alice, scenario.employer), "evaluations")

    assert "No survey results yet." in results and "More visits" not in results


def test_a_relationship_manager_sees_placement_packs_and_results_only_at_employers_she_owns(rita, alice):
    scenario = placement_scenario(coach=alice, consent=False)
    general = pack(scenario.employer, version=1)
    placed = pack(scenario.employer, version=1, placement=scenario.placement)
    invitation, _ = invite(scenario.placement, now=NOW)
    answer_survey(invitation)

    page = employer_page(rita, scenario.employer)
    packs, results = section(page, "packs"), section(page, "evaluations")

    assert pack_url("preview", general) in packs
    assert pack_url("preview", placed) not in packs and "Medewerker bakkerij" not in packs
    assert "No survey results yet." in results and "More visits" not in results


def test_the_placement_page_shows_the_invitation_status_and_the_answers(alice):
    scenario = placement_scenario(coach=alice, consent=False)
    invitation, _ = invite(scenario.placement, now=NOW)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(reminders_sent=2, last_reminded_at=NOW, sent_at=NOW)

    waiting = section(placement_page(alice, scenario.placement), "evaluation")
    answer_survey(invitation)
    answered = section(placement_page(alice, scenario.placement), "evaluation")

    assert "Sent" in waiting and "reminded 2 times" in waiting and scenario.mentor.email in waiting
    assert "No evaluation yet." not in waiting and "evaluation-answers" not in waiting
    assert "Submitted" in answered and "evaluation-answers" in answered
    assert "NPS 100" in answered and "More visits in the first month." in answered


def test_a_cancelled_invitation_says_so(alice):
    scenario = placement_scenario(coach=alice, consent=False)
    invitation, _ = invite(scenario.placement, now=NOW)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(cancelled_at=NOW)

    assert "Cancelled" in section(placement_page(alice, scenario.placement), "evaluation")


def section_text(markup: str, element_id: str) -> str:
    match = re.search(rf'<dl[^>]*id="{element_id}".*?</dl>', markup, re.S)
    assert match
    return re.sub(r">\s+<", "><", match.group(0))


# --- Queries ----------------------------------------------------------------------------------


def many_packs(placement: Placement, contact: Contact, rows: int) -> None:
    """`rows` versions of the general and of the placement pack, each ready and delivered once."""
    for version in range(1, rows + 1):
        for scope in (None, placement):
            made = pack(placement.employer, version=version, placement=scope, status=InfoPackStatus.READY)
            InfoPackDelivery.objects.create(
                pack=made, contact=contact, recipient_email=contact.email, status=MailStatus.SENT
            )


@pytest.mark.parametrize("rows", [1, 20])
def test_the_employer_page_runs_the_same_queries_for_1_and_20_packs(rita, alice, django_assert_max_num_queries, rows):
    scenario = placement_scenario(coach=alice, consent=False, owner=rita)
    many_packs(scenario.placement, scenario.mentor, rows)
    invitation, _ = invite(scenario.placement, now=NOW)
    answer_survey(invitation)
    client = signed_in(rita)

    with django_assert_max_num_queries(19):
        response = client.get(reverse("crm:employer", args=[scenario.employer.pk]))

    assert response.content.decode().count('/pdf/"') == 2 * rows


@pytest.mark.parametrize("rows", [1, 20])
def test_the_placement_page_runs_the_same_queries_for_1_and_20_packs(alice, django_assert_max_num_queries, rows):
    scenario = placement_scenario(coach=alice, consent=False)
    many_packs(scenario.placement, scenario.mentor, rows)
    invitation, _ = invite(scenario.placement, now=NOW)
    answer_survey(invitation)
    client = signed_in(alice)

    # 3 of them for the mentor's page section (its link, her concerns, her proposed dates).
    with django_assert_max_num_queries(19):
        response = client.get(reverse("placements:placement", args=[scenario.placement.pk]))

    assert response.content.decode().count('/pdf/"') == rows
