"""The database connection's own settings."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_connections_compile_no_jit() -> None:
    """JIT is off on every PostgreSQL connection unless POSTGRES_JIT turns it on (config/settings.py)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite compiles no query plans to machine code")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
