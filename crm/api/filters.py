"""Filter sets of the employer-network API (django-filter); the query logic lives on the QuerySets."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from crm.choices import (
    ContactRole,
    ContractType,
    InteractionKind,
    Language,
    LanguageLevel,
    Outcome,
    Ownership,
    Schedule,
    Sector,
    SizeBand,
    SourceChannel,
    Stage,
    VacancyKind,
    VacancyStatus,
)
from crm.models import Contact, Employer, EmployerStageChange, Interaction, LadderStep, Vacancy


class LadderStepFilter(filters.FilterSet):
    """Ladder steps: active or not."""

    class Meta:
        model = LadderStep
        fields = ["is_active"]


class EmployerFilter(filters.FilterSet):
    """Employers by pipeline, profile and owner; `needs_follow_up` asks the follow-up rule as of today."""

    stage = filters.MultipleChoiceFilter(choices=Stage.choices)
    sector = filters.MultipleChoiceFilter(choices=Sector.choices)
    size_band = filters.MultipleChoiceFilter(choices=SizeBand.choices)
    ownership = filters.MultipleChoiceFilter(choices=Ownership.choices)
    source = filters.MultipleChoiceFilter(choices=SourceChannel.choices)
    country = filters.CharFilter(lookup_expr="iexact")
    owner = filters.ModelChoiceFilter(queryset=get_user_model().objects.all())
    do_not_engage = filters.BooleanFilter()
    needs_follow_up = filters.BooleanFilter(
        method="filter_needs_follow_up",
        label=_("Has a next step due by today, or is a live relationship we have not spoken to in 90 days"),
    )

    class Meta:
        model = Employer
        fields = ["stage", "sector", "size_band", "ownership", "source", "country", "owner", "do_not_engage"]

    def filter_needs_follow_up(self, queryset: QuerySet[Employer], name: str, value: bool | None) -> QuerySet[Employer]:
        """Employer.objects.needing_follow_up as of today's local date (or its complement)."""
        if value is None:
            return queryset
        due = Employer.objects.needing_follow_up(today=timezone.localdate()).values("pk")
        return queryset.filter(pk__in=due) if value else queryset.exclude(pk__in=due)


class EmployerStageChangeFilter(filters.FilterSet):
    """Stage history by employer, target stage and date."""

    to_stage = filters.MultipleChoiceFilter(choices=Stage.choices)
    changed = filters.DateFromToRangeFilter(field_name="changed_at")

    class Meta:
        model = EmployerStageChange
        fields = ["employer", "to_stage", "changed_by"]


class ContactFilter(filters.FilterSet):
    """Contacts by employer, role, language and whether they are active."""

    role = filters.MultipleChoiceFilter(choices=ContactRole.choices)
    language = filters.ChoiceFilter(field_name="preferred_language", choices=Language.choices)
    active = filters.BooleanFilter(field_name="is_active")

    class Meta:
        model = Contact
        fields = ["employer", "role"]


class InteractionFilter(filters.FilterSet):
    """Interactions by employer, kind, date range (`occurred_after`, `occurred_before`) and open next steps."""

    kind = filters.MultipleChoiceFilter(choices=InteractionKind.choices)
    outcome = filters.MultipleChoiceFilter(choices=Outcome.choices)
    occurred = filters.DateFromToRangeFilter(field_name="occurred_at")
    next_step_due = filters.DateFromToRangeFilter()
    open_next_step = filters.BooleanFilter(
        method="filter_open_next_step", label=_("Has a next step that is not done yet")
    )

    class Meta:
        model = Interaction
        fields = ["employer", "contact", "author", "kind", "outcome"]

    def filter_open_next_step(
        self, queryset: QuerySet[Interaction], name: str, value: bool | None
    ) -> QuerySet[Interaction]:
        """Interaction.objects.open_next_steps (or its complement)."""
        if value is None:
            return queryset
        open_steps = Interaction.objects.open_next_steps().values("pk")
        return queryset.filter(pk__in=open_steps) if value else queryset.exclude(pk__in=open_steps)


class VacancyFilter(filters.FilterSet):
    """Vacancies by status, kind, ladder step position, employer and working conditions."""

    status = filters.MultipleChoiceFilter(choices=VacancyStatus.choices)
    kind = filters.MultipleChoiceFilter(choices=VacancyKind.choices)
    schedule = filters.MultipleChoiceFilter(choices=Schedule.choices)
    contract_type = filters.MultipleChoiceFilter(choices=ContractType.choices)
    language_level = filters.ChoiceFilter(choices=LanguageLevel.choices)
    ladder_step = filters.NumberFilter(method="filter_ladder_step", label=_("Serves the ladder step at this position"))

    class Meta:
        model = Vacancy
        fields = ["employer", "status", "kind", "schedule", "contract_type", "language_level"]

    def filter_ladder_step(self, queryset: QuerySet[Vacancy], name: str, value: float | None) -> QuerySet[Vacancy]:
        """Vacancy.objects.at_step, as a subquery so rows are not repeated."""
        if value is None:
            return queryset
        return queryset.filter(pk__in=Vacancy.objects.at_step(int(value)).values("pk"))
