"""Configured wording per language."""

from __future__ import annotations

from django.utils import translation

from common.i18n import in_language

WORDING = {"en": "Trial day", "nl": "Proefdag", "sv": ""}


def test_the_wording_comes_in_the_language_asked_for():
    assert in_language("nl", WORDING) == "Proefdag"
    assert in_language("nl-be", WORDING) == "Proefdag"


def test_an_empty_or_missing_language_falls_back_to_english():
    assert in_language("sv", WORDING) == "Trial day"
    assert in_language("de", WORDING) == "Trial day"
    assert in_language("nl", {"en": "Trial day"}) == "Trial day"


def test_without_a_language_the_active_one_is_used():
    with translation.override("nl"):
        assert in_language(None, WORDING) == "Proefdag"
    with translation.override("sv"):
        assert in_language(None, WORDING) == "Trial day"
