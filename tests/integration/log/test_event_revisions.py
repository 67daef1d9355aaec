"""A resent event with a higher revision replaces the stored one; equal or lower is a duplicate."""

from __future__ import annotations

from typing import Any

import httpx
from support.processing import drain

from journeyflow.bootstrap import Service


def call_record(revision: int, **changes: Any) -> dict[str, Any]:
    event = {
        "event_id": "ctr-1:ended",
        "source": "ivr",
        "occurred_at": "2026-11-20T10:05:00Z",
        "kind": "contact.ended",
        "channel": "voice",
        "contact_id": "ctr-1",
        "identifiers": {"phone": "+1 415 555 0100"},
        "revision": revision,
    }
    return event | changes


async def post(client: httpx.AsyncClient, *events: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/v1/events", json={"events": list(events)})
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


async def timeline_of(client: httpx.AsyncClient, **identifier: str) -> list[dict[str, Any]]:
    found = await client.get("/v1/customers", params=identifier)
    assert found.status_code == 200, found.text
    page = await client.get(f"/v1/customers/{found.json()['id']}/timeline")
    events: list[dict[str, Any]] = page.json()["events"]
    return events


async def test_a_higher_revision_is_accepted_and_replaces_the_stored_event(
    client: httpx.AsyncClient, service: Service
) -> None:
    assert (await post(client, call_record(1, intent="billing")))["accepted"] == 1
    await drain(service)
    assert (await post(client, call_record(2, intent="plan_change")))["accepted"] == 1
    await drain(service)

    (event,) = await timeline_of(client, phone="4155550100")
    assert (event["revision"], event["intent"]) == (2, "plan_change")


async def test_an_equal_or_lower_revision_is_a_duplicate(
    client: httpx.AsyncClient, service: Service
) -> None:
    await post(client, call_record(5, intent="billing"))
    late = await post(client, call_record(3, intent="cancel"), call_record(5, intent="cancel"))
    assert (late["accepted"], late["duplicates"]) == (0, 2)
    await drain(service)

    (event,) = await timeline_of(client, phone="4155550100")
    assert (event["revision"], event["intent"]) == (5, "billing")


async def test_within_one_request_the_highest_revision_wins_whatever_its_position(
    client: httpx.AsyncClient, service: Service
) -> None:
    body = await post(
        client,
        call_record(2, intent="plan_change"),
        call_record(7, intent="cancel"),
        call_record(4, intent="billing"),
    )
    assert (body["accepted"], body["duplicates"]) == (1, 2)
    await drain(service)

    (event,) = await timeline_of(client, phone="4155550100")
    assert (event["revision"], event["intent"]) == (7, "cancel")


async def test_revisions_logged_in_one_batch_leave_only_the_latest_on_the_timeline(
    client: httpx.AsyncClient, service: Service
) -> None:
    for revision in (1, 2, 3):
        await post(client, call_record(revision, intent=f"reason_{revision}"))
    assert await drain(service) == 3

    (event,) = await timeline_of(client, phone="4155550100")
    assert (event["revision"], event["intent"]) == (3, "reason_3")
    assert await service.pool.fetchval("SELECT count(*) FROM timeline") == 1


async def test_a_revision_with_other_identifiers_moves_the_event_to_their_customer(
    client: httpx.AsyncClient, service: Service
) -> None:
    await post(client, call_record(1))
    await drain(service)
    moved = call_record(2, identifiers={"email": "ana@example.com"}, contact_id="ctr-9")
    await post(client, moved)
    await drain(service)

    assert await timeline_of(client, phone="4155550100") == []
    (event,) = await timeline_of(client, email="ana@example.com")
    assert event["revision"] == 2
