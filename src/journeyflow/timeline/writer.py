"""Write processed events onto their customers' timelines.

A timeline holds the latest revision of each `(source, event_id)`: a new event is inserted, a
higher revision replaces the stored row (and may move it to another customer, when its new
identifiers say so), an equal or lower revision changes nothing.

Almost every event a processor sees is new to the timeline (the log holds each revision once),
so first revisions are written with one binary COPY, under a savepoint: should one already be
there after all (a resend on Kafka that raced its original), the savepoint is rolled back and the
whole batch takes the upsert, which sorts out every case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple, Protocol, TypeVar

import asyncpg

from journeyflow.store.database import Connection


class TimelineRow(NamedTuple):
    """One `timeline` row (the order of the table's columns as COPY writes them)."""

    customer_id: int
    occurred_at: datetime
    received_at: datetime
    source: str
    event_id: str
    revision: int
    kind: str
    channel: str
    contact_id: str | None
    payload: str


COLUMNS = TimelineRow._fields


@dataclass(frozen=True, slots=True)
class TimelineWrite:
    written: int
    """Rows inserted or replaced by a newer revision."""
    inserted: Sequence[TimelineRow] = ()
    """Rows known to be plain inserts (their customers' timelines only gained them)."""
    changed: set[int] = field(default_factory=set)
    """Customers whose timelines changed otherwise (a row replaced, moved away or maybe
    skipped): their derived state must be read again from the table."""


_UPSERT = """
WITH input AS (
    SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::text[],
                         $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[])
        AS t(customer_id, occurred_at, received_at, source, event_id, revision, kind, channel,
             contact_id, payload)
),
replaced AS (
    SELECT t.customer_id FROM timeline t
    JOIN input i ON i.source = t.source AND i.event_id = t.event_id AND i.revision > t.revision
),
written AS (
    INSERT INTO timeline AS t (customer_id, occurred_at, received_at, source, event_id, revision,
                               kind, channel, contact_id, payload)
    SELECT customer_id, occurred_at, received_at, source, event_id, revision, kind, channel,
           contact_id, payload::json
    FROM input
    ON CONFLICT ON CONSTRAINT timeline_idempotency DO UPDATE SET
        customer_id = excluded.customer_id, occurred_at = excluded.occurred_at,
        received_at = excluded.received_at, revision = excluded.revision, kind = excluded.kind,
        channel = excluded.channel, contact_id = excluded.contact_id, payload = excluded.payload
    WHERE t.revision < excluded.revision
    RETURNING 1
)
SELECT (SELECT count(*) FROM written) AS written,
       (SELECT coalesce(array_agg(DISTINCT customer_id), '{}') FROM replaced) AS displaced
"""


async def append(connection: Connection, unique: Sequence[TimelineRow]) -> TimelineWrite:
    """Insert new events, replace older revisions; stale ones are skipped. `unique`: one row per
    `(source, event_id)`, as `latest` gives them."""
    if not unique:
        return TimelineWrite(0)
    first = [row for row in unique if row.revision == 0]
    later = [row for row in unique if row.revision > 0]
    if first:
        try:
            async with connection.transaction():  # a savepoint
                await connection.copy_records_to_table("timeline", records=first, columns=COLUMNS)
        except asyncpg.UniqueViolationError:
            return await _upsert(connection, unique)
    if not later:
        return TimelineWrite(len(first), first)
    upserted = await _upsert(connection, later)
    return TimelineWrite(len(first) + upserted.written, first, upserted.changed)


class Revisioned(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def event_id(self) -> str: ...
    @property
    def revision(self) -> int: ...


R = TypeVar("R", bound=Revisioned)


def latest(rows: Sequence[R]) -> list[R]:
    """One row per `(source, event_id)`: its highest revision (the first of equals), in order."""
    held: dict[tuple[str, str], R] = {}
    for row in rows:
        key = (row.source, row.event_id)
        kept = held.get(key)
        if kept is None or row.revision > kept.revision:
            held[key] = row
    return list(held.values())


async def _upsert(connection: Connection, rows: Sequence[TimelineRow]) -> TimelineWrite:
    result = await connection.fetchrow(
        _UPSERT, *([row[i] for row in rows] for i in range(len(COLUMNS)))
    )
    assert result is not None
    changed = {row.customer_id for row in rows} | set(result["displaced"])
    return TimelineWrite(result["written"], (), changed)
