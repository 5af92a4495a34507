"""Benchmark: the programme reports (page, XLSX, PDF) with the issue's data: 50,000 employers, 100,000
placements, 1,000,000 aftercare steps.

    .venv/bin/python bench/programme_reports.py [--employers 50000] [--placements 100000] [--steps 1000000]
        [--db var/bench/reports.sqlite3] [--repeat 5] [--json FILE]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wb_reports_bench .venv/bin/python bench/programme_reports.py
    .venv/bin/python bench/programme_reports.py --employers 2000 --placements 4000 --steps 40000 \
        --db var/bench/reports_small.sqlite3                       # a quick run

Builds (once) a scratch database with `seed_demo --employers N --users` (the PostgreSQL database in
DATABASE_URL is created when it is missing), then adds with bulk inserts, in chunks of 5,000 clients that
each commit on their own (a second run carries on where the first stopped, and only measures once all is
there):

- clients of the demo coaches alice and bob (60 % of --placements), with a mix of self-described genders,
  the hours they want, case manager carl for some, and closed files with their reason, destination and day;
- their placements over the last three years at the demo employers, until there are --placements overall:
  kinds with their own aftercare plans, statuses consistent with the dates (planned ones start later,
  ended-early ones say who ended them, why and the main cause), hours per week, a mentor;
- the aftercare steps of the started placements, one per template of their plan (dates as the plan gives
  them; done, skipped or still due in the past, planned ahead; cancelled after an early end), plus steps
  added by hand until there are --steps overall;
- three to five consecutive ladder stays per client (steps 1-23, some moves down; the last open unless
  the file is closed);
- submitted employer evaluations of ended placements (invitation with its token fields, response, one
  answer per question of the active end-of-placement survey, the employer's interaction, the evaluation
  step done), and as many invitations again that were never answered;
- interactions with employers by the coaches and relationship managers (--interactions), and a decline
  reason on the demo's declines.

Then runs VACUUM ANALYZE on PostgreSQL and requests, through Django's test client as the user who reads them,
every topic page of the report each reader may read (the network lead with the default twelve months, and
her outcomes page with gender=woman; the coach alice and the case manager carl every topic; the relationship
manager rita the network's two), the XLSX export and the Dutch PDF (every topic): one warm-up request
counted for queries, then --repeat timed ones with the report cache emptied first (the figures counted
afresh) and --repeat more while the figures are kept (a second visit, a download after the pages). Prints
the median and the slowest of each, the five slowest SQL queries of the network lead's outcomes page, and
the time per section (build() with its SQL time) and for the charts of all the network lead's sections.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "BENCH-REP-"
CHUNK = 5000  # clients per committed chunk
INTERACTION_CHUNK = 50_000
YEARS = 3
# Self-described genders, with their share (Gender values; "" = prefers not to say).
GENDERS = (("woman", 50), ("man", 37), ("non_binary", 3), ("self_described", 2), ("", 8))
HOURS_WANTED = (8, 12, 16, 20, 20, 24, 24, 24.5, 28, 32, 32, 36, 38)
# Kinds of placement and their share: paid jobs get the year-long default plan, the others shorter ones.
KINDS = (
    ("paid_job", 42),
    ("work_experience", 30),
    ("trial_day", 10),
    ("internship", 5),
    ("training", 5),
    ("volunteering", 4),
    ("shadowing", 4),
)
# How many placements a client gets on the first pass (the rest are spread afterwards).
PLACEMENTS_PER_CLIENT = ((0, 18), (1, 36), (2, 28), (3, 12), (4, 6))
JOBS = ("Warehouse worker", "Kitchen assistant", "Cleaner", "Sewing machinist", "Shop assistant", "Gardener")


def setup_django(db: Path) -> None:
    """Point Django at the scratch database (unless DATABASE_URL is set) and start it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SQLITE_PATH", str(db))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    db.parent.mkdir(parents=True, exist_ok=True)
    ensure_postgres_database()
    import django

    django.setup()


def ensure_postgres_database() -> None:
    """Create the PostgreSQL database named in DATABASE_URL when it does not exist yet (never drops one)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


@contextmanager
def stored_timestamps(*models: Any) -> Iterator[None]:
    """Let bulk inserts keep the created/updated times set on the rows (auto_now and auto_now_add off)."""
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    """One value from (value, weight) pairs."""
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


def at(day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment in working hours on `day`, in the site's time zone."""
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.randint(0, 59))))


# --- The world the generator draws from ---------------------------------------------------------


@dataclass
class World:
    """What the generated rows point at: staff, employers with a mentor, plans, ladder steps, the survey."""

    today: dt.date
    coaches: list[Any]
    case_manager: Any
    managers: list[Any]
    employers: list[int]
    mentors: dict[int, tuple[int, str, str]]  # employer -> (contact, email, language)
    plans: dict[str, Any]  # placement kind -> plan
    templates: dict[str, list[Any]]  # placement kind -> its plan's templates in order
    ladder: dict[int, int]  # position -> LadderStep pk
    survey: Any
    questions: list[Any] = field(default_factory=list)


BENCH_COACH = "coach-{:04d}"
SUPERVISED_COACHES = 10  # with more coaches than the demo's two, carl supervises the first ten's clients


