"""The pipeline board: every stage with its count, a bounded number of cards and a link to the rest."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from crm.choices import Stage
from crm.views.board import BOARD_CARDS_PER_STAGE, BOARD_STAGES, QUIET_STAGES
from tests.crm.factories import EmployerFactory

pytestmark = pytest.mark.django_db
BOARD = "/network/board/"


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
    assert f"5 more: all {BOARD_CARDS_PER_STAGE + 5} in the list" in page
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

    with django_assert_max_num_queries(13):
        response = client.get(BOARD)

    columns = response.context["columns"]
    assert all(c.total == per_stage for c in columns)
    assert all(len(c.cards) == min(per_stage, BOARD_CARDS_PER_STAGE) for c in columns)
