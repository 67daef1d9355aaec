"""The machine's limits, measured in the same run: raw COPY into Postgres, raw Kafka consume."""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

from bench.generate import TIMELINE_COLUMNS, events


def timeline_rows(count: int, seed: int) -> list[tuple[Any, ...]]:
    """Rows shaped like the processor's timeline rows (same columns, same payload sizes)."""
    now = datetime.now(UTC)
    rows: list[tuple[Any, ...]] = []
    for n, event in enumerate(events(count // 10 + 1, seed=seed)):
        if n == count:
            break
        rows.append(
            (
                n // 17 + 1,
                datetime.fromisoformat(event["occurred_at"]),
                now,
                event["source"],
                event["event_id"],
                0,
                event["kind"],
                event["channel"],
                event.get("contact_id"),
                orjson.dumps({**event, "received_at": now.isoformat()}).decode(),
            )
        )
    return rows


async def copy_rows_per_second(dsn: str, count: int, passes: int = 3) -> dict[str, Any]:
    """asyncpg `copy_records_to_table` into a copy of `timeline` (same indexes), in batches of
    2,000 rows like the processor's, one transaction each: the persistence limit.

    The median of `passes` passes, each into a new table: one pass varied from 98k to 153k rows/s
    between runs on the same machine (each commit waits for a WAL flush on a shared disk)."""
    rows = timeline_rows(count, seed=99)
    connection = await asyncpg.connect(dsn)
    rates: list[float] = []
    try:
        for _ in range(passes):
            await connection.execute("DROP TABLE IF EXISTS bench_copy")
            await connection.execute("CREATE TABLE bench_copy (LIKE timeline INCLUDING ALL)")
            await connection.execute("CHECKPOINT")  # each pass starts from the same state
            started = time.perf_counter()
            for start in range(0, len(rows), 2000):
                async with connection.transaction():
                    await connection.copy_records_to_table(
                        "bench_copy", records=rows[start : start + 2000], columns=TIMELINE_COLUMNS
                    )
            rates.append(len(rows) / (time.perf_counter() - started))
            await connection.execute("DROP TABLE bench_copy")
    finally:
        await connection.close()
    return {"rows": len(rows), "passes_per_second": rates, "per_second": statistics.median(rates)}


RETAINED = 50_000
"""Records produced once; librdkafka's mock cluster drops older segments beyond ~70k of them."""


def raw_consume(count: int) -> dict[str, Any]:
    """Produce `count` events to librdkafka's mock cluster, then time an aiokafka `getmany` +
    orjson decode loop over them: the transport limit of the Kafka path on this machine."""
    from confluent_kafka import Producer

    holder = Producer({"bootstrap.servers": "", "test.mock.num.brokers": 1, "log_level": 3})
    try:
        metadata = holder.list_topics(timeout=10)
        bootstrap = ",".join(f"{b.host}:{b.port}" for b in metadata.brokers.values())
        producer = Producer(
            {
                "bootstrap.servers": bootstrap,
                "linger.ms": 20,
                "queue.buffering.max.messages": 1_000_000,
            }
        )
        for n, event in enumerate(events(RETAINED // 10 + 1, seed=98)):
            if n == RETAINED:
                break
            while True:
                try:
                    producer.produce(
                        "bench.events",
                        orjson.dumps(event),
                        key=event.get("contact_id", "").encode(),
                    )
                    break
                except BufferError:
                    producer.poll(0.05)
        producer.flush(60)
        partitions = sorted(
            holder.list_topics("bench.events", timeout=10).topics["bench.events"].partitions
        )
        return asyncio.run(_consume(bootstrap, partitions, count))
    finally:
        del holder


async def _consume(bootstrap: str, numbers: list[int], count: int) -> dict[str, Any]:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        max_partition_fetch_bytes=8 << 20,
        fetch_max_bytes=32 << 20,
    )
    await consumer.start()
    try:
        partitions = [TopicPartition("bench.events", p) for p in numbers]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        seen = passes = 0
        started = time.perf_counter()
        while seen < count:  # the mock keeps ~70k records: read them again until `count`
            await consumer.seek_to_beginning(*partitions)
            passes += 1
            while any([await consumer.position(tp) < ends[tp] for tp in partitions]):
                batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
                for records in batch.values():
                    for record in records:
                        orjson.loads(record.value)
                    seen += len(records)
        seconds = time.perf_counter() - started
    finally:
        await consumer.stop()
    return {"events": seen, "passes": passes, "seconds": seconds, "per_second": seen / seconds}
