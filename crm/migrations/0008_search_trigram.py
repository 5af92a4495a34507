"""Trigram indexes for the employer search, on PostgreSQL only (SQLite keeps scanning: nothing to do there).

The employer list and the board search with EmployerQuerySet.matching, which Django turns into
    "normalised_name"::text LIKE '%q%'                  (__contains)
    OR UPPER("city"::text) LIKE UPPER('%Q%')             (__icontains)
    OR UPPER("registration_number"::text) = UPPER('Q')   (__iexact)
A B-tree cannot serve a LIKE with a leading wildcard, so every search read all employers. The
pg_trgm GIN indexes below serve the first two exactly as written (the second as an expression
index on the very expression Django emits), the B-tree the third, so PostgreSQL combines the
three in a BitmapOr and reads only the matching rows.

Measured with EXPLAIN ANALYZE on PostgreSQL 15 with 50,000 employers, the list's capped count
(common.pagination.capped_count) before and after: "kastanje" (375 matches) 58 -> 21 ms, "vries"
(414) 68 -> 13 ms, a registration number (1) 75 -> 25 ms. A query matching more employers than the
count's cap ("bakker", "Zwolle") still gets the sequential scan, which stops at the 1,001st match
(45-60 ms, as before; forced onto the indexes it took 15-18 ms, but the planner prices the scan
lower). The first page, ordered by name, walks the B-tree on normalised_name as before. Queries
under three characters have no trigram and scan as before (about 70 ms for the count of "x").
The board's nine queries (a count per stage and eight columns) searching "kastanje" or "bakkerij"
took 337 and 233 ms in all, 175 and 148 ms with the indexes.

The write cost: one INSERT of 20,000 employers took 2.2 s with these indexes against 1.5 s without
(median of four on the same PostgreSQL 15), the GIN indexes taking most of the difference.

The indexes are not in the models' Meta: they exist on one database only, and Django's model
state cannot express an operator class on an expression in a way SQLite accepts. Reversing drops
the indexes and leaves the pg_trgm extension, which other objects may use by then.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# (name, CREATE INDEX body). Copied here, not imported: a migration does not import live code.
INDEXES = (
    ("crm_employer_name_trgm", "ON crm_employer USING gin (normalised_name gin_trgm_ops)"),
    ("crm_employer_city_trgm", "ON crm_employer USING gin ((UPPER(city::text)) gin_trgm_ops)"),
    ("crm_employer_regno_upper", "ON crm_employer (UPPER(registration_number::text))"),
)
# Finer statistics for the two LIKE targets (a histogram of 1,000 values instead of 100). The list's
# count reads at most 1,001 rows (common.pagination.capped_count); with the default statistics the
# planner guessed 1,115 names containing "vries" where there are 414, expected the sequential scan to
# stop early and chose it: 50 ms, against 15 ms for the indexes it now picks.
STATISTICS = (
    "ALTER TABLE crm_employer ALTER COLUMN normalised_name SET STATISTICS {}",
    "ALTER INDEX crm_employer_city_trgm ALTER COLUMN 1 SET STATISTICS {}",
)


def create_indexes(apps: Any, schema_editor: Any) -> None:
    """The extension and the indexes, on PostgreSQL."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, body in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {body}")
    for statement in STATISTICS:
        schema_editor.execute(statement.format(1000))
    # An expression index has no statistics until the table is analysed; until then the planner guesses.
    schema_editor.execute("ANALYZE crm_employer")


def drop_indexes(apps: Any, schema_editor: Any) -> None:
    """The indexes go; the extension stays (see the module docstring)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(STATISTICS[0].format(-1))
    for name, _body in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0006_list_order_indexes"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
