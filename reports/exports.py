"""The report as an XLSX workbook (one sheet per table) and as a PDF for funders (WeasyPrint).

Both write the cells' own words and numbers (reports.tables.Cell.export / display): a group under five
is "fewer than 5" in the spreadsheet and the PDF as on the page, never its number.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.spreadsheets import write_xlsx_sheets
from common.types import display_name
from outreach.packs.render import html_to_pdf
from reports.scope import Scope
from reports.tables import Section, Table


def filename(scope: Scope, extension: str, language: str = "") -> str:
    """A file name that says what the report covers: werkbrug-report-2026-01-01-2026-12-31[-nl].xlsx."""
    suffix = f"-{language}" if language else ""
    return f"werkbrug-report-{scope.period.start.isoformat()}-{scope.period.end.isoformat()}{suffix}.{extension}"


def filters_described(scope: Scope) -> list[tuple[str, str]]:
    """The report's period and filters as (label, value) lines, in the active language."""
    from django.contrib.auth import get_user_model

    from crm.choices import Sector
    from reports.scope import gender_choices

    start, end = (date_format(day, "SHORT_DATE_FORMAT") for day in (scope.period.start, scope.period.end))
    lines = [(_("Period"), f"{start} – {end}")]
    people = {
        user.pk: display_name(user)
        for user in get_user_model().objects.filter(pk__in=[pk for pk in (scope.coach_id, scope.manager_id) if pk])
    }
    if scope.coach_id:
        lines.append((_("Coach"), people.get(scope.coach_id, "")))
    if scope.manager_id:
        lines.append((_("Relationship manager"), people.get(scope.manager_id, "")))
    if scope.sector:
        lines.append((_("Sector"), str(Sector(scope.sector).label)))
    if scope.gender is not None:
        labels = dict(gender_choices())
        lines.append((_("Gender"), str(labels.get(scope.gender or "not_said", scope.gender))))
    return lines


def _table_rows(table: Table) -> list[list[Any]]:
    return [[row.label, *[cell.export() for cell in row.cells]] for row in table.rows]


def workbook(scope: Scope, sections: list[Section], *, generated_at: dt.datetime) -> bytes:
    """The workbook: a first sheet with what the report covers, then one sheet per table.

    Every sheet has the same layout: its title and a note on rows 1 and 2, the column headings on row 3
    (bold and frozen), the figures below.
    """
    about: list[list[Any]] = [[label, value] for label, value in filters_described(scope)]
    about.append([_("Counted on"), timezone.localtime(generated_at).replace(tzinfo=None)])
    small = _("Groups of fewer than %(n)s people are shown as “fewer than %(n)s”, never as a number.") % {"n": 5}
    sheets: list[tuple[str, list[Any], list[Any]]] = [
        (_("Report"), ["", ""], [[_("Programme report")], [small], *about])
    ]
    for section in sections:
        for table in section.tables:
            headers = [table.row_heading or "", *table.columns]
            titles: list[list[Any]] = [[f"{section.title}: {table.title}"], [table.note]]
            sheets.append((table.title, headers, [*titles, *_table_rows(table)]))
    return write_xlsx_sheets(sheets, header_row=3)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def pdf(
    request: HttpRequest,
    scope: Scope,
    sections: list[tuple[Section, list[tuple[Table, str]]]],
    *,
    language: str,
    counted_at: dt.datetime,
) -> bytes:
    """The funders' report as PDF bytes, in the active language (the caller sets it)."""
    context = {
        "scope": scope,
        "language": language,
        "filters": filters_described(scope),
        "made_on": timezone.localtime(counted_at),
        "sections": [
            (section, [(table, _data_uri(svg) if svg else "") for table, svg in tables]) for section, tables in sections
        ],
    }
    html = render_to_string("reports/report_pdf.html", context, request=request)
    return html_to_pdf(html)
