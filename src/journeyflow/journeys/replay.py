"""Rebuild contacts, journeys and buckets from the stored timelines (`journeyflow replay`).

Used after a definition changes (repeat window, scope, self-service channels). One transaction:
writers of the derived tables (processors) wait on the table locks, readers keep seeing the old
numbers until the new ones commit. The result equals live processing because both run the same
pure derivation over the same timelines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from journeyflow.journeys import repository
from journeyflow.journeys.contributions import Contributions, accumulate, contributions
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.derive import derive

DERIVED_TABLES = (
    "contacts",
    "journeys",
    "journey_surveys",
    "metric_buckets_hourly",
    "metric_buckets",
)

Progress = Callable[[int, int], None]
"""Called with (customers done, customers in total)."""


@dataclass(frozen=True, slots=True)
class ReplayReport:
    customers: int
    contacts: int
    journeys: int


async def replay(
    pool: asyncpg.Pool,
    definitions: Definitions,
    *,
    chunk: int = 500,
    progress: Progress | None = None,
) -> ReplayReport:
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute(f"LOCK TABLE {', '.join(DERIVED_TABLES)} IN EXCLUSIVE MODE")
        for table in DERIVED_TABLES:
            await connection.execute(f"DELETE FROM {table}")
        # Every processor's cached state of every customer is stale from here on.
        await connection.execute(
            "UPDATE customers SET state_version = nextval('customer_state_versions')"
        )
        total = await connection.fetchval(
            "SELECT count(*) FROM customers WHERE merged_into IS NULL"
        )
        done = contacts = journeys = 0
        after = 0
        while True:
            ids = [
                r["id"]
                for r in await connection.fetch(
                    "SELECT id FROM customers WHERE merged_into IS NULL AND id > $1 "
                    "ORDER BY id LIMIT $2",
                    after,
                    chunk,
                )
            ]
            if not ids:
                break
            events = await repository.load_events(connection, ids)
            fresh = {c: derive(events.get(c, []), definitions) for c in ids}
            await repository.replace(connection, ids, fresh)
            delta: Contributions = {}
            for derived in fresh.values():
                accumulate(delta, contributions(derived))
            await repository.apply_deltas(connection, delta)
            contacts += sum(len(d.contacts) for d in fresh.values())
            journeys += sum(len(d.journeys) for d in fresh.values())
            done += len(ids)
            after = ids[-1]
            if progress is not None:
                progress(done, total)
    return ReplayReport(done, contacts, journeys)
