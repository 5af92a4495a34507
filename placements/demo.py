"""Demo clients and placements for `manage.py seed_demo`: a believable caseload for the coaches alice and bob.

Runs after the crm seeder (INSTALLED_APPS order) and builds on its active and engaged employers,
whose contacts become workplace mentors. Every client is keyed on her reference, so a second run
creates nothing; a client's story is written in one transaction through the placement services,
dated around `context.as_of`, so steps, ladder positions and consents agree as in real use.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from crm.choices import ContactRole, ContractType, Schedule, Sector, Stage, VacancyKind
from crm.demo import vocabulary as words
from crm.demo.identity import mobile, staff_language
from crm.models import Contact, Employer, Vacancy
from crm.roles import Role
from placements import services
from placements.choices import (
    OPEN_STEP_STATUSES,
    ClientStatus,
    ClosingReason,
    ConsentPurpose,
    Destination,
    EndCause,
    EndedBy,
    Gender,
    StepKind,
)
from placements.models import AftercareStep, Client, CoachingAgreement, ConsentRecord, Placement, Team
from placements.scheduling import add_months
from placements.services.agreements import changed_terms

if TYPE_CHECKING:
    from crm.demo import DemoContext

REFERENCE = "WB-2026-{number:04d}"
PAID, WORK, TRIAL = VacancyKind.PAID_JOB, VacancyKind.WORK_EXPERIENCE, VacancyKind.TRIAL_DAY
# How a placement's story goes: still running, completed, ended early by whom, called off, or still to start.
RUNNING, COMPLETED, BY_EMPLOYER, BY_CLIENT, CANCELLED, PLANNED = (
    "running",
    "completed",
    "employer",
    "client",
    "cancelled",
    "planned",
)


class Job(NamedTuple):
    """One placement of a demo client: kind, start (days before as_of; negative is ahead) and how it goes."""

    kind: VacancyKind
    start: int
    story: str = RUNNING
    months: int | None = None  # planned length; None is open-ended
    ended: int | None = None  # days before as_of it ended, for an early end


class Person(NamedTuple):
    """A demo client and her file."""

    first_name: str
    gender: Gender
    language: str
    country: str
    coach: str
    intake: int  # days before as_of
    jobs: tuple[Job, ...] = ()
    case_managed: bool = True


CLIENTS: tuple[Person, ...] = (
    Person("Amina", Gender.WOMAN, "nl", "NL", "alice", 390, (Job(PAID, 300),)),
    Person("Fatima", Gender.WOMAN, "nl", "BE", "bob", 330, (Job(PAID, 245, months=12),)),
    Person("Hiwet", Gender.WOMAN, "sv", "SE", "alice", 300, (Job(WORK, 190, months=12),)),
    Person("Leyla", Gender.WOMAN, "nl", "NL", "bob", 260, (Job(PAID, 150),)),
    Person("Olga", Gender.WOMAN, "sv", "SE", "alice", 240, (Job(PAID, 120, months=12),)),
    Person("Yusuf", Gender.MAN, "nl", "BE", "bob", 200, (Job(WORK, 93, months=6),)),
    Person("Mariam", Gender.WOMAN, "nl", "NL", "alice", 180, (Job(PAID, 63),)),
    Person("Rahel", Gender.WOMAN, "en", "NL", "bob", 150, (Job(WORK, 44, months=6),)),
    Person("Zainab", Gender.WOMAN, "sv", "SE", "bob", 160, (Job(PAID, 28, months=12),), case_managed=False),
    Person("Joyce", Gender.WOMAN, "en", "BE", "alice", 140, (Job(PAID, 16),)),
    Person("Samira", Gender.WOMAN, "nl", "BE", "alice", 120, (Job(PAID, 9, months=6),)),
    Person("Ahmed", Gender.MAN, "sv", "SE", "alice", 110, (Job(TRIAL, 35, COMPLETED), Job(PAID, 7))),
    Person(
        "Nadia",
        Gender.WOMAN,
        "nl",
        "NL",
        "bob",
        300,
        (Job(PAID, 170, BY_EMPLOYER, months=12, ended=120), Job(PAID, 0)),
    ),
    Person("Kim", Gender.NON_BINARY, "en", "NL", "alice", 90, (Job(WORK, -6, months=6),), case_managed=False),
    Person("Linnea", Gender.WOMAN, "sv", "SE", "bob", 370, (Job(WORK, 330, COMPLETED, months=6),)),
    Person("Els", Gender.WOMAN, "nl", "BE", "alice", 340, (Job(PAID, 186, COMPLETED, months=6),)),
    Person("Sara", Gender.WOMAN, "sv", "SE", "bob", 330, (Job(WORK, 260, COMPLETED, months=3),)),
    Person("Ayaan", Gender.WOMAN, "en", "SE", "alice", 170, (Job(PAID, 75, BY_CLIENT, months=6, ended=40),)),
    Person("Lotte", Gender.WOMAN, "nl", "BE", "bob", 130, (Job(TRIAL, 20, CANCELLED), Job(PAID, -12, PLANNED))),
    Person("Omar", Gender.MAN, "nl", "NL", "alice", 100, (Job(TRIAL, -4, PLANNED),)),
    Person("Nour", Gender.NOT_SAID, "sv", "SE", "bob", 200, (), case_managed=False),
    Person("Sanne", Gender.NOT_SAID, "nl", "NL", "alice", 12),
    Person("Tesfay", Gender.MAN, "en", "NL", "bob", 6),
    Person("Jamila", Gender.WOMAN, "nl", "BE", "alice", 320),
)
# Clients whose file is closed: (reference number, reason, destination, days before as_of).
CLOSINGS: dict[int, tuple[ClosingReason, Destination, int]] = {
    15: (ClosingReason.GOAL_REACHED, Destination.EMPLOYMENT, 120),
    17: (ClosingReason.AUTONOMOUS, Destination.EMPLOYMENT, 150),
    24: (ClosingReason.REFERRED, Destination.EDUCATION, 60),
}
NO_VISITS = {12, 14}  # placed clients who did not agree to workplace visits
NO_SHARING = {9, 12, 14}  # placed clients who did not agree to sharing with the employer
WITHDREW_SHARING = {7: 20}  # client number: withdrew sharing consent that many days before as_of
REFERENCE_CONSENT = {1, 15, 16}
NO_AGREEMENT = {11}  # her agreement is still being written
PAUSED = {21}  # coaching paused at her request (illness in the family)
# Client number: the employer evaluation of her (first) ended placement is left open; outreach's demo
# gives these their survey states (answered, sent and waiting, reminded to no avail, never sent).
OPEN_EVALUATION = {13, 15, 16, 18}
# Days after intake the first version of the agreement was made; later versions follow her placements.
AGREEMENT_AFTER_DAYS = 21
BEHIND = {1: 1, 2: 2, 3: 1, 6: 1, 8: 1, 10: 1}  # client number: how many of the latest past steps are still open
SKIP_CALL_AT = {2: 28}  # client number: offset of a client call that was skipped
# Ladder steps (igma ch. 5) a client went through before her first placement, by what comes next.
PATHS: dict[str, tuple[int, ...]] = {
    PAID: (3, 8, 15, 18, 20),
    WORK: (3, 8, 14, 16, 19),
    TRIAL: (3, 8, 16, 17),
    "intake": (1, 2),
    "coaching": (3, 8, 13, 15),
    "closed": (3, 8, 11),
}
MEASURES: dict[str, dict[str, tuple[str, ...]]] = {
    "NL": {
        PAID: ("Loonkostensubsidie (Participatiewet)", "No-riskpolis (UWV)", ""),
        WORK: ("Werkervaringsplaats (Participatiewet)", "Proefplaatsing (UWV)"),
        TRIAL: ("",),
    },
    "BE": {
        PAID: ("Activa", "Art. 60 §7", ""),
        WORK: ("IBO (individuele beroepsopleiding)", "Werkplekleren (VDAB)"),
        TRIAL: ("",),
    },
    "SE": {
        PAID: ("Nystartsjobb", "Introduktionsjobb", "Lönebidrag", ""),
        WORK: ("Arbetsträning (Arbetsförmedlingen)", "Praktik (Arbetsförmedlingen)"),
        TRIAL: ("",),
    },
}
# Why a placement ended early or was called off, in the client's language.
# The main reason each early-end story records (the stories in END_REASONS below).
END_CAUSES = {BY_EMPLOYER: EndCause.ECONOMIC, BY_CLIENT: EndCause.CARE}

END_REASONS: dict[str, dict[str, str]] = {
    "nl": {
        BY_EMPLOYER: "De afdeling is gereorganiseerd en haar functie verviel; de werkgever geeft een goede referentie.",
        BY_CLIENT: "De avonddiensten gingen niet samen met het ophalen van haar kinderen; ze stopte zelf en zoekt "
        "dagwerk.",
        CANCELLED: "De werkgever stelde de proefdag uit: de teamleider die haar zou ontvangen werd ziek.",
    },
    "sv": {
        BY_EMPLOYER: "Avdelningen omorganiserades och hennes tjänst försvann; arbetsgivaren ger goda referenser.",
        BY_CLIENT: "Kvällspassen gick inte ihop med hämtningen av barnen; hon valde att sluta och söka dagarbete.",
        CANCELLED: "Arbetsgivaren sköt upp provdagen: teamledaren som skulle ta emot henne blev sjuk.",
    },
    "en": {
        BY_EMPLOYER: "The department was reorganised and her post disappeared; the employer offered a good reference.",
        BY_CLIENT: "The evening shifts did not combine with picking up her children; she chose to stop and look for "
        "day work.",
        CANCELLED: "The employer postponed the trial day: the team leader who would receive her fell ill.",
    },
}


# --- Texts in the client's language ------------------------------------------------------------

# (outcome, notes) pairs per step kind, per language.
OUTCOMES: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "nl": {
        StepKind.VISIT: (
            ("Goed gestart; werkplek en collega's leren kennen.", "Mentor neemt de eerste weken dagelijks even tijd."),
            (
                "Rondleiding gehad, rooster doorgenomen.",
                "Vraag over kinderopvang op woensdag; volgt bij het belmoment.",
            ),
        ),
        StepKind.CALL: (
            ("Gaat goed, ze voelt zich welkom.", "Vermoeid na de eerste weken, went aan het ritme."),
            ("Tevreden over het werk; wil graag meer uren.", "Besproken wat ze de werkgever zelf kan vragen."),
            ("Spanning over een opmerking van een collega; samen besproken.", "Ze kaart het zelf aan bij haar mentor."),
        ),
        StepKind.EMAIL_CHECKIN: (
            ("Mentor is tevreden: betrouwbaar en leergierig.", "Geen aandachtspunten."),
            ("Mentor vraagt extra uitleg over hygiëneregels te geven.", "Werkinstructie in eenvoudige taal gestuurd."),
        ),
        StepKind.THREE_WAY: (
            ("Driegesprek op de werkplek: doelen grotendeels gehaald.", "Afspraak: vanaf volgende maand meer uren."),
            ("Positieve evaluatie; contractverlenging in beeld.", "Werkgever wil haar laten doorgroeien."),
        ),
        StepKind.REVIEW: (("Opvolging gaat vanaf nu op vraag.", "Ze weet hoe ze ons bereikt."),),
        StepKind.EMPLOYER_EVALUATION: (("Werkgever positief; zou opnieuw iemand via ons plaatsen.", ""),),
        StepKind.CLOSING: (("Afsluitend gesprek gevoerd; ze staat er sterk voor.", "Bedankt en afgesloten."),),
    },
    "sv": {
        StepKind.VISIT: (
            ("Bra start; hon har träffat kollegorna.", "Handledaren avsätter tid varje dag de första veckorna."),
            ("Visning av arbetsplatsen, schemat genomgånget.", "Fråga om förskolehämtning; följs upp vid samtalet."),
        ),
        StepKind.CALL: (
            ("Det går bra, hon trivs.", "Trött efter de första veckorna men vänjer sig."),
            ("Nöjd med arbetet; vill gärna ha fler timmar.", "Vi gick igenom hur hon kan ta upp det själv."),
            ("Oro över en kommentar från en kollega; vi pratade om det.", "Hon tar upp det med handledaren själv."),
        ),
        StepKind.EMAIL_CHECKIN: (
            ("Handledaren är nöjd: pålitlig och nyfiken.", "Inget att åtgärda."),
            ("Handledaren ber om stöd kring hygienrutiner.", "Skickade en instruktion på lätt svenska."),
        ),
        StepKind.THREE_WAY: (
            ("Trepartssamtal på plats: målen i stort sett nådda.", "Fler timmar från nästa månad."),
            ("Positiv utvärdering; förlängning diskuteras.", "Arbetsgivaren vill att hon utvecklas vidare."),
        ),
        StepKind.REVIEW: (("Uppföljning sker nu vid behov.", "Hon vet hur hon når oss."),),
        StepKind.EMPLOYER_EVALUATION: (("Arbetsgivaren är positiv och tar gärna emot fler.", ""),),
        StepKind.CLOSING: (("Avslutande samtal; hon står stadigt.", "Tackade och avslutade."),),
    },
    "en": {
        StepKind.VISIT: (
            ("Good start; met the team and the workplace.", "The mentor makes time every day for the first weeks."),
            ("Shown around, went through the rota.", "Question about childcare on Wednesdays; follow up at the call."),
        ),
        StepKind.CALL: (
            ("Going well, she feels welcome.", "Tired after the first weeks, getting used to the rhythm."),
            ("Happy with the work; would like more hours.", "Talked through how to raise it with the employer."),
            ("Upset by a colleague's remark; we talked it through.", "She will raise it with her mentor herself."),
        ),
        StepKind.EMAIL_CHECKIN: (
            ("The mentor is pleased: reliable and keen to learn.", "Nothing to act on."),
            ("The mentor asks for help explaining the hygiene rules.", "Sent a plain-language work instruction."),
        ),
        StepKind.THREE_WAY: (
            ("Three-way meeting on site: goals mostly reached.", "More hours from next month."),
            ("Positive review; an extension is being discussed.", "The employer wants her to grow in the job."),
        ),
        StepKind.REVIEW: (("Follow-up is on request from now on.", "She knows how to reach us."),),
        StepKind.EMPLOYER_EVALUATION: (("The employer is positive and would take someone through us again.", ""),),
        StepKind.CLOSING: (("Closing conversation held; she is doing well.", "Thanked and closed."),),
    },
}
NO_VISIT_REASON = {
    "nl": "Geen toestemming voor werkplekbezoek; we spraken buiten het werk af.",
    "sv": "Inget samtycke till arbetsplatsbesök; vi träffades utanför arbetet.",
    "en": "No consent for workplace visits; we met outside work instead.",
}
SKIP_REASON = {
    "nl": "Op vakantie bij familie; uitgebreid gesproken bij het volgende contact.",
    "sv": "På semester hos familjen; vi pratade utförligt vid nästa kontakt.",
    "en": "Away visiting family; we talked at length at the next contact.",
}
AGREEMENT: dict[str, dict[str, str]] = {
    "nl": {
        "parties": "{name} (werknemer), {coach} (jobcoach), {employer} met werkplekbegeleider {mentor}.",
        "joint_work": "Wekelijks kort contact in de eerste drie maanden; samen knelpunten op tijd bespreken; "
        "na 3 en 6 maanden een gesprek op de werkplek met de werkgever.",
        "expected_result": "{name} werkt zelfstandig als {job} en houdt het werk vol naast haar gezin.",
        "success_measure": "Na zes maanden werkt zij nog, met minstens {hours} uur per week, en beoordeelt de "
        "werkgever haar werk als goed.",
        "goals_work": "Het rooster en de werkinstructies zelfstandig volgen|Zelf hulp vragen aan collega's|"
        "Meer uren kunnen werken",
        "goals_private": "Kinderopvang op werkdagen geregeld|Nederlandse les blijven volgen|Rust in de week behouden",
        "contact_rhythm": "Eerste 3 maanden wekelijks, daarna maandelijks, daarna op vraag.",
        "share": "Alleen het rooster, afspraken over verlof voor taalles en of de begeleiding loopt; "
        "niets over gezondheid of gezin.",
    },
    "sv": {
        "parties": "{name} (arbetstagare), {coach} (jobbcoach), {employer} med handledaren {mentor}.",
        "joint_work": "Kort kontakt varje vecka de första tre månaderna; ta upp hinder i tid; trepartssamtal på "
        "arbetsplatsen efter 3 och 6 månader.",
        "expected_result": "{name} arbetar självständigt som {job} och klarar arbetet vid sidan av familjen.",
        "success_measure": "Efter sex månader arbetar hon kvar, minst {hours} timmar i veckan, och arbetsgivaren "
        "bedömer arbetet som bra.",
        "goals_work": "Följa schema och instruktioner självständigt|Själv be kollegor om hjälp|"
        "Kunna arbeta fler timmar",
        "goals_private": "Barnomsorg ordnad på arbetsdagar|Fortsätta med SFI|Behålla vila i veckan",
        "contact_rhythm": "Varje vecka de första 3 månaderna, sedan varje månad, därefter vid behov.",
        "share": "Endast schemat, överenskommelser om ledighet för SFI och att stödet pågår; inget om hälsa "
        "eller familj.",
    },
    "en": {
        "parties": "{name} (employee), {coach} (job coach), {employer} with workplace mentor {mentor}.",
        "joint_work": "A short weekly contact for the first three months; raise problems early together; a meeting "
        "at the workplace with the employer at 3 and 6 months.",
        "expected_result": "{name} works independently as {job} and keeps the job going alongside her family.",
        "success_measure": "After six months she still works there, at least {hours} hours a week, and the employer "
        "rates her work as good.",
        "goals_work": "Follow the rota and work instructions on her own|Ask colleagues for help herself|"
        "Be able to work more hours",
        "goals_private": "Childcare arranged on working days|Keep up the language course|Keep a quiet day in the week",
        "contact_rhythm": "Weekly for the first 3 months, then monthly, then on request.",
        "share": "Only the rota, agreements about leave for language classes and that coaching is ongoing; nothing "
        "about health or family.",
    },
}

# The first version, made with her a few weeks after intake, before any employer is involved (Flora III.4).
AGREEMENT_START: dict[str, dict[str, str]] = {
    "nl": {
        "parties": "{name} (deelnemer) en {coach} (jobcoach); haar trajectbegeleider weet van de afspraken.",
        "joint_work": "Om de twee weken een gesprek: cv, vacatures zoeken, sollicitaties oefenen; de jobcoach zoekt "
        "met haar een passende werkplek.",
        "expected_result": "{name} vindt werk dat past bij wat ze kan en bij haar gezin.",
        "success_measure": "Binnen zes maanden is ze gestart op een werkplek van minstens 16 uur per week.",
        "contact_rhythm": "Om de twee weken, en tussendoor per telefoon als dat nodig is.",
    },
    "sv": {
        "parties": "{name} (deltagare) och {coach} (jobbcoach); hennes handläggare känner till överenskommelsen.",
        "joint_work": "Samtal varannan vecka: CV, söka jobb, öva intervjuer; jobbcoachen letar tillsammans med henne "
        "efter en passande arbetsplats.",
        "expected_result": "{name} hittar ett arbete som passar hennes förmåga och hennes familj.",
        "success_measure": "Inom sex månader har hon börjat på en arbetsplats med minst 16 timmar i veckan.",
        "contact_rhythm": "Varannan vecka, och per telefon däremellan vid behov.",
    },
    "en": {
        "parties": "{name} (participant) and {coach} (job coach); her pathway counsellor knows what was agreed.",
        "joint_work": "A conversation every two weeks: CV, finding vacancies, practising interviews; the job coach "
        "looks for a suitable workplace with her.",
        "expected_result": "{name} finds work that fits what she can do and her family.",
        "success_measure": "Within six months she has started at a workplace for at least 16 hours a week.",
        "contact_rhythm": "Every two weeks, and by phone in between when needed.",
    },
}
# Why the agreement was revised when a placement started.
REVISION_NOTE = {
    "nl": "Gestart bij {employer}: werkgever en werkplekbegeleider zijn partij; resultaat en meting voor deze baan.",
    "sv": "Började hos {employer}: arbetsgivaren och handledaren är parter; resultat och mått för det här jobbet.",
    "en": "Started at {employer}: the employer and the workplace mentor are parties; result and measure for this job.",
}
WEEKS = {PAID: 52, WORK: 26, TRIAL: 12}

ONE_DAY = dt.timedelta(days=1)
CONTRACTS = (ContractType.OPEN_ENDED, ContractType.FIXED_TERM, ContractType.TEMP_AGENCY)
FIELDS = ("parties", "joint_work", "expected_result", "success_measure", "contact_rhythm")
GOALS = ("goals_work", "goals_private")
MINUTES: dict[str, tuple[int, ...]] = {
    StepKind.VISIT: (45, 60, 90),
    StepKind.CALL: (15, 20, 30),
    StepKind.EMAIL_CHECKIN: (10, 15),
    StepKind.THREE_WAY: (60, 75, 90),
    StepKind.REVIEW: (30, 45),
    StepKind.EMPLOYER_EVALUATION: (30, 45),
    StepKind.CLOSING: (45, 60),
}


# --- The seeder --------------------------------------------------------------------------------


@dataclass
class Staff:
    """Who the demo caseload belongs to."""

    coaches: dict[str, Any]
    case_manager: Any


@dataclass
class Writer:
    """Writes one client's story around the context's as_of date."""

    context: DemoContext
    staff: Staff
    employers: dict[str, list[Employer]]
    rng: random.Random

    def day(self, days_ago: int) -> dt.date:
        """The date `days_ago` days before as_of."""
        return self.context.as_of - dt.timedelta(days=days_ago)

    def moment(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        """A working-hours moment on `day`, never after the context's now."""
        at = dt.time(hour if hour is not None else self.rng.randint(9, 16), self.rng.choice((0, 15, 30, 45)))
        return min(timezone.make_aware(dt.datetime.combine(day, at)), self.context.now)

    def write(self, number: int, person: Person) -> dict[str, int]:
        """Create the client, her ladder history, consents, placements and steps."""
        client = self.client(number, person)
        self.consent(client, ConsentPurpose.COACHING, self.day(person.intake))
        self.ladder_before(client, person)
        if number not in NO_AGREEMENT:
            self.first_agreement(person, client)
        placements = [self.placement(number, person, client, job) for job in person.jobs]
        if number in CLOSINGS:
            self.close(client, *CLOSINGS[number])
        if number in PAUSED:
            # No workflow pauses a file yet; the status is what a coach sets for a client who takes a break.
            Client.objects.filter(pk=client.pk).update(status=ClientStatus.PAUSED)
        Client.objects.filter(pk=client.pk).update(created_at=self.moment(self.day(person.intake), 10))
        return {
            "clients": 1,
            "placements": len(placements),
            "agreements": CoachingAgreement.objects.filter(client=client).count(),
            "consents": ConsentRecord.objects.filter(client=client).count(),
        }

    def client(self, number: int, person: Person) -> Client:
        """The client row."""
        coach = self.staff.coaches.get(person.coach) or next(iter(self.staff.coaches.values()))
        status = ClientStatus.INTAKE if person.intake < 30 and not person.jobs else ClientStatus.ACTIVE
        client = Client(
            reference=REFERENCE.format(number=number),
            first_name=person.first_name,
            email=f"{person.first_name.lower()}.{number:02d}@mail.example" if number % 3 else "",
            phone=mobile(self.rng, person.country),
            gender=person.gender,
            preferred_language=person.language,
            hours_wanted=self.rng.choice((None, 16, 20, 24, 24, 32, 32, 36, 38)),
            coach=coach,
            case_manager=self.staff.case_manager if person.case_managed else None,
            status=status,
        )
        client.full_clean()
        client.save()
        return client

    def consent(self, client: Client, purpose: str, given_on: dt.date) -> None:
        """Record a consent through the service, as the coach."""
        services.record_consent(client=client, purpose=purpose, given_on=given_on, actor=client.coach)

    def ladder_before(self, client: Client, person: Person) -> None:
        """Ladder positions from intake up to the first placement (or today), evenly spread."""
        first = person.jobs[0] if person.jobs else None
        if first is not None:
            path = PATHS[first.kind]
        elif client.status == ClientStatus.INTAKE:
            path = PATHS["intake"]
        else:
            path = PATHS["closed" if person.intake > 300 else "coaching"]
        start = self.day(person.intake)
        horizon = min(self.day(first.start) if first else self.context.as_of, self.context.as_of)
        gap = max((horizon - start).days - 1, len(path)) // len(path)
        for index, position in enumerate(path):
            on = min(start + dt.timedelta(days=index * gap), horizon)
            services.move_client_to_step(client=client, step=position, on=on, actor=client.coach)

    def close(self, client: Client, reason: ClosingReason, destination: Destination, days_ago: int) -> None:
        """Close the file through the service: reason, destination, date, ladder position left."""
        closed_on = self.day(days_ago)
        services.close_client(
            client=client,
            actor=client.coach,
            reason=reason,
            destination=destination,
            closed_on=closed_on,
            now=dt.datetime.combine(closed_on, dt.time(12), tzinfo=dt.UTC),
        )

    # --- Placements ----------------------------------------------------------------------------

    def placement(self, number: int, person: Person, client: Client, job: Job) -> Placement:
        """Create one placement and play its story through the services."""
        start_on = self.day(job.start)
        self.placement_consents(number, client, start_on)
        placement = self.new_placement(person, client, job, start_on)
        if job.story == PLANNED:
            return placement
        if job.story == CANCELLED:
            services.cancel_placement(
                placement=placement,
                actor=client.coach,
                reason=END_REASONS[person.language][CANCELLED],
                now=self.moment(start_on - dt.timedelta(days=2)),
            )
            return placement
        activated = min(start_on, self.context.as_of - dt.timedelta(days=1))
        services.activate_placement(placement=placement, actor=client.coach, now=self.moment(activated, 9))
        if number not in NO_AGREEMENT:
            self.agreement(person, placement)
        self.play(number, person, placement, job)
        return placement

    def placement_consents(self, number: int, client: Client, start_on: dt.date) -> None:
        """Visits, sharing and reference consents, given a week before the first placement."""
        if ConsentRecord.objects.filter(client=client, purpose=ConsentPurpose.WORKPLACE_VISITS).exists():
            return
        given_on = min(start_on, self.context.as_of) - dt.timedelta(days=7)
        if number not in NO_VISITS:
            self.consent(client, ConsentPurpose.WORKPLACE_VISITS, given_on)
        if number not in NO_SHARING:
            self.consent(client, ConsentPurpose.SHARE_WITH_EMPLOYER, given_on)
        if number in REFERENCE_CONSENT:
            self.consent(client, ConsentPurpose.REFERENCE, given_on)
        if number in WITHDREW_SHARING:
            services.withdraw_consent(
                client=client,
                purpose=ConsentPurpose.SHARE_WITH_EMPLOYER,
                withdrawn_on=self.day(WITHDREW_SHARING[number]),
                actor=client.coach,
            )

    def new_placement(self, person: Person, client: Client, job: Job, start_on: dt.date) -> Placement:
        """A planned placement at a demo employer, on its vacancy of the kind if any, with a mentor and terms."""
        pool = self.employers.get(person.country) or [e for group in self.employers.values() for e in group]
        employer = self.rng.choice(pool)
        contacts = list(employer.contacts.all())
        mentors = [c for c in contacts if c.role == ContactRole.MENTOR] or contacts
        offers = [vacancy for vacancy in employer.vacancies.all() if vacancy.kind == job.kind]
        vacancy = self.rng.choice(offers) if offers else None
        placement = Placement(
            client=client,
            employer=employer,
            vacancy=vacancy,
            kind=job.kind,
            job_title=vacancy.title if vacancy else self.job_title(employer, job.kind),
            start_on=start_on,
            planned_end_on=self.planned_end(job, start_on),
            mentor=self.rng.choice(mentors) if mentors else None,
            coach=client.coach,
            **self.terms(person, job),
        )
        placement.full_clean()
        placement.save()
        created = self.moment(min(start_on, self.context.as_of) - dt.timedelta(days=10), 11)
        Placement.objects.filter(pk=placement.pk).update(created_at=created)
        return placement

    def job_title(self, employer: Employer, kind: VacancyKind) -> str:
        """A job of the employer's sector, named in the language of its country, as the crm demo's vacancies are."""
        language = staff_language(employer.country)
        names = words.JOB_NAMES[language].get(Sector(employer.sector or Sector.OTHER), ("medewerker",))
        title = words.KIND_TITLES[language][kind].format(title=self.rng.choice(names))
        return title[:1].upper() + title[1:]

    def planned_end(self, job: Job, start_on: dt.date) -> dt.date | None:
        """The planned end: the same day for a trial day, else `months` after the start."""
        if job.kind == TRIAL:
            return start_on
        return add_months(start_on, job.months) if job.months else None

    def terms(self, person: Person, job: Job) -> dict[str, Any]:
        """Hours, schedule, contract and employment measure that fit the kind of placement."""
        measure = self.rng.choice(MEASURES[person.country][job.kind])
        if job.kind == TRIAL:
            return {"hours_per_week": Decimal(6), "schedule": Schedule.DAY, "contract_type": ContractType.NONE}
        if job.kind == WORK:
            hours = self.rng.choice((12, 16, 20, 24))
            return {
                "hours_per_week": Decimal(hours),
                "schedule": Schedule.DAY,
                "contract_type": ContractType.NONE,
                "employment_measure": measure,
            }
        contract = ContractType.FIXED_TERM if job.months else self.rng.choice(list(CONTRACTS))
        return {
            "hours_per_week": Decimal(self.rng.choice((16, 20, 24, 28, 32, 36))),
            "schedule": self.rng.choice((Schedule.DAY, Schedule.DAY, Schedule.SHIFTS, Schedule.SPLIT)),
            "contract_type": ContractType.SUBSIDISED if measure and not job.months else contract,
            "employment_measure": measure,
        }

    def play(self, number: int, person: Person, placement: Placement, job: Job) -> None:
        """Record the follow-ups up to the end (or as_of), end the placement when it ended, then the rest."""
        if job.story == RUNNING:
            self.follow_up(number, person, placement, until=self.context.as_of, behind=BEHIND.get(number, 0))
            self.sustain(placement)
            return
        end_on = self.day(job.ended) if job.ended is not None else placement.planned_end_on
        assert end_on is not None  # a completed demo placement always has its planned end
        keep = number in OPEN_EVALUATION
        self.follow_up(number, person, placement, until=end_on + ONE_DAY, behind=0, keep_evaluation=keep)
        services.end_placement(
            placement=placement,
            actor=placement.coach,
            ended_by="" if job.story == COMPLETED else EndedBy(job.story),
            reason=END_REASONS[person.language].get(job.story, ""),
            end_on=end_on,
            completed=job.story == COMPLETED,
            cause="" if job.story == COMPLETED else END_CAUSES.get(job.story, EndCause.OTHER),
            now=self.moment(end_on, 16),
        )
        self.follow_up(number, person, placement, until=self.context.as_of, behind=0, keep_evaluation=keep)
        if job.story != COMPLETED:
            back_on = end_on + dt.timedelta(days=5)
            services.move_client_to_step(client=placement.client, step=18, on=back_on, actor=placement.coach)

    def follow_up(
        self,
        number: int,
        person: Person,
        placement: Placement,
        *,
        until: dt.date,
        behind: int,
        keep_evaluation: bool = False,
    ) -> None:
        """Complete the open steps due before `until`, skip the ones that do not apply, leave `behind` open.

        With `keep_evaluation` the employer evaluation stays open: the employer has not answered yet.
        """
        due = AftercareStep.objects.filter(placement=placement, status__in=OPEN_STEP_STATUSES, due_on__lt=until)
        if keep_evaluation:
            due = due.exclude(kind=StepKind.EMPLOYER_EVALUATION)
        steps = list(due.select_related("template", "assignee").order_by("due_on", "pk"))
        for step in steps[: max(len(steps) - behind, 0)]:
            when = self.moment(min(step.due_on + dt.timedelta(days=self.rng.choice((0, 0, 0, 1, 2))), until - ONE_DAY))
            offset = step.template.offset_days if step.template else None
            if step.kind in (StepKind.VISIT, StepKind.THREE_WAY) and number in NO_VISITS:
                reason = NO_VISIT_REASON[person.language]
                services.skip_step(step=step, actor=step.assignee, reason=reason, now=when)
            elif step.kind == StepKind.CALL and SKIP_CALL_AT.get(number) == offset:
                services.skip_step(step=step, actor=step.assignee, reason=SKIP_REASON[person.language], now=when)
            else:
                outcome, notes = self.rng.choice(OUTCOMES[person.language][step.kind])
                minutes = self.rng.choice(MINUTES[step.kind])
                services.complete_step(
                    step=step, actor=step.assignee, outcome=outcome, notes=notes, minutes_spent=minutes, now=when
                )

    def sustain(self, placement: Placement) -> None:
        """Six months in work is igma step 23, on the day it was reached."""
        reached_on = add_months(placement.start_on, 6)
        if reached_on <= self.context.as_of:
            services.move_client_to_step(
                client=placement.client, step=services.LADDER_SUSTAINED, on=reached_on, actor=placement.coach
            )

    def first_agreement(self, person: Person, client: Client) -> None:
        """The first version of her agreement, a few weeks after intake; none yet for a client just taken in."""
        agreed_on = self.day(person.intake - AGREEMENT_AFTER_DAYS)
        if agreed_on >= self.context.as_of:
            return
        text = AGREEMENT_START[person.language]
        coach = client.coach.get_full_name() or client.coach.get_username()
        values = {"name": person.first_name, "coach": coach}
        terms: dict[str, Any] = {field: text[field].format(**values) for field in FIELDS}
        terms |= {field: "\n".join(AGREEMENT[person.language][field].split("|")) for field in GOALS}
        services.revise_agreement(
            client=client,
            actor=client.coach,
            fields=terms | {"duration_weeks": 26, "agreed_on": agreed_on},
            change_note="",
            now=self.moment(agreed_on),
        )

    def agreement(self, person: Person, placement: Placement) -> CoachingAgreement | None:
        """A placement makes a new version: the employer and mentor join, sharing only with her consent."""
        client = placement.client
        current = client.current_agreement()
        if current is None:
            return None
        text = AGREEMENT[person.language]
        values = {
            "name": person.first_name,
            "coach": placement.coach.get_full_name() or placement.coach.get_username(),
            "employer": placement.employer.name,
            "mentor": f"{placement.mentor.first_name} {placement.mentor.last_name}".strip()
            if placement.mentor
            else "-",
            "job": placement.job_title,
            "hours": placement.hours_per_week,
        }
        agreed_on = max(min(placement.start_on, self.context.as_of) - dt.timedelta(days=5), current.agreed_on)
        terms: dict[str, Any] = {field: text[field].format(**values) for field in FIELDS}
        terms |= {field: "\n".join(text[field].split("|")) for field in GOALS}
        terms |= {
            "duration_weeks": WEEKS[VacancyKind(placement.kind)],
            "share_with_employer": text["share"] if client.has_consent("share_with_employer", on=agreed_on) else "",
        }
        if not changed_terms(current, CoachingAgreement(client=client, **terms)):
            return current  # the same employer and job again: nothing to revise
        return services.revise_agreement(
            client=client,
            actor=placement.coach,
            fields=terms | {"agreed_on": agreed_on},
            change_note=REVISION_NOTE[person.language].format(employer=placement.employer.name),
            now=self.moment(agreed_on),
        )


