"""Filter sets of the placements API (django-filter); the query logic lives on the QuerySets."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from crm.choices import Language, VacancyKind
from placements.choices import ClientStatus, PlacementStatus, StepKind, StepStatus, Track
from placements.models import AftercarePlan, AftercareStep, Client, CoachingAgreement, Placement


class ClientFilter(filters.FilterSet):
    """Clients by status, coach, case manager, language and current ladder step."""

    status = filters.MultipleChoiceFilter(choices=ClientStatus.choices)
    coach = filters.ModelChoiceFilter(queryset=get_user_model().objects.all())
    case_manager = filters.ModelChoiceFilter(queryset=get_user_model().objects.all())
    language = filters.ChoiceFilter(field_name="preferred_language", choices=Language.choices)
    ladder_step = filters.NumberFilter(field_name="current_step", label=_("Current ladder step (position)"))

    class Meta:
        model = Client
        fields = ["status", "coach", "case_manager"]


class PlacementFilter(filters.FilterSet):
    """Placements by client, employer, status, kind, coach, plan and start date (`start_after`, `start_before`)."""

    status = filters.MultipleChoiceFilter(choices=PlacementStatus.choices)
    kind = filters.MultipleChoiceFilter(choices=VacancyKind.choices)
    start = filters.DateFromToRangeFilter(field_name="start_on")

    class Meta:
        model = Placement
        fields = ["client", "employer", "status", "kind", "coach", "plan"]


class AgreementFilter(filters.FilterSet):
    """Agreement versions by client, or only the versions in force."""

    current = filters.BooleanFilter(field_name="superseded_at", lookup_expr="isnull")

    class Meta:
        model = CoachingAgreement
        fields = ["client"]


class PlanFilter(filters.FilterSet):
    """Plans: active, default, by name."""

    class Meta:
        model = AftercarePlan
        fields = ["is_active", "is_default", "name"]


class StepFilter(filters.FilterSet):
    """Steps by placement, client, status, kind, track, assignee, due date (`due_after`/`due_before`), open, overdue."""

    client = filters.NumberFilter(field_name="placement__client")
    status = filters.MultipleChoiceFilter(choices=StepStatus.choices)
    kind = filters.MultipleChoiceFilter(choices=StepKind.choices)
    track = filters.MultipleChoiceFilter(choices=Track.choices)
    due = filters.DateFromToRangeFilter(field_name="due_on")
    open = filters.BooleanFilter(method="filter_open", label=_("Still to be done"))
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("Open and due before today"))

    class Meta:
        model = AftercareStep
        fields = ["placement", "status", "kind", "track", "assignee"]

    def filter_open(self, queryset: QuerySet[AftercareStep], name: str, value: bool | None) -> QuerySet[AftercareStep]:
        """AftercareStep.objects.open (or its complement)."""
        if value is None:
            return queryset
        open_steps = AftercareStep.objects.open().values("pk")
        return queryset.filter(pk__in=open_steps) if value else queryset.exclude(pk__in=open_steps)

    def filter_overdue(
        self, queryset: QuerySet[AftercareStep], name: str, value: bool | None
    ) -> QuerySet[AftercareStep]:
        """AftercareStep.objects.overdue as of today's local date (or its complement)."""
        if value is None:
            return queryset
        overdue = AftercareStep.objects.overdue(today=timezone.localdate()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)
