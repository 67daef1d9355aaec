"""Drive the processor to the end of the log, and read back what it built."""

from __future__ import annotations

from collections import defaultdict

import asyncpg

from journeyflow.bootstrap import Service


async def drain(service: Service) -> int:
    """Process until the log is exhausted; returns events processed."""
    return await service.processor.drain()


async def partition(dsn_or_pool: str | asyncpg.Pool) -> set[frozenset[tuple[str, str]]]:
    """Customers as sets of `(source, event_id)`: comparable across runs whatever the ids."""
    query = "SELECT customer_id, source, event_id FROM timeline"
    if isinstance(dsn_or_pool, str):
        connection = await asyncpg.connect(dsn_or_pool)
        try:
            rows = await connection.fetch(query)
        finally:
            await connection.close()
    else:
        rows = await dsn_or_pool.fetch(query)
    groups: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for row in rows:
        groups[row["customer_id"]].add((row["source"], row["event_id"]))
    return {frozenset(events) for events in groups.values()}
