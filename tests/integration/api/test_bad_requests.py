"""Every way a request can be bad gets a 4xx that says what is wrong, and disturbs nothing.

The module posts real data first, then throws bad requests at the service, then checks that the
log and the timelines are exactly what the good data made.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.api_keys import CHAT_KEY, READ_KEY
from support.processing import drain

from journeyflow.bootstrap import Service


def event(n: int, **changes: Any) -> dict[str, Any]:
    base = {
        "event_id": f"chat-{n}",
        "source": "chat",
        "occurred_at": "2026-11-20T10:00:00+01:00",
        "kind": "contact.started",
        "channel": "chat",
        "contact_id": f"conv-{n}",
        "identifiers": {"email": f"person{n}@example.com"},
    }
    return base | changes


async def state(service: Service) -> tuple[list[Any], list[Any]]:
    log = await service.pool.fetch("SELECT seq, source, event_id FROM event_log ORDER BY seq")
    timeline = await service.pool.fetch(
        "SELECT customer_id, source, event_id FROM timeline ORDER BY source, event_id"
    )
    return [tuple(r) for r in log], [tuple(r) for r in timeline]


@pytest.fixture
async def accepted(client: httpx.AsyncClient, service: Service) -> tuple[list[Any], list[Any]]:
    """Two good events, processed: the state bad requests must leave alone."""
    response = await client.post("/v1/events", json={"events": [event(1), event(2)]})
    assert response.json()["accepted"] == 2
    await drain(service)
    return await state(service)


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


CASES: list[tuple[str, dict[str, Any], int, str]] = [
    ("malformed JSON", {"content": b'{"events": [', "headers": {}}, 400, "not valid JSON"),
    ("not UTF-8", {"content": b'{"event_id": "\xff\xfe"}', "headers": {}}, 400, "UTF-8"),
    ("empty body", {"content": b"", "headers": {}}, 400, "empty"),
    ("a bare string", {"content": b'"hello"', "headers": {}}, 400, "one event object"),
    ("a bare array", {"content": b"[1, 2]", "headers": {}}, 400, "one event object"),
    ("events not an array", {"json": {"events": {"a": 1}}, "headers": {}}, 400, "array"),
    ("no events", {"json": {"events": []}, "headers": {}}, 400, "empty"),
    ("extra envelope keys", {"json": {"events": [], "x": 1}}, 400, "unexpected top-level"),
    (
        "not JSON at all",
        {"content": b"a=1", "headers": {"content-type": "application/x-www-form-urlencoded"}},
        415,
        "not JSON",
    ),
    ("too many events", {"json": {"events": [event(9)] * 1001}}, 413, "at most 1000"),
    (
        "over the size limit",
        {"content": b'{"events": ["' + b"x" * (5 * 1024 * 1024) + b'"]}', "headers": {}},
        413,
        "exceeds",
    ),
    ("no credentials", {"json": event(3), "headers": {"Authorization": ""}}, 401, "bearer"),
    ("unknown key", {"json": event(3), "headers": auth("not-a-real-key-123")}, 401, "unknown"),
    ("read-only key", {"json": event(3), "headers": auth(READ_KEY)}, 403, "ingest"),
]


@pytest.mark.parametrize(
    ("request_kwargs", "status", "says"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_a_bad_request_gets_a_clear_4xx_and_changes_nothing(
    client: httpx.AsyncClient,
    service: Service,
    accepted: tuple[list[Any], list[Any]],
    request_kwargs: dict[str, Any],
    status: int,
    says: str,
) -> None:
    kwargs = dict(request_kwargs)
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    response = await client.post("/v1/events", headers=headers, **kwargs)

    assert response.status_code == status, response.text
    assert says.lower() in response.text.lower()
    await drain(service)
    assert await state(service) == accepted


async def test_wrongly_typed_events_are_rejected_one_by_one_with_their_reasons(
    client: httpx.AsyncClient, service: Service, accepted: tuple[list[Any], list[Any]]
) -> None:
    bad = [
        event(4, occurred_at="yesterday"),
        event(5, channel="pigeon"),
        event(6, identifiers={"email": 42}),
        event(7, measures={"csat": "great"}),
        event(8, favourite_colour="blue"),
        event(9, occurred_at="2026-11-20T10:00:00"),
    ]
    response = await client.post("/v1/events", json={"events": bad})

    assert response.status_code == 422
    body = response.json()
    assert body["accepted"] == 0
    reasons = {item["event_id"]: " ".join(item["errors"]) for item in body["rejected"]}
    assert "occurred_at" in reasons["chat-4"]
    assert "channel" in reasons["chat-5"]
    assert "identifiers.email" in reasons["chat-6"]
    assert "measures.csat" in reasons["chat-7"]
    assert "put custom data in 'attributes'" in reasons["chat-8"]
    assert "UTC offset" in reasons["chat-9"]
    await drain(service)
    assert await state(service) == accepted


async def test_good_items_beside_bad_ones_are_accepted(
    client: httpx.AsyncClient, service: Service, accepted: tuple[list[Any], list[Any]]
) -> None:
    response = await client.post(
        "/v1/events", json={"events": [event(1), event(10), event(11, kind="contact.exploded")]}
    )

    assert response.status_code == 202
    body = response.json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert [(r["index"], r["event_id"]) for r in body["rejected"]] == [(2, "chat-11")]
    await drain(service)
    log, timeline = await state(service)
    assert len(log) == len(accepted[0]) + 1
    assert len(timeline) == len(accepted[1]) + 1


async def test_a_key_scoped_to_one_source_cannot_ingest_another(
    client: httpx.AsyncClient, service: Service, accepted: tuple[list[Any], list[Any]]
) -> None:
    response = await client.post(
        "/v1/events", json=event(12, source="billing"), headers=auth(CHAT_KEY)
    )

    assert response.status_code == 422
    assert "may not ingest source 'billing'" in response.text
    assert (await client.post("/v1/events", json=event(13), headers=auth(CHAT_KEY))).is_success


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/v1/customers/42", 404, "not a customer id"),
        ("/v1/customers/cus_999999", 404, "no customer"),
        ("/v1/customers?phone=unknown", 400, "not a usable phone"),
        ("/v1/customers?shoe_size=9", 400, "unknown identifier type"),
        ("/v1/customers?email=a@b.example&phone=1", 400, "exactly one identifier"),
        ("/v1/customers/cus_1/timeline?cursor=%%%", 400, "cursor"),
        ("/v1/customers/cus_1/timeline?limit=5000", 422, "limit"),
        ("/v1/customers/cus_1/timeline?since=2026-11-20T10:00:00", 400, "UTC offset"),
        ("/v1/customers/cus_1/timeline?channel=pigeon", 422, "channel"),
    ],
)
async def test_bad_queries_get_a_clear_4xx(
    client: httpx.AsyncClient,
    accepted: tuple[list[Any], list[Any]],
    path: str,
    status: int,
    says: str,
) -> None:
    response = await client.get(path)

    assert response.status_code == status, response.text
    assert says.lower() in response.text.lower()


async def test_reading_needs_a_key(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/customers/cus_1", headers={"Authorization": ""})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
event_like = st.fixed_dictionaries(
    {},
    optional={
        "event_id": json_values | st.text(max_size=30),
        "source": st.sampled_from(["chat", "ivr", "CHAT", ""]) | json_values,
        "occurred_at": st.sampled_from(["2026-11-20T10:00:00Z", "0001-01-01T00:00:00+01:00"])
        | json_values,
        "kind": st.sampled_from(["contact.started", "billing.x", "billing.x\n"]) | json_values,
        "channel": st.sampled_from(["chat", "voice"]) | json_values,
        "identifiers": st.dictionaries(st.sampled_from(["email", "phone", "x"]), json_values),
        "measures": st.dictionaries(st.sampled_from(["csat", "handle_seconds"]), json_values),
        "attributes": json_values,
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.binary(max_size=200) | json_values.map(repr).map(str.encode) | event_like)
async def test_no_body_whatever_its_content_gets_a_server_error(
    client: httpx.AsyncClient, body: bytes | dict[str, Any]
) -> None:
    if isinstance(body, dict):
        response = await client.post("/v1/events", json=body)
    else:
        response = await client.post(
            "/v1/events", content=body, headers={"content-type": "application/json"}
        )

    assert response.status_code < 500, response.text
