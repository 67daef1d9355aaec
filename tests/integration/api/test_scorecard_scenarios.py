"""Real contact-centre pains, each with the exact scorecard it must produce (issue 4)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.journey_events import at, unified
from support.scorecards import ALL_TIME, post_and_process, scorecard, total_row

from journeyflow.bootstrap import Service


def ev(event_id: str, kind: str, minutes: float, channel: str, **fields: Any) -> dict[str, Any]:
    return unified(event_id, kind, at(minutes), channel, **fields)


async def test_eligibility_question_goes_portal_chat_voice_without_context(
    client: httpx.AsyncClient, service: Service
) -> None:
    member = {"customer_id": "M-1001"}
    portal = {"source": "portal", "contact_id": "sess-1", "intent": "eligibility"}
    chat = {"source": "chat", "contact_id": "conv-1", "intent": "eligibility"}
    call = {"source": "ivr", "contact_id": "call-1", "intent": "eligibility"}
    await post_and_process(
        client,
        service,
        [
            ev("p1", "contact.started", 0, "web", identifiers=member, **portal),
            ev("p2", "contact.ended", 6, "web", outcome="abandoned", **portal),
            ev("c1", "contact.started", 20, "chat", identifiers=member, agent_id="a-3", **chat),
            ev(
                "c2",
                "contact.ended",
                32,
                "chat",
                outcome="unresolved",
                measures={"handle_seconds": 300},
                **chat,
            ),
            ev("v1", "contact.started", 120, "voice", identifiers=member, agent_id="a-9", **call),
            ev(
                "v2",
                "contact.ended",
                130,
                "voice",
                outcome="resolved",
                measures={"talk_seconds": 420, "hold_seconds": 60, "acw_seconds": 120},
                **call,
            ),
            ev(
                "s1",
                "survey.responded",
                140,
                "email",
                source="survey",
                contact_id="call-1",
                identifiers=member,
                measures={"csat": 2, "nps": 3, "ces": 6},
            ),
        ],
    )
    row = await total_row(client)
    assert {k: row[k] for k in row if k != "key"} == {
        "contacts": 3,
        "assisted_contacts": 2,
        "self_service_contacts": 1,
        "contained_contacts": 1,
        "containment_rate": 1.0,
        "repeat_contacts": 2,
        "repeat_contact_rate": 2 / 3,
        "fcr_rate": 1 - 2 / 3,
        "fcr_matured_contacts": 3,
        "transfers": 0,
        "transferred_contacts": 0,
        "transfer_rate": 0.0,
        "escalations": 0,
        "channel_switches": 2,
        "blind_handoffs": 2,
        "blind_handoff_rate": 1.0,
        "repeated_verifications": 0,
        "journeys": 1,
        "resolved_journeys": 1,
        "mean_time_to_resolution_seconds": 130 * 60.0,
        "aht_seconds": (300 + 600) / 2,
        "csat_mean": 2.0,
        "csat_satisfied_rate": 0.0,
        "nps": -100.0,
        "ces_mean": 6.0,
    }
    by_channel = await scorecard(client, by="channel", **ALL_TIME)
    assert {r["key"]: r["blind_handoffs"] for r in by_channel["rows"]} == {
        "chat": 1,
        "voice": 1,
        "web": 0,
    }


async def test_fraud_alert_with_identity_verified_on_three_channels(
    client: httpx.AsyncClient, service: Service
) -> None:
    account = {"account_id": "AC-77"}
    app = {"source": "app", "contact_id": "app-1", "intent": "fraud"}
    chat = {"source": "chat", "contact_id": "conv-7", "intent": "fraud"}
    call = {"source": "ivr", "contact_id": "call-7", "intent": "fraud"}
    await post_and_process(
        client,
        service,
        [
            ev("a1", "contact.started", 0, "app", identifiers=account, **app),
            ev("a2", "identity.verified", 1, "app", **app),
            ev("a3", "contact.ended", 3, "app", outcome="unresolved", **app),
            ev("c1", "contact.started", 10, "chat", identifiers=account, agent_id="a-1", **chat),
            ev("c2", "identity.verified", 12, "chat", **chat),
            ev(
                "c3",
                "contact.ended",
                25,
                "chat",
                outcome="unresolved",
                measures={"handle_seconds": 780},
                **chat,
            ),
            ev(
                "v1",
                "contact.started",
                40,
                "ivr",
                identifiers=account,
                previous_contact_ref="conv-7",
                **call,
            ),
            ev("v2", "identity.verified", 41, "ivr", **call),
            ev(
                "v3",
                "contact.escalated",
                43,
                "voice",
                to={"department": "fraud", "agent_id": "f-2"},
                **call,
            ),
            ev(
                "v4",
                "contact.ended",
                58,
                "voice",
                outcome="resolved",
                measures={"handle_seconds": 900},
                **call,
            ),
        ],
    )
    row = await total_row(client)
    expected = {
        "contacts": 3,
        "assisted_contacts": 2,
        "self_service_contacts": 2,
        "contained_contacts": 1,
        "containment_rate": 0.5,
        "repeat_contacts": 2,
        "escalations": 1,
        "channel_switches": 2,
        "blind_handoffs": 1,
        "blind_handoff_rate": 0.5,
        "repeated_verifications": 2,
        "journeys": 1,
        "resolved_journeys": 1,
        "mean_time_to_resolution_seconds": 58 * 60.0,
        "aht_seconds": (780 + 900) / 2,
    }
    assert {k: row[k] for k in expected} == expected
    by_department = await scorecard(client, by="department", **ALL_TIME)
    assert {r["key"]: r["escalations"] for r in by_department["rows"]} == {None: 0, "fraud": 1}


async def test_plan_change_bounced_between_billing_and_provisioning(
    client: httpx.AsyncClient, service: Service
) -> None:
    phone = {"phone": "+1 212 555 0199"}
    first = {"contact_id": "call-1", "intent": "plan_change"}
    second = {"contact_id": "call-2", "intent": "plan_change"}
    day = 24 * 60
    await post_and_process(
        client,
        service,
        [
            ev(
                "1a",
                "contact.started",
                0,
                "voice",
                identifiers=phone,
                department="billing",
                agent_id="b-1",
                **first,
            ),
            ev("1b", "contact.transferred", 7, "voice", to={"department": "provisioning"}, **first),
            ev("1c", "contact.transferred", 15, "voice", to={"department": "billing"}, **first),
            ev(
                "1d",
                "contact.ended",
                22,
                "voice",
                outcome="unresolved",
                measures={"handle_seconds": 1320},
                **first,
            ),
            ev(
                "2a",
                "contact.started",
                day,
                "voice",
                identifiers=phone,
                department="billing",
                agent_id="b-4",
                **second,
            ),
            ev(
                "2b",
                "contact.transferred",
                day + 5,
                "voice",
                to={"department": "provisioning", "agent_id": "p-2"},
                **second,
            ),
            ev(
                "2c",
                "contact.ended",
                day + 14,
                "voice",
                outcome="resolved",
                measures={"handle_seconds": 840},
                **second,
            ),
        ],
    )
    row = await total_row(client)
    expected = {
        "contacts": 2,
        "assisted_contacts": 2,
        "repeat_contacts": 1,
        "repeat_contact_rate": 0.5,
        "fcr_rate": 0.5,
        "fcr_matured_contacts": 2,
        "transfers": 3,
        "transferred_contacts": 2,
        "transfer_rate": 1.0,
        "channel_switches": 0,
        "blind_handoff_rate": None,
        "journeys": 1,
        "resolved_journeys": 1,
        "mean_time_to_resolution_seconds": (day + 14) * 60.0,
        "aht_seconds": (1320 + 840) / 2,
        "containment_rate": None,
    }
    assert {k: row[k] for k in expected} == expected
    by_department = await scorecard(client, by="department", **ALL_TIME)
    assert {r["key"]: (r["contacts"], r["transfers"]) for r in by_department["rows"]} == {
        "billing": (1, 2),
        "provisioning": (1, 1),
    }


@pytest.mark.parametrize("window", ["24h", "7d"])
async def test_bot_chat_contained_versus_escalated(
    client: httpx.AsyncClient, service: Service, window: str
) -> None:
    contained = {"source": "chat", "contact_id": "bot-1", "intent": "order_status"}
    escalated = {"source": "chat", "contact_id": "bot-2", "intent": "order_status"}
    await post_and_process(
        client,
        service,
        [
            ev(
                "b1",
                "contact.started",
                0,
                "bot",
                identifiers={"email": "a@example.com"},
                **contained,
            ),
            ev("b2", "contact.ended", 4, "bot", outcome="resolved", **contained),
            ev(
                "e1",
                "contact.started",
                1,
                "bot",
                identifiers={"email": "b@example.com"},
                **escalated,
            ),
            ev(
                "e2",
                "contact.escalated",
                3,
                "chat",
                to={"department": "care", "agent_id": "c-1"},
                **escalated,
            ),
            ev(
                "e3",
                "contact.ended",
                11,
                "chat",
                outcome="resolved",
                measures={"handle_seconds": 240},
                **escalated,
            ),
            ev("e4", "survey.responded", 12, "chat", measures={"csat": 5}, **escalated),
        ],
    )
    row = await total_row(client)
    expected = {
        "contacts": 2,
        "self_service_contacts": 2,
        "contained_contacts": 1,
        "containment_rate": 0.5,
        "assisted_contacts": 1,
        "escalations": 1,
        "repeat_contacts": 0,
        "fcr_rate": 1.0,
        "journeys": 2,
        "resolved_journeys": 2,
        "aht_seconds": 240.0,
        "csat_mean": 5.0,
        "csat_satisfied_rate": 1.0,
        "nps": None,
    }
    assert {k: row[k] for k in expected} == expected
    recent = await total_row(client, window=window)
    assert recent["contacts"] == 0  # the scenario is in March; windows end now
