"""The reports pages: one page per section with the filters, the rows behind a figure, and the XLSX and PDF
exports (every section the reader may read).

Who reads what is reports.scope (and reports.registry for the sections a relationship manager does not
get); every page and export here builds the same Section objects, so a figure and its small-group rule
are the same on the page, in the spreadsheet and in the funders' PDF.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from common import access
from reports import exports
from reports.charts import chart_svg
from reports.counting import count_sections
from reports.registry import SectionSpec, readable, sections_for
from reports.scope import Scope, reads_reports
from reports.tables import Section

# Part of every cache key: a new version of the sections never reads figures kept by an older one.
CACHE_VERSION = "reports-3"
# The rows page lists at most this many rows behind one figure; the count says how many there are.
ROW_LIMIT = 500
LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _scope(request: HttpRequest) -> tuple[Scope, Any]:
    if not reads_reports(request.user):
        raise PermissionDenied
    return Scope.from_query(request.user, request.GET)


def cache_key(scope: Scope, section_spec: SectionSpec) -> str:
    """Where one section's counted figures are kept: per reader and filters, language and section."""
    return f"{CACHE_VERSION}:{scope.cache_key()}:{translation.get_language()}:{section_spec.key}"


def build_sections(
    scope: Scope, only: list[SectionSpec] | None = None, *, fresh: bool = False
) -> tuple[list[Section], dt.datetime]:
    """The sections asked for (every section this reader may read unless `only` says), and when they were
    counted (the earliest, when some were kept from before).

    Each section once counted is kept REPORTS_CACHE_SECONDS for the same reader, filters and language: a
    topic page counts its own section alone, a second visit reads it back, and a download counts only the
    sections no page has counted yet (side by side, reports.counting). `fresh` counts again and keeps the
    new figures.
    """
    specs = sections_for(scope, only)
    seconds = settings.REPORTS_CACHE_SECONDS
    if not seconds:
        return count_sections(scope, only=specs), timezone.now()
    keys = {section_spec.key: cache_key(scope, section_spec) for section_spec in specs}
    kept: dict[str, tuple[Section, dt.datetime]] = {} if fresh else cache.get_many(list(keys.values()))
    missing = [section_spec for section_spec in specs if keys[section_spec.key] not in kept]
    if missing:
        counted_at = timezone.now()
        counted = {keys[section.key]: (section, counted_at) for section in count_sections(scope, only=missing)}
        cache.set_many(counted, seconds)
        kept.update(counted)
    built = [kept[keys[section_spec.key]] for section_spec in specs]
    return [section for section, _at in built], min(at for _section, at in built)


def charted(sections: list[Section]) -> list[tuple[Section, list[tuple[Any, str]]]]:
    """Each section with its tables, each table with its chart's SVG (empty when it has none)."""
    return [
        (section, [(table, chart_svg(table, title_id=f"t-{section.key}-{table.key}")) for table in section.tables])
        for section in sections
    ]


def _readable(scope: Scope, key: str) -> SectionSpec:
    """The section with this key; 404 when there is none or the reader may not read it."""
    section_spec = readable(scope, key)
    if section_spec is None:
        raise Http404
    return section_spec


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """The report's first page: the first section this reader may read, for the filters in the query string."""
    scope, form = _scope(request)
    return _topic_page(request, scope, form, sections_for(scope)[0])


@login_required
@require_GET
def section(request: HttpRequest, section: str) -> HttpResponse:
    """One section's page of the report; 404 for a section there is not or the reader may not read."""
    scope, form = _scope(request)
    return _topic_page(request, scope, form, _readable(scope, section))


def _topic_page(request: HttpRequest, scope: Scope, form: Any, section_spec: SectionSpec) -> HttpResponse:
    """A topic's page: the filters, the navigation between the topics, the one section counted.

    The downloads hold every section the reader may read: the funders' report is whole.
    """
    sections, counted_at = build_sections(scope, [section_spec], fresh=request.GET.get("fresh") == "1")
    query = scope.query()
    context = {
        "form": form,
        "scope": scope,
        "topic": section_spec,
        "sections": charted(sections),
        "topics": [
            (topic, f"{reverse('reports:section', args=[topic.key])}?{query}", topic == section_spec)
            for topic in sections_for(scope)
        ],
        "query": query,
        "languages": settings.LANGUAGES,
        "counted_at": counted_at,
        "cache_seconds": settings.REPORTS_CACHE_SECONDS,
        "again_url": f"{reverse('reports:section', args=[section_spec.key])}?{query}&fresh=1",
    }
    return render(request, "reports/report.html", context)


@login_required
@require_GET
def rows(request: HttpRequest, section: str, table: str) -> HttpResponse:
    """The rows behind one figure, limited to what the reader may see; 404 for a section she does not read."""
    scope, _form = _scope(request)
    section_spec = _readable(scope, section)
    found = section_spec.rows(scope, table, request.GET.get("row", ""), request.GET.get("column", ""))
    if found is None:
        raise Http404
    total = found.queryset.count()
    context = {
        "scope": scope,
        "found": found,
        "items": list(_related(found.kind, found.queryset)[:ROW_LIMIT]),
        "total": total,
        "more": total > ROW_LIMIT,
        "query": scope.query(),
        "section": section,
        "table": table,
    }
    return render(request, "reports/rows.html", context)


def _related(kind: str, queryset: Any) -> Any:
    """The rows with what their line shows, in one query."""
    joins = {
        "placements": ("client", "employer"),
        "steps": ("placement__client", "placement__employer", "assignee"),
        "interactions": ("employer", "author"),
        "responses": ("invitation__employer", "invitation__placement__client"),
        "employers": ("owner",),
        "clients": ("coach",),
    }
    return queryset.select_related(*joins.get(kind, ()))


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The report as a workbook: a sheet saying what it covers, then one sheet per table."""
    scope, _form = _scope(request)
    sections, counted_at = build_sections(scope)
    data = exports.workbook(scope, sections, generated_at=counted_at)
    access.record(request.user, access.EXPORTED, detail=exports.filename(scope, "xlsx"))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(scope, "xlsx")}"'
    return response


@login_required
@require_GET
def export_pdf(request: HttpRequest) -> HttpResponse:
    """The report for funders as a PDF, in the language asked for (English, Dutch or Swedish)."""
    scope, _form = _scope(request)
    language = request.GET.get("lang") or translation.get_language() or settings.LANGUAGE_CODE
    if language not in LANGUAGES:
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        sections, counted_at = build_sections(scope)
        data = exports.pdf(request, scope, charted(sections), language=language, counted_at=counted_at)
    access.record(request.user, access.EXPORTED, detail=exports.filename(scope, "pdf", language))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(scope, "pdf", language)}"'
    return response
