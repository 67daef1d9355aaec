"""Prometheus collectors of the Kafka transport, declared in every mode (zero without Kafka) so
dashboards and alerts can reference them unconditionally."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class KafkaMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.consumer_lag = Gauge(
            "journeyflow_kafka_consumer_lag_records",
            "Records in a partition not yet applied (high watermark minus position).",
            ["topic", "partition"],
            registry=registry,
        )
        self.consumed = Counter(
            "journeyflow_kafka_records_consumed",
            "Records read from Kafka, by topic.",
            ["topic"],
            registry=registry,
        )
        self.produced = Counter(
            "journeyflow_kafka_records_produced",
            "Records acknowledged by Kafka, by topic.",
            ["topic"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "journeyflow_dlq_records",
            "Records sent to the dead-letter topic and table, by format and reason.",
            ["format", "reason"],
            registry=registry,
        )
        self.rebalances = Counter(
            "journeyflow_kafka_rebalances",
            "Partition assignments received by a consumer group member.",
            ["group"],
            registry=registry,
        )
        self.abandoned_batches = Counter(
            "journeyflow_kafka_abandoned_batches",
            "Batches rolled back because another processor had moved a partition on.",
            registry=registry,
        )
