"""Content-Security-Policy helpers: the hash of the 500 page's inline style, and SVG charts without inline styles.

Django renders templates/500.html without a request, so it cannot use the per-request nonce the
other pages put on their `<style>` blocks; its style is allowed by its SHA-256 instead, computed from
the template when the settings load, so editing the style never leaves the page unstyled.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path

_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def inline_style_hashes(template: Path) -> list[str]:
    """A CSP source (`'sha256-…'`) for each `<style>` block of a template without template tags in its styles."""
    text = template.read_text(encoding="utf-8")
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()}'"
        for block in _STYLE.findall(text)
    ]


# SVG properties that are also presentation attributes (SVG 2, "Presentation attributes"): as attributes
# they are markup, not inline style, so the policy lets them through.
_PRESENTATION = frozenset(
    {
        "clip-path", "clip-rule", "color", "display", "fill", "fill-opacity", "fill-rule", "font-family",
        "font-size", "font-style", "font-weight", "opacity", "stroke", "stroke-dasharray", "stroke-dashoffset",
        "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-opacity", "stroke-width",
        "text-anchor", "visibility",
    }
)  # fmt: skip
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_SVG_STYLE_ELEMENT = re.compile(r'<style type="text/css">\*\{([^}]*)\}</style>\s*')


def _declarations(css: str) -> list[tuple[str, str]]:
    pairs = (part.split(":", 1) for part in css.split(";") if ":" in part)
    return [(name.strip(), value.strip()) for name, value in pairs]


def _attributes(pairs: list[tuple[str, str]]) -> str:
    return "".join(f' {name}="{html.escape(value, quote=True)}"' for name, value in pairs)


def svg_presentation_attributes(svg: str) -> str:
    """An SVG (as matplotlib writes it) with its inline styles turned into presentation attributes.

    The policy refuses style attributes and style elements without the page's nonce, and a cached
    chart cannot carry a per-request nonce. Matplotlib's one style element sets inherited stroke
    properties for everything, so they move to the root element; a declaration that is no
    presentation attribute stays in a style attribute.
    """

    def replace(match: re.Match[str]) -> str:
        pairs = _declarations(match.group(1))
        kept = [(name, value) for name, value in pairs if name in _PRESENTATION]
        rest = "; ".join(f"{name}: {value}" for name, value in pairs if name not in _PRESENTATION)
        return _attributes(kept) + (f' style="{rest}"' if rest else "")

    inherited: list[tuple[str, str]] = []
    element = _SVG_STYLE_ELEMENT.search(svg)
    if element:
        inherited = [pair for pair in _declarations(element.group(1)) if pair[0] in _PRESENTATION]
        svg = svg[: element.start()] + svg[element.end() :]
    svg = _STYLE_ATTRIBUTE.sub(replace, svg)
    return svg.replace("<svg", "<svg" + _attributes(inherited), 1) if inherited else svg
