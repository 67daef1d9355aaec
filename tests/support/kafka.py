"""librdkafka's mock cluster: a real Kafka wire protocol on loopback, no broker to install.

A confluent-kafka client created with `test.mock.num.brokers` holds the cluster for its
lifetime; everything under test talks to it through aiokafka, as it would to a real cluster.
Limits measured with librdkafka 2.16 (DESIGN §7): no controller (admin calls time out), topics
are auto-created with 4 partitions, and only one aiokafka member per consumer group works.
"""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from confluent_kafka import Producer


class MockCluster:
    def __init__(self, brokers: int = 1) -> None:
        self._holder: Any = Producer(
            {"bootstrap.servers": "", "test.mock.num.brokers": brokers, "log_level": 3}
        )
        metadata = self._holder.list_topics(timeout=10)
        self.bootstrap = ",".join(f"{b.host}:{b.port}" for b in metadata.brokers.values())

    def stop(self) -> None:
        """Take every broker down (the cluster dies with its holder)."""
        if self._holder is not None:
            self._holder.close()
            self._holder = None

    async def produce(
        self, topic: str, values: list[bytes], keys: list[bytes | None] | None = None
    ) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        await producer.start()
        try:
            for value, key in zip(values, keys or [None] * len(values), strict=True):
                await producer.send_and_wait(topic, value, key=key)
        finally:
            await producer.stop()

    async def partitions(self, topic: str) -> list[int]:
        """The topic's partitions (asking for them auto-creates the topic, as on a real cluster
        with auto-creation on)."""
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap)
        await producer.start()
        try:
            return sorted(await producer.partitions_for(topic))
        finally:
            await producer.stop()

    async def end_offsets(self, topic: str) -> dict[int, int]:
        partitions = [TopicPartition(topic, p) for p in await self.partitions(topic)]
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap)
        await consumer.start()
        try:
            ends = await consumer.end_offsets(partitions)
            return {tp.partition: offset for tp, offset in ends.items()}
        finally:
            await consumer.stop()

    async def committed(self, group: str, topic: str) -> dict[int, int | None]:
        """The offsets `group` committed to Kafka, by partition (what lag tools read)."""
        partitions = [TopicPartition(topic, p) for p in await self.partitions(topic)]
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, group_id=group, enable_auto_commit=False
        )
        await consumer.start()
        try:
            return {tp.partition: await consumer.committed(tp) for tp in partitions}
        finally:
            await consumer.stop()

    async def read_all(self, topic: str) -> list[Any]:
        """Every record of `topic` up to its current end, all partitions."""
        partitions = [TopicPartition(topic, p) for p in await self.partitions(topic)]
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            end = await consumer.end_offsets(partitions)
            records: list[Any] = []
            while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
                batch = await consumer.getmany(timeout_ms=500)
                for chunk in batch.values():
                    records.extend(chunk)
            return records
        finally:
            await consumer.stop()
