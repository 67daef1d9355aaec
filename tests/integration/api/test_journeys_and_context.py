"""Journeys and the agent briefing over HTTP (issue 4 items 4 and 5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support.journey_events import unified
from support.scorecards import post_and_process

from journeyflow.bootstrap import Service

NOW = datetime.now(UTC)
MEMBER = {"customer_id": "M-1001", "phone": "+1 415 555 0142"}


def ago(hours: float, event_id: str, kind: str, channel: str, **fields: Any) -> dict[str, Any]:
    return unified(event_id, kind, NOW - timedelta(hours=hours), channel, **fields)


@pytest.fixture
async def patient(client: httpx.AsyncClient, service: Service) -> str:
    """An eligibility question, portal -> chat -> voice today, after a payment failed."""
    portal = {"source": "portal", "contact_id": "sess-1", "intent": "eligibility"}
    chat = {"source": "chat", "contact_id": "conv-1", "intent": "eligibility"}
    call = {"source": "ivr", "contact_id": "call-1", "intent": "eligibility"}
    await post_and_process(
        client,
        service,
        [
            ago(
                30 * 24,
                "old1",
                "contact.started",
                "voice",
                source="ivr",
                contact_id="call-0",
                intent="billing_dispute",
                identifiers=MEMBER,
            ),
            ago(5, "b1", "billing.payment_failed", "billing", source="billing", identifiers=MEMBER),
            ago(4, "p1", "contact.started", "web", identifiers=MEMBER, **portal),
            ago(
                3.9,
                "t1",
                "touchpoint.viewed",
                "web",
                source="web",
                identifiers=MEMBER,
                attributes={"page": "/coverage"},
            ),
            ago(3, "c1", "contact.started", "chat", identifiers=MEMBER, agent_id="a-3", **chat),
            ago(2.9, "c2", "identity.verified", "chat", **chat),
            ago(2, "v1", "contact.started", "voice", identifiers=MEMBER, agent_id="a-9", **call),
            ago(1.8, "v2", "contact.ended", "voice", outcome="unresolved", **call),
            ago(
                1,
                "s1",
                "survey.responded",
                "email",
                source="survey",
                contact_id="call-1",
                identifiers=MEMBER,
                measures={"csat": 2, "nps": 4},
            ),
        ],
    )
    found = await client.get("/v1/customers", params={"customer_id": "M-1001"})
    return str(found.json()["id"])


async def test_the_briefing_shows_the_open_journey_and_the_last_actions(
    client: httpx.AsyncClient, patient: str
) -> None:
    response = await client.get(f"/v1/customers/{patient}/context")
    assert response.status_code == 200
    body = response.json()
    journey = body["open_journey"]
    assert journey["intent"] == "eligibility"
    assert journey["channels"] == ["web", "chat", "voice"]
    assert (journey["contacts"], journey["blind_handoffs"], journey["transfers"]) == (3, 2, 0)
    assert journey["verified"] is True
    assert journey["first_verified_at"] == (NOW - timedelta(hours=2.9)).isoformat()
    since_now = (datetime.now(UTC) - NOW).total_seconds()  # NOW was taken at import
    assert 4 * 3600 <= journey["age_seconds"] <= 4 * 3600 + since_now
    kinds = [a["kind"] for a in body["recent_actions"]]
    assert kinds[:3] == ["survey.responded", "contact.ended", "contact.started"]
    assert "billing.payment_failed" in kinds
    assert "touchpoint.viewed" in kinds
    assert [(s["csat"], s["nps"]) for s in body["recent_surveys"]] == [(2, 4)]


async def test_screen_pop_by_caller_number_gives_the_same_briefing(
    client: httpx.AsyncClient, patient: str
) -> None:
    by_id = (await client.get(f"/v1/customers/{patient}/context")).json()
    by_phone = await client.get("/v1/context", params={"phone": "(415) 555-0142"})
    assert by_phone.status_code == 200
    by_phone_body = by_phone.json()
    by_phone_body["open_journey"].pop("age_seconds")
    by_id["open_journey"].pop("age_seconds")
    assert by_phone_body == by_id


async def test_a_journey_lists_its_contacts_handoffs_and_effort(
    client: httpx.AsyncClient, patient: str
) -> None:
    listed = (await client.get(f"/v1/customers/{patient}/journeys")).json()["journeys"]
    assert [j["intent"] for j in listed] == ["eligibility", "billing_dispute"]
    assert [j["open"] for j in listed] == [True, False]
    journey = (await client.get(f"/v1/journeys/{listed[0]['id']}")).json()
    assert [c["contact_id"] for c in journey["contacts_detail"]] == ["sess-1", "conv-1", "call-1"]
    assert [c["repeat"] for c in journey["contacts_detail"]] == [False, True, True]
    assert [(h["from_channel"], h["to_channel"], h["context"]) for h in journey["handoffs"]] == [
        ("web", "chat", "lost"),
        ("chat", "voice", "lost"),
    ]
    assert journey["effort"] == 3 + 0 + 2 + 0


async def test_a_customer_with_no_recent_contact_has_no_open_journey(
    client: httpx.AsyncClient, service: Service
) -> None:
    await post_and_process(
        client,
        service,
        [
            ago(
                20 * 24,
                "x1",
                "contact.started",
                "voice",
                contact_id="old",
                intent="cancel",
                identifiers={"email": "old@example.com"},
            ),
        ],
    )
    body = (await client.get("/v1/context", params={"email": "Old@Example.com"})).json()
    assert body["open_journey"] is None
    assert [a["kind"] for a in body["recent_actions"]] == ["contact.started"]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/v1/journeys/nope", {}, 404),
        ("/v1/journeys/jny_0000", {}, 404),
        ("/v1/customers/cus_999999/journeys", {}, 404),
        ("/v1/customers/bob/context", {}, 404),
        ("/v1/context", {}, 400),
        ("/v1/context", {"phone": "+14155550142", "email": "a@b.c"}, 400),
        ("/v1/context", {"shoe_size": "44"}, 400),
        ("/v1/context", {"phone": "0000000000"}, 400),
        ("/v1/context", {"phone": "+1 202 555 0000"}, 404),
        ("/v1/customers/cus_1/journeys", {"limit": "0"}, 422),
    ],
)
async def test_bad_lookups_get_a_clear_error(
    client: httpx.AsyncClient, path: str, params: dict[str, str], status: int
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == status
    assert response.json()["detail"]
