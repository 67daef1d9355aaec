"""Write processed events onto their customers' timelines.

A timeline holds the latest revision of each `(source, event_id)`: a new event is inserted, a
higher revision replaces the stored row (and may move it to another customer, when its new
identifiers say so), an equal or lower revision changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from journeyflow.events import InteractionEvent
from journeyflow.store.database import Connection


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    customer_id: int
    event: InteractionEvent
    payload: str


@dataclass(frozen=True, slots=True)
class TimelineWrite:
    written: int
    """Rows inserted or replaced by a newer revision."""
    displaced: set[int] = field(default_factory=set)
    """Customers that held a replaced row before: their derived state may change too."""


_WRITE = """
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
           contact_id, payload::jsonb
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


async def append(connection: Connection, entries: Sequence[TimelineEntry]) -> TimelineWrite:
    """Insert new events, replace older revisions; stale or repeated ones are skipped."""
    latest: dict[tuple[str, str], TimelineEntry] = {}
    for entry in entries:
        key = (entry.event.source, entry.event.event_id)
        held = latest.get(key)
        if held is None or entry.event.revision > held.event.revision:
            latest[key] = entry
    if not latest:
        return TimelineWrite(0)
    rows = list(latest.values())
    result = await connection.fetchrow(
        _WRITE,
        [x.customer_id for x in rows],
        [x.event.occurred_at for x in rows],
        [x.event.received_at or x.event.occurred_at for x in rows],
        [x.event.source for x in rows],
        [x.event.event_id for x in rows],
        [x.event.revision for x in rows],
        [x.event.kind for x in rows],
        [x.event.channel.value for x in rows],
        [x.event.contact_id for x in rows],
        [x.payload for x in rows],
    )
    assert result is not None
    return TimelineWrite(result["written"], set(result["displaced"]))
