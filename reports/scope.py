"""Who reads a report and what it covers: the filter form and the scope every section counts within.

Each reader sees the figures of what she may see (DESIGN "roles"): a coach her own caseload, a case manager
his own clients and those of the coaches he supervises, the network lead (an administrator) everything.
The client rows come from the one visibility rule (`client_access_q`, which `Client.objects.visible_to`
applies too, and `placement_casework_q`: the placements she follows as casework, so a relationship
manager who also coaches counts her own casework, not every placement at her employers); a relationship
manager, whose work is with employers (Flora III.1.B, share what the purpose needs), reads the network
and the employers' evaluations but no section counted over clients.

The filters: the period (first and last day, both included), the coach (the client's coach; for steps,
the placement's), the relationship manager and the sector (through the employers of the placements),
and the self-described gender.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.types import display_name
from crm.choices import Sector
from crm.roles import Role, has_role, roles_of
from placements.choices import Gender
from placements.models import Client, Placement
from placements.querysets import client_access_q, placement_casework_q, supervised_coach_ids
from placements.scheduling import add_months
from reports.tables import Period

# The gender filter's value for "prefers not to say" (stored as an empty string).
NOT_SAID = "not_said"
# How far back a report looks when no period is chosen: twelve months up to today.
DEFAULT_MONTHS = 12
# The longest period a report covers: ten years.
MAX_DAYS = 3660


def gender_choices() -> list[tuple[str, Any]]:
    """The self-described genders, with "prefers not to say" as a value of its own."""
    return [(value or NOT_SAID, label) for value, label in Gender.choices]


def _people(role: Role) -> QuerySet[Any]:
    return get_user_model().objects.filter(groups__name=role).distinct().order_by("first_name", "last_name", "username")


class _Person(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return display_name(obj)


class ReportFilterForm(forms.Form):
    """The report's filters, read from the query string; an invalid one is reported and left out."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    coach = _Person(label=_("Coach"), queryset=_people(Role.COACH), required=False, empty_label=_("Every coach"))
    manager = _Person(
        label=_("Relationship manager"),
        queryset=_people(Role.RELATIONSHIP_MANAGER),
        required=False,
        empty_label=_("Every relationship manager"),
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    gender = forms.ChoiceField(label=_("Gender"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["sector"]).choices = [("", _("Every sector")), *Sector.choices]
        cast(forms.ChoiceField, self.fields["gender"]).choices = [("", _("Everyone")), *gender_choices()]
        if not _is_lead(user):
            coaches = cast(forms.ModelChoiceField, self.fields["coach"])
            coaches.queryset = _people(Role.COACH).filter(pk__in=[user.pk, *supervised_coach_ids(user)])

    def clean(self) -> dict[str, Any]:
        """The period runs forwards and spans at most MAX_DAYS days."""
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period comes before its start."))
        elif start and end and (end - start).days >= MAX_DAYS:
            self.add_error("start", _("Choose a period of at most ten years."))
        return cleaned


def _is_lead(user: Any) -> bool:
    """The network lead reads everything: administrators (superusers too)."""
    return has_role(user, Role.ADMINISTRATOR)


def reads_clients(user: Any) -> bool:
    """True when the user may read figures counted over clients: anyone who coaches, supervises or leads."""
    return _is_lead(user) or bool(roles_of(user) & {Role.COACH.value, Role.CASE_MANAGER.value})


def reads_reports(user: Any) -> bool:
    """True for every staff role: a relationship manager reads the network sections."""
    return _is_lead(user) or bool(roles_of(user))


def default_period(today: dt.date) -> Period:
    """Twelve months up to today: from the day after the same date a year ago."""
    return Period(add_months(today, -DEFAULT_MONTHS) + dt.timedelta(days=1), today)


@dataclass(frozen=True)
class Scope:
    """What one report covers for one reader: the period, the filters, and the rows she may count."""

    user: Any
    period: Period
    today: dt.date
    coach_id: int | None = None
    manager_id: int | None = None
    sector: str = ""
    gender: str | None = None  # None: everyone; "": prefers not to say

    @classmethod
    def from_query(cls, user: Any, data: Any, *, today: dt.date | None = None) -> tuple[Scope, ReportFilterForm]:
        """The scope for the query string; filters that do not validate are left out (the form shows why)."""
        today = today or timezone.localdate()
        form = ReportFilterForm(data, user=user)
        form.is_valid()
        cleaned = {name: value for name, value in getattr(form, "cleaned_data", {}).items() if name not in form.errors}
        fallback = default_period(today)
        start = cleaned.get("start") if "start" not in form.errors and "end" not in form.errors else None
        end = cleaned.get("end") if "start" not in form.errors and "end" not in form.errors else None
        period = Period(start or (fallback.start if not end else add_months(end, -DEFAULT_MONTHS)), end or today)
        gender = cleaned.get("gender") or None
        coach, manager = cleaned.get("coach"), cleaned.get("manager")
        scope = cls(
            user=user,
            period=period,
            today=today,
            coach_id=coach.pk if coach else None,
            manager_id=manager.pk if manager else None,
            sector=cleaned.get("sector") or "",
            gender=None if gender is None else ("" if gender == NOT_SAID else gender),
        )
        return scope, form

    # --- What she may read ------------------------------------------------------------------------

    @property
    def reads_clients(self) -> bool:
        """True when the sections counted over clients are for this reader."""
        return reads_clients(self.user)

    @property
    def sees_network(self) -> bool:
        """True when the reader's client figures cover the whole network (the network lead)."""
        return _is_lead(self.user)

    # --- The rows every section counts ------------------------------------------------------------

    def _employer_q(self, prefix: str) -> Q:
        rule = Q()
        if self.manager_id:
            rule &= Q(**{f"{prefix}owner_id": self.manager_id})
        if self.sector:
            rule &= Q(**{f"{prefix}sector": self.sector})
        return rule

    def client_q(self, prefix: str = "") -> Q:
        """The clients the report counts, seen from a model `prefix` away ("client__", "placement__client__").

        Visibility is the clients' rule; the relationship manager and sector filters keep the clients with
        a placement at such an employer.
        """
        if not self.reads_clients:
            return Q(**{f"{prefix}pk__in": []})
        rule = Q()
        if not self.sees_network:
            rule &= client_access_q(self.user, prefix)
        if self.coach_id:
            rule &= Q(**{f"{prefix}coach_id": self.coach_id})
        if self.gender is not None:
            rule &= Q(**{f"{prefix}gender": self.gender})
        if self.manager_id or self.sector:
            at_employer = Placement.objects.filter(self._employer_q("employer__"), client_id=OuterRef("pk"))
            rule &= Q(**{f"{prefix}pk__in": Client.objects.filter(Exists(at_employer)).values("pk")})
        return rule

    def clients(self) -> QuerySet[Client]:
        """The clients the report counts."""
        return Client.objects.filter(self.client_q())

    def placement_q(self, prefix: str = "") -> Q:
        """The placements the report counts, seen from a model `prefix` away ("placement__")."""
        if not self.reads_clients:
            return Q(**{f"{prefix}pk__in": []})
        rule = Q() if self.sees_network else placement_casework_q(self.user, via=prefix.removesuffix("__"))
        if self.coach_id:
            rule &= Q(**{f"{prefix}client__coach_id": self.coach_id})
        if self.gender is not None:
            rule &= Q(**{f"{prefix}client__gender": self.gender})
        return rule & self._employer_q(f"{prefix}employer__")

    def placements(self) -> QuerySet[Placement]:
        """The placements the report counts."""
        return Placement.objects.filter(self.placement_q())

    def employer_q(self, prefix: str = "") -> Q:
        """The employers the network sections count: every employer, narrowed by manager and sector."""
        return self._employer_q(prefix)

    # --- Links ------------------------------------------------------------------------------------

    def cache_key(self) -> str:
        """What makes this report differ from another: the reader's visibility, the period and the filters.

        The reader's roles and the coaches she supervises are part of it, so a reader whose role or team
        changes never reads figures counted for what she could see before.
        """
        user = self.user
        parts = (
            getattr(user, "pk", None),
            getattr(user, "is_superuser", False),
            sorted(roles_of(user)),
            sorted(supervised_coach_ids(user)),
            self.period,
            self.today,
            self.coach_id,
            self.manager_id,
            self.sector,
            self.gender,
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    def drill(self, section: str, table: str, row: str = "", column: str = "") -> str:
        """The link to the rows behind one figure, with the report's filters."""
        url = reverse("reports:rows", args=[section, table])
        return f"{url}?{self.query(row=row, column=column)}"

    def query(self, **extra: Any) -> str:
        """The filters as a query string, for links that keep them (drill-downs, exports)."""
        params: dict[str, Any] = {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()}
        if self.coach_id:
            params["coach"] = self.coach_id
        if self.manager_id:
            params["manager"] = self.manager_id
        if self.sector:
            params["sector"] = self.sector
        if self.gender is not None:
            params["gender"] = self.gender or NOT_SAID
        params.update({key: value for key, value in extra.items() if value not in (None, "")})
        return urlencode(params)
