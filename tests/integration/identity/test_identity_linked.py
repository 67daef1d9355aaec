"""`identity.linked`: identifiers that belong together, without being a step of any journey."""

from __future__ import annotations

from typing import Any

import httpx
from support.processing import drain

from journeyflow.bootstrap import Service


def event(event_id: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "source": "crm",
        "occurred_at": "2026-11-20T10:00:00Z",
        "kind": kind,
        "channel": "web",
        **fields,
    }


CHAT = event(
    "chat-1",
    "contact.started",
    source="chat",
    channel="chat",
    contact_id="conv-1",
    identifiers={"email": "ana@example.com"},
)
CALL = event(
    "call-1",
    "contact.started",
    source="ivr",
    channel="ivr",
    contact_id="call-1",
    identifiers={"phone": "+1 415 555 0100"},
)


async def post_and_process(client: httpx.AsyncClient, service: Service, *events: Any) -> None:
    response = await client.post("/v1/events", json={"events": list(events)})
    assert response.status_code == 202, response.text
    await drain(service)


async def test_a_link_joins_the_customers_of_its_identifiers(
    client: httpx.AsyncClient, service: Service
) -> None:
    await post_and_process(client, service, CHAT, CALL)
    link = event(
        "contact-003",
        "identity.linked",
        identifiers={"crm_contact_id": "003RM", "email": "ana@example.com", "phone": "4155550100"},
    )
    await post_and_process(client, service, link)

    by_email = (await client.get("/v1/customers", params={"email": "ana@example.com"})).json()
    by_phone = (await client.get("/v1/customers", params={"phone": "4155550100"})).json()
    assert by_email["id"] == by_phone["id"]


async def test_a_link_itself_counts_in_no_metric(
    client: httpx.AsyncClient, service: Service
) -> None:
    await post_and_process(client, service, CHAT)
    before = (await client.get("/v1/scorecard", params={"window": "30d"})).json()["rows"]

    link = event(
        "contact-003",
        "identity.linked",
        identifiers={"crm_contact_id": "003RM", "email": "ana@example.com"},
    )
    await post_and_process(client, service, link)

    after = (await client.get("/v1/scorecard", params={"window": "30d"})).json()["rows"]
    assert after == before
    assert before[0]["contacts"] == 1
