"""The processor loop: read a batch after the stored position, apply it, store the new position.

Effects and position commit in one transaction, so a crash anywhere replays the batch from the
last committed position and nothing is applied twice. The position row is locked `FOR UPDATE`
first: two processors on the same log take turns instead of racing.

While a batch is being applied, the next one is read (on a second connection) and decoded in the
gaps where the batch waits for Postgres, so Python and Postgres work at the same time instead of
taking turns; once it is there, the batch before also plans its stitching while writing its own
last rows (`process.batch`). A read-ahead is only a guess: it is used if the position it was read
after is the position locked for the next batch, and dropped otherwise (another processor moved
on).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta

import asyncpg

from journeyflow.log.postgres import head, read_after
from journeyflow.observability.metrics import Metrics
from journeyflow.process.ahead import Ahead
from journeyflow.process.batch import BatchApplier, BatchResult, CorruptLogRecord, PreparedBatch
from journeyflow.process.locks import EMBEDDED_CONSUMER
from journeyflow.process.observe import observe_batch
from journeyflow.store.database import Connection

log = logging.getLogger(__name__)

RETRY_DELAYS = (0.1, 0.5, 1, 2, 5)


class Processor:
    def __init__(
        self,
        pool: asyncpg.Pool,
        applier: BatchApplier,
        metrics: Metrics,
        *,
        batch_size: int,
        linger: timedelta,
        consumer: str = EMBEDDED_CONSUMER,
    ) -> None:
        self._pool = pool
        self._applier = applier
        self._metrics = metrics
        self._batch_size = batch_size
        self._linger = linger.total_seconds()
        self._consumer = consumer
        self._ahead: _ReadAhead | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Process until `stop` is set; transient database errors are retried with backoff."""
        failures = 0
        try:
            while not stop.is_set():
                try:
                    processed = await self.process_once()
                    failures = 0
                except CorruptLogRecord:
                    raise
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                    delay = RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)]
                    failures += 1
                    log.warning("batch failed (%s); retrying in %.1fs", error, delay)
                    await _sleep_unless(stop, delay)
                    continue
                if processed == 0:
                    await _sleep_unless(stop, self._linger)
        finally:
            await self.close()

    async def drain(self) -> int:
        """Process until the log is exhausted; returns events processed."""
        total = 0
        try:
            while processed := await self.process_once():
                total += processed
        finally:
            await self.close()
        return total

    async def close(self) -> None:
        """Drop a read-ahead in flight."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            await ahead.cancel()

    async def process_once(self) -> int:
        """Apply at most one batch; returns how many events it held (0: caught up)."""
        started = time.perf_counter()
        async with self._pool.acquire() as connection:
            async with connection.transaction():
                position = await self._lock_position(connection)
                batch = await self._next_batch(connection, position)
                if batch is None:
                    result = None
                else:
                    ahead = _ReadAhead(self._pool, self._applier, batch, self._batch_size)
                    self._ahead = ahead
                    result = await self._applier.apply_prepared(connection, batch, ahead.ready)
                    position = batch.last_seq
                    await connection.execute(
                        "UPDATE processor_positions SET position = $2, updated_at = now() "
                        "WHERE consumer = $1",
                        self._consumer,
                        position,
                    )
            log_head = await head(connection)
        self._observe(result, position, log_head, time.perf_counter() - started)
        return 0 if result is None else len(result.events)

    async def _next_batch(self, connection: Connection, position: int) -> PreparedBatch | None:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            batch = await ahead.result(position)
            if batch is not None:
                return batch
        records = await read_after(connection, position, self._batch_size)
        return self._applier.prepare(records) if records else None

    async def _lock_position(self, connection: Connection) -> int:
        await connection.execute(
            "INSERT INTO processor_positions (consumer, position) VALUES ($1, 0) "
            "ON CONFLICT (consumer) DO NOTHING",
            self._consumer,
        )
        position: int = await connection.fetchval(
            "SELECT position FROM processor_positions WHERE consumer = $1 FOR UPDATE",
            self._consumer,
        )
        return position

    def _observe(
        self, result: BatchResult | None, position: int, log_head: int, seconds: float
    ) -> None:
        m = self._metrics
        m.log_head.set(log_head)
        m.processed_position.set(position)
        m.lag_events.set(max(0, log_head - position))
        if result is not None:
            observe_batch(m, result, self._applier.definitions, seconds)


class _ReadAhead:
    """The batch after `previous`, read and prepared in the background."""

    def __init__(
        self, pool: asyncpg.Pool, applier: BatchApplier, previous: PreparedBatch, size: int
    ) -> None:
        self._after = previous.last_seq
        self._work = Ahead(self._read(pool, applier, size), "read-ahead")

    async def _read(
        self, pool: asyncpg.Pool, applier: BatchApplier, size: int
    ) -> PreparedBatch | None:
        async with pool.acquire() as connection:
            records = await read_after(connection, self._after, size)
        return await applier.prepare_cooperatively(records) if records else None

    def ready(self) -> PreparedBatch | None:
        """The batch read ahead if it is there already (None while reading, or if it failed)."""
        return self._work.ready()

    async def cancel(self) -> None:
        await self._work.cancel()

    async def result(self, position: int) -> PreparedBatch | None:
        """The batch read ahead, if it follows `position`; None to read it again (a failed or
        empty read-ahead, or another processor applied batches in between)."""
        try:
            batch = await self._work.result()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, CorruptLogRecord):
            return None  # reading again raises it where it belongs, or succeeds
        return batch if position == self._after else None


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
