"""The composition root: the one place that reads settings and wires adapters together.

`start()` connects (embedded Postgres when no URL is set), migrates, and returns a `Service`
holding every component; nothing in journeyflow connects at import time. With a Kafka bootstrap
address the log is Kafka (ingest produces, the Kafka processor and raw normalizers consume);
without one it is the `event_log` table and the embedded processor.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import secrets
from collections.abc import Callable, Coroutine
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from journeyflow.errors import ConfigurationError
from journeyflow.identity.keys import IdentifierRules
from journeyflow.ingest.service import IngestService
from journeyflow.journeys import definitions
from journeyflow.kafka import runtime as kafka_runtime
from journeyflow.kafka.runtime import KafkaRuntime
from journeyflow.log.postgres import PostgresEventLog
from journeyflow.native import describe, stale_modules
from journeyflow.observability.kafka_metrics import KafkaMetrics
from journeyflow.observability.metrics import Metrics
from journeyflow.process.batch import BatchApplier
from journeyflow.process.processor import Processor
from journeyflow.settings import Scope, Settings
from journeyflow.store import migrate
from journeyflow.store.database import connect
from journeyflow.store.embedded import EmbeddedPostgres

log = logging.getLogger(__name__)

ADMIN_KEY_FILE = "admin-api-key"

Worker = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
"""A log consumer's `run(stop)`: works until the event is set, then returns."""


@dataclass
class Service:
    settings: Settings
    pool: asyncpg.Pool
    metrics: Metrics
    rules: IdentifierRules
    ingest: IngestService
    processor: Processor
    """The embedded log's processor (idle in Kafka mode)."""
    embedded: EmbeddedPostgres | None = None
    kafka: KafkaRuntime | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _workers: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def workers(self) -> dict[str, Worker]:
        """The consumers of the log this service runs: by name, their `run(stop)`."""
        if self.kafka is None:
            return {"processor": self.processor.run}
        return {"processor": self.kafka.processor.run, "normalizer": self.kafka.normalizer.run}

    def worker(self, name: str) -> Worker:
        workers = self.workers
        if name not in workers:
            mode = "Kafka" if self.kafka else "the embedded log"
            raise ConfigurationError(f"no {name} with {mode} (see JOURNEYFLOW_KAFKA__…)")
        return workers[name]

    def start_processing(self) -> None:
        """Run the consumers of the log in the background until `close()`."""
        self._stop.clear()
        if not self.settings.processing.in_serve:
            return
        if self.kafka is not None and not self.settings.kafka.run_consumers:
            return
        self._workers = [
            asyncio.create_task(run(self._stop), name=name) for name, run in self.workers.items()
        ]

    @property
    def processing_error(self) -> BaseException | None:
        """Why a background worker stopped, if one did (readiness reports it)."""
        for task in self._workers:
            if task.done() and not task.cancelled() and task.exception() is not None:
                return task.exception()
        return None

    async def close(self) -> None:
        """Let the workers finish their batch in flight, then release everything; bounded, so a
        broker that is gone cannot hold the shutdown forever."""
        self._stop.set()
        patience = self.settings.processing.shutdown_timeout.total_seconds()
        if self._workers:
            _, late = await asyncio.wait(self._workers, timeout=patience)
            for task in late:
                log.warning("background %s did not stop in time; cancelling it", task.get_name())
                task.cancel()
            for task in self._workers:
                with suppress(asyncio.CancelledError):
                    try:
                        await task
                    except Exception:
                        log.exception("background %s had stopped with an error", task.get_name())
        await self.processor.close()
        if self.kafka is not None:
            try:
                await asyncio.wait_for(self.kafka.close(), patience)
            except TimeoutError:
                log.warning("Kafka producer did not close in time")
        await self.pool.close()
        if self.embedded is not None:
            self.embedded.stop()


async def database_dsn(settings: Settings) -> tuple[str, EmbeddedPostgres | None]:
    if settings.database_url:
        return settings.database_url, None
    embedded = EmbeddedPostgres(settings.data_dir)
    dsn = await asyncio.to_thread(embedded.start)
    return dsn, embedded


