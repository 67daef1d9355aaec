"""The embedded log: an append-only `event_log` table read by sequence number.

An event is logged again only with a higher `revision` than any logged before (an updated
record, e.g. an Amazon Connect contact record re-delivered after an update); the same or a lower
revision is a duplicate. Appends are serialized by a transaction-level advisory lock (taken in
the `journeyflow_log_append` function, one round trip per request), so sequence
numbers become visible in commit order and a reader that has seen `seq = n` will never later find
an uncommitted `seq < n` appear (the classic gap problem of reading a serial column while writers
are in flight).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
import orjson
from pydantic import TypeAdapter

from journeyflow.events import InteractionEvent
from journeyflow.log.port import AppendResult, LoggedEvent, latest_revisions, stamped
from journeyflow.store.database import Connection

APPEND_LOCK = 0x6A66_6C6F_67  # "jflog"; taken by `journeyflow_log_append` (migration 0006)

_EVENTS = TypeAdapter(list[InteractionEvent])


class PostgresEventLog:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def append(self, events: Sequence[InteractionEvent]) -> AppendResult:
        """One statement: the request's events travel as one JSON array written by pydantic-core
        in one call, their key columns beside it as a small array of their own (migration
        0012: Postgres then reads each payload once); `journeyflow_log_append` takes the append
        lock, stores each element as it is (canonical `InteractionEvent.to_json` form) and
        answers the ones already logged."""
        now = datetime.now(UTC)
        latest = latest_revisions(events)
        unique = [stamped(events[i], now) for i in latest.values()]
        keys = orjson.dumps([_key(event) for event in unique]).decode()
        batch = _EVENTS.dump_json(unique, by_alias=True, exclude_none=True).decode()
        rows = await self._pool.fetch(
            "SELECT * FROM journeyflow_log_append($1::json, $2::json)", keys, batch
        )
        already = {(row["duplicate_source"], row["duplicate_event_id"]) for row in rows}
        inserted = {i for key, i in latest.items() if key not in already}
        duplicates = sorted(set(range(len(events))) - inserted)
        return AppendResult(accepted=len(inserted), duplicate_indexes=duplicates)

    async def head(self) -> int:
        async with self._pool.acquire() as connection:
            return await head(connection)


def _key(event: InteractionEvent) -> dict[str, object]:
    """The columns `event_log` keeps beside the payload."""
    return {
        "source": event.source,
        "event_id": event.event_id,
        "revision": event.revision,
        "received_at": event.received_at,
    }


async def head(connection: Connection) -> int:
    value = await connection.fetchval("SELECT coalesce(max(seq), 0) FROM event_log")
    return int(value)


async def read_after(connection: Connection, position: int, limit: int) -> list[LoggedEvent]:
    rows = await connection.fetch(
        "SELECT seq, payload FROM event_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        position,
        limit,
    )
    return [tuple.__new__(LoggedEvent, (row["seq"], row["payload"])) for row in rows]
