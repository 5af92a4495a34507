"""Every workspace page fits a phone: at 390 px no page, for no role, scrolls sideways, and axe-core finds
nothing against WCAG 2.1 A/AA on it at desktop and phone width.

The pages are not listed by hand: every route of the URL configuration is visited unless it is in
NOT_VISITED with its reason. A route with arguments needs a line in SAMPLES saying where its
arguments come from; a route added later without one fails this test instead of being skipped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from crm.choices import ContactRole, Stage, VacancyStatus
from crm.import_jobs import DONE, ImportJob
from crm.models import Contact, Employer, Interaction, LadderStep, Vacancy
from outreach.packs.models import InfoPack, InfoPackKind, InfoPackStatus
from outreach.surveys.links import new_token
from outreach.surveys.models import SurveyInvitation, SurveyKind, SurveyTemplate
from placements.choices import ClientStatus, ClosingReason, ConsentPurpose, EndedBy, PlacementStatus, StepStatus
from placements.models import AftercareStep, Client, CoachingAgreement, LadderPosition, Placement, Team
from placements.services import activate_placement
from reports.registry import SECTIONS
from tests.browser.helpers import DESKTOP, PHONE, accessibility_problems, sign_in
from tests.crm.factories import ContactFactory, EmployerFactory, InteractionFactory, VacancyFactory
from tests.placements.factories import ClientFactory, ConsentFactory, PlacementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROLES = ("alice", "carl", "rita", "adam")  # coach, case manager, relationship manager, administrator

# Words a phone cannot break at a space: what real employer names, addresses and notes look like.
LONG_WORD = "Arbeidsmarktintegratieondersteuningsprogrammacoördinatiecentrum"
LONG_NAME = f"Stichting {LONG_WORD} Regionaal Werkgeversservicepunt Midden-Nederland Oost B.V."
LONG_DOMAIN = "werkgeversservicepunt-arbeidsmarktintegratie-midden-nederland-oost.example"
LONG_EMAIL = f"personeelszaken.werving.selectie.en.begeleiding@{LONG_DOMAIN}"
LONG_URL = f"https://www.{LONG_DOMAIN}/over-ons/werken-bij/leerwerkplekken-en-proefplaatsingen?bron=werkbrug"
LONG_TEXT = f"Afspraak met {LONG_EMAIL} over {LONG_WORD}; zie {LONG_URL} voor het rooster."
# Addresses with no place to break in them at all: a hyphen is one (a browser may wrap after it), a dot is not.
MENTOR_EMAIL = f"mariamagdalena.vandenarbeidsmarktintegratieondersteuning@{LONG_DOMAIN}"
CLIENT_EMAIL = "fatimazahra.elmoussaoui.werkfitnoordoost2026@gemeentelijkesocialewerkvoorzieningnoordoost.example"
JOB_TITLE = f"Medewerker {LONG_WORD}"
EMPLOYMENT_MEASURE = f"Loonkostensubsidie {LONG_WORD}"


# --- Which routes are visited -------------------------------------------------------------------

# Routes under these prefixes are not workspace pages.
NOT_VISITED_PREFIXES = {
    "admin/": "Django's admin has its own layout, which we do not style",
    "api/": "the REST API and its docs answer JSON, not pages",
    "s/": "the public survey has its own layout and its own browser test (test_survey_browser.py)",
    "m/": "the mentor's page has the public layout and its own phone test (test_mentor_page_browser.py)",
    "i18n/": "the language switch is a form action that redirects",
}
# Single routes that are not visited, with the reason.
NOT_VISITED = {
    "login": "the sign-in page redirects a signed-in user home; it is the page every role signs in on",
    "logout": "signing out is a POST, and visiting it would end the session the sweep runs in",
    "health": "a JSON liveness probe for process supervisors",
    "placements:calendar-feed": "an .ics calendar file, not a page",
    "privacy:subject-access": "a POST that downloads a ZIP, not a page",
    "outreach:placement-pack-pdf": "a PDF download, not a page",
    "crm:import-template": "a CSV or XLSX download, not a page",
    "outreach:employer-pack-pdf": "a PDF download, not a page",
    "outreach:employer-pack-document": (
        "the general pack itself, shown inside the preview page's frame; the preview page around it is visited"
    ),
    "outreach:placement-pack-document": (
        "the pack itself, the employer's A4 document shown inside the preview page's frame; "
        "the preview page around it is visited"
    ),
    "outreach:mentor-link-issue": "a POST from the placement page's mentor block, which is visited",
    "outreach:mentor-link-reissue": "a POST from the placement page's mentor block, which is visited",
    "outreach:mentor-link-revoke": "a POST from the placement page's mentor block, which is visited",
    "outreach:mentor-concern-answer": "a POST from the placement page's mentor block, which is visited",
    "reports:xlsx": "the report as an XLSX workbook download, not a page",
    "reports:pdf": "the report for funders as a PDF download, not a page",
}


@dataclasses.dataclass
class Data:
    """The sample rows the routes' arguments come from."""

    employer: Employer
    contact: Contact
    vacancy: Vacancy
    client: Client
    closed_client: Client
    placements: dict[str, Placement]
    step: AftercareStep
    agreement: CoachingAgreement
    pack: InfoPack
    invitation: SurveyInvitation
    import_job_id: str


