"""My follow-ups with long sections: a page of each, "more" for the rest, and counts of them all."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from placements.models import AftercareStep
from placements.views.followups import FOLLOWUP_PAGE
from tests.placements.test_views import HTMX, TODAY, frozen_today, placement_of, signed_in, step, text

__all__ = ["frozen_today"]  # the autouse fixture that freezes the day, used here too

pytestmark = pytest.mark.django_db
LIST = "/followups/"


def fill(coach, *, overdue: int = 0, today: int = 0, week: int = 0) -> dict[str, list[int]]:
    """Steps in each section (spread over several days), as pks in the list's order."""
    placement = placement_of(coach)
    made: dict[str, list[AftercareStep]] = {"overdue": [], "today": [], "week": []}
    for n in range(overdue):
        made["overdue"].append(step(placement, TODAY - dt.timedelta(days=1 + n % 5)))
    for _ in range(today):
        made["today"].append(step(placement, TODAY))
    for n in range(week):
        made["week"].append(step(placement, TODAY + dt.timedelta(days=1 + n % 7)))
    return {key: [s.pk for s in sorted(steps, key=lambda s: (s.due_on, s.pk))] for key, steps in made.items()}


def sections(response) -> dict[str, dict]:
    return {s["key"]: s for s in response.context["sections"]}


def row_pks(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li class="step[^"]*" id="step-(\d+)"', page)]


