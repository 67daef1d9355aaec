"""The log port: ingest appends, processors read in order. Adapters: Postgres (embedded), Kafka."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol

from journeyflow.errors import JourneyflowError
from journeyflow.events import InteractionEvent


@dataclass(frozen=True, slots=True)
class AppendResult:
    """How many events became durable, and which input positions were already logged."""

    accepted: int
    duplicate_indexes: list[int]


class LoggedEvent(NamedTuple):
    """An event as read back from the log, with its position; `payload` is the canonical JSON
    of a validated event (`InteractionEvent.to_json`). A named tuple, as the other records a
    processor makes per event: a frozen dataclass's `__init__` sets each field through
    `object.__setattr__` (six fields: 0.60 µs against 0.22)."""

    seq: int
    payload: str


class LogUnavailable(JourneyflowError):
    """The log cannot make events durable right now (e.g. no broker answers): retry later."""


class EventLog(Protocol):
    async def append(self, events: Sequence[InteractionEvent]) -> AppendResult:
        """Make `events` durable; nothing is acknowledged before this returns. Events carry the
        `received_at` ingest stamped on them (one without is stamped now)."""
        ...


def stamped(event: InteractionEvent, now: datetime) -> InteractionEvent:
    """`event` with its `received_at`, or received `now` if ingest did not stamp it."""
    return event if event.received_at is not None else event.received(now)


def latest_revisions(events: Sequence[InteractionEvent]) -> dict[tuple[str, str], int]:
    """Index of the item to log for each `(source, event_id)`: its highest revision, first seen
    among equals. Every other item of the request is a duplicate (or a stale revision)."""
    latest: dict[tuple[str, str], int] = {}
    for index, event in enumerate(events):
        key = (event.source, event.event_id)
        if key not in latest or event.revision > events[latest[key]].revision:
            latest[key] = index
    return latest
