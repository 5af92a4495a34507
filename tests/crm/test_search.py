"""The employer search: one rule for the list and the board, the same rows on SQLite and PostgreSQL,
and on PostgreSQL indexes the planner can serve it from (crm migration 0008)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from crm.models import Employer
from tests.crm.factories import EmployerFactory

pytestmark = pytest.mark.django_db

SEARCH_INDEXES = ("crm_employer_name_trgm", "crm_employer_city_trgm", "crm_employer_regno_upper")


def found(query: str) -> set[str]:
    return set(Employer.objects.matching(query).values_list("name", flat=True))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_name_is_found_whatever_its_case_accents_and_legal_form():
    EmployerFactory(name="Eetcafé Het Hof B.V.", city="Zwolle")
    EmployerFactory(name="Bakkerij De Vries", city="Utrecht")

    for query in ("eetcafe het hof", "EETCAFÉ", "Het Hof BV", "  cafe het  "):
        assert found(query) == {"Eetcafé Het Hof B.V."}, query
    assert found("vries") == {"Bakkerij De Vries"}
    assert found("vriesland") == set()


def test_a_city_is_found_however_its_letters_are_cased():
    """SQLite folds only ASCII case in LIKE; the rule tries such a query capitalised too."""
    EmployerFactory(name="Städservice Nord AB", city="Örebro")
    EmployerFactory(name="Bygg Syd AB", city="Malmö")
    EmployerFactory(name="Schoonmaak Noord", city="Groningen")

    for query in ("örebro", "Örebro", "ÖREBRO", "rebro"):
        assert found(query) == {"Städservice Nord AB"}, query
    for query in ("malmö", "MALMÖ", "Malmö"):
        assert found(query) == {"Bygg Syd AB"}, query
    assert found("GRONINGEN") == found("groningen") == {"Schoonmaak Noord"}


def test_a_registration_number_matches_whole_but_for_case_and_spaces():
    EmployerFactory(name="Bakkerij De Vries", registration_number="B12345678")

    assert found("b12345678") == found("B 1234 5678") == {"Bakkerij De Vries"}
    assert found("12345") == set()


def test_one_and_two_letter_queries_find_what_a_scan_finds():
    """Trigram indexes cannot serve them; the rows must still be right (PostgreSQL scans)."""
    EmployerFactory(name="Zorg Xanten", city="Utrecht")
    EmployerFactory(name="Bakkerij Ox", city="Utrecht")
    EmployerFactory(name="Kapper Jansen", city="Xanten")

    assert found("x") == {"Zorg Xanten", "Bakkerij Ox", "Kapper Jansen"}
    assert found("ox") == {"Bakkerij Ox"}
    assert found("XA") == {"Zorg Xanten", "Kapper Jansen"}


def test_an_empty_query_matches_everyone_and_one_that_folds_to_nothing_matches_no_name():
    EmployerFactory(name="Bakkerij De Vries B.V.", city="Utrecht")
    EmployerFactory(name="Zorg B.V.", city="Zwolle")

    assert found("") == found("   ") == {"Bakkerij De Vries B.V.", "Zorg B.V."}
    # "B.V." is a legal form, folded away: it would otherwise match every Dutch company.
    assert found("B.V.") == set()


def test_the_board_and_the_employer_list_search_by_the_same_rule(rita):
    EmployerFactory(name="Bakkerij De Vries", city="Utrecht", registration_number="30111222", owner=rita)
    EmployerFactory(name="Schoonmaak Noord", city="Groningen", registration_number="30999888", owner=rita)
    client = signed_in(rita)

    for query in ("30111222", "BAKKERIJ de vries", "utrecht"):
        listed = {e.name for e in client.get("/network/employers/", {"q": query}).context["page"].rows}
        board = client.get("/network/board/", {"q": query}).context["columns"]
        on_board = {card.name for column in board for card in column.cards}
        assert listed == on_board == {"Bakkerij De Vries"}, query


# --- PostgreSQL: the indexes ------------------------------------------------------------------


def _on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the trigram indexes exist on PostgreSQL only; SQLite scans (crm migration 0008)")


def test_migrate_installs_pg_trgm_and_the_search_indexes():
    _on_postgresql()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'crm_employer'")
        indexes = dict(cursor.fetchall())

    assert "USING gin (normalised_name gin_trgm_ops)" in indexes["crm_employer_name_trgm"]
    assert "USING gin (upper((city)::text) gin_trgm_ops)" in indexes["crm_employer_city_trgm"]
    assert "USING btree (upper((registration_number)::text))" in indexes["crm_employer_regno_upper"]


@pytest.mark.parametrize("query", ["kastanje", "örebro"])
def test_the_planner_can_answer_the_employer_search_from_the_indexes_alone(query):
    """With sequential and plain index scans off, only a BitmapOr over an index for every condition
    of the search avoids scanning the table; a condition without its index would bring the scan back."""
    _on_postgresql()
    EmployerFactory.create_batch(20)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    # The list's capped count and its first page (common.pagination), as the views ask them.
    counted = Employer.objects.matching(query).order_by().values("pk")[:1001].explain()
    page = Employer.objects.matching(query).order_by("normalised_name", "pk")[:51].explain()

    for plan in (counted, page):
        assert "Seq Scan" not in plan, plan
        assert "BitmapOr" in plan, plan
        for index in SEARCH_INDEXES:
            assert index in plan, plan
