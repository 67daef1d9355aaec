"""Sustained processing from a pre-filled log: stitch + timeline + contacts/journeys + buckets +
commit, batch after batch, exactly as `journeyflow process` runs it (same classes, same settings).

Each run is a fresh interpreter (`apart`, `python -m bench.process`), as `journeyflow process`
is: its peak RSS is the processor's own, not the bench's (which has held the generated log).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import orjson
import psutil

from bench import writes
from bench.generate import deliveries, events
from bench.postgres import server_cpu_seconds
from journeyflow.bootstrap import start as bootstrap_service
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
APPLIED_ON_KAFKA = "SELECT coalesce(sum(next_offset), 0)::bigint FROM kafka_positions"
"""Records the Kafka processor has applied, over all partitions."""
TOPIC_PARTITIONS = 4
"""The events topic's partitions (librdkafka's mock cluster auto-creates topics with 4)."""


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
        await vacuum_log(connection)
    finally:
        await connection.close()


async def vacuum_log(connection: asyncpg.Connection[asyncpg.Record]) -> None:
    """Leave a filled log as autovacuum leaves an insert-only table: every page's hint bits set,
    which otherwise the processor's first read of each page after the settle's checkpoint sets,
    logging the whole page (data checksums are on): 426 MiB more WAL over 1M events, Postgres
    35 -> 51 us an event; a live log is read before its pages are checkpointed."""
    await connection.execute("VACUUM event_log")
    await connection.execute("ANALYZE")


async def process_all(
    dsn: str, settings: Settings, postgres_cpu: Callable[[], float]
) -> dict[str, Any]:
    """Run the processor to the end of the log; rate overall and over the second half, and the
    CPU time it took in this process (Python) and in Postgres, per event."""
    batch_size = settings.processing.batch_for(beside_http=False)  # as `journeyflow process`
    tune_garbage_collection(beside_http=False, batch_size=batch_size)
    written_before = await writes.snapshot(dsn)
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
    written = writes.per_event(written_before, await writes.snapshot(dsn), done)
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
        "postgres_writes": written,
    }


@dataclass(frozen=True, slots=True)
class Feed:
    """`bench.kafka_feed` running: the mock cluster it holds and what it produces there."""

    bootstrap: str
    events: int
    """How many it produces (`log_rows` gives about as many as asked)."""
    process: asyncio.subprocess.Process
    """Its CPU is the broker's and the producer's."""

    def check(self) -> None:
        if self.process.returncode is not None:
            raise RuntimeError(f"the Kafka feeder exited ({self.process.returncode})")


@contextlib.asynccontextmanager
async def kafka_feeder(dsn: str, events: int) -> AsyncIterator[Feed]:
    """`bench.kafka_feed` in its own process, for as long as the block runs."""
    feeder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.kafka_feed",
        dsn,
        str(events),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert feeder.stdin is not None
    assert feeder.stdout is not None
    try:
        bootstrap, total = (await feeder.stdout.readline()).decode().split()
        yield Feed(bootstrap, int(total), feeder)
    finally:
        feeder.stdin.close()
        await asyncio.wait_for(feeder.wait(), 30)


async def kafka_process_all(
    dsn: str, events: int, postgres_cpu: Callable[[], float]
) -> dict[str, Any]:
    """`journeyflow process` on Kafka (same wiring: `bootstrap.start`, the Kafka processor and
    its defaults) over the same events, fed to librdkafka's mock cluster by `bench.kafka_feed`
    in another process. Timed from the first committed batch (the consumer group's join is not
    processing) to the last; CPU as in `process_all`, the feeder's and the broker's left out."""
    written_before = await writes.snapshot(dsn)
    async with kafka_feeder(dsn, events) as feed:
        settings = Settings(database_url=dsn, kafka={"bootstrap_servers": feed.bootstrap})
        service = await bootstrap_service(settings, pool_size=2, beside_http=False)
        stop = asyncio.Event()
        me = psutil.Process()
        peak = me.memory_info().rss
        try:
            running = asyncio.ensure_future(service.worker("processor")(stop))
            first: tuple[float, int, float, float] | None = None
            done = 0
            while done < feed.events:
                await asyncio.sleep(0.05)
                feed.check()
                if running.done():
                    running.result()  # raises what stopped it
                    raise RuntimeError("the Kafka processor stopped early")
                done = await service.pool.fetchval(APPLIED_ON_KAFKA)
                peak = max(peak, me.memory_info().rss)
                if first is None and done:
                    first = (time.perf_counter(), done, time.process_time(), postgres_cpu())
                    broker_before = _cpu_of(feed.process.pid)
            ended = (time.perf_counter(), time.process_time(), postgres_cpu())
            broker = _cpu_of(feed.process.pid) - broker_before
            batches = service.metrics.registry.get_sample_value("journeyflow_batch_events_count")
            stop.set()
            await running
            customers = await service.pool.fetchval(
                "SELECT count(*) FROM customers WHERE merged_into IS NULL"
            )
        finally:
            await service.close()
    written = writes.per_event(written_before, await writes.snapshot(dsn), done)
    assert first is not None
    figures = since_first_commit(done, first, ended)
    return {
        **figures,
        "customers": customers,
        "batch_size": settings.processing.batch_for(beside_http=False),
        "mean_batch_events": done / max(1, batches or 0),
        "broker_and_feeder_cpu_us_per_event": broker / max(1, figures["timed_events"]) * 1e6,
        "peak_rss_bytes": peak,
        "postgres_writes": written,
    }


async def kafka_scaled_all(
    dsn: str, events: int, postgres_cpu: Callable[[], float], processors: int = 2
) -> dict[str, Any]:
    """Scaling out: `processors` times `journeyflow process` (the command as deployed, each its own
    process) over the same events on Kafka, each given a static share of the topic's four
    partitions (`JOURNEYFLOW_KAFKA__ASSIGNED_PARTITIONS`), as `kafka_process_all` otherwise.
    Their transactions take turns (one advisory lock); consuming, validating, decoding and
    keying run in parallel. CPU: the processors' together, and Postgres's."""
    cli = Path(sys.executable).with_name("journeyflow")
    async with kafka_feeder(dsn, events) as feed:
        members: list[asyncio.subprocess.Process] = []
        try:
            for n in range(processors):
                share = [p for p in range(TOPIC_PARTITIONS) if p % processors == n]
                env = {
                    **os.environ,
                    "JOURNEYFLOW_DATABASE_URL": dsn,
                    "JOURNEYFLOW_KAFKA__BOOTSTRAP_SERVERS": feed.bootstrap,
                    "JOURNEYFLOW_KAFKA__ASSIGNED_PARTITIONS": orjson.dumps(share).decode(),
                    "JOURNEYFLOW_LOG_LEVEL": "warning",
                }
                members.append(
                    await asyncio.create_subprocess_exec(
                        cli, "process", env=env, stdout=asyncio.subprocess.DEVNULL
                    )
                )
            tops = [psutil.Process(m.pid) for m in members]
            connection = await asyncpg.connect(dsn)
            try:
                first: tuple[float, int, float, float] | None = None
                done, peak = 0, 0
                while done < feed.events:
                    await asyncio.sleep(0.05)
                    feed.check()
                    if any(m.returncode is not None for m in members):
                        raise RuntimeError("a Kafka processor exited early")
                    done = await connection.fetchval(APPLIED_ON_KAFKA)
                    peak = max(peak, sum(t.memory_info().rss for t in tops))
                    if first is None and done:
                        first = (time.perf_counter(), done, _cpu_of_all(tops), postgres_cpu())
                ended = (time.perf_counter(), _cpu_of_all(tops), postgres_cpu())
                customers = await connection.fetchval(
                    "SELECT count(*) FROM customers WHERE merged_into IS NULL"
                )
            finally:
                await connection.close()
        finally:
            for member in members:
                if member.returncode is None:
                    member.terminate()  # SIGTERM: finish the batch in flight, exit
            for member in members:
                try:
                    await asyncio.wait_for(member.wait(), 30)
                except TimeoutError:
                    member.kill()
                    await member.wait()
    assert first is not None
    return {
        "processors": processors,
        **since_first_commit(done, first, ended),
        "customers": customers,
        "peak_rss_bytes": peak,
    }


def since_first_commit(
    done: int, first: tuple[float, int, float, float], ended: tuple[float, float, float]
) -> dict[str, Any]:
    """Rate and CPU split of a Kafka run from its first committed batch: `first` is (time,
    events applied, processor CPU, Postgres CPU) then, `ended` (time, processor CPU, Postgres
    CPU) at the end."""
    timed = done - first[1]
    seconds = ended[0] - first[0]
    return {
        "events": done,
        "timed_events": timed,
        "seconds": seconds,
        "per_second": timed / seconds,
        **cpu_split(timed, ended[1] - first[2], ended[2] - first[3]),
    }


def _cpu_of_all(processes: list[psutil.Process]) -> float:
    return sum(_cpu_of(p.pid) for p in processes)


def _cpu_of(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


async def apart(kind: str, dsn: str, postmaster_pid: int, events: int = 0) -> dict[str, Any]:
    """`process_all` ("log"), `kafka_process_all` ("kafka") or `kafka_scaled_all` ("scaled")
    in a fresh interpreter."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.process",
        kind,
        dsn,
        str(postmaster_pid),
        str(events),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"the {kind} processing stage failed ({child.returncode})")
    result: dict[str, Any] = orjson.loads(out)
    return result


async def _main(kind: str, dsn: str, postmaster_pid: int, events: int) -> dict[str, Any]:
    postgres_cpu = functools.partial(server_cpu_seconds, postmaster_pid)
    if kind == "kafka":
        return await kafka_process_all(dsn, events, postgres_cpu)
    if kind == "scaled":
        return await kafka_scaled_all(dsn, events, postgres_cpu)
    return await process_all(dsn, Settings(), postgres_cpu)


if __name__ == "__main__":
    kind, dsn, pid, count = sys.argv[1:5]
    figures = asyncio.run(_main(kind, dsn, int(pid), int(count)))
    sys.stdout.buffer.write(orjson.dumps(figures))
