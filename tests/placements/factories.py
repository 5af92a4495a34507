"""factory_boy factories for clients, placements and aftercare."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.models import User
from factory.django import DjangoModelFactory

from placements.choices import ClientStatus, PlacementStatus
from placements.models import AftercarePlan, Client, ConsentRecord, Placement
from tests.crm.factories import ContactFactory, EmployerFactory


class UserFactory(DjangoModelFactory[User]):
    """A staff user without a role."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@werkbrug.test")


class ClientFactory(DjangoModelFactory[Client]):
    """A client in coaching."""

    class Meta:
        model = Client

    reference = factory.Sequence(lambda n: f"C-2026-{n:04d}")
    first_name = "Amina"
    coach = factory.SubFactory(UserFactory)
    status = ClientStatus.ACTIVE


class ConsentFactory(DjangoModelFactory[ConsentRecord]):
    """A consent in force since the start of 2026."""

    class Meta:
        model = ConsentRecord

    client = factory.SubFactory(ClientFactory)
    purpose = "coaching"
    given_on = dt.date(2026, 1, 1)


class PlacementFactory(DjangoModelFactory[Placement]):
    """A planned placement with a mentor at the employer, on the default plan."""

    class Meta:
        model = Placement

    client = factory.SubFactory(ClientFactory)
    employer = factory.SubFactory(EmployerFactory)
    mentor = factory.SubFactory(ContactFactory, employer=factory.SelfAttribute("..employer"))
    job_title = "Medewerker bediening"
    start_on = dt.date(2027, 1, 4)
    coach = factory.SelfAttribute("client.coach")
    plan = factory.LazyFunction(lambda: AftercarePlan.objects.get(is_default=True))
    status = PlacementStatus.PLANNED
