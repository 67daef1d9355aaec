"""Terse builders for journey-metric tests: timeline facts and unified events."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from journeyflow.journeys.facts import EventFacts

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_ids = itertools.count()


def at(minutes: float = 0, *, days: float = 0) -> datetime:
    return T0 + timedelta(days=days, minutes=minutes)


def fact(kind: str, when: datetime, channel: str = "voice", **fields: Any) -> EventFacts:
    fields.setdefault("source", "ivr")
    fields.setdefault("event_id", f"e{next(_ids)}")
    return EventFacts(occurred_at=when, kind=kind, channel=channel, **fields)


def contact(
    contact_id: str,
    when: datetime,
    channel: str = "voice",
    *,
    intent: str | None = "billing",
    source: str = "ivr",
    minutes: float = 5,
    **ended: Any,
) -> list[EventFacts]:
    """A started + ended pair; `ended` fields (outcome, agent_id, handle_ms…) go on the end."""
    common = {"source": source, "contact_id": contact_id, "intent": intent}
    return [
        fact("contact.started", when, channel, **common),
        fact("contact.ended", when + timedelta(minutes=minutes), channel, **common, **ended),
    ]


def unified(
    event_id: str, kind: str, when: datetime, channel: str, **fields: Any
) -> dict[str, Any]:
    """A unified event as a producer would POST it."""
    body: dict[str, Any] = {
        "event_id": event_id,
        "source": fields.pop("source", "ivr"),
        "occurred_at": when.isoformat(),
        "kind": kind,
        "channel": channel,
    }
    body.update(fields)
    return body
