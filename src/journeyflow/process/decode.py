"""Logged payloads -> what a batch needs of each event, without validating them again.

Every payload in the log was validated and written in canonical form (`InteractionEvent.to_json`)
by ingest, or by the Kafka processor's check of the events topic, before it was logged; reading
it back is a JSON parse and a few field reads, not a second model validation (which cost as much
as the rest of the batch's Python). A payload that no longer parses as an event is a corrupt log,
and processing stops on it rather than skip it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

import orjson

from journeyflow.errors import JourneyflowError
from journeyflow.journeys.facts import EventFacts
from journeyflow.log import LoggedEvent


class CorruptLogRecord(JourneyflowError):
    """A logged payload no longer reads as an event (it was valid when accepted)."""


class BatchEvent(NamedTuple):
    """One logged event as a batch applies it (a named tuple: one is made per event)."""

    seq: int
    payload: str
    """The canonical JSON text, stored on the timeline as it is."""
    facts: EventFacts
    revision: int
    received_at: datetime | None
    identifiers: dict[str, str]

    @property
    def source(self) -> str:
        return self.facts.source

    @property
    def event_id(self) -> str:
        return self.facts.event_id

    @property
    def occurred_at(self) -> datetime:
        return self.facts.occurred_at


def decode(record: LoggedEvent) -> BatchEvent:
    try:
        payload: dict[str, Any] = orjson.loads(record.payload)
        received = payload.get("received_at")
        return tuple.__new__(
            BatchEvent,
            (
                record.seq,
                record.payload,
                EventFacts.from_payload(payload),
                int(payload.get("revision", 0)),
                None if received is None else datetime.fromisoformat(received),
                payload.get("identifiers") or {},
            ),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise CorruptLogRecord(
            f"log record {record.seq} does not read as an event: {error!r}"
        ) from error
