"""The Kafka log: ingest produces unified events to `journeyflow.events` and waits for the ack.

The producer is idempotent with `acks=all`, so an acknowledged event is on every in-sync replica
exactly once. Nothing is acknowledged to the caller before the broker acknowledged it; a broker
that does not answer within `produce_timeout` gives `LogUnavailable` (HTTP 503), never a hang and
never a false 202. A send that timed out may still land later: processing is idempotent on
`(source, event_id, revision)`, so the caller's retry does no harm.

Duplicates of already *processed* events are detected against the timeline before producing (a
resend of an event still in flight is caught by processing instead, and counted nowhere twice).
Records are keyed by contact (`<source>/<contact_id>`), else by the event's strongest identifier,
so the events of one contact stay in order on one partition.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from journeyflow.events import InteractionEvent
from journeyflow.identity.keys import CONTACT, IdentifierRules
from journeyflow.log.port import AppendResult, LogUnavailable, latest_revisions, stamped

_PROCESSED = """
SELECT t.source, t.event_id
FROM unnest($1::text[], $2::text[], $3::bigint[]) AS i(source, event_id, revision)
JOIN timeline t ON t.source = i.source AND t.event_id = i.event_id AND t.revision >= i.revision
"""


class KafkaEventLog:
    def __init__(
        self,
        producer: AIOKafkaProducer,
        topic: str,
        pool: asyncpg.Pool,
        rules: IdentifierRules,
        timeout: float,
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._pool = pool
        self._rules = rules
        self._timeout = timeout

    async def append(self, events: Sequence[InteractionEvent]) -> AppendResult:
        latest = latest_revisions(events)
        processed = await self._already_processed([events[i] for i in latest.values()])
        fresh = {key: i for key, i in latest.items() if key not in processed}
        now = datetime.now(UTC)
        try:
            await asyncio.wait_for(
                self._produce([stamped(events[i], now) for i in fresh.values()]), self._timeout
            )
        except (KafkaError, TimeoutError) as error:
            raise LogUnavailable(f"Kafka did not acknowledge the events: {error!r}") from error
        duplicates = sorted(set(range(len(events))) - set(fresh.values()))
        return AppendResult(accepted=len(fresh), duplicate_indexes=duplicates)

    async def _produce(self, events: list[InteractionEvent]) -> None:
        pending = [
            await self._producer.send(self._topic, event.to_json(), key=self.key_of(event))
            for event in events
        ]
        await asyncio.gather(*pending)

    async def _already_processed(self, events: list[InteractionEvent]) -> set[tuple[str, str]]:
        if not events:
            return set()
        rows = await self._pool.fetch(
            _PROCESSED,
            [e.source for e in events],
            [e.event_id for e in events],
            [e.revision for e in events],
        )
        return {(row["source"], row["event_id"]) for row in rows}

    def key_of(self, event: InteractionEvent) -> bytes:
        """`<source>/<contact_id>`, else the strongest identifier, else the event itself."""
        keys = self._rules.keys_of(event.identifiers, event.source, event.contact_id)
        for key in keys:
            if key.type == CONTACT:
                return key.value.encode()
        if keys:
            strongest = min(keys, key=lambda k: (self._rules.priority(k.type), k))
            return f"{strongest.type}:{strongest.value}".encode()
        return f"{event.source}/{event.event_id}".encode()
