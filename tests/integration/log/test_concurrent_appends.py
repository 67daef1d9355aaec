"""Concurrent appends from one process take turns before they reach Postgres."""

from __future__ import annotations

import asyncio

from support.events import raw

from journeyflow.events import InteractionEvent
from journeyflow.log.postgres import PostgresEventLog
from journeyflow.store.database import connect


async def test_concurrent_appends_use_one_connection_at_a_time(database_url: str) -> None:
    pool = await connect(database_url, min_size=1, max_size=8)
    log = PostgresEventLog(pool)
    requests = [
        [InteractionEvent.model_validate(raw(event_id=f"r{r}-e{e}")) for e in range(50)]
        + [InteractionEvent.model_validate(raw(event_id="shared"))]
        for r in range(8)
    ]
    try:
        results = await asyncio.gather(*(log.append(events) for events in requests))

        assert pool.get_size() == 1
        assert sum(result.accepted for result in results) == 8 * 50 + 1
        assert sum(len(result.duplicate_indexes) for result in results) == 7
        assert await log.head() == 8 * 50 + 1
    finally:
        await pool.close()