DEMO_TEAM = "Coaching team"


# --- Entry point -------------------------------------------------------------------------------


def demo_staff() -> Staff | None:
    """The demo coaches and case manager (alice, bob, carl), or whoever holds those roles; None without coaches."""
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    coaches = list(users.filter(groups__name=Role.COACH))
    if not coaches:
        return None
    named = {user.username: user for user in coaches}
    by_name = {"alice": named.get("alice", coaches[0]), "bob": named.get("bob", coaches[-1])}
    managers = list(users.filter(groups__name=Role.CASE_MANAGER))
    carl = next((user for user in managers if user.username == "carl"), managers[0] if managers else None)
    return Staff(coaches=by_name, case_manager=carl)


def demo_employers() -> dict[str, list[Employer]]:
    """The first active and engaged demo employers that have contacts, by country, with contacts and vacancies."""
    employers = (
        Employer.objects.filter(stage__in=(Stage.ACTIVE, Stage.ENGAGED), contacts__isnull=False)
        .distinct()
        .order_by("pk")
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.filter(is_active=True).order_by("pk")),
            Prefetch("vacancies", queryset=Vacancy.objects.order_by("pk")),
        )[:24]
    )
    by_country: dict[str, list[Employer]] = {}
    for employer in employers:
        by_country.setdefault(employer.country, []).append(employer)
    return by_country


