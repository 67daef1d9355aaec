"""Dead letters: records that cannot be decoded or validated, kept with their reason.

Each goes to the `journeyflow.dlq` topic (original key and bytes, headers naming the error,
format and original topic/partition/offset) and to the `dead_letters` table, where
`GET /v1/dead-letters` lists them and `journeyflow dlq replay` re-feeds them after a fix. The
table row is written in the same transaction as the consumer's progress where there is one, so
a record is dead-lettered exactly once however often it is re-read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer, ConsumerRecord

from journeyflow.observability.kafka_metrics import KafkaMetrics
from journeyflow.store.database import Connection

MAX_ERROR = 2000


@dataclass(frozen=True, slots=True)
class DeadLetter:
    stage: str
    """`normalize` (a raw topic) or `process` (the events topic)."""
    format: str | None
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    reason: str
    """A short, bounded label: undecodable, invalid-json, invalid-payload, invalid-event."""
    error: str

    @classmethod
    def of(
        cls, record: ConsumerRecord, stage: str, format_name: str, reason: str, error: str
    ) -> DeadLetter:
        """The dead letter of a consumed record: its origin, key and bytes, and why."""
        return cls(
            stage=stage,
            format=format_name,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value or b"",
            reason=reason,
            error=error,
        )

    def headers(self) -> list[tuple[str, bytes]]:
        return [
            ("journeyflow.error", self.error[:MAX_ERROR].encode()),
            ("journeyflow.reason", self.reason.encode()),
            ("journeyflow.stage", self.stage.encode()),
            ("journeyflow.format", (self.format or "").encode()),
            ("journeyflow.original.topic", self.topic.encode()),
            ("journeyflow.original.partition", str(self.partition).encode()),
            ("journeyflow.original.offset", str(self.offset).encode()),
        ]


async def record(connection: Connection, letters: Sequence[DeadLetter]) -> None:
    """Insert into `dead_letters`; a letter already recorded (same origin) is left alone."""
    if not letters:
        return
    await connection.executemany(
        """
        INSERT INTO dead_letters (stage, format, topic, partition, "offset", key, value, reason,
                                  error)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT ON CONSTRAINT dead_letters_origin DO NOTHING
        """,
        [
            (
                d.stage,
                d.format,
                d.topic,
                d.partition,
                d.offset,
                d.key,
                d.value,
                d.reason,
                d.error[:MAX_ERROR],
            )
            for d in letters
        ],
    )


async def publish(
    producer: AIOKafkaProducer, topic: str, letters: Sequence[DeadLetter], metrics: KafkaMetrics
) -> None:
    """Produce to the DLQ topic and wait for the acks."""
    if not letters:
        return
    pending = [await producer.send(topic, d.value, key=d.key, headers=d.headers()) for d in letters]
    await asyncio.gather(*pending)
    metrics.produced.labels(topic=topic).inc(len(letters))
    for d in letters:
        metrics.dead_letters.labels(format=d.format or "unknown", reason=d.reason).inc()
