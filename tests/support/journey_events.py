"""Terse builders for journey-metric tests: timeline facts and unified events."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

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


_intents = st.sampled_from([None, "billing", "fraud"])
_channels = st.sampled_from(["voice", "chat", "bot", "web"])


@st.composite
def histories(draw: st.DrawFn) -> list[EventFacts]:
    """A customer's events: contacts with transfers, verifications, outcomes, cases, surveys."""
    events: list[EventFacts] = []
    for n in range(draw(st.integers(1, 7))):
        cid = f"c{n}"
        start = at(draw(st.integers(0, 14 * 24 * 60)))
        channel = draw(_channels)
        common = {"contact_id": cid, "source": draw(st.sampled_from(["ivr", "chat"]))}
        events.append(fact("contact.started", start, channel, intent=draw(_intents), **common))
        for k in range(draw(st.integers(0, 2))):
            step = start + timedelta(minutes=k + 1)
            kind = draw(st.sampled_from(["contact.transferred", "identity.verified"]))
            events.append(fact(kind, step, "voice", to_agent_id="a1", **common))
        ref = draw(st.sampled_from([None, *(f"c{i}" for i in range(n))]))
        events.append(
            fact(
                "contact.ended",
                start + timedelta(minutes=9),
                channel,
                intent=draw(_intents),
                previous_contact_ref=ref,
                outcome=draw(st.sampled_from([None, "resolved", "unresolved"])),
                handle_ms=draw(st.sampled_from([None, 1500, 60_000])),
                **common,
            )
        )
        if draw(st.booleans()):
            events.append(fact("survey.responded", start, "email", contact_id=cid, csat=3, nps=9))
    if draw(st.booleans()):
        events.append(fact("case.resolved", at(draw(st.integers(0, 20_000))), "web"))
    return events
