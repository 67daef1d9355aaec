"""Friction scenarios posted by the deploy and end-to-end tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


def blind_handoff_events(
    intent: str, customers: range, start: datetime, *, carried: bool = False
) -> list[dict[str, Any]]:
    """Each customer chats at `start`, then calls 10 minutes later about the same thing, the call
    not naming the chat (unless `carried`): one chat -> voice handoff per customer (4 events per
    customer, 2 contacts, both assisted and unresolved). Customers are numbered: waves of
    distinct numbers do not collide."""
    events = []
    for n in customers:
        who = {"email": f"customer{n}@example.com"}
        for i, channel in enumerate(("chat", "voice")):
            at = start + timedelta(minutes=10 * i, seconds=n)
            common = {"source": channel, "channel": channel, "contact_id": f"{channel}-{n}"}
            if carried and channel == "voice":
                common["previous_contact_ref"] = f"chat-{n}"
            events.append(
                {
                    "event_id": f"{channel}-{n}-start",
                    "kind": "contact.started",
                    "occurred_at": at.isoformat(),
                    "intent": intent,
                    "identifiers": who,
                    **common,
                }
            )
            events.append(
                {
                    "event_id": f"{channel}-{n}-end",
                    "kind": "contact.ended",
                    "occurred_at": (at + timedelta(minutes=5)).isoformat(),
                    "agent_id": f"agent-{channel}",
                    "outcome": "unresolved",
                    "measures": {"handle_seconds": 240},
                    "identifiers": who,
                    **common,
                }
            )
    return events
