"""The small-group rule every report figure goes through."""

from __future__ import annotations

import pytest

from reports.tables import Cell, Row, Table, count, rate


@pytest.mark.parametrize(("n", "hidden"), [(0, True), (1, True), (4, True), (5, False), (120, False)])
def test_a_count_of_fewer_than_five_people_is_never_shown(n, hidden):
    cell = count(n, href="/rows/")

    assert cell.suppressed is hidden
    assert (cell.display() == "fewer than 5") is hidden
    assert cell.link == ("" if hidden else "/rows/")
    assert cell.export() == ("fewer than 5" if hidden else n)
    assert cell.number == (None if hidden else float(n))


@pytest.mark.parametrize(
    ("part", "whole", "hidden"),
    [(1, 6, True), (4, 40, True), (5, 6, False), (6, 6, False), (3, 3, True), (0, 0, True), (20, 40, False)],
)
def test_a_share_is_hidden_when_either_group_is_under_five(part, whole, hidden):
    cell = rate(part, whole)

    assert cell.suppressed is hidden
    if not hidden:
        assert cell.display() == f"{round(100 * part / whole)} %"


def test_figures_about_things_not_people_are_never_hidden():
    cell = count(2, people=False)

    assert not cell.suppressed and cell.display() == "2" and cell.export() == 2
    assert Cell(None, "percent").display() == "–"


def _row(*people: int) -> Table:
    keys = ["woman", "man", "non_binary", "total"]
    cells = [count(n, href=f"/rows/{key}/") for n, key in zip(people, keys, strict=True)]
    return Table("t", "T", keys, [Row("r", "R", cells)], column_keys=keys)


def test_a_shown_total_never_gives_away_the_one_hidden_figure_of_its_row():
    # 9 women, 6 men, 2 non-binary people, 17 in all: 17 - 9 - 6 would show the 2, so the 6 goes too.
    table = _row(9, 6, 2, 17).protect()

    cells = table.rows[0].cells
    assert [cell.display() for cell in cells] == ["9", "fewer than 5", "fewer than 5", "17"]
    assert cells[1].withheld and cells[1].link == "" and cells[1].export() == "fewer than 5"


@pytest.mark.parametrize("people", [(9, 6, 7, 22), (9, 3, 2, 14), (9, 6, 2, 4)])
def test_rows_with_nothing_to_work_out_are_left_as_they_are(people):
    # Nothing hidden; two hidden (they share what the total leaves); or the total itself hidden.
    before = [cell.display() for cell in _row(*people).rows[0].cells]

    after = [cell.display() for cell in _row(*people).protect().rows[0].cells]

    assert after == before
