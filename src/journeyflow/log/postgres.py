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

from journeyflow.events import InteractionEvent
from journeyflow.log.port import AppendResult, LoggedEvent, latest_revisions
from journeyflow.store.database import Connection

APPEND_LOCK = 0x6A66_6C6F_67  # "jflog"

_APPEND = """
INSERT INTO event_log (source, event_id, revision, received_at, payload)
SELECT s, e, r, $4, p::jsonb
FROM unnest($1::text[], $2::text[], $3::bigint[], $5::text[]) AS t(s, e, r, p)
WHERE NOT EXISTS (
    SELECT 1 FROM event_log l WHERE l.source = t.s AND l.event_id = t.e AND l.revision >= t.r
)
RETURNING source, event_id
"""


class PostgresEventLog:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def append(self, events: Sequence[InteractionEvent]) -> AppendResult:
        received_at = datetime.now(UTC)
        latest = latest_revisions(events)
        unique = [events[i] for i in latest.values()]
        payloads = [
            event.model_copy(update={"received_at": received_at}).to_json().decode()
            for event in unique
        ]
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", APPEND_LOCK)
            rows = await connection.fetch(
                _APPEND,
                [e.source for e in unique],
                [e.event_id for e in unique],
                [e.revision for e in unique],
                received_at,
                payloads,
            )
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
