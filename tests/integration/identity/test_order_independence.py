"""The partition into customers does not depend on arrival order or batch sizes (DESIGN §3)."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import databases
from support.processing import partition

from journeyflow import bootstrap
from journeyflow.demo.population import Population, batches
from journeyflow.observability.metrics import Metrics
from journeyflow.process.batch import BatchApplier
from journeyflow.process.processor import Processor
from journeyflow.settings import Settings

POPULATION = Population(25, seed=3)
EVENTS = POPULATION.events
TRUTH = {
    frozenset((e["source"], e["event_id"]) for e in person.events) for person in POPULATION.people
}


async def stitched_partition(
    server_dsn: str, order_seed: int, ingest_size: int, batch_size: int
) -> set[frozenset[tuple[str, str]]]:
    dsn = await databases.create(server_dsn)
    try:
        service = await bootstrap.start(Settings(database_url=dsn), pool_size=2)
        try:
            arrivals = list(EVENTS)
            random.Random(order_seed).shuffle(arrivals)
            for chunk in batches(arrivals, ingest_size):
                report = await service.ingest.ingest(chunk, lambda source: True)
                assert not report.rejected
            processor = Processor(
                service.pool,
                BatchApplier(service.rules),
                Metrics(),
                batch_size=batch_size,
                linger=timedelta(0),
            )
            await processor.drain()
            return await partition(service.pool)
        finally:
            await service.close()
    finally:
        await databases.drop(server_dsn, dsn)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    order_seed=st.integers(0, 2**32),
    ingest_size=st.integers(1, 200),
    batch_size=st.sampled_from([1, 7, 50, 2000]),
)
def test_any_order_and_batching_gives_one_customer_per_person(
    server_dsn: str, template_dsn: str, order_seed: int, ingest_size: int, batch_size: int
) -> None:
    result = asyncio.run(stitched_partition(server_dsn, order_seed, ingest_size, batch_size))
    assert result == TRUTH
