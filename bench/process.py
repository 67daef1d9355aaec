"""Sustained processing from a pre-filled log: stitch + timeline + contacts/journeys + buckets +
commit, batch after batch, exactly as `journeyflow process` runs it (same classes, same settings).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import psutil

from bench.generate import deliveries, events
from journeyflow.bootstrap import tune_garbage_collection
from journeyflow.events import InteractionEvent
from journeyflow.identity.keys import IdentifierRules
from journeyflow.journeys.definitions import from_settings
from journeyflow.observability.metrics import Metrics
from journeyflow.process.batch import BatchApplier
from journeyflow.process.processor import Processor
from journeyflow.settings import Settings
from journeyflow.store.database import connect

PER_PERSON = 17.3  # events per generated person, on average


def cpu_split(events: int, python: float, postgres: float) -> dict[str, float]:
    """CPU per event on each side, and the rate the machine's cores could sustain at that cost
    even if Python and Postgres overlapped perfectly (the ceiling of this design here)."""
    per_event = (python + postgres) / max(1, events)
    return {
        "python_cpu_us_per_event": python / max(1, events) * 1e6,
        "postgres_cpu_us_per_event": postgres / max(1, events) * 1e6,
        "cpu_ceiling_events_per_second": (os.cpu_count() or 1) / per_event if per_event else 0.0,
    }


def log_rows(count: int, seed: int, start: datetime | None = None) -> list[tuple[Any, ...]]:
    """`count` events as ingest would log them: in arrival order (time-ordered across people,
    late arrivals; resent duplicates are not logged twice), validated, `received_at` set."""
    people = int(count / PER_PERSON) + 1
    ordered = sorted(events(people, seed=seed, start=start), key=lambda e: e["occurred_at"])
    received = datetime.now(UTC)
    seen: set[tuple[str, str]] = set()
    rows: list[tuple[Any, ...]] = []
    for raw in deliveries(ordered, seed=seed):
        key = (raw["source"], raw["event_id"])
        if key in seen:
            continue
        seen.add(key)
        event = InteractionEvent.model_validate(raw).model_copy(update={"received_at": received})
        rows.append((event.source, event.event_id, 0, received, event.to_json().decode()))
        if len(rows) == count:
            break
    return rows


async def fill_log(dsn: str, rows: list[tuple[Any, ...]]) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.copy_records_to_table(
            "event_log",
            records=rows,
            columns=("source", "event_id", "revision", "received_at", "payload"),
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def process_all(
    dsn: str, settings: Settings, postgres_cpu: Callable[[], float]
) -> dict[str, Any]:
    """Run the processor to the end of the log; rate overall and over the second half, and the
    CPU time it took in this process (Python) and in Postgres, per event."""
    tune_garbage_collection()
    batch_size = settings.processing.batch_for(beside_http=False)  # as `journeyflow process`
    pool = await connect(dsn, min_size=1, max_size=2)
    try:
        rules = IdentifierRules(settings.identity, settings.default_phone_region)
        applier = BatchApplier(
            rules, from_settings(settings), cache_events=settings.processing.state_cache_events
        )
        processor = Processor(
            pool,
            applier,
            Metrics(),
            batch_size=batch_size,
            linger=timedelta(0),
        )
        total = await pool.fetchval("SELECT count(*) FROM event_log")
        me = psutil.Process()
        peak = me.memory_info().rss
        done = 0
        cpu_before = (time.process_time(), postgres_cpu())
        started = time.perf_counter()
        half_at: tuple[float, int] | None = None
        while processed := await processor.process_once():
            done += processed
            peak = max(peak, me.memory_info().rss)
            if half_at is None and done >= total / 2:
                half_at = (time.perf_counter(), done)
        await processor.close()
        seconds = time.perf_counter() - started
        python_cpu = time.process_time() - cpu_before[0]
        database_cpu = postgres_cpu() - cpu_before[1]
        cache = applier.cache
        customers = await pool.fetchval("SELECT count(*) FROM customers WHERE merged_into IS NULL")
    finally:
        await pool.close()
    assert half_at is not None
    second_half = (done - half_at[1]) / (started + seconds - half_at[0])
    return {
        "events": done,
        "seconds": seconds,
        "per_second": done / seconds,
        "second_half_per_second": second_half,
        "customers": customers,
        "batch_size": batch_size,
        "state_cache_hit_ratio": cache.hits / max(1, cache.hits + cache.misses),
        "state_cache_events": cache.events,
        "rederived_customers_per_event": (cache.hits + cache.misses) / max(1, done),
        **cpu_split(done, python_cpu, database_cpu),
        "peak_rss_bytes": peak,
    }
