"""Unified events as a producer sends them, for tests."""

from __future__ import annotations

from typing import Any


def raw(**overrides: Any) -> dict[str, Any]:
    """A minimal valid event as a producer would send it, with some fields replaced."""
    item: dict[str, Any] = {
        "event_id": "evt-1",
        "source": "chat",
        "occurred_at": "2024-05-01T09:30:00Z",
        "kind": "contact.started",
        "channel": "chat",
    }
    item.update(overrides)
    return item
