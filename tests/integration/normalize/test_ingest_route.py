"""`POST /v1/ingest/{format}`: the `/v1/events` contract for native payloads, per payload index."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx
import orjson
import pytest
from support.api_keys import CHAT_KEY, READ_KEY
from support.processing import drain
from unit.normalize import golden

from journeyflow.bootstrap import Service
from journeyflow.events import InteractionEvent
from journeyflow.normalize import registry
from journeyflow.normalize.format import (
    ForgedSignature,
    NativeFormat,
    StaleSignature,
)
from journeyflow.normalize.settings import NormalizeSettings

CTR = "/v1/ingest/amazon-connect-ctr"
CALL = golden.Case("amazon-connect-ctr", "inbound-call-escalated-then-transferred").body()
MONITOR = golden.Case("amazon-connect-ctr", "supervisor-monitor-leg").body()
CHAT_EVENT = {
    "event_id": "chat-1",
    "source": "chat",
    "occurred_at": "2026-11-20T10:00:00Z",
    "kind": "contact.started",
    "channel": "chat",
    "contact_id": "conv-1",
    "identifiers": {"email": "ana@example.com"},
}


def as_key(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def logged(service: Service) -> list[tuple[str, str, int]]:
    rows = await service.pool.fetch("SELECT source, event_id, revision FROM event_log ORDER BY seq")
    return [(r["source"], r["event_id"], r["revision"]) for r in rows]


async def test_a_contact_record_becomes_its_events_in_the_log(
    client: httpx.AsyncClient, service: Service
) -> None:
    response = await client.post(CTR, json=CALL)

    assert response.status_code == 202, response.text
    assert response.json() == {
        "format": "amazon-connect-ctr",
        "payloads": 1,
        "accepted": 4,
        "duplicates": 0,
        "rejected": [],
        "ignored": [],
    }
    contact = CALL["ContactId"]
    assert {event_id for _, event_id, _ in await logged(service)} == {
        f"{contact}:started",
        f"{contact}:escalated",
        f"{contact}:ended",
        f"{contact}:verified",
    }


async def test_a_resent_record_is_all_duplicates(
    client: httpx.AsyncClient, service: Service
) -> None:
    await client.post(CTR, json=CALL)

    response = await client.post(CTR, json=[CALL, CALL])

    assert response.status_code == 202
    assert (response.json()["accepted"], response.json()["duplicates"]) == (0, 8)
    assert len(await logged(service)) == 4


async def test_bad_payloads_are_reported_by_index_and_the_good_ones_kept(
    client: httpx.AsyncClient, service: Service
) -> None:
    broken = {**CALL, "InitiationTimestamp": "soon"}

    response = await client.post(CTR, json=[broken, CALL, "not a record", MONITOR])

    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 4
    assert [r["index"] for r in body["rejected"]] == [0, 2]
    assert body["rejected"][0]["errors"][0].startswith("$.InitiationTimestamp: ")
    assert body["rejected"][1]["errors"] == ["$: expected an object, got string"]
    assert body["ignored"] == [3]
    assert len(await logged(service)) == 4


async def test_nothing_valid_is_422_and_nothing_is_logged(
    client: httpx.AsyncClient, service: Service
) -> None:
    response = await client.post(CTR, json=[{"ContactId": "x"}, 42])

    assert response.status_code == 422
    assert [r["index"] for r in response.json()["rejected"]] == [0, 1]
    assert await logged(service) == []


async def test_a_request_of_only_ignored_payloads_is_accepted_as_such(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(CTR, json=MONITOR)

    assert response.status_code == 202
    assert response.json()["ignored"] == [0]


async def test_an_unknown_format_is_404_naming_the_known_ones(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/ingest/genesys", json=CALL)

    assert response.status_code == 404
    for name in registry.FORMATS:
        assert name in response.json()["detail"]


@pytest.mark.parametrize(
    ("key", "path", "body", "code"),
    [
        (CHAT_KEY, CTR, CALL, 403),
        (READ_KEY, CTR, CALL, 403),
        (READ_KEY, "/v1/ingest/unified", CHAT_EVENT, 403),
        (CHAT_KEY, "/v1/ingest/unified", CHAT_EVENT, 202),
    ],
)
async def test_the_scope_is_ingest_of_the_format_source(
    client: httpx.AsyncClient, key: str, path: str, body: Any, code: int
) -> None:
    response = await client.post(path, json=body, headers=as_key(key))

    assert response.status_code == code, response.text


async def test_unified_checks_each_event_source_against_the_key(
    client: httpx.AsyncClient,
) -> None:
    ivr_event = {**CHAT_EVENT, "event_id": "ivr-1", "source": "ivr", "channel": "ivr"}

    response = await client.post(
        "/v1/ingest/unified", json={"events": [CHAT_EVENT, ivr_event]}, headers=as_key(CHAT_KEY)
    )

    assert response.status_code == 202
    (rejected,) = response.json()["rejected"]
    assert rejected["index"] == 1
    assert "may not ingest source 'ivr'" in rejected["errors"][0]


async def test_an_event_with_an_unconfigured_identifier_type_rejects_its_payload(
    client: httpx.AsyncClient,
) -> None:
    odd = {**CHAT_EVENT, "identifiers": {"loyalty_card": "LC-1"}}

    response = await client.post("/v1/ingest/unified", json=[odd])

    assert response.status_code == 422
    (rejected,) = response.json()["rejected"]
    assert rejected["event_id"] == "chat-1"
    assert "identifiers: unknown type(s) loyalty_card" in rejected["errors"][0]


async def test_a_body_without_a_bearer_key_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(CTR, json=CALL, headers={"Authorization": ""})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("content", "code", "detail"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"", 400, "empty"),
        (b"[]", 400, "no payload"),
        (orjson.dumps([MONITOR] * 1001), 413, "at most 1000"),
        (b"[" + b" " * (5 * 1024 * 1024) + b"]", 413, "exceeds"),
    ],
)
async def test_malformed_empty_and_oversized_requests(
    client: httpx.AsyncClient, content: bytes, code: int, detail: str
) -> None:
    response = await client.post(CTR, content=content, headers={"Content-Type": "application/json"})

    assert response.status_code == code
    assert detail in response.json()["detail"]


def _verify(body: bytes, headers: Mapping[str, str], _: NormalizeSettings, now: datetime) -> None:
    if headers.get("x-test-signature") == "stale":
        raise StaleSignature("signature timestamp is too old")
    if headers.get("x-test-signature") != f"sig-{len(body)}":
        raise ForgedSignature("signature does not match")


def _normalize(payload: Any, settings: NormalizeSettings) -> list[InteractionEvent]:
    return [InteractionEvent.model_validate(payload)]


SIGNED = NativeFormat("signed-test", "chat", "a test format", _normalize, verify=_verify)


@pytest.mark.parametrize(
    ("signature", "code"), [("good", 202), ("forged", 401), ("stale", 400), (None, 401)]
)
async def test_signatures_are_checked_over_the_raw_body(
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    signature: str | None,
    code: int,
) -> None:
    monkeypatch.setitem(registry.FORMATS, SIGNED.name, SIGNED)
    content = orjson.dumps(CHAT_EVENT)
    headers = {"Content-Type": "application/json"}
    if signature == "good":
        headers["X-Test-Signature"] = f"sig-{len(content)}"
    elif signature is not None:
        headers["X-Test-Signature"] = signature

    response = await client.post("/v1/ingest/signed-test", content=content, headers=headers)

    assert response.status_code == code, response.text


async def test_the_openapi_document_carries_every_format_payload_schema(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    operation = document["paths"]["/v1/ingest/{format}"]["post"]
    schemas = operation["requestBody"]["content"]["application/json"]["schema"]["oneOf"]

    ids = {schema["$id"] for schema in schemas}
    assert ids == {
        f"https://journeyflow.dev/schemas/formats/{name}.v1.json" for name in registry.FORMATS
    }
    assert "$defs" not in orjson.dumps(schemas).decode()
    ctr = next(s for s in schemas if s["$id"].endswith("amazon-connect-ctr.v1.json"))
    assert ctr["properties"]["Queue"]["anyOf"][0]["properties"]["Name"]


async def test_a_processed_record_lands_on_the_timeline_of_its_caller(
    client: httpx.AsyncClient, service: Service
) -> None:
    await client.post(CTR, json=copy.deepcopy(CALL))
    await drain(service)

    found = await client.get("/v1/customers", params={"customer_id": "CUST-1001"})
    assert found.status_code == 200, found.text
    timeline = await client.get(f"/v1/customers/{found.json()['id']}/timeline")
    assert len(timeline.json()["events"]) == 4
