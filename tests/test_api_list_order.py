"""The API's long lists read their first page in their default order from an index (PostgreSQL).

With 50,000 employers, 100,000 placements and a million aftercare steps, a list whose default order has no
index sorts the whole table for every page (the placements list: 401 ms, the vacancies list sorted on disk);
with one, a page reads its 51 index entries (under 1 ms; bench/README.md "Staff pages under load"). The
planner picks a sort on the few rows of a test database whatever the indexes, so the test turns sorting off:
only a plan that takes the order from an index then avoids a full Sort node.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.placements.factories import PlacementFactory

pytestmark = pytest.mark.django_db

# Lists that grow with the network: employers and their people and history, clients and their placements.
LONG_LISTS = {
    "/api/v1/employers/": "crm_employer",
    "/api/v1/contacts/": "crm_contact",
    "/api/v1/interactions/": "crm_interaction",
    "/api/v1/vacancies/": "crm_vacancy",
    "/api/v1/employer-stage-changes/": "crm_employerstagechange",
    "/api/v1/clients/": "placements_client",
    "/api/v1/placements/": "placements_placement",
    "/api/v1/steps/": "placements_aftercarestep",
}


@pytest.mark.parametrize("path", list(LONG_LISTS))
def test_the_first_page_of_a_long_api_list_is_read_in_order_from_an_index(admin_user, path):
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's; SQLite's planner has no switch to forbid a sort")
    PlacementFactory.create()
    browser = Client()
    browser.force_login(admin_user)
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(path).status_code == 200
    table = LONG_LISTS[path]
    pages = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith(f'SELECT "{table}"."id"') and "ORDER BY" in query["sql"] and "LIMIT" in query["sql"]
    ]
    assert len(pages) == 1, [query["sql"][:120] for query in captured.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + pages[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # An incremental sort after the index's leading key (a unique reference, then the id) reads in order too.
    full_sorts = [line for line in plan.splitlines() if line.strip().removeprefix("->").strip().startswith("Sort  (")]
    assert full_sorts == [], plan
