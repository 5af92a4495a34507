"""The pipeline board: every stage with its count, a bounded number of cards, "more" and a link to the rest."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crm.choices import Stage
from crm.views.board import BOARD_CARDS_PER_STAGE, BOARD_STAGES, QUIET_STAGES
from tests.crm.factories import EmployerFactory

pytestmark = pytest.mark.django_db
BOARD = "/network/board/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fill(owner: User, per_stage: int) -> None:
    for stage in BOARD_STAGES:
        EmployerFactory.create_batch(per_stage, owner=owner, stage=stage)


def test_every_stage_has_a_column_with_its_total_even_when_empty(rita):
    EmployerFactory.create_batch(3, owner=rita, stage=Stage.ENGAGED)

    response = signed_in(rita).get(BOARD)

    columns = response.context["columns"]
    assert [c.stage for c in columns] == list(BOARD_STAGES)
    assert {c.stage: c.total for c in columns} == {s: 3 if s == Stage.ENGAGED else 0 for s in BOARD_STAGES}
    page = response.content.decode()
    for stage in BOARD_STAGES:
        assert f'id="col-{stage.value}"' in page


def test_a_full_stage_shows_a_bounded_number_of_cards_its_total_and_a_link_to_the_rest(rita):
    EmployerFactory.create_batch(BOARD_CARDS_PER_STAGE + 5, owner=rita, stage=Stage.PROSPECT)
    EmployerFactory.create_batch(2, owner=rita, stage=Stage.ACTIVE)

    response = signed_in(rita).get(BOARD, {"q": "Werkgever"})

    columns = {c.stage: c for c in response.context["columns"]}
    assert len(columns[Stage.PROSPECT].cards) == BOARD_CARDS_PER_STAGE
    assert columns[Stage.PROSPECT].total == BOARD_CARDS_PER_STAGE + 5 and columns[Stage.PROSPECT].more == 5
    page = response.content.decode()
    link = f"{reverse('crm:employers')}?stage=prospect&amp;owner=me&amp;q=Werkgever"
    assert f'href="{link}"' in page
    assert f"All {BOARD_CARDS_PER_STAGE + 5} in the employer list" in page
    assert "More in Prospect (5 more)" in page
    assert "stage=active" not in page  # a stage whose cards all fit has no link


def test_the_more_link_lists_everyones_employers_when_the_board_does(rita):
    EmployerFactory.create_batch(BOARD_CARDS_PER_STAGE + 1, stage=Stage.CONTACTED)

    page = signed_in(rita).get(BOARD, {"everyone": "on"}).content.decode()

    assert f'href="{reverse("crm:employers")}?stage=contacted"' in page


def test_quiet_stages_start_folded_with_a_button_that_opens_them(rita):
    page = signed_in(rita).get(BOARD).content.decode()

    for stage in BOARD_STAGES:
        folded = stage in QUIET_STAGES
        assert (f'aria-controls="cards-{stage.value}" aria-expanded="false"' in page) == folded, stage
        assert f'id="cards-{stage.value}"' in page


def test_a_quiet_stage_opens_when_an_employer_was_just_moved_there(rita):
    employer = EmployerFactory(owner=rita, stage=Stage.ENGAGED)

    response = signed_in(rita).post(
        reverse("crm:move", args=[employer.pk]), {"stage": Stage.DORMANT}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert 'aria-controls="cards-dormant" aria-expanded="true"' in page
    assert 'aria-controls="cards-declined" aria-expanded="false"' in page


def test_the_board_is_a_labelled_focusable_region_with_a_scroll_hint(rita):
    page = signed_in(rita).get(BOARD).content.decode()

    assert 'role="region" tabindex="0" aria-label="Pipeline stages" aria-describedby="board-hint"' in page
    assert 'id="board-hint"' in page and "Scroll the board sideways for more stages" in page


@pytest.mark.parametrize("per_stage", [1, 60])
def test_the_board_runs_the_same_queries_for_1_and_60_employers_per_stage(
    rita, django_assert_max_num_queries, per_stage
):
    fill(rita, per_stage)
    client = signed_in(rita)

    with django_assert_max_num_queries(9):  # a folded stage reads no cards: 13 before they loaded when opened
        response = client.get(BOARD)

    columns = response.context["columns"]
    assert all(c.total == per_stage for c in columns)
    assert all(len(c.cards) == min(per_stage, BOARD_CARDS_PER_STAGE) for c in columns if c.stage not in QUIET_STAGES)
    assert all(c.lazy and not c.cards for c in columns if c.stage in QUIET_STAGES)


# --- More cards in a column -------------------------------------------------------------------


def newest_first(owner: User, stage: Stage, count: int, **kwargs) -> list[int]:
    """Employers in one stage, moved there a minute apart; their pks newest first (the column's order)."""
    now = timezone.now()
    made = [
        EmployerFactory.create(owner=owner, stage=stage, stage_changed_at=now - dt.timedelta(minutes=n), **kwargs)
        for n in range(count)
    ]
    return [e.pk for e in made]


def card_pks(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article class="board-card[^"]*" id="card-(\d+)"', page)]


def more_link(page: str, stage: str) -> str:
    found = re.search(rf'id="more-{stage}"><a class="button secondary small" href="([^"]+)" hx-get="([^"]+)"', page)
    assert found and found.group(1) == found.group(2)
    return found.group(1).replace("&amp;", "&")


def test_more_in_a_column_brings_its_next_cards_with_the_first_focused(rita):
    pks = newest_first(rita, Stage.CONTACTED, 2 * BOARD_CARDS_PER_STAGE + 3)
    client = signed_in(rita)
    page = client.get(BOARD).content.decode()
    assert f"More in Contacted ({BOARD_CARDS_PER_STAGE + 3} more)" in page

    second = client.get(more_link(page, "contacted"), HTTP_HX_TARGET="more-contacted", **HTMX).content.decode()

    assert card_pks(second) == pks[BOARD_CARDS_PER_STAGE : 2 * BOARD_CARDS_PER_STAGE]
    assert f'id="card-{pks[BOARD_CARDS_PER_STAGE]}" tabindex="-1" autofocus' in second
    assert second.count("autofocus") == 1 and "<html" not in second
    assert "More in Contacted (3 more)" in second
    third = client.get(more_link(second, "contacted"), **HTMX).content.decode()
    assert card_pks(third) == pks[2 * BOARD_CARDS_PER_STAGE :]
    assert "more-contacted" not in third  # the column ends here


def test_more_carries_the_search_and_whose_employers_the_board_shows(rita, bob):
    bakers = newest_first(bob, Stage.PROSPECT, BOARD_CARDS_PER_STAGE + 2, name="Bakkerij")
    newest_first(bob, Stage.PROSPECT, 3, name="Slagerij")
    client = signed_in(rita)
    page = client.get(BOARD, {"q": "bakkerij", "everyone": "on"}).content.decode()
    link = more_link(page, "prospect")
    assert "q=bakkerij" in link and "everyone=on" in link and "stage=prospect" in link

    more = client.get(link, **HTMX).content.decode()

    assert card_pks(more) == bakers[BOARD_CARDS_PER_STAGE:]
    assert 'name="q" value="bakkerij"' in more and 'name="everyone" value="on"' in more  # their moves too


def test_without_javascript_more_opens_the_board_at_the_columns_next_cards_with_the_pager(rita):
    pks = newest_first(rita, Stage.ENGAGED, BOARD_CARDS_PER_STAGE + 4)
    EmployerFactory(owner=rita, stage=Stage.ACTIVE)
    client = signed_in(rita)
    link = more_link(client.get(BOARD).content.decode(), "engaged")

    response = client.get(link)

    columns = {c.stage: c for c in response.context["columns"]}
    assert [e.pk for e in columns[Stage.ENGAGED].cards] == pks[BOARD_CARDS_PER_STAGE:]
    assert columns[Stage.ENGAGED].total == BOARD_CARDS_PER_STAGE + 4 and len(columns[Stage.ACTIVE].cards) == 1
    page = response.content.decode()
    assert f'id="card-{pks[BOARD_CARDS_PER_STAGE]}" tabindex="-1" autofocus' in page
    previous = re.search(r'href="(/network/board/\?stage=engaged&amp;cursor=[^"]+)"', page)
    assert previous and "Previous" in page
    back = client.get(previous.group(1).replace("&amp;", "&")).context["columns"]
    assert [e.pk for e in {c.stage: c for c in back}[Stage.ENGAGED].cards] == pks[:BOARD_CARDS_PER_STAGE]


def test_a_folded_stage_loads_its_cards_once_opened_and_without_javascript_opens_as_a_page(rita):
    pks = newest_first(rita, Stage.DORMANT, BOARD_CARDS_PER_STAGE + 4)
    client = signed_in(rita)
    page = client.get(BOARD).content.decode()
    assert card_pks(page) == []
    assert 'hx-trigger="intersect once, click">Show the employers in Dormant</a>' in page
    link = more_link(page, "dormant")

    loaded = client.get(link, **HTMX).content.decode()
    opened = client.get(link)

    assert card_pks(loaded) == pks[:BOARD_CARDS_PER_STAGE]
    assert "autofocus" not in loaded  # opening the stage leaves the focus on its heading's button
    assert "More in Dormant (4 more)" in loaded
    dormant = {c.stage: c for c in opened.context["columns"]}[Stage.DORMANT]
    assert [e.pk for e in dormant.cards] == pks[:BOARD_CARDS_PER_STAGE] and dormant.page is not None
    assert 'aria-controls="cards-dormant"' not in opened.content.decode()  # shown open, not folded


def test_a_card_loaded_by_more_moves_and_comes_back_focused_at_the_top_of_its_new_column(rita):
    pks = newest_first(rita, Stage.PROSPECT, BOARD_CARDS_PER_STAGE + 1)
    client = signed_in(rita)
    more = client.get(more_link(client.get(BOARD).content.decode(), "prospect"), **HTMX).content.decode()
    late = card_pks(more)[0]
    assert late == pks[-1] and f'action="{reverse("crm:move", args=[late])}"' in more

    page = client.post(reverse("crm:move", args=[late]), {"stage": Stage.CONTACTED}, **HTMX).content.decode()

    assert "moved to Contacted" in page
    assert f'<article class="board-card moved" id="card-{late}" tabindex="-1" autofocus>' in page
    assert page.count("autofocus") == 1


def test_a_tampered_cursor_or_an_unknown_stage_shows_the_board(rita):
    newest_first(rita, Stage.PROSPECT, 2)
    client = signed_in(rita)

    tampered = client.get(BOARD, {"stage": "prospect", "cursor": "not-a-cursor!"})
    unknown = client.get(BOARD, {"stage": "nonsense", "cursor": "x"})

    assert len({c.stage: c for c in tampered.context["columns"]}[Stage.PROSPECT].cards) == 2
    assert unknown.status_code == 200 and all(c.page is None for c in unknown.context["columns"])


@pytest.mark.parametrize("per_stage", [BOARD_CARDS_PER_STAGE + 1, 3 * BOARD_CARDS_PER_STAGE])
def test_more_and_the_page_it_opens_run_the_same_queries_for_few_and_many_cards(
    rita, django_assert_max_num_queries, per_stage
):
    fill(rita, per_stage)
    client = signed_in(rita)
    link = more_link(client.get(BOARD).content.decode(), "engaged")

    with django_assert_max_num_queries(6):
        client.get(link, **HTMX)
    with django_assert_max_num_queries(13):  # as many as the board
        response = client.get(link)

    assert {c.stage: c for c in response.context["columns"]}[Stage.ENGAGED].page is not None
