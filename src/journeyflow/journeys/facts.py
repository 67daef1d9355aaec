"""The few facts of a timeline event that contacts and journeys are derived from.

Read straight from the stored JSON payload (no full model validation per event: a recompute
reads a customer's whole history every time one of its events arrives).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple

KIND_ORDER: Final = {
    "contact.started": 0,
    "identity.verified": 1,
    "contact.transferred": 2,
    "contact.escalated": 3,
    "contact.ended": 4,
}


class EventFacts(NamedTuple):
    source: str
    event_id: str
    occurred_at: datetime
    kind: str
    channel: str
    contact_id: str | None = None
    previous_contact_ref: str | None = None
    intent: str | None = None
    department: str | None = None
    agent_id: str | None = None
    to_department: str | None = None
    to_agent_id: str | None = None
    outcome: str | None = None
    handle_ms: int | None = None
    csat: int | None = None
    nps: int | None = None
    ces: int | None = None

    @property
    def order(self) -> tuple[datetime, int, str, str]:
        """Total order on a customer's events: time, then kind, then identity (never arrival)."""
        return (self.occurred_at, KIND_ORDER.get(self.kind, 5), self.source, self.event_id)

    @property
    def routed_department(self) -> str | None:
        """The department the event leaves the contact in (a transfer's target first)."""
        return self.to_department or self.department

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> EventFacts:
        """The facts of a stored payload. Repeated labels (kinds, channels, intents, agents…)
        are interned: processors keep many histories in memory and compare these often."""
        get = payload.get
        measures = get("measures")
        to = get("to")
        return tuple.__new__(
            cls,
            (
                _shared(payload["source"]),
                payload["event_id"],
                datetime.fromisoformat(payload["occurred_at"]).astimezone(UTC),
                _shared(payload["kind"]),
                _shared(payload["channel"]),
                _shared(get("contact_id")),
                _shared(get("previous_contact_ref")),
                _shared(get("intent")),
                _shared(get("department")),
                _shared(get("agent_id")),
                _shared(to.get("department")) if to else None,
                _shared(to.get("agent_id")) if to else None,
                _shared(get("outcome")),
                handle_ms(measures) if measures else None,
                measures.get("csat") if measures else None,
                measures.get("nps") if measures else None,
                measures.get("ces") if measures else None,
            ),
        )


def _shared(value: str | None) -> str | None:
    return None if value is None else sys.intern(value)


def by_order(event: EventFacts) -> tuple[datetime, int, str, str]:
    """Sort key of `EventFacts.order`."""
    return (event.occurred_at, KIND_ORDER.get(event.kind, 5), event.source, event.event_id)


def extended(
    history: tuple[EventFacts, ...], added: Sequence[EventFacts]
) -> tuple[EventFacts, ...]:
    """`history` (sorted by `by_order`) with `added`, sorted: new events mostly come after the
    history's last, and then they are only sorted among themselves."""
    if not added:
        return history
    ordered = sorted(added, key=by_order)
    if history and by_order(ordered[0]) > by_order(history[-1]):
        return history + tuple(ordered)
    return tuple(sorted((*history, *added), key=by_order))


def handle_ms(measures: dict[str, Any]) -> int | None:
    """`handle_seconds`, else talk + hold + after-contact work, in whole milliseconds.

    Milliseconds keep every sum an integer, so deltas of old and new contributions cancel exactly.
    """
    if not measures:
        return None
    handle = measures.get("handle_seconds")
    if handle is not None:
        return round(float(handle) * 1000)
    total: int | None = None
    for part in ("talk_seconds", "hold_seconds", "acw_seconds"):
        value = measures.get(part)
        if value is not None:
            total = (total or 0) + round(float(value) * 1000)
    return total