def counts(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-count="(\w+)">(\d+)<', page))


def test_each_section_shows_a_page_its_true_total_and_a_more_link_that_names_it(alice):
    made = fill(alice, overdue=FOLLOWUP_PAGE + 10, today=3, week=FOLLOWUP_PAGE + 5)

    response = signed_in(alice).get(LIST)

    shown = sections(response)
    assert [r.step.pk for r in shown["overdue"]["rows"]] == made["overdue"][:FOLLOWUP_PAGE]
    assert [r.step.pk for r in shown["today"]["rows"]] == made["today"]
    assert [r.step.pk for r in shown["week"]["rows"]] == made["week"][:FOLLOWUP_PAGE]
    page = text(response)
    assert counts(page) == {"overdue": str(FOLLOWUP_PAGE + 10), "today": "3", "week": str(FOLLOWUP_PAGE + 5)}
    assert "More overdue follow-ups (10 more)" in page and "More follow-ups this week (5 more)" in page
    assert 'id="more-today"' not in page  # all of today's fit
    assert len(row_pks(page)) == 2 * FOLLOWUP_PAGE + 3
    more = re.search(r'id="more-overdue"><a class="button secondary small" href="([^"]+)" hx-get="([^"]+)"', page)
    assert more and more.group(1) == more.group(2) and "section=overdue" in more.group(1)


def test_more_brings_the_next_rows_with_the_first_one_focused_and_no_further_link_at_the_end(alice):
    made = fill(alice, overdue=FOLLOWUP_PAGE + 10)
    client = signed_in(alice)
    url = sections(client.get(LIST))["overdue"]["more_url"]

    page = text(client.get(url, **HTMX))

    assert row_pks(page) == made["overdue"][FOLLOWUP_PAGE:]
    first = re.search(r"<li [^>]*>", page)
    assert first and f'id="step-{made["overdue"][FOLLOWUP_PAGE]}" tabindex="-1" autofocus' in first.group(0)
    assert page.count("autofocus") == 1
    assert "<html" not in page and "more-overdue" not in page  # only rows: the list ends here


def test_walking_through_more_lists_every_step_once_in_order(alice):
    made = fill(alice, overdue=2 * FOLLOWUP_PAGE + 7)
    client = signed_in(alice)
    seen = [r.step.pk for r in sections(client.get(LIST))["overdue"]["rows"]]
    url = sections(client.get(LIST))["overdue"]["more_url"]
    labels = []
    while url:
        page = text(client.get(url, **HTMX))
        seen += row_pks(page)
        found = re.search(r'href="([^"]+)" hx-get="[^"]+" hx-target="#more-overdue"[^>]*>([^<]+)<', page)
        url = found.group(1).replace("&amp;", "&") if found else ""
        labels += [found.group(2)] if found else []

    assert seen == made["overdue"]
    assert labels == ["More overdue follow-ups (7 more)"]


def test_without_javascript_more_opens_the_list_at_that_sections_next_page_with_the_pager(alice):
    made = fill(alice, overdue=FOLLOWUP_PAGE + 10, week=4)
    client = signed_in(alice)
    url = sections(client.get(LIST))["overdue"]["more_url"]

    response = client.get(url)

    shown = sections(response)
    assert [r.step.pk for r in shown["overdue"]["rows"]] == made["overdue"][FOLLOWUP_PAGE:]
    assert shown["overdue"]["rows"][0].focus
    assert [r.step.pk for r in shown["week"]["rows"]] == made["week"]
    page = text(response)
    assert counts(page) == {"overdue": str(FOLLOWUP_PAGE + 10), "today": "0", "week": "4"}
    assert 'class="pager"' in page and "Previous" in page
    previous = re.search(r'href="(/followups/\?section=overdue&amp;cursor=[^"]+)"', page)
    assert previous
    back = sections(client.get(previous.group(1).replace("&amp;", "&")))
    assert [r.step.pk for r in back["overdue"]["rows"]] == made["overdue"][:FOLLOWUP_PAGE]


def test_a_tampered_cursor_shows_the_sections_first_page(alice):
    made = fill(alice, overdue=3)

    response = signed_in(alice).get(LIST, {"section": "overdue", "cursor": "not-a-cursor!"})

    assert [r.step.pk for r in sections(response)["overdue"]["rows"]] == made["overdue"]


def test_a_refused_completion_without_htmx_shows_its_form_even_for_a_row_after_the_first_page(alice):
    made = fill(alice, overdue=FOLLOWUP_PAGE + 5)
    late = made["overdue"][-1]

    response = signed_in(alice).post(reverse("placements:complete-step", args=[late]), {f"c{late}-outcome": ""})

    overdue = sections(response)["overdue"]
    assert overdue["rows"][0].step.pk == late and overdue["rows"][0].open_form == "complete"
    assert "errorlist" in text(response)


def test_completing_a_row_counts_every_step_of_the_sections_not_only_those_shown(alice):
    made = fill(alice, overdue=FOLLOWUP_PAGE + 10, today=1)
    target = made["overdue"][0]
    form = {f"c{target}-outcome": "Gaat goed", f"c{target}-minutes_spent": "", f"c{target}-notes": ""}

    page = text(signed_in(alice).post(reverse("placements:complete-step", args=[target]), form, **HTMX))

    assert counts(page) == {"overdue": str(FOLLOWUP_PAGE + 9), "today": "1", "week": "0"}
    assert f"Now {FOLLOWUP_PAGE + 9} overdue, 1 today and 0 this week." in page


@pytest.mark.parametrize("rows", [1, 3 * FOLLOWUP_PAGE])
def test_my_follow_ups_and_their_more_pages_run_the_same_queries_for_few_and_many_rows(
    alice, django_assert_max_num_queries, rows
):
    fill(alice, overdue=rows + FOLLOWUP_PAGE, today=rows, week=rows)
    client = signed_in(alice)

    with django_assert_max_num_queries(5):  # as many as the list ran when it showed everything
        response = client.get(LIST)
    url = sections(response)["overdue"]["more_url"]
    with django_assert_max_num_queries(6):
        client.get(url, **HTMX)
    with django_assert_max_num_queries(6):
        client.get(url)

    assert sections(response)["overdue"]["count"] == rows + FOLLOWUP_PAGE
    assert len(sections(response)["overdue"]["rows"]) == FOLLOWUP_PAGE