Kwargs = dict[str, Any]


def general_pack(data: Data) -> InfoPack:
    """The employer's built general pack, as a row (Data.pack is a placement pack); made on first use."""
    pack, _made = InfoPack.objects.get_or_create(
        employer=data.employer,
        placement=None,
        version=1,
        language="nl",
        defaults={
            "kind": InfoPackKind.GENERAL,
            "status": InfoPackStatus.READY,
            "built_at": timezone.now(),
            "pdf": "infopacks/general.pdf",
            "sha256": "0" * 64,
            "size": 1,
        },
    )
    return pack


# Route name -> the arguments of each sample visit. Adding a route with arguments is one line here.
SAMPLES: dict[str, Callable[[Data], list[Kwargs]]] = {
    "crm:employer": lambda d: [{"pk": d.employer.pk}],
    "privacy:erase": lambda d: [{"pk": d.client.pk}],
    "crm:log-interaction": lambda d: [{"pk": d.employer.pk}],
    "crm:move": lambda d: [{"pk": d.employer.pk}],
    "crm:employer-edit": lambda d: [{"pk": d.employer.pk}],
    "crm:employer-vetting": lambda d: [{"pk": d.employer.pk}],
    "crm:employer-profile": lambda d: [{"pk": d.employer.pk}],
    "crm:employer-decline": lambda d: [{"pk": d.employer.pk}],
    "crm:import-job": lambda d: [{"job_id": d.import_job_id}],
    "crm:import-template": lambda d: [{"kind": "employers", "format": "csv"}],
    "crm:contact-new": lambda d: [{"pk": d.employer.pk}],
    "crm:contact-edit": lambda d: [{"pk": d.contact.pk}],
    "crm:contact-deactivate": lambda d: [{"pk": d.contact.pk}],
    "crm:contact-reactivate": lambda d: [{"pk": d.contact.pk}],
    "crm:vacancy-new": lambda d: [{"pk": d.employer.pk}],
    "crm:vacancy-edit": lambda d: [{"pk": d.vacancy.pk}],
    "crm:vacancy-open": lambda d: [{"pk": d.vacancy.pk}],
    "crm:vacancy-fill": lambda d: [{"pk": d.vacancy.pk}],
    "crm:vacancy-close": lambda d: [{"pk": d.vacancy.pk}],
    "placements:step-row": lambda d: [{"pk": d.step.pk}],
    "placements:complete-step": lambda d: [{"pk": d.step.pk}],
    "placements:move-step": lambda d: [{"pk": d.step.pk}],
    "placements:client": lambda d: [{"pk": d.client.pk}, {"pk": d.closed_client.pk}],
    "placements:client-edit": lambda d: [{"pk": d.client.pk}],
    "placements:consent-record": lambda d: [{"pk": d.client.pk}],
    "placements:consent-withdraw": lambda d: [{"pk": d.client.pk, "purpose": ConsentPurpose.SHARE_WITH_EMPLOYER}],
    "placements:ladder-move": lambda d: [{"pk": d.client.pk}],
    "placements:client-close": lambda d: [{"pk": d.client.pk}],
    "placements:agreement": lambda d: [{"pk": d.client.pk}],
    "placements:agreement-edit": lambda d: [{"pk": d.client.pk}],
    "placements:agreement-version": lambda d: [{"pk": d.client.pk, "version": d.agreement.version}],
    "placements:placement": lambda d: [{"pk": p.pk} for p in d.placements.values()],
    "placements:placement-new": lambda d: [{"pk": d.client.pk}],
    "placements:placement-edit": lambda d: [{"pk": d.placements["planned"].pk}, {"pk": d.placements["active"].pk}],
    "placements:placement-activate": lambda d: [{"pk": d.placements["planned"].pk}],
    "placements:placement-dates": lambda d: [{"pk": d.placements["active"].pk}],
    "placements:placement-end": lambda d: [{"pk": d.placements["active"].pk}],
    "placements:placement-cancel": lambda d: [{"pk": d.placements["planned"].pk}],
    "placements:step-reassign": lambda d: [{"pk": d.step.pk}],
    "placements:client-reassign": lambda d: [{"pk": d.client.pk}],
    "placements:coverage-step": lambda d: [{"position": 19}],
    "outreach:placement-pack-section": lambda d: [{"pk": d.pack.placement_id}],
    "outreach:placement-pack-build": lambda d: [{"pk": d.pack.placement_id}],
    "outreach:placement-pack-preview": lambda d: [{"pk": d.pack.placement_id, "pack_pk": d.pack.pk}],
    "outreach:placement-pack-document": lambda d: [{"pk": d.pack.placement_id, "pack_pk": d.pack.pk}],
    "outreach:placement-pack-pdf": lambda d: [{"pk": d.pack.placement_id, "pack_pk": d.pack.pk}],
    "outreach:placement-pack-send": lambda d: [{"pk": d.pack.placement_id, "pack_pk": d.pack.pk}],
    "outreach:employer-pack-section": lambda d: [{"pk": d.employer.pk}],
    "outreach:employer-pack-build": lambda d: [{"pk": d.employer.pk}],
    "outreach:employer-pack-preview": lambda d: [{"pk": d.employer.pk, "pack_pk": general_pack(d).pk}],
    "outreach:employer-pack-document": lambda d: [{"pk": d.employer.pk, "pack_pk": general_pack(d).pk}],
    "outreach:employer-pack-pdf": lambda d: [{"pk": d.employer.pk, "pack_pk": general_pack(d).pk}],
    "outreach:employer-pack-send": lambda d: [{"pk": d.employer.pk, "pack_pk": general_pack(d).pk}],
    "outreach:placement-evaluation-resend": lambda d: [
        {"pk": d.invitation.placement_id, "invitation_pk": d.invitation.pk}
    ],
    "reports:section": lambda d: [{"section": spec.key} for spec in SECTIONS],
    "reports:rows": lambda d: [{"section": "outcomes", "table": "placements"}],
}


