"""Buckets equal a from-scratch derivation, and scorecards for every `by` are identical, whatever
the arrival order, batching and duplicates."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import databases
from support.metric_tables import Cells, buckets, from_scratch, hourly

from journeyflow import bootstrap
from journeyflow.demo.population import Population, batches
from journeyflow.journeys.definitions import Definitions
from journeyflow.observability.metrics import Metrics
from journeyflow.process.batch import BatchApplier
from journeyflow.process.processor import Processor
from journeyflow.query.scorecard import GroupBy, Scope, scorecard
from journeyflow.settings import Settings

EVENTS = Population(12, seed=5).events
DEFS = Definitions()
NOW = datetime(2026, 12, 31, tzinfo=UTC)
START = datetime(2026, 1, 1, tzinfo=UTC)
REFERENCE: list[dict[str, Any]] = []


async def run(
    server_dsn: str, order_seed: int, ingest_size: int, batch_size: int
) -> tuple[Cells, Cells, Cells, dict[str, Any]]:
    """(minute buckets, hourly buckets, from-scratch minute cells, scorecards) after processing."""
    dsn = await databases.create(server_dsn)
    try:
        service = await bootstrap.start(Settings(database_url=dsn), pool_size=2)
        try:
            rng = random.Random(order_seed)
            arrivals = list(EVENTS) + rng.sample(EVENTS, len(EVENTS) // 4)  # duplicates
            rng.shuffle(arrivals)
            processor = Processor(
                service.pool,
                BatchApplier(service.rules, DEFS),
                Metrics(),
                batch_size=batch_size,
                linger=timedelta(0),
            )
            for chunk in batches(arrivals, ingest_size):
                await service.ingest.ingest(chunk, lambda source: True)
                if rng.random() < 0.5:  # interleave processing with arrivals
                    await processor.drain()
            await processor.drain()
            async with service.pool.acquire() as connection:
                cards = {
                    by.value: await scorecard(
                        connection, Scope(START, NOW, by, NOW, DEFS.repeat_window)
                    )
                    for by in GroupBy
                }
            return (
                await buckets(service.pool),
                await buckets(service.pool, "metric_buckets_hourly"),
                await from_scratch(service.pool, DEFS),
                cards,
            )
        finally:
            await service.close()
    finally:
        await databases.drop(server_dsn, dsn)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    order_seed=st.integers(0, 2**32),
    ingest_size=st.integers(1, 120),
    batch_size=st.sampled_from([1, 9, 60, 2000]),
)
def test_buckets_equal_a_from_scratch_derivation_in_any_arrival_order(
    server_dsn: str, template_dsn: str, order_seed: int, ingest_size: int, batch_size: int
) -> None:
    minutes, hours, truth, cards = asyncio.run(run(server_dsn, order_seed, ingest_size, batch_size))
    assert minutes == truth
    assert hours == hourly(truth)
    assert sum(v for k, v in truth.items() if k[-1] == "repeats") > 0
    if not REFERENCE:
        REFERENCE.append(asyncio.run(run(server_dsn, 0, len(EVENTS), 2000))[3])
    assert cards == REFERENCE[0]
    assert cards["intent"]["rows"][0]["contacts"] > 0
