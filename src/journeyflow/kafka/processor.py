"""The processor on Kafka: `journeyflow.events` -> Postgres, exactly-once effects.

Each batch is applied in one Postgres transaction together with its (topic, partition, next
offset) positions. On assignment a partition is sought to the position stored in Postgres, never
to Kafka's committed offset (which is committed afterwards, for lag tools only). Before applying,
the transaction locks the batch's position rows and checks that each partition starts exactly
where its stored position says; a processor that lost a partition in a rebalance but still holds
an old batch (a zombie) finds the position moved, rolls back, and re-seeks. Nothing is lost,
nothing applied twice.

Batch transactions of all processors on one database take one transaction-level advisory lock:
identity merges rewrite rows far beyond a batch's own identifiers, and serializing the writing
transactions is what keeps stitching exact across processors. Decoding, validation and the
consumer work run in parallel; the Postgres writes take turns (the same as the embedded log).

A batch takes what the consumer fetches within `linger` of its first records, up to the batch
size (`take_batch`), so a backlog is applied in full batches. While a batch is applied, the next
one is fetched, checked and prepared in the gaps where the batch waits for Postgres, and the
batch plans its stitching, as on the embedded log (`process.processor`). Records are used only
if no rebalance (the first join included) came while they were fetched, and, fetched ahead,
only if the batch before committed; otherwise every assigned partition is sought back to its
stored position and fetched again.

Partitions come from the consumer group, or from `assigned_partitions` (static scaling, no
rebalancing). A revocation waits for the batch in flight to commit or roll back.

Invalid records on the events topic are dead-lettered in the batch's transaction (the
`dead_letters` row is exactly-once) and published to the DLQ topic after the commit (a crash in
between leaves the row without its DLQ record: the table is the record of truth).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from pydantic import ValidationError

from journeyflow.events import InteractionEvent
from journeyflow.events.validation import describe
from journeyflow.kafka import clients, dead_letters
from journeyflow.kafka.dead_letters import DeadLetter
from journeyflow.kafka.settings import KafkaSettings
from journeyflow.kafka.topics import Topics
from journeyflow.log import LoggedEvent
from journeyflow.observability.kafka_metrics import KafkaMetrics
from journeyflow.observability.metrics import Metrics
from journeyflow.process.ahead import Ahead
from journeyflow.process.batch import PREPARE_CHUNK, BatchApplier, BatchResult, PreparedBatch
from journeyflow.process.locks import PROCESS_LOCK
from journeyflow.process.observe import observe_batch
from journeyflow.process.processor import RETRY_DELAYS
from journeyflow.store.database import Connection

log = logging.getLogger(__name__)


class PositionMoved(Exception):
    """Another processor applied this partition past the batch's start: abandon the batch."""


