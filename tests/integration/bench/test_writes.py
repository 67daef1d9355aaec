"""The bench counts what Postgres wrote for a stage exactly: every row version of sessions that
have disconnected, HOT updates apart, and the WAL between the two snapshots."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository root: `bench`

from bench import writes


async def test_counts_every_row_written_by_sessions_that_have_disconnected(
    database_url: str,
) -> None:
    before = await writes.snapshot(database_url)
    session = await asyncpg.connect(database_url)
    try:
        await session.execute(
            "INSERT INTO processor_positions (consumer, position) "
            "SELECT 'c' || n, 0 FROM generate_series(1, 30) AS n"
        )
        # An update of a column no index holds, in a page with room: HOT.
        await session.execute("UPDATE processor_positions SET position = 7 WHERE consumer = 'c1'")
        # An update of the primary key: never HOT.
        await session.execute("UPDATE processor_positions SET consumer = 'x' WHERE consumer = 'c2'")
        await session.execute("DELETE FROM processor_positions WHERE consumer LIKE 'c1%'")
        # Asked while the session is still connected (its last counters not yet published):
        # the snapshot waits for it to go.
        after_it_left = asyncio.ensure_future(writes.snapshot(database_url))
        await asyncio.sleep(0.3)
        assert not after_it_left.done()
    finally:
        await session.close()  # its counters are published as it exits
    after = await after_it_left

    counted = writes.per_event(before, after, events=10)

    table = counted["tables"]["processor_positions"]
    assert (table["inserted"], table["updated"], table["deleted"]) == (30, 2, 11)
    assert table["hot_update_ratio"] == 0.5
    assert table["rows_per_event"] == 4.3
    assert counted["row_writes_per_event"] == 4.3
    assert set(counted["tables"]) == {"processor_positions"}  # tables nobody wrote are left out
    assert counted["wal_bytes_per_event"] > 0


def test_describes_the_busiest_tables_first() -> None:
    line = writes.describe(
        {
            "wal_bytes_per_event": 1493.4,
            "row_writes_per_event": 3.5,
            "tables": {
                "customers": {"rows_per_event": 0.5, "hot_update_ratio": 0.89},
                "timeline": {"rows_per_event": 3.0, "hot_update_ratio": None},
            },
        }
    )

    assert line == (
        "WAL 1,493 bytes, 3.50 row writes an event: timeline 3.00, customers 0.50 (89% HOT)"
    )