YOUNG_OBJECTS_PER_EVENT = 150
"""Tracked objects a standalone processor may hold, per event of its batch size, between two
young-generation collections: a batch and the one read ahead keep 50-80 an event alive at their
peak, with the state cache's growth on top (sampled over 1M events: 1.83M objects with batches of
20,000, 2.37M with 40,000); 150 leaves twice that as a margin."""


def tune_garbage_collection(*, beside_http: bool = True, batch_size: int = 0) -> None:
    """Collect reference cycles far less often than CPython's default (every 700 allocations).

    A processor allocates millions of short-lived tuples a minute while its state cache keeps
    hundreds of thousands alive; with the default thresholds the collector re-scanned that state
    so often that it took about 40 % of processing time (measured with `make bench`). journeyflow
    makes no reference cycles on its hot path, so rare collections lose nothing.

    Beside HTTP, a young-generation collection every 50,000 net allocations keeps each pause
    short (tens of milliseconds, inside a request's p99). A standalone processor has no requests
    to hold up, so its threshold sits above what one batch keeps alive at once (batch and
    read-ahead, `YOUNG_OBJECTS_PER_EVENT` for each event of `batch_size`): its objects are freed
    before any collection scans them, and only what outlives batches is scanned, in rare longer
    pauses. A fixed 500,000 suited batches of 10,000; with batches of 20,000 every collection
    scanned a batch in flight: 7 collections took 3.1 s over 1M events (none with this rule), and
    larger batches, which re-derive less, looked no faster only because they were scanned more.
    """
    standalone = max(500_000, YOUNG_OBJECTS_PER_EVENT * batch_size)
    gc.set_threshold(50_000 if beside_http else standalone, 20, 100)


async def start(settings: Settings, *, pool_size: int = 10, beside_http: bool = True) -> Service:
    """Wire the service; `beside_http`: its processor shares the event loop with `serve`'s HTTP
    (smaller default batches)."""
    batch_size = settings.processing.batch_for(beside_http=beside_http)
    tune_garbage_collection(beside_http=beside_http, batch_size=batch_size)
    log.info(describe())
    if stale := stale_modules():
        log.warning("compiled modules older than their sources (run make): %s", ", ".join(stale))
    dsn, embedded = await database_dsn(settings)
    try:
        await migrate.upgrade(dsn)
        pool = await connect(dsn, max_size=pool_size)
    except BaseException:
        if embedded is not None:
            embedded.stop()
        raise
    metrics = Metrics()
    kafka_metrics = KafkaMetrics(metrics.registry)
    rules = IdentifierRules(settings.identity, settings.default_phone_region)
    applier = BatchApplier(
        rules,
        definitions.from_settings(settings),
        cache_events=settings.processing.state_cache_events,
    )
    processor = Processor(
        pool,
        applier,
        metrics,
        batch_size=batch_size,
        linger=settings.processing.linger,
    )
    kafka: KafkaRuntime | None = None
    if settings.kafka.enabled:
        try:
            kafka = await kafka_runtime.start(
                settings, pool, rules, applier, metrics, kafka_metrics, batch_size=batch_size
            )
        except BaseException:
            await pool.close()
            if embedded is not None:
                embedded.stop()
            raise
        ingest = kafka.ingest
    else:
        ingest = IngestService(PostgresEventLog(pool), rules, metrics)
    return Service(settings, pool, metrics, rules, ingest, processor, embedded, kafka)


def api_keys(settings: Settings) -> dict[str, list[Scope]]:
    """Configured keys, or else an admin key generated once into a 0600 file: never run open."""
    if settings.api_keys:
        return settings.api_keys
    path = settings.data_dir / ADMIN_KEY_FILE
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with suppress(FileExistsError):  # another process wrote it first: read that one
            _write_private(path, "jf_" + secrets.token_urlsafe(32))
    log.warning("no API keys configured; admin key is in %s", path.resolve())
    return {path.read_text().strip(): ["admin"]}


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
