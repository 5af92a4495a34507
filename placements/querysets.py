"""Reusable filters for clients, placements and aftercare steps, exposed as managers."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, Q, Value, When

from crm.roles import Role, has_role, sees_every_client, sees_placements_at_own_employers
from placements.choices import ClientStatus, PlacementStatus, StepStatus

if TYPE_CHECKING:
    from placements.models import (  # noqa: F401  (string generics)
        AftercareStep,
        Client,
        CoachingAgreement,
        ConsentRecord,
        LadderPosition,
        Placement,
    )


def supervised_coach_ids(user: Any) -> frozenset[int]:
    """The ids of the coaches the user supervises: one read per user object, kept on it like roles_of.

    A case manager supervises the coaches of the teams he leads (Team.leads); an administrator oversees
    the coaches of every team. Anyone else, a coach who is listed as a team's lead included, supervises
    nobody. The set is read with one query and the visibility rules below use it as a plain list of ids,
    so supervision adds no join per row.
    """
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached: frozenset[int] | None = getattr(user, "_supervised_cache", None)
    if cached is None:
        from placements.models import Team

        memberships = Team.coaches.through.objects
        if has_role(user, Role.ADMINISTRATOR):
            cached = frozenset(memberships.values_list("user_id", flat=True))
        elif has_role(user, Role.CASE_MANAGER):
            cached = frozenset(memberships.filter(team__leads=user).values_list("user_id", flat=True))
        else:
            cached = frozenset()
        user._supervised_cache = cached
    return cached


def placement_casework_q(user: Any, via: str = "") -> Q:
    """The rows whose placement `user` follows as casework: she reads the client on it and may change it.

    A placement is casework for its coach and for the client's coach and case manager; a case manager also
    follows the placements that a coach he supervises follows or whose client she coaches
    (supervised_coach_ids). Administrators and superusers follow every one. `via` is the path from the
    filtered model to its placement ("placement", "step__placement"); leave it empty to filter placements
    themselves. Rows without a placement only match for those who see everything.
    """
    # Q() drops out of an OR (Q() | q is q), so "every row" and "no row" are spelled as conditions that
    # Django compiles away: no WHERE clause at all, or an empty result without a query.
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if sees_every_client(user):
        return ~Q(pk__in=[])
    prefix = f"{via}__" if via else ""
    rule = (
        Q(**{f"{prefix}coach": user})
        | Q(**{f"{prefix}client__coach": user})
        | Q(**{f"{prefix}client__case_manager": user})
    )
    if supervised := sorted(supervised_coach_ids(user)):
        rule |= Q(**{f"{prefix}coach_id__in": supervised}) | Q(**{f"{prefix}client__coach_id__in": supervised})
    return rule


def placement_access_q(user: Any, via: str = "") -> Q:
    """The rows whose placement `user` may see: the one visibility rule for placements and what hangs off them.

    Her casework (placement_casework_q), and for a relationship manager the placements at the employers she
    owns, as a restricted view: the client's reference, the dates, the status and the mentor, never the
    client's file (Flora III.1.B; analysis §8.2). PlacementQuerySet.with_client_access tells the two apart.
    """
    rule = placement_casework_q(user, via)
    owner_view = getattr(user, "is_authenticated", False) and not sees_every_client(user)
    if owner_view and sees_placements_at_own_employers(user):
        prefix = f"{via}__" if via else ""
        rule |= Q(**{f"{prefix}employer__owner": user})
    return rule


class ClientQuerySet(models.QuerySet["Client"]):
    """Clients, with row-level visibility."""

    def visible_to(self, user: Any) -> ClientQuerySet:
        """Her file is read by her coach and case manager, their supervisors and administrators (client_access_q)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if sees_every_client(user):
            return self
        return self.filter(client_access_q(user))


def client_access_q(user: Any, prefix: str = "") -> Q:
    """The clients whose file `user` may read, as a condition on the client's own columns, `prefix` away ("client__").

    The one rule behind ClientQuerySet.visible_to: her coach and her case manager, a case manager for the
    clients of the coaches he supervises, and administrators. A relationship manager reads no client's file
    as such (Flora III.1.B, share what the purpose needs), only those of the clients she coaches herself.
    """
    if not getattr(user, "is_authenticated", False):
        return Q(**{f"{prefix}pk__in": []})
    if sees_every_client(user):
        return ~Q(**{f"{prefix}pk__in": []})
    rule = Q(**{f"{prefix}coach": user}) | Q(**{f"{prefix}case_manager": user})
    if supervised := sorted(supervised_coach_ids(user)):
        rule |= Q(**{f"{prefix}coach_id__in": supervised})
    return rule


def held_on_q(day: dt.date) -> Q:
    """The ladder positions a client held on `day`, while her file was open: the one rule for "at a step".

    Entered on or before the day and not left by then (left_on empty or after it), of a client whose
    file was not closed on that day (status not closed, or closed after it). On today's date these are
    the current positions of the open files, which is what coverage counts as demand now.
    """
    return (
        Q(entered_on__lte=day)
        & (Q(left_on__isnull=True) | Q(left_on__gt=day))
        & (~Q(client__status=ClientStatus.CLOSED) | Q(client__closed_on__gt=day))
    )


