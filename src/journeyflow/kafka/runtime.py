"""The Kafka side of a running service: one producer, the processor, the raw normalizers."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaProducer

from journeyflow.identity.keys import IdentifierRules
from journeyflow.ingest.service import IngestService
from journeyflow.kafka import clients
from journeyflow.kafka.normalizer import RawNormalizer
from journeyflow.kafka.processor import KafkaProcessor
from journeyflow.kafka.topics import Topics
from journeyflow.log.kafka import KafkaEventLog
from journeyflow.observability.kafka_metrics import KafkaMetrics
from journeyflow.observability.metrics import Metrics
from journeyflow.process.batch import BatchApplier
from journeyflow.settings import Settings


@dataclass
class KafkaRuntime:
    producer: AIOKafkaProducer
    ingest: IngestService
    processor: KafkaProcessor
    normalizer: RawNormalizer

    async def close(self) -> None:
        await self.producer.stop()


async def start(
    settings: Settings,
    pool: asyncpg.Pool,
    rules: IdentifierRules,
    applier: BatchApplier,
    metrics: Metrics,
    kafka_metrics: KafkaMetrics,
    *,
    batch_size: int,
) -> KafkaRuntime:
    """Connect the producer (raises when no broker answers) and build the consumers."""
    kafka = settings.kafka
    producer = clients.producer(kafka)
    await producer.start()
    topics = Topics(kafka.topic_prefix)
    log = KafkaEventLog(producer, topics.events, pool, rules, kafka.produce_timeout.total_seconds())
    ingest = IngestService(log, rules, metrics)
    processor = KafkaProcessor(
        kafka,
        pool,
        applier,
        producer,
        metrics,
        kafka_metrics,
        batch_size=batch_size,
        linger_seconds=settings.processing.linger.total_seconds(),
    )
    normalizer = RawNormalizer(
        kafka, settings.normalize, ingest, producer, pool, kafka_metrics, batch_size=batch_size
    )
    return KafkaRuntime(producer, ingest, processor, normalizer)
