"""`python -m bench.kafka_feed DSN EVENTS`: a Kafka cluster fed with events, for the Kafka stage.

Runs in a process of its own so the processor's CPU figures hold no broker or producer work. It
starts librdkafka's mock cluster, prints its bootstrap address and how many events it will
produce, then produces the same events as the embedded stage's log (`process.log_rows`), as
ingest would: canonical JSON on `journeyflow.events`, keyed by contact, else the strongest
identifier (`KafkaEventLog.key_of`).

The mock broker keeps only about 5 MB per partition and drops older segments silently, so the
feeder stays at most `AHEAD` records ahead of what the processor has applied (its positions in
Postgres): the processor is never short of a full batch, and nothing is dropped unread. It
prints `produced N` when done, and keeps the cluster up until its stdin closes.
"""

from __future__ import annotations

import asyncio
import sys

import asyncpg
import orjson
from confluent_kafka import Producer

from bench.process import APPLIED_ON_KAFKA, log_rows
from journeyflow.events import InteractionEvent
from journeyflow.identity.keys import IdentifierRules
from journeyflow.log.kafka import KafkaEventLog
from journeyflow.settings import Settings

TOPIC = "journeyflow.events"
AHEAD = 24_000
"""Records produced beyond the applied positions (about 3 MB per partition, under the mock's
5 MB): two of the processor's 10,000-event batches and some."""


def records(count: int) -> list[tuple[bytes, bytes]]:
    """(value, key) of each event, as `KafkaEventLog` produces it."""
    settings = Settings()
    rules = IdentifierRules(settings.identity, settings.default_phone_region)
    keyer = KafkaEventLog(None, TOPIC, None, rules, 0)  # type: ignore[arg-type]
    keyed = []
    for row in log_rows(count, seed=3):
        payload = row[4]
        event = InteractionEvent.model_validate(orjson.loads(payload))
        keyed.append((payload.encode(), keyer.key_of(event)))
    return keyed


async def feed(dsn: str, keyed: list[tuple[bytes, bytes]], bootstrap: str) -> int:
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "linger.ms": 50,
            "batch.size": 4_000_000,
            "enable.idempotence": True,
            "queue.buffering.max.messages": 1_000_000,
        }
    )
    connection = await asyncpg.connect(dsn)
    try:
        produced = 0
        while produced < len(keyed):
            applied = await connection.fetchval(APPLIED_ON_KAFKA)
            room = min(len(keyed), applied + AHEAD) - produced
            for value, key in keyed[produced : produced + max(0, room)]:
                producer.produce(TOPIC, value, key=key)
            produced += max(0, room)
            producer.flush(30)
            await asyncio.sleep(0.02)
    finally:
        await connection.close()
    return produced


def main() -> None:
    dsn, count = sys.argv[1], int(sys.argv[2])
    keyed = records(count)
    holder = Producer({"bootstrap.servers": "", "test.mock.num.brokers": 1, "log_level": 3})
    metadata = holder.list_topics(timeout=10)
    bootstrap = ",".join(f"{b.host}:{b.port}" for b in metadata.brokers.values())
    holder.list_topics(TOPIC, timeout=10)  # auto-creates it (4 partitions)
    print(bootstrap, len(keyed), flush=True)
    produced = asyncio.run(feed(dsn, keyed, bootstrap))
    print(f"produced {produced}", flush=True)
    sys.stdin.read()  # the cluster lives until the bench is done with it


if __name__ == "__main__":
    main()