class LadderPositionQuerySet(models.QuerySet["LadderPosition"]):
    """Clients' stays on ladder steps."""

    def held_on(self, day: dt.date) -> LadderPositionQuerySet:
        """Positions held on `day` by clients with an open file (held_on_q)."""
        return self.filter(held_on_q(day))

    def visible_to(self, user: Any) -> LadderPositionQuerySet:
        """Positions of the clients the user may see (ClientQuerySet.visible_to)."""
        from placements.models import Client

        return self.filter(client__in=Client.objects.visible_to(user))


class ConsentQuerySet(models.QuerySet["ConsentRecord"]):
    """Consent records."""

    def for_client(self, client: Client) -> ConsentQuerySet:
        """Records of one client."""
        return self.filter(client=client)

    def in_force(self, *, on: dt.date) -> ConsentQuerySet:
        """Consents given on or before `on` and not withdrawn by then."""
        return self.filter(given_on__lte=on).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))


class CoachingAgreementQuerySet(models.QuerySet["CoachingAgreement"]):
    """Coaching agreements and their versions."""

    def visible_to(self, user: Any) -> CoachingAgreementQuerySet:
        """Versions of the agreements of clients the user may see."""
        from placements.models import Client

        return self.filter(client__in=Client.objects.visible_to(user))

    def current(self) -> CoachingAgreementQuerySet:
        """The version in force of each agreement."""
        return self.filter(superseded_at__isnull=True)


class PlacementQuerySet(models.QuerySet["Placement"]):
    """Placements, with row-level visibility."""

    def visible_to(self, user: Any) -> PlacementQuerySet:
        """A coach sees the placements of her clients and those she coaches; an RM those at her employers."""
        return self.filter(placement_access_q(user))

    def in_casework_of(self, user: Any) -> PlacementQuerySet:
        """The placements `user` follows as casework: the only ones she may change (placement_casework_q)."""
        return self.filter(placement_casework_q(user))

    def with_client_access(self, user: Any) -> PlacementQuerySet:
        """Annotate `client_shown`: True where `user` may read the client on the placement (placement_casework_q).

        False only on the restricted view of a relationship manager (a placement at her employer whose client
        she does not coach): pages, the API and exports then show the client's reference and nothing more.
        """
        if not getattr(user, "is_authenticated", False):
            return self.annotate(client_shown=Value(False, output_field=BooleanField()))
        if sees_every_client(user) or not sees_placements_at_own_employers(user):
            return self.annotate(client_shown=Value(True, output_field=BooleanField()))
        # Case, not a bare condition: a NULL column (no case manager) would make the OR NULL rather than false.
        shown = Case(
            When(placement_casework_q(user), then=Value(True)), default=Value(False), output_field=BooleanField()
        )
        return self.annotate(client_shown=shown)

    def running(self) -> PlacementQuerySet:
        """Active placements."""
        return self.filter(status=PlacementStatus.ACTIVE)


def step_access_q(user: Any, via: str = "") -> Q:
    """The aftercare steps `user` may see (AftercareStepQuerySet.visible_to), as a condition on the step's own
    columns, `via` away ("step" from a row that points at a step).

    As a condition rather than `step__in=<visible steps>`, a row that points at a step joins its step: SQLite
    otherwise builds the list of every visible step first (a scan of a million steps, 300 ms, for the
    check-in notices of one placement page).
    """
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    prefix = f"{via}__" if via else ""
    rule = placement_casework_q(user, via=f"{prefix}placement") | Q(**{f"{prefix}assignee": user})
    if supervised := sorted(supervised_coach_ids(user)):
        rule |= Q(**{f"{prefix}assignee_id__in": supervised})
    return rule


class AftercareStepQuerySet(models.QuerySet["AftercareStep"]):
    """Aftercare steps."""

    def visible_to(self, user: Any) -> AftercareStepQuerySet:
        """Steps of her casework, steps assigned to her, and those of the coaches she supervises.

        Outcomes and notes are casework, so a relationship manager's restricted view of a placement at her
        employer does not reach its steps here; the placement page shows her their dates and kinds only.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(step_access_q(user))

    def open(self) -> AftercareStepQuerySet:
        """Steps still to be done."""
        return self.filter(status__in=[StepStatus.PLANNED, StepStatus.DUE])

    def due_by(self, day: dt.date) -> AftercareStepQuerySet:
        """Open steps due on or before `day`."""
        return self.open().filter(due_on__lte=day)

    def overdue(self, *, today: dt.date) -> AftercareStepQuerySet:
        """Open steps whose day has passed."""
        return self.open().filter(due_on__lt=today)

    def escalated(self, *, today: dt.date) -> AftercareStepQuerySet:
        """Open steps at least FOLLOWUP_ESCALATE_AFTER_DAYS past their day: those the sweep escalates."""
        return self.open().filter(due_on__lte=today - dt.timedelta(days=settings.FOLLOWUP_ESCALATE_AFTER_DAYS))
