"""`POST /v1/ingest/zendesk-sunshine`: a webhook delivery as Sunshine Conversations sends it."""

from __future__ import annotations

import httpx
from support.processing import drain
from unit.normalize import golden

from journeyflow.bootstrap import Service

URL = "/v1/ingest/zendesk-sunshine"
DELIVERY = golden.Case("zendesk-sunshine", "bot_conversation_passed_to_agent").body()


async def test_a_bot_to_agent_chat_is_stored_with_one_escalation_even_when_retried(
    client: httpx.AsyncClient, service: Service
) -> None:
    first = await client.post(URL, json=DELIVERY)
    retry = await client.post(URL, json=DELIVERY)  # Sunshine retries until it sees a 2xx
    await drain(service)

    assert first.status_code == 202, first.text
    assert first.json()["accepted"] == 3
    assert first.json()["ignored"] == [1, 3]  # the two messages: reported, not dropped
    assert retry.status_code == 202, retry.text
    assert (retry.json()["accepted"], retry.json()["duplicates"]) == (0, 3)
    found = await client.get("/v1/customers", params={"email": "jenny.rosen@example.com"})
    assert found.status_code == 200, found.text
    timeline = await client.get(f"/v1/customers/{found.json()['id']}/timeline")
    kinds = [e["kind"] for e in timeline.json()["events"]]
    assert sorted(kinds) == ["contact.ended", "contact.escalated", "contact.started"]


async def test_a_v1_payload_is_refused_with_the_fix_in_the_message(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        URL, json=golden.Case("zendesk-sunshine", "v1_payload_rejected").body()
    )
    assert response.status_code == 422, response.text
    [rejected] = response.json()["rejected"]
    assert "set the webhook's version to v2" in rejected["errors"][0]
