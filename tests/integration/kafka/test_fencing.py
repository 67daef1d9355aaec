"""A processor that reads partitions another one has already applied (a zombie after a
rebalance, or a misconfigured static assignment) applies nothing twice: its transaction finds
the stored position moved past its batch, rolls back, and re-seeks."""

from __future__ import annotations

import asyncio
from pathlib import Path

from support.kafka import MockCluster
from support.metric_tables import buckets, from_scratch

from journeyflow import bootstrap
from journeyflow.journeys import definitions

from .conftest import DELIVERIES, eventually, ingest_deliveries, settings_for


async def test_two_processors_on_the_same_partitions_apply_every_event_once(
    cluster: MockCluster, kafka_database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(
        kafka_database_url, tmp_path, cluster, batch_size=10, assigned_partitions=[0, 1, 2, 3]
    )
    first = await bootstrap.start(settings, pool_size=3)
    second = await bootstrap.start(settings, pool_size=3)
    stop = asyncio.Event()
    try:
        await ingest_deliveries(first)
        assert first.kafka is not None
        assert second.kafka is not None
        runs = [
            asyncio.create_task(first.kafka.processor.run(stop)),
            asyncio.create_task(second.kafka.processor.run(stop)),
        ]
        unique = len({(e["source"], e["event_id"]) for e in DELIVERIES})

        async def applied() -> bool:
            return bool(await first.pool.fetchval("SELECT count(*) FROM timeline") == unique)

        await eventually(applied)
        stop.set()
        await asyncio.gather(*runs)

        abandoned = sum(
            s.metrics.registry.get_sample_value("journeyflow_kafka_abandoned_batches_total") or 0
            for s in (first, second)
        )
        assert abandoned > 0, "the two processors never met on a partition"
        applied_events = sum(
            s.metrics.registry.get_sample_value("journeyflow_processed_events_total") or 0
            for s in (first, second)
        )
        records = sum((await cluster.end_offsets("journeyflow.events")).values())
        assert applied_events == records, "a record was applied twice or not at all"
        expected = await from_scratch(first.pool, definitions.from_settings(settings))
        assert await buckets(first.pool) == expected
    finally:
        stop.set()
        await first.close()
        await second.close()


async def test_a_lone_processor_starting_from_nothing_stored_abandons_no_batch(
    cluster: MockCluster, kafka_database_url: str, tmp_path: Path
) -> None:
    """Abandoned batches mean another processor got there first: an alert may watch them, so
    one processor alone must never count one, not even on its first start."""
    service = await bootstrap.start(
        settings_for(kafka_database_url, tmp_path, cluster, batch_size=50), pool_size=3
    )
    stop = asyncio.Event()
    try:
        await ingest_deliveries(service)
        assert service.kafka is not None
        run = asyncio.create_task(service.kafka.processor.run(stop))
        records = sum((await cluster.end_offsets("journeyflow.events")).values())

        async def applied() -> bool:
            stored = await service.pool.fetchval(
                "SELECT coalesce(sum(next_offset), 0)::bigint FROM kafka_positions"
            )
            return bool(stored == records)

        await eventually(applied)
        stop.set()
        await run
        registry = service.metrics.registry
        abandoned = registry.get_sample_value("journeyflow_kafka_abandoned_batches_total")
        assert abandoned == 0
        assert registry.get_sample_value("journeyflow_processed_events_total") == records
    finally:
        stop.set()
        await service.close()
