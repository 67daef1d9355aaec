"""The log port: ingest appends, processors read in order. Adapters: Postgres (embedded), Kafka."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from journeyflow.events import InteractionEvent


@dataclass(frozen=True, slots=True)
class AppendResult:
    """How many events became durable, and which input positions were already logged."""

    accepted: int
    duplicate_indexes: list[int]


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """An event as read back from the log, with its position."""

    seq: int
    payload: str


class EventLog(Protocol):
    async def append(self, events: Sequence[InteractionEvent]) -> AppendResult:
        """Make `events` durable; nothing is acknowledged before this returns."""
        ...

    async def head(self) -> int:
        """Position of the newest durable event (0 when empty)."""
        ...
