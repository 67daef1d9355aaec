"""On a backlog, the Kafka processor fetches, checks and prepares the next batch while one is
applied, and plans that batch's stitching from the first one's transaction (as the embedded
processor does): the plans are used, and the effects are exactly those of processing from
scratch, with no batch abandoned and the lag it reports at zero once the backlog is applied."""

from __future__ import annotations

import asyncio
from pathlib import Path

from support.kafka import MockCluster
from support.metric_tables import buckets, from_scratch

from journeyflow import bootstrap
from journeyflow.journeys import definitions

from .conftest import eventually, ingest_deliveries, settings_for


async def test_a_backlog_is_applied_with_its_batches_fetched_and_planned_ahead(
    cluster: MockCluster, kafka_database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(kafka_database_url, tmp_path, cluster, batch_size=40)
    service = await bootstrap.start(settings, pool_size=3)
    stop = asyncio.Event()
    try:
        await ingest_deliveries(service)  # the whole backlog is there before processing starts
        assert service.kafka is not None
        processor = service.kafka.processor
        run = asyncio.create_task(processor.run(stop))
        ends = await cluster.end_offsets("journeyflow.events")

        async def applied() -> bool:
            return processor.lag == {p: 0 for p in ends} and await service.pool.fetchval(
                "SELECT coalesce(sum(next_offset), 0)::bigint FROM kafka_positions"
            ) == sum(ends.values())

        await eventually(applied)
        stop.set()
        await run

        registry = service.metrics.registry
        used = registry.get_sample_value("journeyflow_stitch_plans_ahead_total", {"result": "used"})
        batches = registry.get_sample_value("journeyflow_batch_events_count") or 0
        assert batches > 10
        assert used is not None, "no batch had its stitching planned ahead"
        assert used >= batches / 2, f"{used} plans used in {batches} batches"
        assert registry.get_sample_value("journeyflow_kafka_abandoned_batches_total") == 0
        assert registry.get_sample_value("journeyflow_processed_events_total") == sum(ends.values())
        assert await buckets(service.pool) == await from_scratch(
            service.pool, definitions.from_settings(settings)
        )
    finally:
        stop.set()
        await service.close()
