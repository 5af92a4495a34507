"""Coach KPIs: employer contacts per week, caseload, follow-ups done on time, overdue follow-ups, minutes.

What it answers: is each coach in touch with employers often enough, how many clients does she carry, and
does she keep the aftercare schedule? The IPS fidelity scale scores an employment specialist's employer
contacts per week and her caseload size; igma ch. 5 ("good governance") asks for time registration per
step and ch. 6 whether coaches spend their time and follow-ups evenly; Flora II.3.F and igma step 22 make
the follow-up schedule the core of aftercare, so the share done on its day is the measure of keeping it.

One row per coach in the reader's scope: the network lead (an administrator) sees every user in the coach
role, a case manager the coaches he supervises (placements.querysets.supervised_coach_ids) and himself when
he coaches clients, a coach herself; the coach filter narrows to one. The caseload and the on-time rule are
the team page's (placements.kpis), applied to the report's period instead of the team page's four weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.types import display_name
from crm.models import Interaction
from crm.roles import Role, has_role
from placements.kpis import ACTIVE_CLIENT_STATUSES, day_bounds, done_within_q, on_time_q, with_done_on
from placements.models import AftercareStep, Client
from placements.querysets import supervised_coach_ids
from reports.drill import Rows
from reports.scope import Scope
from reports.tables import Cell, Chart, Row, Section, Table, count

KEY = "coaches"
OVER_CLIENTS = True
# The section's name: its page's heading, the navigation between the pages, the PDF's heading.
TITLE = gettext_lazy("Coach KPIs")

TABLE = "coaches"
# The key of the row that adds up the coaches shown.
ALL = "all"
COLUMN_KEYS = ["contacts_per_week", "contacts", "caseload", "done", "on_time", "overdue", "minutes"]


@dataclass
class Figures:
    """One coach's figures, or the sum over the coaches shown."""

    contacts: int = 0
    caseload: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    minutes: int = 0

    def __add__(self, other: Figures) -> Figures:
        """The figures of two coaches together."""
        return Figures(
            contacts=self.contacts + other.contacts,
            caseload=self.caseload + other.caseload,
            done=self.done + other.done,
            on_time=self.on_time + other.on_time,
            overdue=self.overdue + other.overdue,
            minutes=self.minutes + other.minutes,
        )

    @property
    def anything(self) -> bool:
        """True when any figure is not zero."""
        return any((self.contacts, self.caseload, self.done, self.overdue, self.minutes))


# --- Who is in scope ----------------------------------------------------------------------------


def coaches(scope: Scope) -> QuerySet[Any]:
    """The coaches the reader's table has a row for, by name (one query).

    The network lead: every user in the coach role. Anyone else: the coaches he supervises, and himself
    when he is a coach or coaches clients (a case manager with a caseload of his own). A relationship
    manager gets nobody (the section is counted over clients). The coach filter narrows to one.
    """
    users = get_user_model().objects
    if not scope.reads_clients:
        return users.none()
    if scope.sees_network:
        rule = Q(groups__name=Role.COACH)
    else:
        own = Q(pk=scope.user.pk)
        if not has_role(scope.user, Role.COACH):
            own &= Q(Exists(Client.objects.filter(coach_id=OuterRef("pk"))))
        rule = Q(pk__in=sorted(supervised_coach_ids(scope.user))) | own
    if scope.coach_id:
        rule &= Q(pk=scope.coach_id)
    return users.filter(rule).order_by("first_name", "last_name", "username", "pk")


# --- The rows behind the figures --------------------------------------------------------------------


def _contacts(scope: Scope, ids: list[int]) -> QuerySet[Interaction]:
    """Employer contacts the coaches recorded (as author) on a local date within the period.

    Narrowed by the relationship manager and sector filters through the employer; an interaction is about
    an employer, not a client, so the gender filter does not apply.
    """
    since, until = day_bounds(scope.period.start, scope.period.end)
    return Interaction.objects.filter(
        scope.employer_q("employer__"), author_id__in=ids, occurred_at__gte=since, occurred_at__lt=until
    )


