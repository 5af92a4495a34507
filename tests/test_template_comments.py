"""Django's short comment `{# … #}` ends on its own line: one left open shows its text on the page. Every template
keeps its multi-line comments in {% comment %} … {% endcomment %}."""

from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def test_no_template_has_a_short_comment_that_spans_lines():
    open_comments = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]

    assert not open_comments, "A {# comment #} must end on its line; use {% comment %} for more:\n" + "\n".join(
        open_comments
    )
