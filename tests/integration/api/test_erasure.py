"""`DELETE /v1/customers/{id}`: a person's data goes, and their counts with it, exactly."""

from __future__ import annotations

from typing import Any

import httpx
from support.api_keys import READ_KEY
from support.metric_tables import buckets, from_scratch
from support.processing import drain

from journeyflow.bootstrap import Service
from journeyflow.journeys.definitions import from_settings


def contact(n: int, at: str, channel: str, identifiers: dict[str, str], **more: Any) -> list[Any]:
    base = {
        "source": channel,
        "channel": channel,
        "contact_id": f"c{n}",
        "identifiers": identifiers,
    }
    return [
        base | {"event_id": f"e{n}-start", "kind": "contact.started", "occurred_at": at} | more,
        base
        | {
            "event_id": f"e{n}-end",
            "kind": "contact.ended",
            "occurred_at": at,
            "outcome": "unresolved",
            "agent_id": "a1",
        },
    ]


ANA = [
    *contact(1, "2026-11-20T09:00:00Z", "chat", {"email": "ana@example.com"}, intent="billing"),
    *contact(2, "2026-11-20T10:00:00Z", "voice", {"phone": "4155550100"}, intent="billing"),
    # Links the two profiles above: one person, two merged profiles.
    *contact(
        3,
        "2026-11-21T10:00:00Z",
        "voice",
        {"phone": "4155550100", "email": "ana@example.com"},
        intent="billing",
    ),
]
BEN = [*contact(4, "2026-11-20T11:00:00Z", "chat", {"email": "ben@example.com"}, intent="cancel")]


async def scorecard(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get(
        "/v1/scorecard",
        params={"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z", "by": "intent"},
    )
    rows: list[dict[str, Any]] = response.json()["rows"]
    return rows


async def test_erasing_a_person_removes_their_data_and_exactly_their_counts(
    client: httpx.AsyncClient, service: Service
) -> None:
    await client.post("/v1/events", json={"events": BEN})
    await drain(service)
    only_ben = await scorecard(client)
    for events in (ANA[:4], ANA[4:]):  # two profiles first, then the event that joins them
        await client.post("/v1/events", json={"events": events})
        await drain(service)
    ana = (await client.get("/v1/customers", params={"email": "ana@example.com"})).json()
    assert ana["merged_ids"], "the scenario needs a merged profile"

    response = await client.delete(f"/v1/customers/{ana['merged_ids'][0]}")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["erased"] == ana["id"]
    assert sorted(body["profiles"]) == sorted([ana["id"], *ana["merged_ids"]])
    assert (body["events"], body["identifiers"]) == (6, 2 + 3)  # e-mail, phone, 3 contact keys
    for params in ({"email": "ana@example.com"}, {"phone": "4155550100"}):
        assert (await client.get("/v1/customers", params=params)).status_code == 404
    assert (await client.get(f"/v1/customers/{ana['id']}")).status_code == 404
    leftovers = await service.pool.fetchval(
        "SELECT (SELECT count(*) FROM event_log WHERE event_id LIKE 'e1-%' OR event_id LIKE 'e2-%')"
        " + (SELECT count(*) FROM identity_merges) + (SELECT count(*) FROM contacts"
        "    WHERE contact_id <> 'c4')"
    )
    assert leftovers == 0
    assert await scorecard(client) == only_ben
    expected = await from_scratch(service.pool, from_settings(service.settings))
    assert await buckets(service.pool) == expected


async def test_after_erasure_new_events_make_a_new_profile(
    client: httpx.AsyncClient, service: Service
) -> None:
    await client.post("/v1/events", json={"events": ANA[:2]})
    await drain(service)
    ana = (await client.get("/v1/customers", params={"email": "ana@example.com"})).json()
    assert (await client.delete(f"/v1/customers/{ana['id']}")).status_code == 200

    again = await client.post("/v1/events", json={"events": ANA[:2]})
    assert again.json()["accepted"] == 2
    await drain(service)
    back = (await client.get("/v1/customers", params={"email": "ana@example.com"})).json()
    assert back["id"] != ana["id"]


async def test_erasure_needs_admin_and_an_existing_customer(
    client: httpx.AsyncClient, service: Service
) -> None:
    await client.post("/v1/events", json={"events": BEN})
    await drain(service)
    ben = (await client.get("/v1/customers", params={"email": "ben@example.com"})).json()

    as_reader = await client.delete(
        f"/v1/customers/{ben['id']}", headers={"Authorization": f"Bearer {READ_KEY}"}
    )
    assert as_reader.status_code == 403
    assert (await client.delete("/v1/customers/cus_999999")).status_code == 404
    assert (await client.get(f"/v1/customers/{ben['id']}")).status_code == 200
