"""Dead letters, newest last, paginated by id (`after`)."""

from __future__ import annotations

import base64
from typing import Any

from journeyflow.store.database import Connection

PREVIEW_BYTES = 1024


async def page(
    connection: Connection, after: int, limit: int, replayed: bool | None
) -> tuple[list[dict[str, Any]], int | None]:
    rows = await connection.fetch(
        """
        SELECT id, created_at, stage, format, topic, partition, "offset", key, value, reason,
               error, replayed_at
        FROM dead_letters
        WHERE id > $1 AND ($3::boolean IS NULL OR (replayed_at IS NOT NULL) = $3)
        ORDER BY id LIMIT $2
        """,
        after,
        limit + 1,
        replayed,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    letters = [
        {
            "id": r["id"],
            "created_at": r["created_at"].isoformat(),
            "stage": r["stage"],
            "format": r["format"],
            "origin": {"topic": r["topic"], "partition": r["partition"], "offset": r["offset"]},
            "reason": r["reason"],
            "error": r["error"],
            "key": None if r["key"] is None else bytes(r["key"]).decode("utf-8", "replace"),
            "value_preview": bytes(r["value"][:PREVIEW_BYTES]).decode("utf-8", "replace"),
            "value_base64": base64.b64encode(r["value"]).decode(),
            "replayed_at": r["replayed_at"].isoformat() if r["replayed_at"] else None,
        }
        for r in rows
    ]
    return letters, (rows[-1]["id"] if more else None)
