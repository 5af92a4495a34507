"""Reusable filters for the employer network, exposed as each model's manager."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)

from common.kept import kept
from crm.choices import Stage, VacancyStatus
from crm.roles import Role, has_role

if TYPE_CHECKING:
    from crm.models import Employer, Interaction, LadderStep, Vacancy  # noqa: F401  (used in string generics)

# Bumped when the kept supply rows change shape, so rows kept by an older release are never read back.
SUPPLY_KEPT_VERSION = 1
# Stages in which silence from our side is a problem.
LIVE_STAGES = (Stage.CONTACTED, Stage.ENGAGED, Stage.ACTIVE)
# Employers that are partners: engaged or active.
PARTNER_STAGES = (Stage.ENGAGED, Stage.ACTIVE)


class LadderStepQuerySet(models.QuerySet["LadderStep"]):
    """Ladder steps, with what the network offers at each."""

    def active(self) -> LadderStepQuerySet:
        """Steps in use."""
        return self.filter(is_active=True)

    def supplied(self) -> LadderStepQuerySet:
        """Steps at which employers offer places (work experience, trial days, jobs); the rest are coaching steps."""
        return self.filter(offers_places=True)

    def with_supply(self) -> LadderStepQuerySet:
        """Annotate `open_vacancies`, `open_places` and `offering_employers` from open_supply_by_step().

        The coverage page's grouped query runs once (one query over the open vacancies), and its figures
        become literal annotations, so the API and the admin can sort on them. Correlating it per step
        instead took 0.7 s (SQLite) to 1.9 s (PostgreSQL) with 50,000 employers, as every step read all
        its vacancy links. The grouped query itself reads every open vacancy's links (50,000 with 50,000
        employers: 80 to 150 ms on PostgreSQL), so its figures are kept COVERAGE_CACHE_SECONDS, as the
        coverage page keeps its own (common.kept).
        """
        found, _counted_at = kept(
            f"open-supply:{SUPPLY_KEPT_VERSION}",
            lambda: list(open_supply_by_step()),
            seconds=settings.COVERAGE_CACHE_SECONDS,
        )

        def figure(name: str) -> Case:
            whens = [When(pk=row["ladderstep_id"], then=Value(row[name] or 0)) for row in found]
            return Case(*whens, default=Value(0), output_field=IntegerField())

        return self.annotate(
            open_vacancies=figure("open_vacancies"),
            open_places=figure("open_places"),
            offering_employers=figure("offering_employers"),
        )


def open_supply_by_step() -> QuerySet[Any]:
    """What the network supplies per ladder step now: the one rule for supply, one grouped query.

    Counted over the links between ladder steps and vacancies whose status is open (whatever the
    employer's pipeline stage: an open vacancy is an offer), so closed and draft vacancies are never
    joined. Rows of dicts: `ladderstep_id`, `open_vacancies`, `open_places` (the sum of their
    `places`) and `offering_employers` (distinct employers behind them). A step without an open
    vacancy has no row.
    """
    from crm.models import Vacancy

    return (
        Vacancy.ladder_steps.through.objects.filter(vacancy__status=VacancyStatus.OPEN)
        .values("ladderstep_id")
        .annotate(
            # A vacancy is linked to a step at most once, so a plain count counts vacancies.
            open_vacancies=Count("vacancy_id"),
            open_places=Sum("vacancy__places"),
            offering_employers=Count("vacancy__employer_id", distinct=True),
        )
        .order_by()
    )


class EmployerQuerySet(models.QuerySet["Employer"]):
    """Employers, filtered the way the network screens ask."""

    def in_stage(self, *stages: str) -> EmployerQuerySet:
        """Employers in any of the given pipeline stages."""
        return self.filter(stage__in=stages)

    def engageable(self) -> EmployerQuerySet:
        """Employers we may work with (not flagged do-not-engage)."""
        return self.filter(do_not_engage=False)

    def needing_follow_up(self, *, today: dt.date, silence_days: int = 90) -> EmployerQuerySet:
        """Employers with an open next step due by `today`, or live ones we have not spoken to in `silence_days`.

        The silence reads the stored `last_contact_at` (crm.services.refresh_last_contact) instead of
        asking the interactions: a `NOT EXISTS (recent interaction)` read every interaction of the last
        90 days into a hashed subplan (107,255 of them, 44 ms) for each count and each page. The open
        steps due are read from the covering index crm_inter_open_due_employer. EXPLAIN ANALYZE on
        PostgreSQL, 50,000 employers and 378,655 interactions (median of five, before -> after): the
        employer list's capped count with `?follow_up=1` 62 -> 6 ms, its first page 62 -> 7 ms, the
        relationship manager's home block 48 -> 5 ms, the API's uncapped `needs_follow_up` count
        445 -> 71 ms.
        """
        from crm.models import Interaction

        # `pk IN (employers with an open step due)`, not a correlated EXISTS: under an OR, PostgreSQL
        # costs an EXISTS as if it ran once per employer (2.2 million for 50,000), which crosses
        # jit_above_cost and spends about 270 ms compiling an uncapped count (the API filter's); the
        # IN costs what it does, one read of the index (8,700), and runs the same plan without JIT.
        open_due = Interaction.objects.open_next_steps().filter(next_step_due__lte=today).values("employer_id")
        since = dt.datetime.combine(today - dt.timedelta(days=silence_days), dt.time.min, tzinfo=dt.UTC)
        silent = Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=since)
        return self.engageable().filter(Q(pk__in=open_due) | (Q(stage__in=LIVE_STAGES) & silent))

    def with_open_vacancy_count(self) -> EmployerQuerySet:
        """Annotate `open_vacancy_count`, the employer's open vacancies (0 when there is none).

        A correlated subquery, `(SELECT COUNT(*) FROM vacancy WHERE employer = this one AND open)`,
        not a join with GROUP BY: the database counts only for the rows it returns, so a page of 50
        costs 50 index look-ups instead of joining and grouping every employer before the LIMIT
        (0.28 s against 50,000 employers on PostgreSQL), and a count() of the list needs no join.
        Sorting on it still works; it is then computed for every row, as a sort must.
        """
        from crm.models import Vacancy

        open_vacancies = (
            Vacancy.objects.filter(employer=OuterRef("pk"), status=VacancyStatus.OPEN)
            .order_by()
            .values("employer")
            # COUNT without GROUP BY: one row even when the employer has no open vacancy, so never NULL.
            .annotate(n=Func(F("pk"), function="COUNT"))
            .values("n")
        )
        return self.annotate(open_vacancy_count=Subquery(open_vacancies, output_field=IntegerField()))

    def matching(self, query: str) -> EmployerQuerySet:
        """Employers a search box's `query` finds: the one search rule of the employer list and the board.

        The name is matched folded (crm.models.normalise_name: case, accents, legal forms and punctuation),
        so "cafe" finds "Café De Hoek B.V."; the city matches case-insensitively as typed, and the
        registration number exactly but for case and spaces. A query that folds to nothing ("B.V.")
        matches on city and registration number only. An empty query matches everyone.

        SQLite's LIKE folds the case of ASCII letters only, so "örebro" would miss "Örebro" there while
        PostgreSQL finds it; a query with other letters is therefore also tried capitalised, as cities
        are written, so "örebro" and "MALMÖ" find the same employers on both databases.

        On PostgreSQL each of the three conditions has its own index (crm migration 0008): trigram GIN
        indexes on `normalised_name` and on `UPPER(city::text)` (what `__contains` and `__icontains`
        emit), and a B-tree on `UPPER(registration_number::text)` (`__iexact`), so the OR becomes a
        BitmapOr instead of a scan of every employer (the figures, measured with 50,000 employers, are
        in that migration). Trigrams need three characters: a one- or two-letter query gives the same
        rows by a scan, and the list's count of it stops at common.pagination.COUNT_CAP matches.

        SQLite runs the same ORM query as a LIKE scan, fast enough at the sizes it serves.
        """
        from crm.models import normalise_name

        query = query.strip()
        if not query:
            return self
        folded = normalise_name(query)
        match = Q(city__icontains=query) | Q(registration_number__iexact=query.replace(" ", ""))
        if not query.isascii():
            match |= Q(city__icontains=query.capitalize())
        return self.filter(match | Q(normalised_name__contains=folded) if folded else match)


def interaction_editable_q(user: Any) -> Q:
    """The interactions `user` may change or delete: her own, or every one for an administrator.

    The queryset form of crm.roles.may_change_interaction (the same rule, for lists and bulk actions).
    """
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if has_role(user, Role.ADMINISTRATOR):
        return ~Q(pk__in=[])
    return Q(author_id=user.pk)


class InteractionQuerySet(models.QuerySet["Interaction"]):
    """Interactions and their next steps."""

    def editable_by(self, user: Any) -> InteractionQuerySet:
        """Those `user` may change or delete: her own, every one for an administrator (may_change_interaction)."""
        return self.filter(interaction_editable_q(user))

    def open_next_steps(self) -> InteractionQuerySet:
        """Interactions whose next step is not done yet."""
        return self.exclude(next_step="").filter(next_step_done_at__isnull=True)

    def overdue(self, *, today: dt.date) -> InteractionQuerySet:
        """Open next steps due before today."""
        return self.open_next_steps().filter(next_step_due__lt=today)


class VacancyQuerySet(models.QuerySet["Vacancy"]):
    """Vacancies, filtered the way matching asks."""

    def open(self) -> VacancyQuerySet:
        """Vacancies that take candidates now."""
        return self.filter(status=VacancyStatus.OPEN)

    def at_step(self, step: LadderStep | int) -> VacancyQuerySet:
        """Vacancies that serve the given ladder step (a step or its position)."""
        if isinstance(step, int):
            return self.filter(ladder_steps__position=step)
        return self.filter(ladder_steps=step)

    def open_per_step(self) -> dict[int, int]:
        """Open vacancies counted per ladder step position, in one query."""
        rows = (
            self.open()
            .values("ladder_steps__position")
            .annotate(n=Count("pk", distinct=True))
            .filter(ladder_steps__position__isnull=False)
        )
        return {row["ladder_steps__position"]: row["n"] for row in rows}