class KafkaProcessor:
    def __init__(
        self,
        settings: KafkaSettings,
        pool: asyncpg.Pool,
        applier: BatchApplier,
        producer: AIOKafkaProducer,
        metrics: Metrics,
        kafka_metrics: KafkaMetrics,
        *,
        batch_size: int,
        linger_seconds: float,
    ) -> None:
        self._settings = settings
        self._pool = pool
        self._applier = applier
        self._producer = producer
        self._metrics = metrics
        self._kafka_metrics = kafka_metrics
        self._batch_size = batch_size
        self._linger_ms = max(1, int(linger_seconds * 1000))
        self._topics = Topics(settings.topic_prefix)
        self._group = settings.group_id
        self._in_flight = asyncio.Lock()
        self._consumer: AIOKafkaConsumer | None = None
        self._generation = 0
        """Bumped by every rebalance: records fetched across one are fetched again."""
        self._applied: dict[TopicPartition, int] = {}
        """Partition -> the offset after the last record applied (as this process last saw:
        set where it seeks, advanced by each batch it commits)."""
        self.lag: dict[int, int] = {}
        """Events-topic partition -> records not yet applied, as last seen by this process."""

    async def run(self, stop: asyncio.Event) -> None:
        """Apply batches until `stop`; the batch in flight is finished first (drain)."""
        consumer = clients.consumer(self._settings, self._group)
        self._consumer = consumer
        await consumer.start()
        ahead: _FetchAhead | None = None
        try:
            if self._settings.assigned_partitions is not None:
                partitions = [
                    TopicPartition(self._topics.events, p)
                    for p in self._settings.assigned_partitions
                ]
                consumer.assign(partitions)
                await self.seek_to_stored(partitions)
            else:
                consumer.subscribe([self._topics.events], listener=_Listener(self))
            failures = 0
            while not stop.is_set():
                if ahead is None:
                    fetched = await self._fetch(consumer)
                else:
                    fetched, ahead = await ahead.result(), None
                if fetched.generation != self._generation:
                    # Fetched across a rebalance (the first join included): the partitions were
                    # sought to their stored positions meanwhile, perhaps after these records
                    # were fetched from elsewhere. Fetch again from what Postgres says.
                    await self.seek_to_stored(list(consumer.assignment()))
                    continue
                if not fetched.records:
                    continue
                ahead = _FetchAhead(self, consumer)
                try:
                    await self.apply(fetched, ahead.ready)
                    failures = 0
                except PositionMoved as moved:
                    self._kafka_metrics.abandoned_batches.inc()
                    log.info("batch abandoned: %s", moved)
                    await _dropped(ahead)
                    ahead = None
                    await self.seek_to_stored(list(consumer.assignment()))
                    continue
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                    delay = RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)]
                    failures += 1
                    log.warning("batch failed (%s); retrying in %.1fs", error, delay)
                    await _dropped(ahead)
                    ahead = None
                    await asyncio.sleep(delay)
                    await self.seek_to_stored(list(consumer.assignment()))
                    continue
                await self._commit_to_kafka(fetched.records)
                self._observe_lag(consumer)
        finally:
            await _dropped(ahead)
            self._consumer = None
            await consumer.stop()

    async def _fetch(self, consumer: AIOKafkaConsumer) -> _Fetched:
        """The next records of the assigned partitions, checked and prepared (yielding to the
        event loop as it goes: this also runs ahead, beside the batch being applied)."""
        generation = self._generation
        records = await take_batch(consumer, self._batch_size, self._linger_ms)
        logged: list[LoggedEvent] = []
        letters: list[DeadLetter] = []
        for chunk in _chunks([r for rs in records.values() for r in rs], PREPARE_CHUNK):
            for record in chunk:
                checked = _check(record)
                if isinstance(checked, DeadLetter):
                    letters.append(checked)
                else:
                    logged.append(LoggedEvent(len(logged) + 1, checked))
            await asyncio.sleep(0)
        batch = await self._applier.prepare_cooperatively(logged) if logged else None
        return _Fetched(records, batch, letters, generation)

    async def apply(
        self, fetched: _Fetched, upcoming: Callable[[], PreparedBatch | None] | None = None
    ) -> None:
        """Apply `fetched` and advance its partitions' stored positions, in one transaction.
        `upcoming`: the batch after it, once fetched (its stitching is planned meanwhile)."""
        started = time.perf_counter()
        for tp, records in fetched.records.items():
            self._kafka_metrics.consumed.labels(topic=tp.topic).inc(len(records))
        async with (
            self._in_flight,
            self._pool.acquire() as connection,
            connection.transaction(),
        ):
            await connection.execute("SELECT pg_advisory_xact_lock($1)", PROCESS_LOCK)
            await self._claim(connection, fetched.records)
            result = (
                None
                if fetched.batch is None
                else await self._applier.apply_prepared(connection, fetched.batch, upcoming)
            )
            await dead_letters.record(connection, fetched.letters)
        for tp, records in fetched.records.items():
            self._applied[tp] = records[-1].offset + 1
        if fetched.letters:
            await dead_letters.publish(
                self._producer, self._topics.dlq, fetched.letters, self._kafka_metrics
            )
        if result is not None:
            self._observe(result, time.perf_counter() - started)

    async def _claim(
        self, connection: Connection, batch: dict[TopicPartition, list[ConsumerRecord]]
    ) -> None:
        """Lock the batch's positions, check they start where the batch starts, advance them."""
        tps = sorted(batch, key=lambda tp: (tp.topic, tp.partition))
        rows = await connection.fetch(
            """
            SELECT topic, partition, next_offset FROM kafka_positions
            WHERE consumer_group = $1 AND (topic, partition) IN (
                SELECT * FROM unnest($2::text[], $3::int[]))
            ORDER BY topic, partition
            FOR UPDATE
            """,
            self._group,
            [tp.topic for tp in tps],
            [tp.partition for tp in tps],
        )
        stored = {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
        for tp in tps:
            expected = stored.get((tp.topic, tp.partition))
            first = batch[tp][0].offset
            if expected is not None and expected != first:
                raise PositionMoved(
                    f"{tp.topic}[{tp.partition}] is at {expected}, batch at {first}"
                )
        await connection.execute(
            """
            INSERT INTO kafka_positions AS k (consumer_group, topic, partition, next_offset)
            SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[])
            ON CONFLICT (consumer_group, topic, partition) DO UPDATE
                SET next_offset = excluded.next_offset, updated_at = now()
            """,
            self._group,
            [tp.topic for tp in tps],
            [tp.partition for tp in tps],
            [batch[tp][-1].offset + 1 for tp in tps],
        )

    async def seek_to_stored(self, partitions: Sequence[TopicPartition]) -> None:
        """Position each partition where Postgres says it was applied up to (else earliest)."""
        consumer = self._consumer
        if consumer is None or not partitions:
            return
        rows = await self._pool.fetch(
            "SELECT topic, partition, next_offset FROM kafka_positions WHERE consumer_group = $1",
            self._group,
        )
        stored = {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
        unseen = [tp for tp in partitions if (tp.topic, tp.partition) not in stored]
        # An explicit offset, not `seek_to_beginning`: that one is a reset request which can
        # land after the consumer's own initial reset has already fetched the first records,
        # sending them again (the batch would be abandoned as if another processor had run).
        beginnings = await consumer.beginning_offsets(unseen) if unseen else {}
        for tp in partitions:
            offset = stored.get((tp.topic, tp.partition))
            self._applied[tp] = beginnings[tp] if offset is None else offset
            consumer.seek(tp, self._applied[tp])

    async def _commit_to_kafka(self, batch: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        """For lag tools only: Postgres is the source of truth for positions."""
        consumer = self._consumer
        if consumer is None:
            return
        try:
            await consumer.commit({tp: records[-1].offset + 1 for tp, records in batch.items()})
        except Exception as error:  # a rebalance or a broker hiccup must not stop processing
            log.info("offset commit to Kafka skipped: %r", error)

    def _observe(self, result: BatchResult, seconds: float) -> None:
        observe_batch(self._metrics, result, self._applier.definitions, seconds)

    def _observe_lag(self, consumer: AIOKafkaConsumer) -> None:
        """Records after the last applied one (not after the consumer's position: the fetch
        ahead has moved that on)."""
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None or tp not in self._applied:
                continue
            lag = max(0, highwater - self._applied[tp])
            self.lag[tp.partition] = lag
            self._kafka_metrics.consumer_lag.labels(tp.topic, str(tp.partition)).set(lag)


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, processor: KafkaProcessor) -> None:
        self._processor = processor

    async def on_partitions_revoked(self, revoked: Any) -> None:
        # Let the batch in flight commit or roll back before the partitions move on.
        self._processor._generation += 1
        async with self._processor._in_flight:
            pass

    async def on_partitions_assigned(self, assigned: Any) -> None:
        self._processor._generation += 1
        self._processor._kafka_metrics.rebalances.labels(group=self._processor._group).inc()
        await self._processor.seek_to_stored(list(assigned))


@dataclass(frozen=True, slots=True)
class _Fetched:
    """One `getmany`: its records by partition, the valid ones prepared, the rest as letters."""

    records: dict[TopicPartition, list[ConsumerRecord]]
    batch: PreparedBatch | None
    letters: list[DeadLetter]
    generation: int
    """The processor's rebalance generation when the fetch began."""


class _FetchAhead:
    """The next `getmany`, fetched, checked and prepared while the batch before is applied."""

    def __init__(self, processor: KafkaProcessor, consumer: AIOKafkaConsumer) -> None:
        self._work = Ahead(processor._fetch(consumer), "fetch-ahead")

    def ready(self) -> PreparedBatch | None:
        """The fetched batch if it is there already (None while fetching, or if it failed)."""
        fetched = self._work.ready()
        return None if fetched is None else fetched.batch

    async def result(self) -> _Fetched:
        """The fetched records; raises what fetching raised (as a fetch in line would)."""
        return await self._work.result()

    async def cancel(self) -> None:
        await self._work.cancel()


async def _dropped(ahead: _FetchAhead | None) -> None:
    """Cancel a fetch ahead (its records are fetched again after the seek that follows)."""
    if ahead is not None:
        await ahead.cancel()


class Fetching(Protocol):
    """What `take_batch` needs of a consumer (a protocol, so tests can script the fetches)."""

    async def getmany(
        self, *partitions: TopicPartition, timeout_ms: int = 0, max_records: int | None = None
    ) -> dict[TopicPartition, list[ConsumerRecord]]: ...


async def take_batch(
    consumer: Fetching, size: int, linger_ms: int
) -> dict[TopicPartition, list[ConsumerRecord]]:
    """The records of one batch, by partition: once the first are there, whatever else the
    consumer fetches within `linger_ms`, up to `size`.

    One `getmany` answers with what the fetches so far brought. Taken alone, it made each batch
    of a backlog one fetch response (5,400 events on average, of 20,000), and with two
    processors taking turns at Postgres, a few events: each fetched ahead what had come in
    while the other applied a batch, which was smaller every time (1,328 events/s over 1M
    events, against 10,155 for one processor). Live traffic waits at most `linger_ms` longer.
    """
    records = await consumer.getmany(timeout_ms=linger_ms, max_records=size)
    count = sum(map(len, records.values()))
    deadline = time.monotonic() + linger_ms / 1000
    while records and count < size and (left := deadline - time.monotonic()) > 0:
        more = await consumer.getmany(timeout_ms=max(1, int(left * 1000)), max_records=size - count)
        for tp, added in more.items():
            records.setdefault(tp, []).extend(added)
            count += len(added)
    return records


def _chunks(items: list[ConsumerRecord], size: int) -> Iterator[list[ConsumerRecord]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check(record: ConsumerRecord) -> str | DeadLetter:
    """The event's canonical JSON if the record is a valid unified event, else its dead letter.

    Validated here once; the batch applier reads the canonical form back without validating,
    exactly as it reads the embedded log (a producer writing straight to the topic may send
    untrimmed or offset timestamps: the timeline stores what validation made of them).
    """
    value: bytes = record.value or b""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return _letter(record, "undecodable", "record value is not UTF-8 text")
    try:
        return InteractionEvent.model_validate_json(text).to_json().decode()
    except ValidationError as error:
        invalid_json = any(e["type"] == "json_invalid" for e in error.errors())
        reason = "invalid-json" if invalid_json else "invalid-event"
        return _letter(record, reason, "; ".join(describe(error)))


def _letter(record: ConsumerRecord, reason: str, error: str) -> DeadLetter:
    return DeadLetter.of(record, "process", "unified", reason, error)
