"""Charts drawn on the server as SVG with matplotlib, from a report table, for the page and the PDF alike.

A chart shows what its table shows and nothing more: the series are the table's columns (the total column
left out), the categories its rows, and a hidden cell (a group under five, reports.tables) is a gap, never
a bar. Text stays text in the SVG (`svg.fonttype: none`), so it scales, reads in a screen reader's
browse mode and is translated like the table. The table beside every chart carries the same figures for
anyone who cannot see it (WCAG 1.1.1).

Drawing takes tens of milliseconds, so a drawn chart is kept in a small in-process cache keyed by what it
shows (its kind, labels, values and the language); the same figures draw the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
from collections import OrderedDict
from threading import Lock

import matplotlib
from matplotlib.figure import Figure

from common.csp import svg_presentation_attributes
from reports.tables import TOTAL_KEY, Chart, Table

# Okabe-Ito: told apart by people with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
CACHE_SIZE = 256

_cache: OrderedDict[str, str] = OrderedDict()
_lock = Lock()

Series = tuple[str, tuple[float | None, ...]]


def _series(table: Table, chart: Chart) -> tuple[list[str], list[Series]]:
    columns = (
        list(chart.columns)
        if chart.columns is not None
        else [i for i, key in enumerate(table.column_keys or []) if key != TOTAL_KEY] or list(range(len(table.columns)))
    )
    labels = [row.label for row in table.rows]
    series = [(table.columns[i], tuple(row.cells[i].number for row in table.rows)) for i in columns]
    return labels, series


def _wrap(label: str, width: int = 14) -> str:
    return "\n".join(textwrap.wrap(label, width)[:3]) or label


def _draw(kind: str, labels: list[str], series: list[Series], unit: str) -> str:
    with matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "werkbrug",
            "font.family": "sans-serif",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        many = len(labels) > 8
        legend = len(series) > 1
        # Fixed margins (room for wrapped or slanted labels and the legend): a constrained layout
        # would lay the figure out twice and double the drawing time.
        figure = Figure(figsize=(7.2, 3.6 if not many else 4.4))
        figure.subplots_adjust(
            left=0.14 if many else 0.08, right=0.78 if legend else 0.98, top=0.96, bottom=0.4 if many else 0.2
        )
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        if kind == "line":
            for index, (name, values) in enumerate(series):
                points = [math.nan if v is None else v for v in values]
                axes.plot(positions, points, marker="o", color=PALETTE[index % len(PALETTE)], label=name)
        elif kind == "stacked":
            bottoms = [0.0] * len(labels)
            for index, (name, values) in enumerate(series):
                heights = [v or 0.0 for v in values]
                axes.bar(positions, heights, 0.7, bottom=bottoms, color=PALETTE[index % len(PALETTE)], label=name)
                bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
        else:
            width = 0.8 / max(len(series), 1)
            for index, (name, values) in enumerate(series):
                offset = (index - (len(series) - 1) / 2) * width
                heights = [math.nan if v is None else v for v in values]
                axes.bar(
                    [p + offset for p in positions], heights, width, color=PALETTE[index % len(PALETTE)], label=name
                )
        ticks = [textwrap.shorten(label, 28, placeholder="…") if many else _wrap(label) for label in labels]
        axes.set_xticks(positions, ticks, rotation=40 if many else 0, ha="right" if many else "center")
        if unit:
            axes.set_ylabel(unit)
        axes.grid(axis="y", color="#d0d4dc", linewidth=0.6)
        axes.set_axisbelow(True)
        if legend:
            axes.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    # Scale with its box: keep the viewBox, let CSS set the size. No inline styles: the page's
    # Content-Security-Policy refuses them (common.csp).
    return svg_presentation_attributes(re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1))


def chart_svg(table: Table, *, title_id: str = "") -> str:
    """The table's chart as an SVG element (empty when the table has no chart or nothing to draw)."""
    chart = table.chart
    if chart is None or not table.rows:
        return ""
    labels, series = _series(table, chart)
    if not any(v for _name, values in series for v in values if v is not None):
        return ""
    key = hashlib.sha256(repr((chart.kind, labels, series, chart.unit)).encode()).hexdigest()
    with _lock:
        svg = _cache.get(key)
        if svg is not None:
            _cache.move_to_end(key)
    if svg is None:
        svg = _draw(chart.kind, labels, series, chart.unit)
        with _lock:
            _cache[key] = svg
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    label = f' role="img" aria-labelledby="{title_id}"' if title_id else ' role="img"'
    return svg.replace("<svg", f'<svg class="chart"{label}', 1)