def bench_coaches(count: int) -> list[Any]:
    """alice, bob and, when `count` is more than two, coaches coach-0003... in the coach group (created once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from crm.roles import Role

    user_model = get_user_model()
    names = [BENCH_COACH.format(n) for n in range(3, count + 1)]
    have = set(user_model.objects.filter(username__in=names).values_list("username", flat=True))
    missing = [user_model(username=name, first_name="Coach", last_name=name[6:], is_staff=True) for name in names]
    missing = [user for user in missing if user.username not in have]
    if missing:
        for user in missing:
            user.set_unusable_password()
        user_model.objects.bulk_create(missing)
        group = Group.objects.get(name=Role.COACH)
        created = user_model.objects.filter(username__in=[user.username for user in missing])
        group.user_set.add(*created)
    by_name = {user.username: user for user in user_model.objects.filter(username__in=["alice", "bob", *names])}
    return [by_name["alice"], by_name["bob"], *(by_name[name] for name in names)]


def supervised(world: World, number: int, rng: random.Random) -> bool:
    """Whether carl is the case manager of client `number`: a third at random, or the first ten coaches' clients."""
    if len(world.coaches) <= 2:
        return rng.random() < 0.35
    return number % len(world.coaches) < SUPERVISED_COACHES


def world(coaches: int = 2) -> World:
    """Read what the generator needs, in a handful of queries; `coaches` spreads the clients over that many."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from crm.choices import Stage
    from crm.models import Contact, Employer, LadderStep
    from outreach.surveys.models import SurveyKind, SurveyTemplate
    from placements.services.placements import plan_for_kind

    users = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=["alice", "bob", "carl", "rita", "sven"])
    }
    partner = (Stage.ACTIVE, Stage.COMPLETED, Stage.ENDED_EARLY, Stage.ENGAGED, Stage.DORMANT)
    employers = list(Employer.objects.filter(stage__in=partner).order_by("pk").values_list("pk", flat=True))
    mentors: dict[int, tuple[int, str, str]] = {}
    contacts = Contact.objects.filter(is_active=True, employer__stage__in=partner).exclude(email="").order_by("pk")
    for pk, employer_id, email, language in contacts.values_list("pk", "employer_id", "email", "preferred_language"):
        mentors.setdefault(employer_id, (pk, email, language or "nl"))
    plans = {kind: plan_for_kind(kind) for kind, _share in KINDS}
    survey = SurveyTemplate.objects.filter(kind=SurveyKind.EMPLOYER_END, is_active=True).first()
    return World(
        today=timezone.localdate(),
        coaches=bench_coaches(coaches),
        case_manager=users["carl"],
        managers=[users["rita"], users["sven"]],
        employers=[pk for pk in employers if pk in mentors],
        mentors=mentors,
        plans=plans,
        templates={kind: list(plan.templates.order_by("order")) for kind, plan in plans.items()},
        ladder=dict(LadderStep.objects.values_list("position", "pk")),
        survey=survey,
        questions=list(survey.questions.order_by("order")) if survey else [],
    )


# --- One chunk of clients with everything that hangs off them ------------------------------------


@dataclass
class Plan:
    """One placement as drawn, before it is stored."""

    kind: str
    start: dt.date
    planned_end: dt.date | None
    status: str
    end: dt.date | None = None
    ended_by: str = ""
    cause: str = ""


@dataclass
class Person:
    """One client as drawn: her file and her placements."""

    number: int
    created: dt.date
    placements: list[Plan] = field(default_factory=list)
    cursor: dt.date | None = None  # the first day a next placement could start; None when she works now
    closed_on: dt.date | None = None


class Chunk:
    """Draws and stores one chunk of clients; the random generator is seeded by the chunk's number."""

    def __init__(self, world: World, index: int, clients: int, placements: int, steps: int, evaluations: int) -> None:
        """Remember the chunk's quotas."""
        self.world, self.index = world, index
        self.clients, self.placement_quota, self.step_quota = clients, placements, steps
        self.evaluation_quota = evaluations
        self.rng = random.Random(f"reports-bench:{index}")
        self.today = world.today

    # Drawing ------------------------------------------------------------------------------------

    def draw_placement(self, person: Person) -> Plan | None:
        """The next placement of a client, after her last one; None when there is no room before the horizon."""
        rng, today = self.rng, self.today
        if person.cursor is None or person.cursor > today + dt.timedelta(days=60):
            return None
        kind = pick(rng, KINDS)
        if rng.random() < 0.04:  # called off before it started, at any time
            start = person.cursor + dt.timedelta(days=rng.randint(0, 200))
            return Plan(kind, min(start, today + dt.timedelta(days=60)), None, "cancelled")
        start = person.cursor
        planned_end: dt.date | None = None
        if kind in ("trial_day", "shadowing"):
            planned_end = start
        elif kind in ("work_experience", "internship"):
            planned_end = start + dt.timedelta(days=rng.randint(30, 180))
        elif kind in ("training", "volunteering"):
            planned_end = start + dt.timedelta(days=rng.randint(90, 365))
        elif rng.random() < 0.4:
            planned_end = start + dt.timedelta(days=rng.choice((182, 365)))
        if start > today:
            person.cursor = None
            return Plan(kind, start, planned_end, "planned")
        natural = planned_end or start + dt.timedelta(days=365)
        if rng.random() < (0.05 if planned_end == start else 0.27):
            early = start + dt.timedelta(days=rng.randint(1, max((natural - start).days, 1) + 30))
            if early <= today and (planned_end is None or early < natural):
                person.cursor = early + dt.timedelta(days=rng.randint(14, 150))
                return Plan(
                    kind,
                    start,
                    planned_end,
                    "ended_early",
                    early,
                    pick(rng, (("client", 40), ("employer", 35), ("organisation", 10), ("mutual", 15))),
                    pick(
                        rng,
                        (
                            ("work_attitude", 18),
                            ("skills", 14),
                            ("language", 12),
                            ("relations", 9),
                            ("health", 12),
                            ("care", 10),
                            ("conditions", 8),
                            ("mobility", 5),
                            ("other_work", 5),
                            ("economic", 4),
                            ("other", 2),
                            ("", 1),
                        ),
                    ),
                )
        if natural <= today:
            person.cursor = natural + dt.timedelta(days=rng.randint(7, 150))
            return Plan(kind, start, planned_end, "completed", natural)
        person.cursor = None
        return Plan(kind, start, planned_end, "active")

    def draw_people(self, first: int) -> list[Person]:
        """The chunk's clients and their placements, up to the chunk's placement quota."""
        rng, today = self.rng, self.today
        days = YEARS * 365 + 180
        people = []
        for number in range(first, first + self.clients):
            created = today - dt.timedelta(days=rng.randint(20, days))
            people.append(Person(number, created, cursor=created + dt.timedelta(days=rng.randint(14, 120))))
        made = 0
        for person in people:
            for _ in range(pick(rng, PLACEMENTS_PER_CLIENT)):
                if made >= self.placement_quota:
                    break
                drawn = self.draw_placement(person)
                if drawn is None:
                    break
                person.placements.append(drawn)
                made += 1
        while made < self.placement_quota:  # spread what is left over the clients with room
            room = [person for person in people if person.cursor is not None and person.cursor <= today]
            if not room:
                break
            for person in rng.sample(room, min(len(room), self.placement_quota - made)):
                drawn = self.draw_placement(person)
                if drawn is not None:
                    person.placements.append(drawn)
                    made += 1
        for person in people:
            running = any(p.status in ("active", "planned") for p in person.placements)
            ends = [p.end for p in person.placements if p.end] + [person.created]
            chance = 0.5 if person.placements else 0.3
            if not running and person.created < today - dt.timedelta(days=90) and rng.random() < chance:
                person.closed_on = min(max(ends) + dt.timedelta(days=rng.randint(7, 120)), today)
        return people

    # Storing ------------------------------------------------------------------------------------

    def store(self, first: int) -> dict[str, int]:
        """Draw the chunk and insert it; returns the rows made per table."""
        from placements.models import AftercareStep, Client, LadderPosition, Placement

        people = self.draw_people(first)
        with stored_timestamps(Client, Placement, AftercareStep):
            clients = Client.objects.bulk_create([self.client_row(p) for p in people], batch_size=1000)
            LadderPosition.objects.bulk_create(
                [
                    row
                    for person, client in zip(people, clients, strict=True)
                    for row in self.ladder_rows(person, client)
                ],
                batch_size=2000,
            )
            pairs = [
                (drawn, self.placement_row(drawn, client))
                for person, client in zip(people, clients, strict=True)
                for drawn in person.placements
            ]
            placements = Placement.objects.bulk_create([row for _, row in pairs], batch_size=1000)
            steps = self.step_rows(
                [(drawn, placement) for (drawn, _), placement in zip(pairs, placements, strict=True)]
            )
            steps = AftercareStep.objects.bulk_create(steps, batch_size=2000)
        evaluations = self.evaluations(steps)
        return {"clients": len(clients), "placements": len(placements), "steps": len(steps), **evaluations}

    def client_row(self, person: Person) -> Any:
        """The client's file."""
        from placements.models import Client

        rng = self.rng
        world = self.world
        gender = pick(rng, GENDERS)
        placements = person.placements
        statuses = {p.status for p in placements}
        if person.closed_on:
            status = "closed"
        elif "active" in statuses:
            status = rng.choice(("placed", "aftercare"))
        elif "planned" in statuses:
            status = "active"
        elif "completed" in statuses:
            status = rng.choice(("aftercare", "active"))
        elif placements:
            status = "active"
        else:
            status = pick(rng, (("intake", 30), ("active", 60), ("paused", 10)))
        reason = destination = ""
        if person.closed_on:
            if "completed" in statuses:
                reason = pick(rng, (("goal_reached", 60), ("autonomous", 25), ("moved", 5), ("other", 10)))
                destination = pick(rng, (("employment", 75), ("education", 8), ("self_employed", 5), ("", 12)))
            else:
                reason = pick(
                    rng,
                    (
                        ("dropped_out", 35),
                        ("referred", 20),
                        ("handed_back", 20),
                        ("moved", 10),
                        ("other", 10),
                        ("goal_reached", 5),
                    ),
                )
                destination = pick(
                    rng,
                    (("not_working", 40), ("other_programme", 20), ("education", 10), ("employment", 10), ("", 20)),
                )
        created = at(person.created, rng)
        return Client(
            reference=f"{PREFIX}{person.number:06d}",
            first_name="Bench",
            gender=gender,
            gender_description="Genderfluid" if gender == "self_described" else "",
            hours_wanted=Decimal(str(rng.choice(HOURS_WANTED))) if rng.random() < 0.7 else None,
            coach=world.coaches[person.number % len(world.coaches)],
            case_manager=world.case_manager if supervised(world, person.number, rng) else None,
            status=status,
            closing_reason=reason,
            destination=destination,
            closed_on=person.closed_on,
            created_at=created,
            updated_at=created,
        )

    def ladder_rows(self, person: Person, client: Any) -> list[Any]:
        """Three to five consecutive stays from intake to today (or the closing day), mostly upwards."""
        from placements.models import LadderPosition
        from placements.services.ladder import move_direction

        rng = self.rng
        end = person.closed_on or self.today
        stays = rng.randint(3, 5)
        span = max((end - person.created).days, stays)
        cuts = sorted(rng.sample(range(1, span), stays - 1)) if span > stays else list(range(1, stays))
        days = [person.created + dt.timedelta(days=cut) for cut in [0, *cuts]]
        step = rng.randint(2, 12)
        steps = []
        for _ in range(stays):
            steps.append(step)
            step = step - rng.randint(1, 3) if rng.random() < 0.18 else step + rng.randint(1, 4)
            step = min(max(step, 1), 20)
        statuses = {p.status for p in person.placements}
        if "active" in statuses:
            steps[-1] = rng.choice((21, 22))
        elif "completed" in statuses:
            steps[-2:] = [21, rng.choice((22, 23))]
        rows = []
        for n, (entered, step) in enumerate(zip(days, steps, strict=True)):
            last = n == stays - 1
            left = (end if person.closed_on else None) if last else days[n + 1]
            came_from = steps[n - 1] if n else None
            rows.append(
                LadderPosition(
                    client=client,
                    step_id=self.world.ladder[step],
                    entered_on=entered,
                    left_on=left,
                    direction=move_direction(came_from, step),
                )
            )
        return rows

    def placement_row(self, drawn: Plan, client: Any) -> Any:
        """The stored placement."""
        from placements.models import Placement

        rng = self.rng
        employer = rng.choice(self.world.employers)
        started = drawn.status in ("active", "completed", "ended_early")
        created = at(drawn.start - dt.timedelta(days=rng.randint(3, 30)), rng)
        return Placement(
            client=client,
            employer_id=employer,
            kind=drawn.kind,
            job_title=rng.choice(JOBS),
            start_on=drawn.start,
            planned_end_on=drawn.planned_end,
            actual_end_on=drawn.end,
            hours_per_week=Decimal(rng.choice((8, 12, 16, 20, 24, 28, 32, 36))) if rng.random() < 0.85 else None,
            mentor_id=self.world.mentors[employer][0],
            coach=client.coach,
            plan=self.world.plans[drawn.kind] if started else None,
            status=drawn.status,
            end_reason="Recorded by the coach." if drawn.status == "ended_early" else "",
            end_cause=drawn.cause,
            ended_by=drawn.ended_by,
            end_recorded_by=client.coach if drawn.end else None,
            activated_at=at(drawn.start, rng) if started else None,
            created_at=created,
            updated_at=created,
        )

    def step_rows(self, placements: list[tuple[Plan, Any]]) -> list[Any]:
        """Every template step of the started placements, then steps added by hand up to the chunk's quota."""
        from placements.scheduling import END_FOLLOW_UP_DAYS, planned_date

        steps = []
        started = [(drawn, placement) for drawn, placement in placements if placement.plan is not None]
        for drawn, placement in started:
            plan = placement.plan
            for template in self.world.templates[drawn.kind]:
                due = planned_date(template, plan=plan, start_on=drawn.start, planned_end_on=drawn.planned_end)
                cancelled = False
                if drawn.status == "ended_early" and drawn.end and due > drawn.end:
                    if template.kind in ("employer_evaluation", "closing"):
                        due = min(due, drawn.end + dt.timedelta(days=END_FOLLOW_UP_DAYS))
                    else:
                        cancelled = True
                steps.append(
                    self.step(placement, template, template.title, template.track, template.kind, due, cancelled)
                )
        extra = self.step_quota - len(steps)
        for _ in range(max(extra, 0)):
            drawn, placement = self.rng.choice(started)
            last = drawn.end or min(self.today + dt.timedelta(days=90), drawn.start + dt.timedelta(days=365))
            due = drawn.start + dt.timedelta(days=self.rng.randint(0, max((last - drawn.start).days, 0)))
            kind = pick(self.rng, (("call", 60), ("visit", 25), ("three_way", 10), ("email_checkin", 5)))
            title = {"call": "Extra call", "visit": "Extra workplace visit", "three_way": "Extra three-way meeting"}
            steps.append(self.step(placement, None, title.get(kind, "Extra check-in"), "client", kind, due, False))
        return steps

    def step(
        self, placement: Any, template: Any, title: str, track: str, kind: str, due: dt.date, cancelled: bool
    ) -> Any:
        """One step with a believable outcome for its day: done (mostly on time), skipped, due or planned."""
        from placements.models import AftercareStep

        rng, today = self.rng, self.today
        status, completed, minutes, reason = "planned", None, None, ""
        if cancelled:
            status, reason = "cancelled", "The placement ended early."
        elif due <= today:
            roll = rng.random()
            recent = due > today - dt.timedelta(days=21)
            if roll < (0.55 if recent else 0.9):
                status = "done"
                late = rng.random() < 0.25
                day = due + dt.timedelta(days=rng.randint(1, 12) if late else -rng.randint(0, 3))
                completed = at(min(day, today), rng)
                minutes = rng.choice((10, 15, 20, 30, 30, 45, 60, 90)) if rng.random() < 0.75 else None
            elif roll < (0.6 if recent else 0.99):
                status, reason = "skipped", "Not needed this time."
            else:
                status = "due"
        created = at(placement.start_on, rng)
        assignee = placement.coach
        return AftercareStep(
            placement=placement,
            template=template,
            title=title,
            track=track,
            kind=kind,
            due_on=due,
            planned_due_on=due if template is not None else None,
            assignee=assignee,
            status=status,
            minutes_spent=minutes,
            reason=reason,
            completed_at=completed,
            completed_by=assignee if completed else None,
            created_at=created,
            updated_at=completed or created,
        )

    def evaluations(self, steps: list[Any]) -> dict[str, int]:
        """Employer evaluations: the chunk's quota answered (for done evaluation steps), as many sent unanswered."""
        from django.conf import settings

        from crm.models import Interaction
        from outreach.surveys.links import new_token
        from outreach.surveys.models import Answer, SurveyInvitation, SurveyResponse

        world = self.world
        if world.survey is None or not self.evaluation_quota:
            return {}
        rng = self.rng
        done = [s for s in steps if s.kind == "employer_evaluation" and s.status == "done"]
        open_ = [s for s in steps if s.kind == "employer_evaluation" and s.status in ("due", "skipped")]
        answered = rng.sample(done, min(len(done), self.evaluation_quota))
        answered_ids = {id(step) for step in answered}
        unanswered = rng.sample(open_, min(len(open_), self.evaluation_quota))
        invitations = []
        for step in answered + unanswered:
            placement = step.placement
            contact, email, language = world.mentors[placement.employer_id]
            token = new_token()
            sent = at(step.due_on - dt.timedelta(days=rng.randint(3, 10)), rng)
            invitations.append(
                SurveyInvitation(
                    template=world.survey,
                    placement=placement,
                    employer_id=placement.employer_id,
                    contact_id=contact,
                    email=email,
                    language=language,
                    token_prefix=token.prefix,
                    token_hash=token.hash,
                    token_seed=token.seed,
                    created_by=placement.coach,
                    created_at=sent,
                    sent_at=sent,
                    expires_at=sent + dt.timedelta(days=settings.SURVEY_LINK_VALID_DAYS),
                    submitted_at=step.completed_at if id(step) in answered_ids else None,
                    reminders_sent=0 if id(step) in answered_ids else rng.randint(0, 2),
                )
            )
        invitations = SurveyInvitation.objects.bulk_create(invitations, batch_size=1000)
        with stored_timestamps(Interaction):
            interactions = Interaction.objects.bulk_create(
                [
                    Interaction(
                        employer_id=invitation.employer_id,
                        contact_id=invitation.contact_id,
                        kind="email",
                        occurred_at=step.completed_at,
                        initiated_by="employer",
                        summary="Employer evaluation answered.",
                        created_at=step.completed_at,
                    )
                    for invitation, step in zip(invitations, answered, strict=False)
                ],
                batch_size=1000,
            )
        responses = SurveyResponse.objects.bulk_create(
            [
                SurveyResponse(
                    invitation=invitation,
                    template=world.survey,
                    submitted_at=step.completed_at,
                    language=invitation.language,
                    interaction=interaction,
                    step=step,
                )
                for invitation, interaction, step in zip(invitations, interactions, answered, strict=False)
            ],
            batch_size=1000,
        )
        answers = [
            answer
            for response in responses
            for question in world.questions
            if (answer := self.answer(response, question))
        ]
        Answer.objects.bulk_create(answers, batch_size=2000)
        return {"evaluations": len(responses), "unanswered invitations": len(unanswered), "answers": len(answers)}

    def answer(self, response: Any, question: Any) -> Any:
        """An employer's answer to one question, mostly favourable; optional texts left out now and then."""
        from outreach.surveys.models import Answer

        rng = self.rng
        kind = question.type
        if kind == "scale_1_5":
            return Answer(
                response=response,
                question=question,
                number=Decimal(pick(rng, ((5, 30), (4, 38), (3, 18), (2, 9), (1, 5)))),
            )
        if kind == "nps_0_10":
            return Answer(
                response=response, question=question, number=Decimal(min(10, max(0, round(rng.gauss(7.6, 2)))))
            )
        if kind == "number":
            return Answer(response=response, question=question, number=Decimal(rng.randint(0, 12)))
        if kind == "yes_no":
            return Answer(response=response, question=question, choices=["yes" if rng.random() < 0.8 else "no"])
        if kind in ("single_choice", "multiple_choice"):
            keys = question.option_keys()
            if not keys:
                return None
            count = 1 if kind == "single_choice" else rng.randint(1, min(3, len(keys)))
            return Answer(response=response, question=question, choices=rng.sample(keys, count))
        if question.required or rng.random() < 0.4:
            return Answer(response=response, question=question, text="Reliable, and the coach was easy to reach.")
        return None


