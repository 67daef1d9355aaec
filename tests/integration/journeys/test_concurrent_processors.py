"""Processors applying overlapping batches at the same time (Kafka scale-out) serialize on the
customer locks and end in exactly the from-scratch state."""

from __future__ import annotations

import asyncio
import random

import asyncpg
from support.metric_tables import buckets, from_scratch

from journeyflow.bootstrap import Service
from journeyflow.demo.population import Population, batches
from journeyflow.journeys.definitions import Definitions
from journeyflow.log import LoggedEvent
from journeyflow.log.postgres import read_after
from journeyflow.process.batch import BatchApplier

DEFS = Definitions()


async def apply_with_retry(
    service: Service, records: list[LoggedEvent], applier: BatchApplier
) -> None:
    for _ in range(20):
        try:
            async with service.pool.acquire() as connection, connection.transaction():
                await applier.apply(connection, records)
            return
        except asyncpg.DeadlockDetectedError:  # the processor loop retries these too
            await asyncio.sleep(random.random() / 50)
    raise AssertionError("no progress after 20 deadlocks")


async def test_concurrent_overlapping_batches_end_in_the_from_scratch_state(
    service: Service,
) -> None:
    events = list(Population(12, seed=9).events)
    random.Random(1).shuffle(events)
    await service.ingest.ingest(events, lambda source: True)
    async with service.pool.acquire() as connection:
        records = await read_after(connection, 0, 10_000)
    rng = random.Random(7)
    lanes: list[list[LoggedEvent]] = [[], [], []]
    for record in records:  # like partitions: each lane keeps log order, lanes interleave
        lanes[rng.randrange(3)].append(record)
    applier = BatchApplier(service.rules, DEFS)

    async def lane(own: list[LoggedEvent]) -> None:
        for chunk in batches(own, 15):
            await apply_with_retry(service, chunk, applier)

    await asyncio.gather(*(lane(own) for own in lanes))
    assert await buckets(service.pool) == await from_scratch(service.pool, DEFS)
