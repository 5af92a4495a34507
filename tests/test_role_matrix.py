"""The need-to-know table, walked: every named page of the workspace and every API list and detail route,
for each role, answers what the table below says, and a relationship manager never reads a client's name,
email or phone in any of them (Flora III.1.B; analysis §8.2).

The data: Rita (relationship manager) owns an employer where Zenobia, a client Bob coaches, has an active
placement with a schedule, a consent, an agreement and a done step whose outcome names her. Carl (case
manager) leads Bob's team, so he supervises her file; Alice is another coach; Adam is an administrator.
Every page and route is asked for the same objects, so a status says what that role may do with them.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client as WebClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pypdf import PdfReader

from crm.choices import ContactRole, Stage
from crm.models import LadderStep
from crm.roles import Role
from placements.choices import Gender, StepStatus
from placements.models import AftercareStep, Placement, Team
from placements.services import activate_placement, complete_step, revise_agreement
from tests.crm.factories import ContactFactory, EmployerFactory, InteractionFactory, VacancyFactory
from tests.placements.factories import ClientFactory, ConsentFactory, PlacementFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "alice", "carl", "rita", "adam")
NAME, EMAIL, PHONE = "Zenobiaxq", "zenobia.private@example.test", "+31 6 1357 2468"
NOW = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)


@dataclass
class World:
    """The rows every page and route is asked for."""

    users: dict[str, User]
    ids: dict[str, Any]


def _user(username: str, role: Role, **extra: Any) -> User:
    user = User.objects.create_user(username=username, password="correct-horse-battery", **extra)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def world() -> World:
    """Rita's employer, Zenobia's placement there (coached by Bob, supervised by Carl), and the rest."""
    users = {
        "alice": _user("alice", Role.COACH, first_name="Alice"),
        "bob": _user("bob", Role.COACH, first_name="Bob"),
        "carl": _user("carl", Role.CASE_MANAGER, first_name="Carl"),
        "rita": _user("rita", Role.RELATIONSHIP_MANAGER, first_name="Rita"),
        "adam": _user("adam", Role.ADMINISTRATOR, first_name="Adam", is_staff=True, is_superuser=True),
    }
    team = Team.objects.create(name="Utrecht")
    team.leads.add(users["carl"])
    team.coaches.add(users["bob"])
    employer = EmployerFactory.create(owner=users["rita"], stage=Stage.ACTIVE, name="Bakkerij Zon")
    mentor = ContactFactory.create(employer=employer, role=ContactRole.MENTOR)
    vacancy = VacancyFactory.create(employer=employer)
    client = ClientFactory.create(
        reference="C-2027-0101",
        first_name=NAME,
        email=EMAIL,
        phone=PHONE,
        gender=Gender.WOMAN,
        coach=users["bob"],
        case_manager=users["carl"],
    )
    ConsentFactory.create(client=client, purpose="coaching", note=f"{NAME} agreed on the phone")
    revise_agreement(
        client=client,
        actor=users["bob"],
        fields={
            "parties": f"{NAME}, Bob",
            "joint_work": "Werk zoeken",
            "expected_result": "Een baan",
            "success_measure": "Contract",
            "goals_private": f"{NAME} wil haar rijbewijs halen",
        },
        change_note="",
        now=NOW,
    )
    placement = PlacementFactory.create(
        client=client, employer=employer, mentor=mentor, vacancy=vacancy, start_on=dt.date(2027, 1, 4)
    )
    steps = activate_placement(placement=placement, actor=users["bob"], now=NOW)
    complete_step(step=steps[0], actor=users["bob"], outcome=f"{NAME} slaapt slecht, {PHONE}", now=NOW)
    open_step = AftercareStep.objects.filter(placement=placement, status__in=[StepStatus.PLANNED, StepStatus.DUE])
    alices = InteractionFactory.create(employer=employer, author=users["alice"])
    ritas = InteractionFactory.create(employer=employer, author=users["rita"])
    ids = {
        "employer": employer.pk,
        "contact": mentor.pk,
        "vacancy": vacancy.pk,
        "client": client.pk,
        "placement": placement.pk,
        "step": open_step.order_by("due_on", "pk").first().pk,  # type: ignore[union-attr]
        "agreement": client.agreements.get().pk,
        "interaction": alices.pk,
        "ritas_interaction": ritas.pk,
        "stage_change": employer.stage_changes.values_list("pk", flat=True).first() or 0,
        "ladderstep": 19,
        "plan": placement.plan_id,
        "bob": users["bob"].pk,
    }
    return World(users=users, ids=ids)


# --- The workspace ----------------------------------------------------------------------------------


# The arguments each named page is asked with, from the world's rows.
def page_kwargs(ids: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """For every named page with arguments: the arguments (pages not listed take none)."""
    employer, contact, vacancy = {"pk": ids["employer"]}, {"pk": ids["contact"]}, {"pk": ids["vacancy"]}
    client, placement, step = {"pk": ids["client"]}, {"pk": ids["placement"]}, {"pk": ids["step"]}
    return {
        "crm:employer": employer,
        "crm:log-interaction": employer,
        "crm:move": employer,
        "crm:employer-edit": employer,
        "crm:employer-vetting": employer,
        "crm:employer-profile": employer,
        "crm:employer-decline": employer,
        "crm:import-job": {"job_id": "unknown"},
        "crm:import-template": {"kind": "employers", "format": "csv"},
        "crm:contact-new": employer,
        "crm:contact-edit": contact,
        "crm:contact-deactivate": contact,
        "crm:contact-reactivate": contact,
        "crm:vacancy-new": employer,
        "crm:vacancy-edit": vacancy,
        "crm:vacancy-open": vacancy,
        "crm:vacancy-fill": vacancy,
        "crm:vacancy-close": vacancy,
        "reports:section": {"section": "outcomes"},
        "reports:rows": {"section": "coaches", "table": "coaches"},
        "placements:step-row": step,
        "placements:complete-step": step,
        "placements:move-step": step,
        "placements:client": client,
        "placements:client-edit": client,
        "placements:consent-record": client,
        "placements:consent-withdraw": {**client, "purpose": "coaching"},
        "placements:ladder-move": client,
        "placements:client-close": client,
        "placements:agreement": client,
        "placements:agreement-edit": client,
        "placements:agreement-version": {**client, "version": 1},
        "placements:placement": placement,
        "placements:placement-new": client,
        "placements:placement-edit": placement,
        "placements:placement-activate": placement,
        "placements:placement-dates": placement,
        "placements:placement-end": placement,
        "placements:placement-cancel": placement,
        "placements:step-reassign": step,
        "placements:client-reassign": client,
        "placements:coverage-step": {"position": ids["ladderstep"]},
        "placements:calendar-feed": {"token": "unknown"},
        "survey": {"token": "unknown"},
        "outreach:employer-pack-section": employer,
        "outreach:employer-pack-build": employer,
        "outreach:employer-pack-preview": {**employer, "pack_pk": 0},
        "outreach:employer-pack-document": {**employer, "pack_pk": 0},
        "outreach:employer-pack-pdf": {**employer, "pack_pk": 0},
        "outreach:employer-pack-send": {**employer, "pack_pk": 0},
        "outreach:placement-pack-section": placement,
        "outreach:placement-pack-build": placement,
        "outreach:placement-pack-preview": {**placement, "pack_pk": 0},
        "outreach:placement-pack-document": {**placement, "pack_pk": 0},
        "outreach:placement-pack-pdf": {**placement, "pack_pk": 0},
        "outreach:placement-pack-send": {**placement, "pack_pk": 0},
        "outreach:placement-evaluation-resend": {**placement, "invitation_pk": 0},
        "mentor-page": {"token": "unknown"},
        "mentor-pack-pdf": {"token": "unknown", "pack_pk": 0},
        "outreach:mentor-link-issue": placement,
        "outreach:mentor-link-reissue": placement,
        "outreach:mentor-link-revoke": placement,
        "outreach:mentor-concern-answer": {**placement, "concern_pk": 0},
        "privacy:subject-access": client,
        "privacy:erase": client,
    }


def queries(ids: dict[str, Any]) -> dict[str, str]:
    """The query string some pages need: the figure whose rows a drill-down lists (Bob's overdue steps)."""
    return {"reports:rows": f"?row={ids['bob']}&column=overdue"}


def workspace_names() -> Iterator[str]:
    """Every named page outside the admin and the API (the API has its own table below)."""

    def walk(patterns: list[Any], namespace: str) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
                if pattern.namespace != "admin" and not str(pattern.pattern).startswith("api/"):
                    yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name and not str(pattern.pattern).startswith("api/"):
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    seen = dict.fromkeys(walk(get_resolver().url_patterns, ""))
    return iter(seen)


# What each role gets for each page, asked by GET for the world's rows: (anonymous, alice, carl, rita, adam).
# Alice coaches neither Zenobia nor anyone at Rita's employer; Carl supervises Bob; Rita owns the employer.
# 302 for the anonymous visitor is the way to the sign-in page; 405 is a page that only takes POST, asked
# by a role that passed the permission check (the method is checked last).
PAGES: dict[str, tuple[int, int, int, int, int]] = {
    "home": (302, 200, 200, 200, 200),
    "login": (200, 302, 302, 302, 302),
    "logout": (405, 405, 405, 405, 405),
    "two-factor": (302, 200, 200, 200, 200),
    "two-factor-verify": (302, 302, 302, 302, 302),  # nothing to verify without a device being set up
    "health": (200, 200, 200, 200, 200),
    "set_language": (302, 302, 302, 302, 302),
    "survey": (404, 404, 404, 404, 404),
    "survey-thanks": (200, 200, 200, 200, 200),
    # The employer network: everyone on staff reads it; relationship managers and administrators change it.
    "crm:employers": (302, 200, 200, 200, 200),
    "crm:employer": (302, 200, 200, 200, 200),
    "crm:log-interaction": (302, 405, 405, 405, 405),
    "crm:move": (302, 403, 403, 405, 405),
    "crm:employer-new": (302, 403, 403, 200, 200),
    "crm:employer-duplicates": (302, 403, 403, 200, 200),
    "crm:employer-edit": (302, 403, 403, 200, 200),
    "crm:employer-vetting": (302, 403, 403, 200, 200),
    "crm:employer-profile": (302, 403, 403, 200, 200),
    "crm:employer-decline": (302, 403, 403, 200, 200),
    "crm:board": (302, 200, 200, 200, 200),
    "crm:import": (302, 403, 403, 200, 200),
    "crm:import-job": (302, 403, 403, 404, 404),
    "crm:import-template": (302, 403, 403, 200, 200),
    "crm:contact-new": (302, 403, 403, 200, 200),
    "crm:contact-edit": (302, 403, 403, 200, 200),
    "crm:contact-deactivate": (302, 403, 403, 405, 405),
    "crm:contact-reactivate": (302, 403, 403, 405, 405),
    "crm:vacancy-new": (302, 403, 403, 200, 200),
    "crm:vacancy-edit": (302, 403, 403, 200, 200),
    "crm:vacancy-open": (302, 403, 403, 405, 405),
    "crm:vacancy-fill": (302, 403, 403, 405, 405),
    "crm:vacancy-close": (302, 403, 403, 200, 200),
    # Reports: every role reads them, each within what she may see (reports.scope).
    "reports:report": (302, 200, 200, 200, 200),
    "reports:section": (302, 200, 200, 404, 200),  # outcomes, counted over clients: none for Rita, as rows
    "reports:xlsx": (302, 200, 200, 200, 200),
    "reports:pdf": (302, 200, 200, 200, 200),
    "reports:rows": (302, 404, 200, 404, 200),  # Bob's overdue steps: his case manager and the lead
    # Administrators' actions on a client's file.
    "privacy:subject-access": (302, 405, 405, 405, 405),  # POST only, asked before the role
    "privacy:erase": (302, 403, 403, 403, 200),
    # Follow-ups: a step of Zenobia's placement; Rita's restricted view does not reach steps.
    "placements:followups": (302, 200, 200, 200, 200),
    "placements:step-row": (302, 404, 302, 404, 302),
    "placements:complete-step": (302, 404, 200, 403, 200),
    "placements:move-step": (302, 404, 200, 403, 200),
    # Zenobia's file: her coach's team (Carl) and administrators; Rita has no entry at all.
    "placements:clients": (302, 200, 200, 403, 200),
    "placements:client": (302, 404, 200, 403, 200),
    "placements:client-new": (302, 200, 200, 403, 200),
    "placements:client-edit": (302, 404, 200, 403, 200),
    "placements:consent-record": (302, 405, 405, 403, 405),
    "placements:consent-withdraw": (302, 404, 200, 403, 200),
    "placements:ladder-move": (302, 405, 405, 403, 405),
    "placements:client-close": (302, 404, 200, 403, 200),
    "placements:agreement": (302, 404, 200, 403, 200),
    "placements:agreement-edit": (302, 404, 200, 403, 200),
    "placements:agreement-version": (302, 404, 200, 403, 200),
    # Her placement at Rita's employer: Rita reads it (restricted view) and changes nothing.
    "placements:placement": (302, 404, 200, 200, 200),
    "placements:placement-new": (302, 404, 200, 403, 200),
    "placements:placement-edit": (302, 404, 200, 403, 200),
    "placements:placement-activate": (302, 404, 200, 403, 200),
    "placements:placement-dates": (302, 404, 200, 403, 200),
    "placements:placement-end": (302, 404, 200, 403, 200),
    "placements:placement-cancel": (302, 404, 200, 403, 200),
    "placements:team": (302, 403, 200, 403, 200),
    "placements:step-reassign": (302, 403, 200, 403, 200),
    "placements:client-reassign": (302, 403, 200, 403, 200),
    "placements:calendar": (302, 200, 200, 200, 200),
    "placements:calendar-feed": (404, 404, 404, 404, 404),
    "placements:coverage": (302, 200, 200, 200, 200),
    "placements:coverage-step": (302, 200, 200, 200, 200),
    # Info packs and evaluations (outreach): pack 0 does not exist, so the pack pages are 404 once allowed.
    "outreach:employer-pack-section": (302, 302, 302, 302, 302),
    "outreach:employer-pack-build": (302, 405, 405, 405, 405),
    "outreach:employer-pack-preview": (302, 404, 404, 404, 404),
    "outreach:employer-pack-document": (302, 404, 404, 404, 404),
    "outreach:employer-pack-pdf": (302, 404, 404, 404, 404),
    "outreach:employer-pack-send": (302, 403, 403, 404, 404),
    "outreach:placement-pack-section": (302, 404, 302, 302, 302),
    "outreach:placement-pack-build": (302, 405, 405, 405, 405),
    "outreach:placement-pack-preview": (302, 404, 404, 404, 404),
    "outreach:placement-pack-document": (302, 404, 404, 404, 404),
    "outreach:placement-pack-pdf": (302, 404, 404, 404, 404),
    "outreach:placement-pack-send": (302, 404, 404, 404, 404),
    "outreach:placement-evaluation-resend": (302, 405, 405, 405, 405),
    # The workplace mentor's page: public by link (an unknown one is the polite 404); the coach's actions on it are
    # posts for whoever may change the placement (the object is checked after the method: 404 for another coach).
    "mentor-page": (404, 404, 404, 404, 404),
    "mentor-pack-pdf": (404, 404, 404, 404, 404),
    "outreach:mentor-link-issue": (302, 405, 405, 403, 405),
    "outreach:mentor-link-reissue": (302, 405, 405, 403, 405),
    "outreach:mentor-link-revoke": (302, 405, 405, 403, 405),
    "outreach:mentor-concern-answer": (302, 405, 405, 403, 405),
}


def api_routes(ids: dict[str, Any]) -> dict[str, tuple[str, tuple[int, int, int, int, int]]]:
    """Every API list and detail route, asked for the world's rows: the address and (anonymous, alice, carl,
    rita, adam). The API answers 401 without credentials; a role without the model permission gets 403, and a
    row outside what she may see is a 404 (placements.api.views)."""
    everyone = (401, 200, 200, 200, 200)
    casework = (401, 404, 200, 403, 200)  # Zenobia's file: not Alice's, not for Rita
    step19 = LadderStep.objects.get(position=19).pk
    return {
        "api-root": ("/api/v1/", everyone),
        "ladderstep-list": ("/api/v1/ladder-steps/", everyone),
        "ladderstep-detail": (f"/api/v1/ladder-steps/{step19}/", everyone),
        "employer-list": ("/api/v1/employers/", everyone),
        "employer-detail": (f"/api/v1/employers/{ids['employer']}/", everyone),
        "employerstagechange-list": ("/api/v1/employer-stage-changes/", everyone),
        "contact-list": ("/api/v1/contacts/", everyone),
        "contact-detail": (f"/api/v1/contacts/{ids['contact']}/", everyone),
        "interaction-list": ("/api/v1/interactions/", everyone),
        "interaction-detail": (f"/api/v1/interactions/{ids['interaction']}/", everyone),
        "vacancy-list": ("/api/v1/vacancies/", everyone),
        "vacancy-detail": (f"/api/v1/vacancies/{ids['vacancy']}/", everyone),
        "info-pack-list": ("/api/v1/outreach/info-packs/", everyone),
        "survey-invitation-list": ("/api/v1/outreach/survey-invitations/", everyone),
        "survey-invitation-results": ("/api/v1/outreach/survey-invitations/results/", everyone),
        "client-list": ("/api/v1/clients/", (401, 200, 200, 403, 200)),
        "client-detail": (f"/api/v1/clients/{ids['client']}/", casework),
        "placement-list": ("/api/v1/placements/", everyone),
        "placement-detail": (f"/api/v1/placements/{ids['placement']}/", (401, 404, 200, 200, 200)),
        "coachingagreement-list": ("/api/v1/agreements/", (401, 200, 200, 403, 200)),
        "coachingagreement-detail": (f"/api/v1/agreements/{ids['agreement']}/", casework),
        "aftercareplan-list": ("/api/v1/plans/", everyone),
        "aftercareplan-detail": (f"/api/v1/plans/{ids['plan']}/", everyone),
        "aftercarestep-list": ("/api/v1/steps/", everyone),
        "aftercarestep-detail": (f"/api/v1/steps/{ids['step']}/", (401, 404, 200, 404, 200)),
        "api-schema": ("/api/schema/", everyone),
        "api-docs": ("/api/docs/", (302, 200, 200, 200, 200)),
        "api-redoc": ("/api/redoc/", (302, 200, 200, 200, 200)),
    }


def _signed_in(world: World, role: str) -> WebClient:
    client = WebClient()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def _text(content: bytes) -> str:
    """What a reader finds in a response: the text of a page or JSON, of every part of an XLSX, of a PDF."""
    if content.startswith(b"%PDF"):
        reader = PdfReader(io.BytesIO(content))
        return " ".join(page.extract_text() or "" for page in reader.pages)
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return content.decode("utf-8", "replace")


def _walk(world: World, role: str) -> tuple[list[str], dict[str, str]]:
    """Ask every page and route as `role`: the mismatches with the tables, and each answer's text."""
    column = ROLES.index(role)
    web = _signed_in(world, role)
    kwargs, query = page_kwargs(world.ids), queries(world.ids)
    wrong, bodies = [], {}
    for name in workspace_names():
        url = reverse(name, kwargs=kwargs.get(name)) + query.get(name, "")
        response = web.get(url)
        expected = PAGES[name][column]
        if response.status_code != expected:
            wrong.append(f"{name} {url}: {response.status_code}, expected {expected}")
        bodies[url] = _text(response.content)
    for name, (url, statuses) in api_routes(world.ids).items():
        response = web.get(url)
        if response.status_code != statuses[column]:
            wrong.append(f"{name} {url}: {response.status_code}, expected {statuses[column]}")
        bodies[url] = _text(response.content)
    return wrong, bodies


def test_every_named_page_is_in_the_table() -> None:
    """A new page needs a row in PAGES (and its arguments in page_kwargs), so its access is decided, not left."""
    assert sorted(set(workspace_names()) - set(PAGES)) == []
    assert sorted(set(PAGES) - set(workspace_names())) == []


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_table_says_on_every_page_and_api_route(world: World, role: str) -> None:
    wrong, bodies = _walk(world, role)

    assert wrong == []
    if role in ("rita", "alice", "anonymous"):
        # Neither the relationship manager nor another coach reads Zenobia's name, email or phone anywhere.
        leaks = [(url, secret) for url, text in bodies.items() for secret in (NAME, EMAIL, PHONE) if secret in text]
        assert leaks == []
    if role in ("carl", "adam"):
        # The same walk finds her where her file is shown, so the check above can fail.
        assert NAME in bodies[reverse("placements:client", args=[world.ids["client"]])]
        assert EMAIL in bodies[f"/api/v1/clients/{world.ids['client']}/"]


def test_the_relationship_manager_reads_the_placement_at_her_employer_by_reference_only(world: World) -> None:
    web = _signed_in(world, "rita")
    placement = Placement.objects.select_related("client", "mentor").get(pk=world.ids["placement"])

    page = web.get(reverse("placements:placement", args=[placement.pk])).content.decode()
    assert placement.client.reference in page and placement.mentor.full_name in page  # type: ignore[union-attr]
    assert reverse("placements:client", args=[placement.client_id]) not in page  # no link to a file she cannot open
    assert "Werk zoeken" not in page  # the agreement
    row = web.get(f"/api/v1/placements/{placement.pk}/").json()
    assert (row["client"], row["client_reference"], row["start_on"]) == (
        placement.client_id,
        placement.client.reference,
        "2027-01-04",
    )
    employer_page = web.get(reverse("crm:employer", args=[world.ids["employer"]])).content.decode()
    assert placement.client.reference in employer_page