def demo_team(staff: Staff) -> bool:
    """The demo case manager leads a team of the demo coaches (Flora IV.4 supervision); True when it was made now."""
    if staff.case_manager is None:
        return False
    team, created = Team.objects.get_or_create(name=DEMO_TEAM)
    if created:
        team.leads.add(staff.case_manager)
        team.coaches.add(*{coach.pk for coach in staff.coaches.values()})
    return created


def seed_demo(*, context: DemoContext) -> dict[str, int]:
    """Create the demo clients that are missing, each with her placements, steps, consents and agreements."""
    totals = dict.fromkeys(("clients", "placements", "agreements", "consents"), 0)
    staff, employers = demo_staff(), demo_employers()
    if staff is None or not employers:
        context.log("No coaches or no active employers yet: demo clients skipped.")
        return totals
    if demo_team(staff):
        context.log(f"Team {DEMO_TEAM!r}: {staff.case_manager} supervises the demo coaches")
    taken = set(Client.objects.filter(reference__startswith="WB-2026-").values_list("reference", flat=True))
    for number, person in enumerate(CLIENTS, start=1):
        rng = random.Random(f"{context.seed}:client:{number}")  # noqa: S311  (demo data, not security)
        if REFERENCE.format(number=number) in taken:
            continue
        with transaction.atomic():
            created = Writer(context, staff, employers, rng).write(number, person)
        for kind, count in created.items():
            totals[kind] += count
    context.log(f"{totals['clients']} demo clients with {totals['placements']} placements")
    return totals