def _caseload(scope: Scope, ids: list[int]) -> QuerySet[Client]:
    """The coaches' clients with an open file now (the team page's statuses), within the report's filters."""
    return Client.objects.filter(scope.client_q(), coach_id__in=ids, status__in=ACTIVE_CLIENT_STATUSES)


def _done(scope: Scope, ids: list[int]) -> QuerySet[AftercareStep]:
    """Steps assigned to the coaches and done on a local date within the period (placements.kpis), with DONE_ON."""
    steps = AftercareStep.objects.filter(
        scope.placement_q("placement__"), done_within_q(scope.period.start, scope.period.end), assignee_id__in=ids
    )
    return with_done_on(steps)


def _overdue(scope: Scope, ids: list[int]) -> QuerySet[AftercareStep]:
    """Open steps assigned to the coaches whose day passed before today, within the report's filters."""
    return AftercareStep.objects.overdue(today=scope.today).filter(
        scope.placement_q("placement__"), assignee_id__in=ids
    )


def _per(queryset: QuerySet[Any], key: str) -> dict[int, int]:
    """Rows per coach id, in one GROUP BY query."""
    return dict(queryset.order_by().values(key).annotate(n=Count("pk")).values_list(key, "n"))


def figures(scope: Scope, ids: list[int]) -> dict[int, Figures]:
    """Every coach's figures in four GROUP BY queries, however many coaches, contacts and steps."""
    contacts = _per(_contacts(scope, ids), "author_id")
    caseload = _per(_caseload(scope, ids), "coach_id")
    overdue = _per(_overdue(scope, ids), "assignee_id")
    done: dict[int, dict[str, Any]] = {
        row["assignee_id"]: dict(row)
        for row in _done(scope, ids)
        .order_by()
        .values("assignee_id")
        .annotate(done=Count("pk"), on_time=Count("pk", filter=on_time_q()), minutes=Sum("minutes_spent"))
    }
    result: dict[int, Figures] = {}
    for pk in ids:
        steps: dict[str, Any] = done.get(pk, {})
        result[pk] = Figures(
            contacts=contacts.get(pk, 0),
            caseload=caseload.get(pk, 0),
            done=steps.get("done", 0),
            on_time=steps.get("on_time", 0),
            overdue=overdue.get(pk, 0),
            minutes=steps.get("minutes") or 0,
        )
    return result


# --- The table ----------------------------------------------------------------------------------


def _cells(scope: Scope, row: str, figures: Figures, coaches_shown: int) -> list[Cell]:
    """One row's cells; the per-week figure is per coach (the average over the coaches for the sum row)."""

    def link(column: str, value: int) -> str:
        """The drill-down to the rows behind the figure; none when there are no rows."""
        return scope.drill(KEY, TABLE, row, column) if value else ""

    per_week = figures.contacts / scope.period.weeks / max(coaches_shown, 1)
    # A caseload is an operational figure about the coach, not about a group of persons; under the gender
    # filter it does count persons of one gender, and then a small one is hidden like any such count.
    caseload_people = figures.caseload if scope.gender is not None else None
    return [
        Cell(per_week, "number", None, link("contacts_per_week", figures.contacts)),
        count(figures.contacts, href=link("contacts", figures.contacts), people=False),
        Cell(figures.caseload, "count", caseload_people, link("caseload", figures.caseload)),
        count(figures.done, href=link("done", figures.done), people=False),
        Cell(
            100 * figures.on_time / figures.done if figures.done else None,
            "percent",
            None,
            link("on_time", figures.done),
        ),
        count(figures.overdue, href=link("overdue", figures.overdue), people=False),
        Cell(figures.minutes, "minutes", None, link("minutes", figures.minutes)),
    ]


