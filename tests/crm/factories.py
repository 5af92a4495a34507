"""factory_boy factories for the employer network."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from crm.choices import ContactRole, InteractionKind, Language, Sector, Stage, VacancyKind, VacancyStatus
from crm.models import Contact, Employer, Interaction, Vacancy
from crm.services import refresh_last_contact


class EmployerFactory(DjangoModelFactory[Employer]):
    """An employer in the Netherlands with a unique name and registration number."""

    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"Werkgever {n}")
    registration_number = factory.Sequence(lambda n: f"{10000000 + n}")
    postcode = factory.Sequence(lambda n: f"{1000 + n % 9000} AB")
    city = "Utrecht"
    country = "NL"
    sector = Sector.HOSPITALITY
    stage = Stage.PROSPECT


class ContactFactory(DjangoModelFactory[Contact]):
    """A contact person at an employer."""

    class Meta:
        model = Contact

    employer = factory.SubFactory(EmployerFactory)
    first_name = factory.Sequence(lambda n: f"Anna{n}")
    last_name = "Jansen"
    role = ContactRole.LINE_MANAGER
    email = factory.Sequence(lambda n: f"contact{n}@example.org")
    preferred_language = Language.NL


class InteractionFactory(DjangoModelFactory[Interaction]):
    """A call with an employer."""

    class Meta:
        model = Interaction

    employer = factory.SubFactory(EmployerFactory)
    kind = InteractionKind.CALL
    summary = "Kennismakingsgesprek"
    minutes = 20

    @classmethod
    def _create(cls, model_class: type[Interaction], *args: Any, **kwargs: Any) -> Interaction:
        """Saved as the application saves one: the employer's last contact follows."""
        interaction = super()._create(model_class, *args, **kwargs)
        refresh_last_contact(employer_ids=[interaction.employer_id])
        return interaction


class VacancyFactory(DjangoModelFactory[Vacancy]):
    """An open paid job."""

    class Meta:
        model = Vacancy

    employer = factory.SubFactory(EmployerFactory)
    title = factory.Sequence(lambda n: f"Medewerker keuken {n}")
    kind = VacancyKind.PAID_JOB
    status = VacancyStatus.OPEN