# --- Building --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """What the build aims at: rows overall (placements, steps) or added (clients, interactions, evaluations)."""

    employers: int
    placements: int
    steps: int
    clients: int
    interactions: int
    evaluations: int
    coaches: int = 2


def build(sizes: Sizes) -> None:
    """Migrate, seed the demo network when smaller than asked, add what is missing, VACUUM ANALYZE on PostgreSQL.

    VACUUM does at once what autovacuum does to a live database a few minutes after bulk inserts: it
    marks the pages all-visible, so index-only scans (the done steps' index) need not visit the table.
    """
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from crm.models import Employer

    call_command("migrate", verbosity=0)
    if Employer.objects.count() < sizes.employers:
        started = time.perf_counter()
        call_command("seed_demo", employers=sizes.employers, users=True)
        print(f"seed_demo: {time.perf_counter() - started:.0f} s", flush=True)
    with override_settings(DEBUG=False):  # no query log: the bulk inserts are megabytes of SQL each
        add_clients(sizes)
        add_interactions(sizes.interactions, sizes.coaches)
        add_decline_reasons()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def add_clients(sizes: Sizes) -> None:
    """The bench clients in committed chunks, each with its placements, steps, ladder and evaluations."""
    from django.db import transaction

    from placements.models import AftercareStep, Client, Placement

    bench = Client.objects.filter(reference__startswith=PREFIX)
    have = bench.count()
    if have >= sizes.clients:
        return
    if have % CHUNK and have < sizes.clients:
        raise SystemExit(f"{have} bench clients is not a whole number of chunks: rebuild the scratch database.")
    # The demo's own rows stay as they are; the bench tops them up to the sizes asked for.
    base_placements = Placement.objects.exclude(client__reference__startswith=PREFIX).count()
    base_steps = AftercareStep.objects.exclude(placement__client__reference__startswith=PREFIX).count()
    chunks = -(-sizes.clients // CHUNK)
    target_placements = max(sizes.placements - base_placements, 0)
    target_steps = max(sizes.steps - base_steps, 0)

    def share(total: int, index: int) -> int:
        return total * (index + 1) // chunks - total * index // chunks

    the_world = world(sizes.coaches)
    for index in range(have // CHUNK, chunks):
        started = time.perf_counter()
        clients = min(CHUNK, sizes.clients - index * CHUNK)
        chunk = Chunk(
            the_world,
            index,
            clients,
            share(target_placements, index),
            share(target_steps, index),
            share(sizes.evaluations, index),
        )
        with transaction.atomic():
            made = chunk.store(index * CHUNK)
        summary = ", ".join(f"{count} {kind}" for kind, count in made.items())
        print(f"chunk {index + 1}/{chunks}: {summary} in {time.perf_counter() - started:.0f} s", flush=True)


def add_interactions(count: int, coaches: int = 2) -> None:
    """Contacts with employers: coaches at the employers of their placements, relationship managers at their own."""
    from django.db import transaction

    from crm.models import Employer, Interaction
    from placements.models import Placement

    bench = Interaction.objects.filter(summary__startswith="Bench: ")
    have = bench.count()
    if have >= count:
        return
    the_world = world(coaches)
    at_employers: dict[int, list[int]] = {}
    for coach in the_world.coaches:
        ids = Placement.objects.filter(coach=coach).values_list("employer_id", flat=True).distinct()
        at_employers[coach.pk] = list(ids)
    for manager in the_world.managers:
        at_employers[manager.pk] = list(Employer.objects.filter(owner=manager).values_list("pk", flat=True))
    authors = [user for user in [*the_world.coaches, *the_world.managers] if at_employers[user.pk]]
    coaching = [user for user in the_world.coaches if at_employers[user.pk]]
    managers = [user for user in the_world.managers if at_employers[user.pk]]
    today = the_world.today
    for index in range(have // INTERACTION_CHUNK, -(-count // INTERACTION_CHUNK)):
        started = time.perf_counter()
        rng = random.Random(f"reports-bench:interactions:{index}")
        rows = []
        for _ in range(min(INTERACTION_CHUNK, count - index * INTERACTION_CHUNK)):
            if len(the_world.coaches) <= 2:
                author = rng.choice(authors)
            else:  # half by the relationship managers, as with the demo's two coaches
                author = rng.choice(managers if rng.random() < 0.5 else coaching)
            day = today - dt.timedelta(days=rng.randint(0, YEARS * 365))
            occurred = at(day, rng)
            kind = pick(rng, (("call", 45), ("email", 25), ("meeting", 12), ("visit", 15), ("event", 3)))
            next_step, due, done = "", None, None
            if rng.random() < 0.2:
                next_step, due = "Call back about a place", day + dt.timedelta(days=rng.randint(3, 30))
                done = at(due, rng) if due < today and rng.random() < 0.85 else None
            rows.append(
                Interaction(
                    employer_id=rng.choice(at_employers[author.pk]),
                    kind=kind,
                    occurred_at=occurred,
                    minutes=rng.choice((5, 10, 15, 30, 45, 60, 90)),
                    initiated_by="employer" if rng.random() < 0.2 else "us",
                    summary=f"Bench: {kind} with the employer",
                    outcome=pick(
                        rng, (("positive", 35), ("neutral", 35), ("negative", 10), ("no_answer", 10), ("", 10))
                    ),
                    next_step=next_step,
                    next_step_due=due,
                    next_step_done_at=done,
                    author=author,
                    created_at=occurred,
                )
            )
        with transaction.atomic(), stored_timestamps(Interaction):
            Interaction.objects.bulk_create(rows, batch_size=2000)
        print(f"interactions {index + 1}: {len(rows)} in {time.perf_counter() - started:.0f} s", flush=True)
    # bulk_create bypasses the services: every employer's last contact is set once, after all inserts.
    from crm.services import refresh_last_contact

    refresh_last_contact(employer_ids=None)


def add_decline_reasons() -> None:
    """Nine in ten of the demo's declines name their main reason (Flora's list), the rest "not recorded"."""
    from crm.choices import DeclineReason
    from crm.models import EmployerStageChange

    reasons = [value for value in DeclineReason.values if value]
    declines = EmployerStageChange.objects.filter(to_stage="declined", decline_reason="")
    rows = [row for row in declines.only("pk") if row.pk % 10]
    for row in rows:
        row.decline_reason = reasons[row.pk % len(reasons)]
    EmployerStageChange.objects.bulk_update(rows, ["decline_reason"], batch_size=2000)
    if rows:
        print(f"decline reasons: {len(rows)}", flush=True)


def data_sizes() -> dict[str, int]:
    """Rows in the tables the reports read."""
    from crm.models import Employer, EmployerStageChange, Interaction
    from outreach.surveys.models import Answer, SurveyInvitation, SurveyResponse
    from placements.models import AftercareStep, Client, LadderPosition, Placement

    return {
        "employers": Employer.objects.count(),
        "clients": Client.objects.count(),
        "placements": Placement.objects.count(),
        "aftercare steps": AftercareStep.objects.count(),
        "ladder positions": LadderPosition.objects.count(),
        "interactions": Interaction.objects.count(),
        "stage changes": EmployerStageChange.objects.count(),
        "survey invitations": SurveyInvitation.objects.count(),
        "survey responses": SurveyResponse.objects.count(),
        "answers": Answer.objects.count(),
    }


# --- Measuring -------------------------------------------------------------------------------------


def cases() -> list[tuple[str, str, str]]:
    """(user, label, url) of every request measured: each topic page a reader may read, then the downloads."""
    from django.contrib.auth import get_user_model
    from django.http import QueryDict
    from django.urls import reverse

    from reports.registry import sections_for
    from reports.scope import Scope

    readers = [
        ("admin", "network lead"),
        ("alice", "coach (alice)"),
        ("carl", "case manager (carl)"),
        ("rita", "relationship manager (rita)"),
    ]
    measured = []
    for username, who in readers:
        scope, _form = Scope.from_query(get_user_model().objects.get(username=username), QueryDict(""))
        for spec in sections_for(scope):
            url = reverse("reports:section", args=[spec.key])
            measured.append((username, f"{spec.key} page, {who}", url))
            if username == "admin" and spec.key == "outcomes":
                measured.append((username, f"{spec.key} page, {who}, gender = woman", f"{url}?gender=woman"))
    return [
        *measured,
        ("admin", "XLSX export, network lead", reverse("reports:xlsx")),
        ("admin", "PDF export (nl), network lead", f"{reverse('reports:pdf')}?lang=nl"),
    ]


def measure(repeat: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Time every request, counted afresh and read back from the report cache; the lead's slowest queries.

    The views keep a counted report for a few minutes per reader, filters and language (REPORTS_CACHE_SECONDS):
    "counted" empties the cache before each request, so the sections run their queries; "kept" is the same
    request again while the figures are kept (a second visit, or a download after the page). One warm-up
    request, counted for queries, then `repeat` of each.
    """
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client as Browser
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment(debug=False)
    browsers: dict[str, Browser] = {}
    results = []
    slowest: list[dict[str, Any]] = []

    def timed(browser: Browser, url: str, *, clear: bool) -> float:
        if clear:
            cache.clear()
        started = time.perf_counter()
        response = browser.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed

    reset_queries()  # building the data ran more queries than the log keeps; count from an empty log
    for username, label, url in cases():
        if username not in browsers:
            browsers[username] = Browser()
            browsers[username].force_login(get_user_model().objects.get(username=username))
        browser = browsers[username]
        cache.clear()
        # Counted in turn, so every section's queries run on this connection and are counted.
        with override_settings(REPORTS_COUNT_THREADS=1), CaptureQueriesContext(connection) as queries:
            response = browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
        query_count = len(queries)
        counted = [timed(browser, url, clear=True) for _ in range(repeat)]
        with CaptureQueriesContext(connection) as queries:
            browser.get(url)
        kept_queries = len(queries)
        kept = [timed(browser, url, clear=False) for _ in range(repeat)]
        if not slowest:  # the first case: the network lead's outcomes page, counted again with its queries timed
            cache.clear()
            with override_settings(REPORTS_COUNT_THREADS=1), CaptureQueriesContext(connection) as queries:
                browser.get(url)
            ranked = sorted(queries.captured_queries, key=lambda q: float(q["time"]), reverse=True)
            slowest = [{"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"]} for q in ranked[:5]]
        results.append(
            {
                "page": label,
                "url": url,
                "median_ms": round(statistics.median(counted), 1),
                "max_ms": round(max(counted), 1),
                "queries": query_count,
                "kept_median_ms": round(statistics.median(kept), 1),
                "kept_max_ms": round(max(kept), 1),
                "kept_queries": kept_queries,
                "bytes": len(response.content),
            }
        )
    return results, slowest


def breakdown(username: str, repeat: int) -> list[dict[str, Any]]:
    """Where the time goes: each section's build() (time, queries, SQL time), then the charts of them all.

    The sections are built in turn here, each in the transaction its topic page counts it in
    (reports.counting: on the request's connection, parallel workers allowed).

    Median of `repeat` runs after the pages' own requests warmed everything; the charts are cached by what
    they show (reports.charts), so a second drawing of the same figures costs next to nothing.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from reports.counting import counting_transaction
    from reports.registry import sections_for
    from reports.scope import Scope
    from reports.views import charted

    user = get_user_model().objects.get(username=username)
    scope, _form = Scope.from_query(user, QueryDict(""))
    rows: dict[str, dict[str, Any]] = {}
    for _ in range(repeat):
        sections = []
        for spec in sections_for(scope):
            with counting_transaction(connection.alias), CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                sections.append(spec.build(scope))
                elapsed = (time.perf_counter() - started) * 1000
            row = rows.setdefault(spec.key, {"part": f"section {spec.key}", "ms": [], "sql_ms": []})
            row["ms"].append(elapsed)
            row["sql_ms"].append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            row["queries"] = len(queries)
        started = time.perf_counter()
        charted(sections)
        row = rows.setdefault("charts", {"part": "charts (cached SVG)", "ms": [], "sql_ms": [], "queries": 0})
        row["ms"].append((time.perf_counter() - started) * 1000)
        row["sql_ms"].append(0.0)
    return [
        {
            "part": row["part"],
            "median_ms": round(statistics.median(row["ms"]), 1),
            "sql_ms": round(statistics.median(row["sql_ms"]), 1),
            "queries": row["queries"],
        }
        for row in rows.values()
    ]


def shorten(sql: str, length: int = 300) -> str:
    """The SQL on one line, cut to `length` characters."""
    flat = " ".join(sql.split())
    return flat if len(flat) <= length else f"{flat[: length - 3]}..."


def main() -> None:
    """Build the data when needed, measure, print Markdown tables, write JSON when asked."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employers", type=int, default=50_000)
    parser.add_argument("--placements", type=int, default=100_000, help="placements overall")
    parser.add_argument("--steps", type=int, default=1_000_000, help="aftercare steps overall")
    parser.add_argument("--clients", type=int, help="bench clients (default: 60 %% of --placements)")
    parser.add_argument("--interactions", type=int, help="bench interactions (default: 2 × --placements)")
    parser.add_argument("--evaluations", type=int, help="answered evaluations (default: --placements / 20)")
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "reports.sqlite3")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--build-only", action="store_true", help="build the data and stop")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    sizes = Sizes(
        employers=args.employers,
        placements=args.placements,
        steps=args.steps,
        clients=args.clients if args.clients is not None else args.placements * 6 // 10,
        interactions=args.interactions if args.interactions is not None else args.placements * 2,
        evaluations=args.evaluations if args.evaluations is not None else args.placements // 20,
    )
    setup_django(args.db)
    from django.db import connection

    started = time.perf_counter()
    build(sizes)
    print(f"build: {time.perf_counter() - started:.0f} s", flush=True)
    counts = data_sizes()
    print(f"{connection.vendor}: " + ", ".join(f"{count:,} {name}" for name, count in counts.items()), flush=True)
    if args.build_only:
        return
    results, slowest = measure(args.repeat)
    print(f"\nmedian and slowest of {args.repeat} requests after one warm-up; counted afresh, and kept (cached)\n")
    print("| page | counted: median ms | slowest ms | queries | kept: median ms | slowest ms | queries |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in results:
        print(
            f"| {row['page']} | {row['median_ms']:.0f} | {row['max_ms']:.0f} | {row['queries']} "
            f"| {row['kept_median_ms']:.0f} | {row['kept_max_ms']:.0f} | {row['kept_queries']} |"
        )
    print("\nslowest queries of the network lead's outcomes page:\n")
    for query in slowest:
        print(f"{query['ms']:>8.1f} ms  {shorten(query['sql'])}")
    parts = breakdown("admin", args.repeat)
    print("\nthe network lead's sections, part by part (median ms; of which in SQL):\n")
    print("| part | median ms | SQL ms | queries |\n| --- | ---: | ---: | ---: |")
    for part in parts:
        print(f"| {part['part']} | {part['median_ms']:.0f} | {part['sql_ms']:.0f} | {part['queries']} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "date": dt.date.today().isoformat(),
            "vendor": connection.vendor,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "repeat": args.repeat,
            "sizes": counts,
            "results": results,
            "slowest_queries": slowest,
            "network_lead_breakdown": parts,
        }
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
