"""Webhook senders that cannot set `Authorization` present the API key in a header of theirs."""

from __future__ import annotations

import httpx
from support.api_keys import CHAT_KEY

EVENT = {
    "event_id": "chat-1",
    "source": "chat",
    "occurred_at": "2026-11-20T10:00:00Z",
    "kind": "contact.started",
    "channel": "chat",
    "contact_id": "conv-1",
}


async def test_a_key_in_the_x_api_key_header_is_accepted_like_a_bearer_token(
    client: httpx.AsyncClient,
) -> None:
    header = "X-API-Key"
    client.headers.pop("Authorization")

    accepted = await client.post("/v1/events", json=EVENT, headers={header: CHAT_KEY})
    refused = await client.post("/v1/events", json=EVENT, headers={header: "wrong-key-123456"})

    assert accepted.status_code == 202, accepted.text
    assert refused.status_code == 401
    assert "unknown API key" in refused.text