@dataclasses.dataclass(frozen=True)
class Route:
    """One named route of the URL configuration."""

    name: str  # with its namespace: "crm:employer"
    route: str  # the whole pattern: "network/employers/<int:pk>/"
    arguments: tuple[str, ...]


def _routes(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _routes(entry, prefix + str(entry.pattern), inner or "")
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            converters = getattr(entry.pattern, "converters", {})
            yield Route(name=name, route=prefix + str(entry.pattern), arguments=tuple(converters))


def workspace_routes() -> list[Route]:
    """Every route this sweep visits: all but the prefixes and routes in NOT_VISITED*."""
    routes = []
    for route in _routes(get_resolver()):
        if route.route.startswith(tuple(NOT_VISITED_PREFIXES)) or route.name.startswith("admin:"):
            continue
        if route.name not in NOT_VISITED:
            routes.append(route)
    return routes


def sample_urls(data: Data) -> list[str]:
    """The URL of every visit; fails on a route nobody gave sample arguments, or a stale list entry."""
    routes = workspace_routes()
    unnamed = [r.route for r in routes if not r.name]
    assert not unnamed, f"Name these routes so the layout sweep can list them: {unnamed}"
    missing = [r.name for r in routes if r.arguments and r.name not in SAMPLES]
    assert not missing, (
        f"These pages have no sample arguments, so the phone layout sweep cannot visit them: {missing}. "
        "Add a line to SAMPLES in tests/browser/test_phone_layout.py (or, with a reason, to NOT_VISITED)."
    )
    urls = []
    for route in routes:
        for kwargs in SAMPLES[route.name](data) if route.arguments else [{}]:
            urls.append(reverse(route.name, kwargs=kwargs))
    return urls


# --- The sample data ----------------------------------------------------------------------------


def _network(rita: User) -> tuple[Employer, Contact, Vacancy]:
    """An employer with every field long, and a few ordinary ones in other stages."""
    employer: Employer = EmployerFactory.create(
        name=LONG_NAME,
        owner=rita,
        stage=Stage.ENGAGED,
        street=f"{LONG_WORD}straat 1234-bis",
        city="Amersfoort",
        email=LONG_EMAIL,
        website=LONG_URL,
        phone="+31 33 123 45 67 toestel 8901 na 13:00",
        registration_number="NL-KVK-123456789012345678",
    )
    contact: Contact = ContactFactory.create(
        employer=employer,
        first_name="Maria-Magdalena",
        last_name=f"van den {LONG_WORD}",
        role=ContactRole.MENTOR,
        job_title=f"Teamleider {LONG_WORD}",
        email=MENTOR_EMAIL,
        phone="+31 6 1234 5678",
    )
    vacancy: Vacancy = VacancyFactory.create(
        employer=employer, title=f"Medewerker {LONG_WORD} (leerwerkplek)", places=3
    )
    vacancy.ladder_steps.add(*LadderStep.objects.filter(position__in=[18, 19, 20]))
    VacancyFactory(employer=employer, title="Proefdag", status=VacancyStatus.DRAFT)
    today = timezone.localdate()
    for days, summary in ((-3, "Te laat"), (0, "Vandaag"), (4, LONG_TEXT[:300])):
        InteractionFactory(
            employer=employer,
            author=rita,
            contact=contact,
            summary=LONG_TEXT,
            next_step=summary,
            next_step_due=today + dt.timedelta(days=days),
        )
    for n, stage in enumerate([Stage.PROSPECT, Stage.CONTACTED, Stage.ACTIVE, Stage.DORMANT, Stage.DECLINED]):
        EmployerFactory(name=f"{LONG_WORD} {n}", owner=rita, stage=stage, city="Utrecht")
    return employer, contact, vacancy


def _client(alice: User, carl: User, reference: str, **extra: Any) -> Client:
    client: Client = ClientFactory.create(
        coach=alice, case_manager=carl, reference=reference, first_name="Fatima-Zahra", email=CLIENT_EMAIL, **extra
    )
    ConsentFactory(client=client, purpose=ConsentPurpose.COACHING)
    ConsentFactory(client=client, purpose=ConsentPurpose.SHARE_WITH_EMPLOYER)
    LadderPosition.objects.create(
        client=client, step=LadderStep.objects.get(position=19), entered_on=dt.date(2026, 1, 5)
    )
    return client


def _placements(
    alice: User, client: Client, employer: Employer, mentor: Contact, vacancy: Vacancy
) -> dict[str, Placement]:
    """One placement in every state, the active one with its schedule and steps overdue, today and this week."""
    today = timezone.localdate()
    common = {"client": client, "employer": employer, "mentor": mentor, "vacancy": vacancy}
    active: Placement = PlacementFactory.create(
        **common,
        job_title=JOB_TITLE,
        start_on=today - dt.timedelta(days=20),
        hours_per_week=32,
        employment_measure=EMPLOYMENT_MEASURE,
    )
    activate_placement(placement=active, actor=alice)
    for days, title in ((-5, "Te laat gebeld"), (0, LONG_TEXT[:200]), (3, "Later deze week")):
        AftercareStep.objects.create(
            placement=active, title=title, due_on=today + dt.timedelta(days=days), assignee=alice
        )
    AftercareStep.objects.filter(placement=active, due_on__lt=today).update(status=StepStatus.DUE)
    ended = {"completed": PlacementStatus.COMPLETED, "ended_early": PlacementStatus.ENDED_EARLY}
    placements: dict[str, Placement] = {
        "planned": PlacementFactory.create(**common, job_title="Proefplaatsing", start_on=today + dt.timedelta(days=30))
    }
    placements["active"] = active
    for key, status in ended.items():
        placements[key] = PlacementFactory.create(
            **common,
            job_title=f"Eerder: {LONG_WORD}",
            start_on=today - dt.timedelta(days=400),
            actual_end_on=today - dt.timedelta(days=200),
            status=status,
            ended_by=EndedBy.EMPLOYER if status == PlacementStatus.ENDED_EARLY else EndedBy.NONE,
            end_reason=LONG_TEXT,
        )
    placements["cancelled"] = PlacementFactory.create(
        **common, job_title="Afgezegd", start_on=today - dt.timedelta(days=90), status=PlacementStatus.CANCELLED
    )
    return placements


def _agreement(alice: User, client: Client) -> CoachingAgreement:
    return CoachingAgreement.objects.create(
        client=client,
        parties=f"Cliënt, coach, {LONG_NAME}",
        joint_work=LONG_TEXT,
        expected_result=f"Zelfstandig werken als {LONG_WORD}",
        success_measure=LONG_TEXT,
        goals_work=LONG_TEXT,
        goals_private=LONG_TEXT,
        contact_rhythm=f"Elke week; {LONG_WORD}",
        share_with_employer=LONG_TEXT,
        created_by=alice,
    )


def _outreach(alice: User, placement: Placement, contact: Contact) -> tuple[InfoPack, SurveyInvitation]:
    """A built pack and an evaluation invitation, as rows: the sweep needs no PDF and no mail."""
    now = timezone.now()
    pack = InfoPack.objects.create(
        employer=placement.employer,
        placement=placement,
        kind=InfoPackKind.PLACEMENT,
        language="nl",
        version=1,
        status=InfoPackStatus.READY,
        requested_by=alice,
        built_at=now,
        pdf="infopacks/sample.pdf",
        sha256="0" * 64,
        size=1,
    )
    token = new_token()
    invitation = SurveyInvitation.objects.create(
        template=SurveyTemplate.objects.filter(kind=SurveyKind.EMPLOYER_END).earliest("pk"),
        placement=placement,
        employer=placement.employer,
        contact=contact,
        email=contact.email,
        language="nl",
        token_prefix=token.prefix,
        token_hash=token.hash,
        token_seed=token.seed,
        created_by=alice,
        created_at=now,
        expires_at=now + dt.timedelta(days=30),
    )
    return pack, invitation


def _import_job(rita: User) -> str:
    """A finished dry run with row errors, the longest state of the import page."""
    job = ImportJob(
        id="a" * 32, user_id=rita.pk, kind="employers", filename=f"{LONG_WORD}.xlsx", stored="", dry_run=True
    )
    job.state = DONE
    job.report = {
        "dry_run": True,
        "total_rows": 2,
        "problems": [{"row": 1, "messages": [f"email: {LONG_EMAIL} is not valid for {LONG_WORD}"]}],
        "file_errors": [],
    }
    job.path.parent.mkdir(parents=True, exist_ok=True)
    job.save()
    return job.id


def sample_data(alice: User, carl: User, rita: User) -> Data:
    """Everything the workspace shows, with the long words real data has."""
    alice.last_name = f"van den {LONG_WORD}"  # the coach in the client's and the placement's facts
    alice.save(update_fields=["last_name"])
    team = Team.objects.create(name=f"Team {LONG_WORD}")
    team.leads.add(carl)
    team.coaches.add(alice)
    employer, contact, vacancy = _network(rita)
    client = _client(alice, carl, "WB-2026-0042", status=ClientStatus.PLACED)
    closed = _client(
        alice,
        carl,
        "WB-2025-0007",
        status=ClientStatus.CLOSED,
        closing_reason=ClosingReason.GOAL_REACHED,
        closed_on=dt.date(2026, 3, 1),
    )
    placements = _placements(alice, client, employer, contact, vacancy)
    agreement = _agreement(alice, client)
    pack, invitation = _outreach(alice, placements["active"], contact)
    step = AftercareStep.objects.filter(
        placement=placements["active"], assignee=alice, due_on=timezone.localdate()
    ).first()
    assert step is not None
    Interaction.objects.filter(employer=employer).update(author=rita)
    return Data(
        employer=employer,
        contact=contact,
        vacancy=vacancy,
        client=client,
        closed_client=closed,
        placements=placements,
        step=step,
        agreement=agreement,
        pack=pack,
        invitation=invitation,
        import_job_id=_import_job(rita),
    )


# --- Measuring a page ---------------------------------------------------------------------------

# How wide the page is and, when it is too wide, the elements that stick out of the viewport: the
# innermost ones (whose children all fit), outside any box that scrolls or clips on its own, widest first.
MEASURE = """() => {
  const vw = window.innerWidth;
  const selector = (el) => {
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && parts.length < 5; node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (node.id) { parts.unshift(part + '#' + node.id); break; }
      if (node.classList.length) part += '.' + [...node.classList].join('.');
      parts.unshift(part);
    }
    return parts.join(' > ');
  };
  const contained = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.overflowX !== 'visible' && node.getBoundingClientRect().right <= vw + 0.5) return true;
    }
    return false;
  };
  const sticksOut = (el) => el.getBoundingClientRect().right > vw + 0.5;
  const html = document.documentElement.scrollWidth, body = document.body.scrollWidth;
  if (html <= vw && body <= vw) return {viewport: vw, html, body, wide: []};
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!sticksOut(el) || contained(el)) continue;
    if ([...el.children].some(sticksOut)) continue;
    wide.push({element: selector(el), right: Math.round(el.getBoundingClientRect().right),
               text: (el.textContent || '').trim().slice(0, 60)});
  }
  wide.sort((a, b) => b.right - a.right);
  return {viewport: vw, html, body, wide: wide.slice(0, 5)};
}"""


def overflow_of(page: Any) -> str:
    """'' when the page fits its viewport; otherwise how wide it is and what sticks out."""
    measured = page.evaluate(MEASURE)
    viewport = measured["viewport"]
    if measured["html"] <= viewport and measured["body"] <= viewport:
        return ""
    culprits = "; ".join(f"{w['element']} (right edge {w['right']}px: {w['text']!r})" for w in measured["wide"])
    return (
        f"{measured['html']}px wide (body {measured['body']}px) in a {viewport}px viewport; "
        f"sticking out: {culprits or 'nothing found'}"
    )


def visit(page: Any, url: str) -> int:
    """Open a page and wait for it to load; the HTTP status, or 405 without opening a POST-only action.

    Chromium shows no page for an empty 405 response and Playwright raises, so the method is
    probed first with a plain request that shares the page's session.
    """
    probe = page.request.get(url, max_redirects=0)
    if probe.status == 405:
        return 405
    response = page.goto(url)  # waits for the load event: the stylesheet is applied
    assert response is not None, url
    return response.status


# --- The test ---------------------------------------------------------------------------------

# The main pages, photographed on a desktop and a phone: name -> (user, URL).
MAIN_PAGES: dict[str, tuple[str, Callable[[Data], str]]] = {
    "home": ("alice", lambda d: reverse("home")),
    "followups": ("alice", lambda d: reverse("placements:followups")),
    "client": ("alice", lambda d: reverse("placements:client", args=[d.client.pk])),
    "placement": ("alice", lambda d: reverse("placements:placement", args=[d.placements["active"].pk])),
    "employer": ("rita", lambda d: reverse("crm:employer", args=[d.employer.pk])),
}


def sweep(
    browser: Any,
    base_url: str,
    username: str,
    urls: list[str],
    *,
    viewport: dict[str, int] = PHONE,
    statuses: dict[str, int] | None = None,
    shown: dict[str, tuple[str, ...]] | None = None,
) -> tuple[int, list[str], list[str]]:
    """Visit every URL as one user on a phone; how many pages were looked at, the ones too wide, and what
    axe-core found on them at desktop and phone width (checked at the default phone size only).

    `statuses`, when given, gets each URL's HTTP status; `shown` names, per URL, texts the page must show
    when it opens (a page that stopped showing its long values would fit the phone for the wrong reason).
    """
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    sign_in(page, base_url, username)
    problems, inaccessible, visited = [], [], 0
    for url in urls:
        status = visit(page, base_url + url)
        if statuses is not None:
            statuses[url] = status
        if status == 405:  # a POST-only action: nothing to look at
            continue
        visited += 1
        if status >= 500:
            problems.append(f"{username} {url}: HTTP {status}")
            continue
        if status == 200 and (missing := [text for text in (shown or {}).get(url, ()) if text not in page_text(page)]):
            problems.append(f"{username} {url} does not show {missing}")
        if overflow := overflow_of(page):
            problems.append(f"{username} {url} (HTTP {status}): {overflow}")
        if viewport == PHONE:
            inaccessible += accessibility_problems(page, label=f"{username} {url}")
    context.close()
    return visited, problems, inaccessible


def page_text(page: Any) -> str:
    """The page's text and its links' addresses, as one string to look for values in."""
    return page.evaluate(
        "() => document.body.innerText + '\\n' + [...document.links].map(a => a.getAttribute('href')).join('\\n')"
    )


def photograph(browser: Any, base_url: str, data: Data, screenshots: Path) -> None:
    """Screenshots of the main pages at desktop and phone size, under stable names."""
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        pages = {}
        for username in sorted({user for user, _url in MAIN_PAGES.values()}):
            pages[username] = browser.new_context(viewport=viewport).new_page()
            sign_in(pages[username], base_url, username)
        for name, (username, url) in MAIN_PAGES.items():
            page = pages[username]
            assert visit(page, base_url + url(data)) == 200, name
            page.screenshot(path=str(screenshots / f"layout-{name}-{size}.png"), full_page=True)
        for page in pages.values():
            page.context.close()


def test_every_workspace_page_fits_a_phone_for_every_role(
    live_server, browser, alice, carl, rita, adam, settings, tmp_path, screenshots: Path
):
    settings.MEDIA_ROOT = tmp_path
    data = sample_data(alice, carl, rita)
    urls = sample_urls(data)
    problems, inaccessible, visited = [], [], 0
    for username in ROLES:
        seen, too_wide, violations = sweep(browser, live_server.url, username, urls)
        visited += seen
        problems += too_wide
        inaccessible += violations
    assert visited >= len(ROLES) * 10, f"only {visited} pages were looked at"
    assert not problems, "Pages wider than a 390px phone:\n" + "\n".join(problems)
    assert not inaccessible, "Accessibility violations (axe-core, WCAG 2.1 A/AA):\n" + "\n".join(inaccessible)
    photograph(browser, live_server.url, data, screenshots)


NARROWEST = {"width": 320, "height": 640}  # WCAG 2.1's reflow width (SC 1.4.10): 1280 CSS px at 400 % zoom

# The board's stages sit side by side in a region of their own, which scrolls; the page around it must not.
BOARD_REGION = """() => {
  const board = document.querySelector('[data-board]');
  const style = board && getComputedStyle(board);
  return board && {label: board.getAttribute('aria-label'), overflowX: style.overflowX,
                   right: board.getBoundingClientRect().right, viewport: window.innerWidth};
}"""


# The pages of the records with the longest values, what each shows of them, and the roles that may open
# it: the 320 px sweep must have opened each for each of those roles, and found the values on it.
LONG_VALUE_PAGES: dict[str, tuple[Callable[[Data], str], tuple[str, ...], tuple[str, ...]]] = {
    "employer": (
        lambda d: reverse("crm:employer", args=[d.employer.pk]),
        (LONG_NAME, LONG_EMAIL, LONG_URL, MENTOR_EMAIL),  # its facts and its list of contacts
        ROLES,
    ),
    "placement": (
        lambda d: reverse("placements:placement", args=[d.placements["active"].pk]),
        (JOB_TITLE, MENTOR_EMAIL, EMPLOYMENT_MEASURE, f"van den {LONG_WORD}"),  # the mentor block and the facts list
        ROLES,  # the relationship manager too: the placement is at her employer
    ),
    "client": (
        lambda d: reverse("placements:client", args=[d.client.pk]),
        (CLIENT_EMAIL, JOB_TITLE, f"van den {LONG_WORD}"),
        ("alice", "carl", "adam"),
    ),
}


def test_every_workspace_page_reflows_at_320_px_for_every_role(live_server, browser, alice, carl, rita, adam):
    data = sample_data(alice, carl, rita)
    urls = sample_urls(data)
    long_pages = {url(data): texts for url, texts, _roles in LONG_VALUE_PAGES.values()}
    problems, visited, opened = [], 0, []
    for username in ROLES:
        statuses: dict[str, int] = {}
        seen, too_wide, _checked_at_390 = sweep(
            browser, live_server.url, username, urls, viewport=NARROWEST, statuses=statuses, shown=long_pages
        )
        visited += seen
        problems += too_wide
        opened += [
            (name, username)
            for name, (url, _texts, _roles) in LONG_VALUE_PAGES.items()
            if statuses.get(url(data)) == 200
        ]
    assert visited >= len(ROLES) * 10, f"only {visited} pages were looked at"
    assert not problems, "Pages wider than 320px:\n" + "\n".join(problems)
    expected = {(name, username) for name, (_url, _texts, roles) in LONG_VALUE_PAGES.items() for username in roles}
    assert not expected - set(opened), f"pages with the long values not opened for a role: {expected - set(opened)}"

    page = browser.new_page(viewport=NARROWEST)
    sign_in(page, live_server.url, "rita")
    visit(page, live_server.url + reverse("crm:board"))
    board = page.evaluate(BOARD_REGION)
    assert board and board["label"] == "Pipeline stages", board
    assert board["overflowX"] in ("auto", "scroll"), f"the board does not scroll in its own region: {board}"
    assert board["right"] <= board["viewport"] + 0.5, f"the board's region is wider than the page: {board}"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.close()
