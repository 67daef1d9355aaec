"""An identity merge re-evaluates the joined history: scorecard and Prometheus both move."""

from __future__ import annotations

import httpx
from support.journey_events import at, unified
from support.scorecards import post_and_process, prometheus, total_row

from journeyflow.bootstrap import Service


async def test_two_first_contacts_become_one_journey_when_their_profiles_merge(
    client: httpx.AsyncClient, service: Service
) -> None:
    call = [
        unified(
            "v1",
            "contact.started",
            at(0),
            "voice",
            contact_id="call-1",
            intent="billing",
            identifiers={"phone": "+14155550101"},
        ),
        unified("v2", "contact.ended", at(8), "voice", contact_id="call-1", agent_id="a1"),
    ]
    chat = [
        unified(
            "c1",
            "contact.started",
            at(days=2),
            "chat",
            source="chat",
            contact_id="chat-1",
            intent="billing",
            identifiers={"email": "ana@example.com"},
        ),
    ]
    await post_and_process(client, service, [*call, *chat])
    before = await total_row(client)
    assert (before["contacts"], before["repeat_contacts"], before["journeys"]) == (2, 0, 2)
    assert before["channel_switches"] == 0

    link = unified(
        "w1",
        "touchpoint.viewed",
        at(days=3),
        "web",
        source="web",
        identifiers={"phone": "+1 415 555 0101", "email": "ana@example.com"},
    )
    await post_and_process(client, service, [link])
    after = await total_row(client)
    assert (after["contacts"], after["repeat_contacts"], after["journeys"]) == (2, 1, 1)
    assert (after["channel_switches"], after["blind_handoffs"]) == (1, 1)
    assert after["repeat_contact_rate"] == 0.5

    totals, corrections = await prometheus(client)
    assert totals["journeyflow_repeat_contacts_total"] == 1
    assert totals["journeyflow_journeys_total"] == 2
    assert corrections["journeyflow_journeys"] == 1
    assert totals["journeyflow_channel_switches_total"] == 1
    assert totals["journeyflow_journeys_total"] - corrections["journeyflow_journeys"] == 1


async def test_a_merged_away_id_gets_the_survivors_journeys_and_briefing(
    client: httpx.AsyncClient, service: Service
) -> None:
    ana = {"email": "ana@example.com"}
    phone = {"phone": "+14155550101"}
    await post_and_process(
        client,
        service,
        [
            unified(
                "a1",
                "contact.started",
                at(0),
                "chat",
                source="chat",
                contact_id="chat-1",
                intent="billing",
                identifiers=ana,
            ),
            unified(
                "p1",
                "contact.started",
                at(5),
                "voice",
                contact_id="call-1",
                intent="billing",
                identifiers=phone,
            ),
        ],
    )
    older = (await client.get("/v1/customers", params=ana)).json()["id"]
    newer = (await client.get("/v1/customers", params=phone)).json()["id"]
    assert older != newer
    await post_and_process(
        client,
        service,
        [
            unified("w1", "touchpoint.viewed", at(9), "web", source="web", identifiers=ana | phone),
        ],
    )
    context = (await client.get(f"/v1/customers/{newer}/context")).json()
    assert (context["customer_id"], context["requested_id"]) == (older, newer)
    journeys = (await client.get(f"/v1/customers/{newer}/journeys")).json()["journeys"]
    assert [(j["contacts"], j["channels"]) for j in journeys] == [(2, ["chat", "voice"])]
