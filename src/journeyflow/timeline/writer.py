"""Append processed events to their customers' timelines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from journeyflow.events import InteractionEvent
from journeyflow.store.database import Connection


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    customer_id: int
    event: InteractionEvent
    payload: str


async def append(connection: Connection, entries: Sequence[TimelineEntry]) -> int:
    """Insert entries; an event already on a timeline (same source and id) is skipped."""
    if not entries:
        return 0
    rows = await connection.fetch(
        """
        INSERT INTO timeline (customer_id, occurred_at, received_at, source, event_id, kind,
                              channel, contact_id, payload)
        SELECT c, o, r, s, e, k, ch, ct, p::jsonb
        FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::text[],
                    $6::text[], $7::text[], $8::text[], $9::text[])
            AS t(c, o, r, s, e, k, ch, ct, p)
        ON CONFLICT ON CONSTRAINT timeline_idempotency DO NOTHING
        RETURNING 1
        """,
        [x.customer_id for x in entries],
        [x.event.occurred_at for x in entries],
        [x.event.received_at or x.event.occurred_at for x in entries],
        [x.event.source for x in entries],
        [x.event.event_id for x in entries],
        [x.event.kind for x in entries],
        [x.event.channel.value for x in entries],
        [x.event.contact_id for x in entries],
        [x.payload for x in entries],
    )
    return len(rows)
