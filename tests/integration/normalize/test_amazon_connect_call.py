"""A call with two transfers, delivered the way Amazon Connect delivers contact records: at least
once, re-sent when updated, in any order. It must come out as one contact of one customer, with
one start, exactly two transfers, and the latest revision of every event."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import orjson
import pytest
from support.processing import drain
from unit.normalize import golden

from journeyflow.bootstrap import Service
from journeyflow.normalize import amazon_connect
from journeyflow.settings import Settings

CTR = "/v1/ingest/amazon-connect-ctr"
PHONE = "+14155550100"
LEG1, LEG2, LEG3 = (f"a1b2c3d4-9999-4aaa-8aaa-EXAMPLE0000{n}" for n in (1, 2, 3))
FIRST = golden.Case("amazon-connect-ctr", "inbound-call-escalated-then-transferred").body()
TRANSFER = golden.Case("amazon-connect-ctr", "transfer-leg-resolved").body()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The service configured like the fixtures: intent map and queue departments."""
    return settings.model_copy(update={"normalize": golden.settings_for("amazon-connect-ctr")})


def leg(base: dict[str, Any], **fields: Any) -> dict[str, Any]:
    record = copy.deepcopy(base)
    record.update(fields)
    return record


def first_version(record: dict[str, Any], updated: str) -> dict[str, Any]:
    """The record as first delivered: still in after-contact work, intent not yet set."""
    early = leg(record, LastUpdateTimestamp=updated)
    early["Agent"] = {**early["Agent"], "AfterContactWorkDuration": None}
    early["Attributes"] = {k: v for k, v in early["Attributes"].items() if k != "intent"}
    return early


FINAL = {
    LEG1: leg(FIRST, ContactId=LEG1, NextContactId=LEG2),
    LEG2: leg(
        TRANSFER,
        ContactId=LEG2,
        InitialContactId=LEG1,
        PreviousContactId=LEG1,
        NextContactId=LEG3,
        Attributes={**FIRST["Attributes"]},
    ),
    LEG3: leg(
        TRANSFER,
        ContactId=LEG3,
        InitialContactId=LEG1,
        PreviousContactId=LEG2,
        InitiationMethod="QUEUE_TRANSFER",
        InitiationTimestamp="2024-05-01T09:14:00Z",
        DisconnectTimestamp="2024-05-01T09:20:00Z",
        LastUpdateTimestamp="2024-05-01T09:21:00Z",
    ),
}
EARLY = {
    LEG1: first_version(FINAL[LEG1], "2024-05-01T09:07:56Z"),
    LEG2: first_version(FINAL[LEG2], "2024-05-01T09:13:51Z"),
    LEG3: first_version(FINAL[LEG3], "2024-05-01T09:20:01Z"),
}
DELIVERIES = [
    [FINAL[LEG3]],
    [EARLY[LEG1], EARLY[LEG3]],
    [EARLY[LEG2]],
    "process",
    [FINAL[LEG2], FINAL[LEG2]],
    [FINAL[LEG1]],
    "process",
    [EARLY[LEG2], EARLY[LEG1], FINAL[LEG3]],
]


async def timeline_of_caller(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    found = await client.get("/v1/customers", params={"phone": PHONE})
    assert found.status_code == 200, found.text
    response = await client.get(f"/v1/customers/{found.json()['id']}/timeline")
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    events: list[dict[str, Any]] = response.json()["events"]
    return events


async def test_a_call_with_two_transfers_is_one_contact_with_two_transfers(
    client: httpx.AsyncClient, service: Service
) -> None:
    for delivery in DELIVERIES:
        if delivery == "process":
            await drain(service)
            continue
        response = await client.post(CTR, json=delivery)
        assert response.status_code == 202, response.text
        assert response.json()["rejected"] == []
    await drain(service)

    events = await timeline_of_caller(client)
    kinds = [e["kind"] for e in events]

    assert {e["contact_id"] for e in events} == {LEG1}
    assert kinds.count("contact.started") == 1
    assert kinds.count("contact.transferred") == 2
    assert kinds.count("contact.escalated") == 1
    assert kinds.count("contact.ended") == 3
    assert kinds.count("identity.verified") == 1
    assert len(events) == len({e["event_id"] for e in events}) == 8


async def test_every_event_is_the_latest_revision_of_its_record(
    client: httpx.AsyncClient, service: Service
) -> None:
    for delivery in DELIVERIES:
        if delivery != "process":
            await client.post(CTR, json=delivery)
    await drain(service)

    events = await timeline_of_caller(client)
    latest: dict[str, dict[str, Any]] = {}
    for record in [*EARLY.values(), *FINAL.values()]:
        for event in golden_events(record):
            known = latest.get(event["event_id"])
            if known is None or event["revision"] > known["revision"]:
                latest[event["event_id"]] = event

    stored = {e["event_id"]: {k: v for k, v in e.items() if k != "received_at"} for e in events}
    assert stored == latest
    assert all(e["intent"] == "billing" for e in events)
    ended = [e for e in events if e["kind"] == "contact.ended"]
    handle = sum(e["measures"]["handle_seconds"] for e in ended)
    assert handle == (245 + 40 + 0) + (310 + 0 + 45) * 2
    transfers = sorted(
        (e["occurred_at"], e["to"]["queue"]) for e in events if e["kind"] == "contact.transferred"
    )
    assert transfers == [
        ("2024-05-01T09:07:55Z", "RetentionQueue"),
        ("2024-05-01T09:14:00Z", "RetentionQueue"),
    ]


def golden_events(record: dict[str, Any]) -> list[dict[str, Any]]:
    """What the format makes of one record, with the fixtures' settings (as JSON objects)."""
    settings = golden.settings_for("amazon-connect-ctr")
    return [orjson.loads(e.to_json()) for e in amazon_connect.normalize(record, settings)]
