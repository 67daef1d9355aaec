"""What Postgres wrote during a stage, counted rather than timed: WAL bytes and row writes.

This shared machine's speed moves by a factor of two within an hour, so rates alone cannot tell
whether a change made Postgres's side of processing cheaper. WAL bytes an event, row writes an
event per table, and the share of updates that were HOT (a new row version in the same page, no
new index entry) are counts: the same code over the same log gives the same figures on a fast
or a slow machine, so a change to the processor's SQL or to a table's storage shows in them
even when the rates move with the machine.

The table counters come from Postgres's cumulative statistics, which a backend publishes when it
goes idle or exits: `snapshot` first waits until no other session is connected to the database,
so every write of the stage's sessions (which must have disconnected) is in it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import asyncpg

_TABLES = """
SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del
FROM pg_stat_user_tables WHERE schemaname = 'public'
"""
_OTHER_SESSIONS = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
"""


@dataclass(frozen=True, slots=True)
class TableWrites:
    inserted: int
    updated: int
    hot_updated: int
    deleted: int

    def __sub__(self, other: TableWrites) -> TableWrites:
        return TableWrites(
            self.inserted - other.inserted,
            self.updated - other.updated,
            self.hot_updated - other.hot_updated,
            self.deleted - other.deleted,
        )

    @property
    def rows(self) -> int:
        """Row versions written: inserts, updates and deletes."""
        return self.inserted + self.updated + self.deleted


@dataclass(frozen=True, slots=True)
class Writes:
    """The cluster's WAL position and each table's write counters at one moment."""

    wal_lsn: int
    """The WAL insert position, in bytes (asyncpg reads a `pg_lsn` as an integer)."""
    tables: dict[str, TableWrites]


async def snapshot(dsn: str, *, within: float = 30) -> Writes:
    """The counters of `dsn`'s database once no other session is connected to it (at most
    `within` seconds: a session still connected then may have writes not yet counted)."""
    connection = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if not await connection.fetchval(_OTHER_SESSIONS):
                break
            await asyncio.sleep(0.05)
        await connection.execute("SELECT pg_stat_clear_snapshot()")
        lsn: int = await connection.fetchval("SELECT pg_current_wal_lsn()")
        tables = {r[0]: TableWrites(*r[1:]) for r in await connection.fetch(_TABLES)}
    finally:
        await connection.close()
    return Writes(lsn, tables)


def per_event(before: Writes, after: Writes, events: int) -> dict[str, Any]:
    """What was written between two snapshots, per event: WAL bytes (the whole cluster's, so
    checkpoints' full-page images and autovacuum count too), and for each table written to, row
    versions written an event and the share of its updates that were HOT."""
    count = max(1, events)
    tables: dict[str, Any] = {}
    for name in sorted(after.tables):
        done = after.tables[name] - before.tables.get(name, TableWrites(0, 0, 0, 0))
        if not done.rows:
            continue
        tables[name] = {
            "rows_per_event": done.rows / count,
            "inserted": done.inserted,
            "updated": done.updated,
            "deleted": done.deleted,
            "hot_update_ratio": done.hot_updated / done.updated if done.updated else None,
        }
    return {
        "wal_bytes_per_event": (after.wal_lsn - before.wal_lsn) / count,
        "row_writes_per_event": sum(t["rows_per_event"] for t in tables.values()),
        "tables": tables,
    }


def headline(writes: dict[str, Any]) -> str:
    """WAL bytes and row writes an event."""
    return (
        f"WAL {writes['wal_bytes_per_event']:,.0f} bytes, "
        f"{writes['row_writes_per_event']:.2f} row writes an event"
    )


def describe(writes: dict[str, Any]) -> str:
    """One line: WAL and row writes an event, the busiest tables with their HOT share."""
    busiest = sorted(writes["tables"].items(), key=lambda item: -item[1]["rows_per_event"])
    parts = []
    for name, table in busiest[:6]:
        hot = table["hot_update_ratio"]
        parts.append(
            f"{name} {table['rows_per_event']:.2f}" + ("" if hot is None else f" ({hot:.0%} HOT)")
        )
    return f"{headline(writes)}: " + ", ".join(parts)
