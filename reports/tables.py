"""What a report is made of: sections of tables of cells, each cell knowing how many people stand behind it.

The page, the XLSX and the PDF all render these objects, so a figure is computed once and the rule that
hides small groups lives here alone: a cell behind which fewer than SMALL_GROUP people stand shows
"fewer than 5", never its number, in every view and export (igma ch. 6 asks for figures split by gender;
Flora §8 asks that no one can be recognised in them). A count counts itself; a median or an average
counts the people it was computed over; a share counts the smaller of its two groups (`rate`). Figures
about employers, interactions or steps (`people=None`) are not about persons and are never hidden.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

# Groups smaller than this are never shown as a number.
SMALL_GROUP = 5
# The column key of a row's total (reports.genders.TOTAL).
TOTAL_KEY = "total"

Kind = Literal["count", "percent", "days", "hours", "minutes", "number", "average", "text"]
ChartKind = Literal["bar", "stacked", "line"]


@dataclass(frozen=True)
class Cell:
    """One figure: its value, how many people it is about, and the link to the rows behind it."""

    value: int | float | Decimal | str | None
    kind: Kind = "count"
    people: int | None = None
    href: str = ""
    withheld: bool = False  # hidden so that a hidden neighbour cannot be worked out (Table.protect)

    @property
    def suppressed(self) -> bool:
        """True when fewer than SMALL_GROUP people stand behind the figure (zero included), or withheld."""
        return self.withheld or (self.people is not None and self.people < SMALL_GROUP)

    @property
    def empty(self) -> bool:
        """True when there is nothing to show (no value), as opposed to a hidden one."""
        return self.value is None and not self.suppressed

    @property
    def number(self) -> float | None:
        """The value as a number for a chart or a spreadsheet; None when hidden, empty or text."""
        if self.suppressed or self.value is None or isinstance(self.value, str):
            return None
        return float(self.value)

    @property
    def link(self) -> str:
        """The drill-down link, never for a hidden cell (the rows would give the number away)."""
        return "" if self.suppressed else self.href

    def display(self) -> str:
        """The figure as a reader sees it, in the active language."""
        if self.suppressed:
            return _("fewer than %(n)s") % {"n": SMALL_GROUP}
        if self.value is None:
            return "–"
        if isinstance(self.value, str):
            return self.value
        if self.kind == "percent":
            return _("%(value)s %%") % {"value": number_format(round(float(self.value)), 0)}
        if self.kind in ("days", "minutes", "count"):
            return number_format(round(float(self.value)), 0, force_grouping=True)
        return number_format(round(float(self.value), 1), 1, force_grouping=True)

    def export(self) -> int | float | str | None:
        """The figure for a spreadsheet cell: a number where there is one, the words where it is hidden."""
        if self.suppressed:
            return self.display()
        if self.value is None or isinstance(self.value, str):
            return self.value
        if self.kind in ("count",):
            return int(self.value)
        return round(float(self.value), 1)


def count(value: int, *, href: str = "", people: bool = True) -> Cell:
    """A count of people (hidden when small), or of things when `people` is False."""
    return Cell(value, "count", value if people else None, href)


def rate(part: int, whole: int, *, href: str = "") -> Cell:
    """A share in percent: `part` people out of `whole`.

    Hidden when either group is smaller than SMALL_GROUP: "1 of 6 women" shown as 17 % would give away
    the one person as surely as the count would.
    """
    return Cell(100 * part / whole if whole else None, "percent", min(part, whole), href)


@dataclass(frozen=True)
class Chart:
    """How a table is drawn: which columns as series, over the row labels."""

    kind: ChartKind = "bar"
    columns: Sequence[int] | None = None  # the columns to draw; all when None
    unit: str = ""


@dataclass
class Row:
    """One line of a table: its stable key (for links and tests), its label and its cells."""

    key: str
    label: str
    cells: list[Cell]


@dataclass
class Table:
    """One table of a section, with the chart drawn from it (if any) and a note on how it is counted."""

    key: str
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    column_keys: list[str] = field(default_factory=list)
    note: str = ""
    chart: Chart | None = None
    row_heading: str = ""

    def protect(self) -> Table:
        """Hide a second figure wherever a row's shown total would give its one hidden figure away.

        A row split by gender with its total: when exactly one of the split counts is hidden, the total
        minus the shown ones is that count. Then the smallest shown count of the row is hidden as well
        (secondary suppression), so at least two figures share what the total leaves. Only counts of
        people are concerned; rates and averages cannot be subtracted.
        """
        if TOTAL_KEY not in self.column_keys:
            return self
        total_at = self.column_keys.index(TOTAL_KEY)
        for row in self.rows:
            total = row.cells[total_at]
            if total.suppressed or total.kind != "count" or total.people is None:
                continue
            split = [
                (i, cell)
                for i, cell in enumerate(row.cells)
                if i != total_at and cell.kind == "count" and cell.people is not None
            ]
            hidden = [i for i, cell in split if cell.suppressed]
            shown = [(cell.people or 0, i) for i, cell in split if not cell.suppressed]
            if len(hidden) == 1 and shown:
                _people, smallest = min(shown)
                row.cells[smallest] = replace(row.cells[smallest], withheld=True)
        return self

    def row(self, key: str) -> Row:
        """The row with this key (tests and drill-downs address rows by key)."""
        return next(row for row in self.rows if row.key == key)

    def cell(self, row: str, column: str) -> Cell:
        """The cell in the row with key `row` and the column with key `column`."""
        return self.row(row).cells[self.column_keys.index(column)]


@dataclass
class Section:
    """One part of the report: a heading, what it answers, and its tables."""

    key: str
    title: str
    intro: str
    tables: list[Table] = field(default_factory=list)
    source: str = ""

    def table(self, key: str) -> Table:
        """The table with this key."""
        return next(table for table in self.tables if table.key == key)


@dataclass(frozen=True)
class Period:
    """The first and the last day a report covers, both included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> float:
        """How many weeks the period has, for per-week figures."""
        return self.days / 7
