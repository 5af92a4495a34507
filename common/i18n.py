"""Wording an administrator configures per language (ladder steps, plan steps, survey questions)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import get_language


def in_language(language: str | None, wording: Mapping[str, str]) -> str:
    """`wording[language]` for the given (or active) language, English when that one is missing or empty.

    `wording` maps language codes to text: `in_language(None, {"en": step.name, "nl": step.name_nl, ...})`.
    """
    code = (language or get_language() or "en")[:2]
    return wording.get(code) or wording.get("en", "")
