"""Shared helpers for the info pack tests: a placement with everything a pack shows, and reading PDFs."""

from __future__ import annotations

import datetime as dt
import io
import smtplib
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from pypdf import PdfReader

from crm.choices import ContactRole, Language
from crm.models import Contact, Employer
from outreach.packs.models import ProgrammeProfile, StaffCard
from placements.choices import ConsentPurpose, Gender, StepStatus
from placements.models import AftercareStep, CoachingAgreement, Placement
from placements.services import activate_placement, complete_step
from tests.crm.factories import ContactFactory, EmployerFactory
from tests.placements.factories import ClientFactory, ConsentFactory, PlacementFactory

NOW = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)
SHARED_TEXT = "Werkt graag met geschreven instructies en een vaste collega als vraagbaak."
PRIVATE_NOTE = "Scheiding loopt, slaapt slecht"


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF with whitespace folded, so words broken over lines still match."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def pdf_pages(pdf: bytes) -> int:
    """The number of pages."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def set_office_phones(language: str = "nl") -> ProgrammeProfile:
    """Give the seeded programme texts an office phone, mail and on-call line."""
    profile = ProgrammeProfile.objects.get(language=language)
    profile.contact_phone = "+31 30 700 10 10"
    profile.contact_email = "werkgevers@werkbrug.example"
    profile.on_call_phone = "+31 6 5000 9999"
    profile.save()
    return profile


@dataclass
class Scenario:
    """An active placement at a bakery, with a mentor, a coach and a case manager with phones."""

    employer: Employer
    mentor: Contact
    placement: Placement
    agreement: CoachingAgreement
    steps: list[AftercareStep]


def placement_scenario(
    *,
    coach: User,
    case_manager: User | None = None,
    consent: bool,
    language: str = "nl",
    owner: User | None = None,
) -> Scenario:
    """Build and activate a placement; the client consented to sharing with the employer only when `consent`.

    `owner` is the relationship manager who owns the employer (none by default); only she, of the
    relationship managers, sees the placement and its packs (Flora III.1.B).
    """
    employer = cast(Employer, EmployerFactory(name="Bakkerij De Korenschoof", owner=owner))
    mentor = cast(
        Contact,
        ContactFactory(
            employer=employer,
            first_name="Sanne",
            last_name="de Vries",
            role=ContactRole.MENTOR,
            email=f"sanne.{employer.pk}@korenschoof.example",
            phone="+31 6 1234 5678",
            preferred_language=language,
        ),
    )
    StaffCard.objects.update_or_create(user=coach, defaults={"phone": "+31 30 222 33 44"})
    client = ClientFactory(
        first_name="Amina",
        email="amina.private@example.org",
        phone="+31 6 9876 5432",
        gender=Gender.WOMAN,
        coach=coach,
        case_manager=case_manager,
        preferred_language=Language.NL,
    )
    if consent:
        ConsentFactory(client=client, purpose=ConsentPurpose.SHARE_WITH_EMPLOYER, given_on=dt.date(2020, 1, 1))
    placement = cast(
        Placement,
        PlacementFactory(
            client=client,
            employer=employer,
            mentor=mentor,
            coach=coach,
            job_title="Medewerker bakkerij",
            start_on=dt.date(2027, 1, 4),
            planned_end_on=dt.date(2027, 12, 31),
            hours_per_week=24,
        ),
    )
    # Created without clean(): the text is kept but must only show while consent is in force.
    agreement = CoachingAgreement.objects.create(
        client=placement.client,
        parties="Amina, coach, werkgever",
        joint_work="Inwerken",
        expected_result="Vast contract",
        success_measure="Evaluatie na 6 maanden",
        goals_private="Rijbewijs halen",
        share_with_employer=SHARED_TEXT,
        agreed_on=dt.date(2026, 12, 15),
    )
    steps = activate_placement(placement=placement, actor=coach, now=NOW)
    first = steps[0]
    complete_step(step=first, actor=coach, outcome="Goed gestart", notes=PRIVATE_NOTE, now=NOW)
    placement.refresh_from_db()
    return Scenario(employer, mentor, placement, agreement, list(placement.steps.order_by("due_on", "pk")))


def open_steps(scenario: Scenario) -> list[AftercareStep]:
    """Steps still planned."""
    return [step for step in scenario.steps if step.status in (StepStatus.PLANNED, StepStatus.DUE)]


def today() -> dt.date:
    """The test's 'today' in local time."""
    return timezone.localdate(NOW)


class DisconnectingBackend(BaseEmailBackend):
    """A mail backend whose server drops the connection: a transient error."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RejectingBackend(BaseEmailBackend):
    """A mail backend whose server refuses the recipient for good (550)."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such user")})