def build(scope: Scope) -> Section:
    """The coach KPI table and its chart, in five queries (the coaches, then four GROUP BY queries).

    Reading the reader's roles and the coaches he supervises adds at most two, once per user object.
    """
    section = Section(
        KEY,
        str(TITLE),
        _(
            "Per coach: how often she was in touch with employers, how many clients she carries, and how well "
            "she keeps the follow-up schedule."
        ),
        source=_(
            "IPS fidelity scale (employer contacts per week, caseload size); igma handbook ch. 5 (time "
            "registration) and ch. 6 (do coaches give women and men the same time); Flora II.3.F (the "
            "follow-up schedule)."
        ),
    )
    users = list(coaches(scope))
    ids = [user.pk for user in users]
    per_coach = figures(scope, ids) if ids else {}
    # A coach who has left keeps her row only while it has something to show.
    shown = [user for user in users if user.is_active or per_coach[user.pk].anything]
    rows = [Row(str(user.pk), display_name(user), _cells(scope, str(user.pk), per_coach[user.pk], 1)) for user in shown]
    if len(shown) > 1:
        total = sum((per_coach[user.pk] for user in shown), Figures())
        rows.append(Row(ALL, _("All coaches"), _cells(scope, ALL, total, len(shown))))
    section.tables.append(
        Table(
            TABLE,
            _("Coach KPIs"),
            [
                _("Employer contacts per week"),
                _("Employer contacts"),
                _("Caseload now"),
                _("Follow-ups done"),
                _("Done on time"),
                _("Overdue now"),
                _("Minutes on follow-ups"),
            ],
            rows,
            list(COLUMN_KEYS),
            note=_(
                "Employer contacts are the interactions a coach recorded with employers in the period, per week "
                "of the period; they follow the sector and relationship manager filters but not the gender "
                "filter (a contact is with an employer, not with a client). The caseload counts her clients "
                "whose file is open now (intake, in coaching, placed, aftercare). Follow-ups are the aftercare "
                "steps assigned to her and recorded as done on a day in the period; one is on time when it "
                "was done on or before its due date, and its minutes are the time recorded on it. Overdue are "
                "her open steps whose day has passed. Caseload and follow-ups follow every filter. The row "
                "for all coaches adds the figures up; its contacts per week is the average per coach."
            ),
            chart=Chart("bar", columns=[0], unit=_("contacts per week")),
            row_heading=_("Coach"),
        )
    )
    return section


# --- Drill-downs --------------------------------------------------------------------------------


def rows(scope: Scope, table: str, row: str, column: str) -> Rows | None:
    """The contacts, clients or steps behind one figure of a coach (or of all coaches: row "all")."""
    if table != TABLE or column not in COLUMN_KEYS:
        return None
    users = coaches(scope)
    if row != ALL:
        if not row.isdigit():
            return None
        users = users.filter(pk=int(row))
    found = list(users)
    if not found:
        return None
    ids = [user.pk for user in found]
    who = display_name(found[0]) if row != ALL else _("all coaches")
    period = {
        "who": who,
        "start": date_format(scope.period.start, "SHORT_DATE_FORMAT"),
        "end": date_format(scope.period.end, "SHORT_DATE_FORMAT"),
    }
    if column in ("contacts", "contacts_per_week"):
        contacts = _contacts(scope, ids).order_by("-occurred_at", "-pk")
        return Rows("interactions", contacts, _("Employer contacts of %(who)s, %(start)s to %(end)s") % period)
    if column == "caseload":
        clients = _caseload(scope, ids).order_by("reference", "pk")
        return Rows("clients", clients, _("Open files of %(who)s") % period)
    if column == "overdue":
        overdue = _overdue(scope, ids).order_by("due_on", "pk")
        return Rows("steps", overdue, _("Overdue follow-ups of %(who)s") % period)
    done = _done(scope, ids).order_by("-completed_at", "-pk")
    return Rows("steps", done, _("Follow-ups %(who)s did from %(start)s to %(end)s") % period)
