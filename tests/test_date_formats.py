"""One date format per language on every channel: pages, mails and pack HTML read alike."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import formats, translation

DAY = dt.date(2026, 12, 5)
LONG = [("en", "5 December 2026"), ("nl", "5 december 2026"), ("sv", "5 december 2026")]


@pytest.mark.parametrize(("language", "short"), [("en", "05/12/2026"), ("nl", "5-12-2026"), ("sv", "2026-12-05")])
def test_the_short_date_is_day_first_or_iso_never_american(language, short):
    with translation.override(language):
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == short
        assert formats.time_format(dt.time(14, 30), "TIME_FORMAT") == "14:30"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


@pytest.mark.parametrize(("language", "long"), LONG)
def test_a_mail_writes_the_long_date_of_its_language(language, long):
    context = {"url": "https://example.test/s/x/", "expires_on": DAY, "employer_name": "Bakkerij", "reminder": 1}
    with translation.override(language):
        body = render_to_string("outreach/email/survey_reminder.txt", context)

    assert long in body
    assert "Dec. 5" not in body and "12/05/2026" not in body


@pytest.mark.parametrize(("language", "long"), LONG)
def test_a_pack_writes_the_long_date_of_its_language(language, long):
    facts = SimpleNamespace(start_on=DAY, planned_end_on=None)
    with translation.override(language):
        html = render_to_string("outreach/packs/_placement.html", {"facts": facts})

    assert long in html


def test_english_input_accepts_iso_and_day_first():
    from django import forms

    with translation.override("en"):
        field = forms.DateField()
        assert field.clean("2026-12-05") == DAY
        assert field.clean("05/12/2026") == DAY
