"""A customer's timeline, by event time, with opaque keyset cursors.

The cursor is the `(occurred_at, id)` of the last row served, so pages stay stable while new
events arrive and each page is one index range scan on `timeline_by_customer`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from journeyflow.store.database import Connection


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class TimelineFilter:
    since: datetime | None = None
    until: datetime | None = None
    kind: str | None = None
    channel: str | None = None


def encode_cursor(occurred_at: datetime, row_id: int) -> str:
    raw = orjson.dumps([occurred_at.isoformat(), row_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, row_id = orjson.loads(raw)
        parsed = datetime.fromisoformat(at)
        if not isinstance(row_id, int) or parsed.tzinfo is None:
            raise ValueError
    except (ValueError, TypeError, orjson.JSONDecodeError) as error:
        raise InvalidCursor("cursor is not one this service issued") from error
    return parsed, row_id


async def page(
    connection: Connection,
    customer: int,
    filters: TimelineFilter,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    after = decode_cursor(cursor) if cursor else None
    rows = await connection.fetch(
        """
        SELECT id, occurred_at, payload::text AS payload FROM timeline
        WHERE customer_id = $1
          AND ($2::timestamptz IS NULL OR occurred_at >= $2)
          AND ($3::timestamptz IS NULL OR occurred_at < $3)
          AND ($4::text IS NULL OR kind = $4)
          AND ($5::text IS NULL OR channel = $5)
          AND ($6::timestamptz IS NULL OR (occurred_at, id) > ($6, $7::bigint))
        ORDER BY occurred_at, id
        LIMIT $8
        """,
        customer,
        filters.since,
        filters.until,
        filters.kind,
        filters.channel,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    events = [orjson.loads(r["payload"]) for r in rows]
    next_cursor = encode_cursor(rows[-1]["occurred_at"], rows[-1]["id"]) if more else None
    return events, next_cursor
