"""Raw-topic consumers: native payloads on `journeyflow.raw.<format>` -> `journeyflow.events`.

The same pure normalizers as `POST /v1/ingest/{format}` run here, through the same ingest
service (whose log is the events topic). A record that cannot be decoded, or whose payloads do not
normalize, is dead-lettered with the reason; the valid records around it go on. Offsets are
committed only after every event and dead letter of the batch is acknowledged, so a crash re-reads
the batch: events are produced again (processing is idempotent on their ids) and dead letters
are recorded once (the table is keyed by origin).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer, ConsumerRecord, TopicPartition

from journeyflow.ingest.service import IngestService
from journeyflow.kafka import clients, dead_letters
from journeyflow.kafka.dead_letters import DeadLetter
from journeyflow.kafka.settings import KafkaSettings
from journeyflow.kafka.topics import Topics
from journeyflow.log import LogUnavailable
from journeyflow.normalize import registry
from journeyflow.normalize.format import NormalizeError
from journeyflow.normalize.settings import NormalizeSettings
from journeyflow.observability.kafka_metrics import KafkaMetrics

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class _Payload:
    record: ConsumerRecord
    body: Any


class RawNormalizer:
    def __init__(
        self,
        settings: KafkaSettings,
        normalize_settings: NormalizeSettings,
        ingest: IngestService,
        producer: AIOKafkaProducer,
        pool: asyncpg.Pool,
        metrics: KafkaMetrics,
        *,
        batch_size: int,
        formats: Sequence[str] | None = None,
    ) -> None:
        self._settings = settings
        self._normalize_settings = normalize_settings
        self._ingest = ingest
        self._producer = producer
        self._pool = pool
        self._metrics = metrics
        self._batch_size = batch_size
        self._topics = Topics(settings.topic_prefix)
        self._formats = list(formats or registry.names())

    async def run(self, stop: asyncio.Event) -> None:
        raw_topics = [self._topics.raw(name) for name in self._formats]
        consumer = clients.consumer(self._settings, self._settings.normalizer_group_id, *raw_topics)
        await consumer.start()
        try:
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=100, max_records=self._batch_size)
                if not batch:
                    continue
                try:
                    await self.handle(batch)
                except LogUnavailable as error:
                    log.warning("raw batch not produced (%s); re-reading it", error)
                    for tp in batch:
                        await _rewind(consumer, tp)
                    await asyncio.sleep(RETRY_SECONDS)
                    continue
                await consumer.commit({tp: records[-1].offset + 1 for tp, records in batch.items()})
        finally:
            await consumer.stop()

    async def handle(self, batch: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        """Normalize every record of the batch, produce its events, dead-letter the rest."""
        by_format: dict[str, list[_Payload]] = defaultdict(list)
        letters: list[DeadLetter] = []
        for tp, records in batch.items():
            self._metrics.consumed.labels(topic=tp.topic).inc(len(records))
            name = self._topics.format_of(tp.topic) or "unknown"
            for record in records:
                decoded = self._decode(name, record)
                if isinstance(decoded, DeadLetter):
                    letters.append(decoded)
                else:
                    by_format[name].extend(_Payload(record, body) for body in decoded)
        for name, payloads in by_format.items():
            letters.extend(await self._normalize(name, payloads))
        if letters:
            async with self._pool.acquire() as connection:
                await dead_letters.record(connection, letters)
            try:
                await dead_letters.publish(self._producer, self._topics.dlq, letters, self._metrics)
            except Exception as error:  # any producer failure: retry the batch
                raise LogUnavailable(f"dead letters not acknowledged: {error!r}") from error

    def _decode(self, name: str, record: ConsumerRecord) -> Sequence[Any] | DeadLetter:
        value: bytes = record.value or b""
        try:
            body = orjson.loads(value)
        except orjson.JSONDecodeError as error:
            try:
                value.decode("utf-8")
            except UnicodeDecodeError:
                return _letter(name, record, "undecodable", "record value is not UTF-8 text")
            return _letter(name, record, "invalid-json", f"record value is not JSON: {error}")
        try:
            return registry.get(name).split(body)
        except NormalizeError as error:
            return _letter(name, record, "invalid-payload", str(error))

    async def _normalize(self, name: str, payloads: list[_Payload]) -> list[DeadLetter]:
        fmt = registry.get(name)
        report = await self._ingest.ingest_native(
            fmt, [p.body for p in payloads], lambda source: True, self._normalize_settings
        )
        self._metrics.produced.labels(topic=self._topics.events).inc(report.accepted)
        # One dead letter per record, however many of its payloads were rejected.
        rejected_records: dict[tuple[str, int, int], ConsumerRecord] = {}
        errors: dict[tuple[str, int, int], list[str]] = defaultdict(list)
        for rejected in report.rejected:
            record = payloads[rejected.index].record
            origin = (record.topic, record.partition, record.offset)
            rejected_records[origin] = record
            errors[origin].extend(rejected.errors)
        return [
            _letter(name, rejected_records[origin], "invalid-payload", "; ".join(lines))
            for origin, lines in errors.items()
        ]


def _letter(name: str, record: ConsumerRecord, reason: str, error: str) -> DeadLetter:
    return DeadLetter.of(record, "normalize", name, reason, error)


async def _rewind(consumer: Any, tp: TopicPartition) -> None:
    committed = await consumer.committed(tp)
    if committed is None:
        await consumer.seek_to_beginning(tp)
    else:
        consumer.seek(tp, committed)
