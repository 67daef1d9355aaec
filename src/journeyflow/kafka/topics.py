"""Topic names, and creating them on a real cluster (processing never needs admin calls)."""

from __future__ import annotations

from dataclasses import dataclass

from journeyflow.kafka.settings import KafkaSettings


@dataclass(frozen=True, slots=True)
class Topics:
    prefix: str

    @property
    def events(self) -> str:
        """Unified events, keyed by contact id (else the strongest identifier)."""
        return f"{self.prefix}.events"

    @property
    def dlq(self) -> str:
        """Records that could not be decoded or validated, with the reason in headers."""
        return f"{self.prefix}.dlq"

    def raw(self, format_name: str) -> str:
        """Native payloads of one format, as producers send them."""
        return f"{self.prefix}.raw.{format_name}"

    def format_of(self, raw_topic: str) -> str | None:
        head = f"{self.prefix}.raw."
        return raw_topic.removeprefix(head) if raw_topic.startswith(head) else None


async def create_topics(settings: KafkaSettings, names: list[str]) -> list[str]:
    """Create the missing ones among `names`; returns those created. Needs a real controller."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    from journeyflow.kafka.clients import client_options

    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in names if name not in existing]
        if missing:
            await admin.create_topics(
                [
                    NewTopic(name, settings.partitions, settings.replication_factor)
                    for name in missing
                ]
            )
        return missing
    finally:
        await admin.close()
