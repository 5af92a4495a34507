"""The small-group rule every report figure goes through."""

from __future__ import annotations

import pytest

from reports.tables import Cell, count, rate


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
