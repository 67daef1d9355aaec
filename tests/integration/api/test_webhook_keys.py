"""Webhook senders that cannot set `Authorization` present the API key in a header of theirs."""

from __future__ import annotations

import httpx
import pytest
from support.api_keys import CHAT_KEY

EVENT = {
    "event_id": "chat-1",
    "source": "chat",
    "occurred_at": "2026-11-20T10:00:00Z",
    "kind": "contact.started",
    "channel": "chat",
    "contact_id": "conv-1",
}


@pytest.mark.parametrize("header", ["X-API-Key", "X-Amz-Firehose-Access-Key"])
async def test_a_key_in_a_webhook_header_is_accepted_like_a_bearer_token(
    client: httpx.AsyncClient, header: str
) -> None:
    client.headers.pop("Authorization")

    accepted = await client.post("/v1/events", json=EVENT, headers={header: CHAT_KEY})
    refused = await client.post("/v1/events", json=EVENT, headers={header: "wrong-key-123456"})

    assert accepted.status_code == 202, accepted.text
    assert refused.status_code == 401
    assert "unknown API key" in refused.text
