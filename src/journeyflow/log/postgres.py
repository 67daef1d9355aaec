"""The embedded log: an append-only `event_log` table read by sequence number.

An event is logged again only with a higher `revision` than any logged before (an updated
record, e.g. an Amazon Connect contact record re-delivered after an update); the same or a lower
revision is a duplicate. Appends are serialized by a transaction-level advisory lock, so sequence
numbers become visible in commit order and a reader that has seen `seq = n` will never later find
an uncommitted `seq < n` appear (the classic gap problem of reading a serial column while writers
are in flight).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
from pydantic import TypeAdapter

from journeyflow.events import InteractionEvent
from journeyflow.log.port import AppendResult, LoggedEvent, latest_revisions, stamped
from journeyflow.store.database import Connection

APPEND_LOCK = 0x6A66_6C6F_67  # "jflog"

_APPEND = """
INSERT INTO event_log (source, event_id, revision, received_at, payload)
SELECT e->>'source', e->>'event_id', (e->>'revision')::bigint, (e->>'received_at')::timestamptz, e
FROM jsonb_array_elements($1::jsonb) AS e
WHERE NOT EXISTS (
    SELECT 1 FROM event_log l
    WHERE l.source = e->>'source' AND l.event_id = e->>'event_id'
      AND l.revision >= (e->>'revision')::bigint
)
RETURNING source, event_id
"""
"""The request's events travel as one JSON array, written by pydantic-core in one call; each
element is stored as it is (canonical `InteractionEvent.to_json` form)."""

_EVENTS = TypeAdapter(list[InteractionEvent])


class PostgresEventLog:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def append(self, events: Sequence[InteractionEvent]) -> AppendResult:
        now = datetime.now(UTC)
        latest = latest_revisions(events)
        unique = [stamped(events[i], now) for i in latest.values()]
        payload = _EVENTS.dump_json(unique, by_alias=True, exclude_none=True).decode()
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", APPEND_LOCK)
            rows = await connection.fetch(_APPEND, payload)
        inserted = {latest[(row["source"], row["event_id"])] for row in rows}
        duplicates = sorted(set(range(len(events))) - inserted)
        return AppendResult(accepted=len(inserted), duplicate_indexes=duplicates)

    async def head(self) -> int:
        async with self._pool.acquire() as connection:
            return await head(connection)


async def head(connection: Connection) -> int:
    value = await connection.fetchval("SELECT coalesce(max(seq), 0) FROM event_log")
    return int(value)


async def read_after(connection: Connection, position: int, limit: int) -> list[LoggedEvent]:
    rows = await connection.fetch(
        "SELECT seq, payload FROM event_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        position,
        limit,
    )
    return [LoggedEvent(row["seq"], row["payload"]) for row in rows]
