"""Per-connection staging tables: bulk upserts COPY their rows in, then run one statement.

Binary COPY is the cheapest way to hand Postgres many rows from Python: an array parameter is
checked element by element on the Python side, and unnesting 30 of them cost Postgres twice what
reading a staging table does (measured on the bucket upsert with `make bench`). The tables are
temporary (no WAL, invisible to other sessions), shaped like their targets, created once per
pooled connection, and emptied by the statement that reads them (and at every commit).
"""

from __future__ import annotations

import asyncpg

STAGING = {
    "bucket_delta": "metric_buckets",
    "identifier_delta": "identifiers",
    "customer_delta": "customers",
}
"""Staging table -> the table whose columns it has."""


async def create_staging(connection: asyncpg.Connection[asyncpg.Record]) -> None:
    """Pool `init`: the staging tables of this session (needs a migrated schema)."""
    for staging, target in STAGING.items():
        await connection.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {target} INCLUDING DEFAULTS)"
            " ON COMMIT DELETE ROWS"
        )
