"""Retroactive corrections: a revised event or a moved event adjusts buckets, and Prometheus
counts what it cannot take back, so counter - corrections always equals the scorecard."""

from __future__ import annotations

import httpx
from support.journey_events import at, unified
from support.scorecards import net_total, post_and_process, prometheus, total_row

from journeyflow.bootstrap import Service

PHONE = {"phone": "+1 415 555 0177"}


async def test_an_intent_correction_turns_a_repeat_back_into_a_first_contact(
    client: httpx.AsyncClient, service: Service
) -> None:
    first = unified(
        "k1",
        "contact.started",
        at(0),
        "voice",
        contact_id="call-1",
        intent="billing_dispute",
        identifiers=PHONE,
    )
    second = unified(
        "k2",
        "contact.started",
        at(days=1),
        "voice",
        contact_id="call-2",
        intent="billing_dispute",
        identifiers=PHONE,
    )
    await post_and_process(client, service, [first, second])
    row = await total_row(client)
    assert (row["repeat_contacts"], row["journeys"]) == (1, 1)

    corrected = second | {"intent": "fraud", "revision": 1}
    await post_and_process(client, service, [corrected])
    row = await total_row(client)
    assert (row["contacts"], row["repeat_contacts"], row["journeys"]) == (2, 0, 2)

    counters, corrections = await prometheus(client)
    assert counters["journeyflow_repeat_contacts_total"] == 1
    assert corrections["journeyflow_repeat_contacts"] == 1
    assert corrections["journeyflow_contacts"] == 1  # billing_dispute -1, fraud +1
    for counter, field in (
        ("journeyflow_contacts", "contacts"),
        ("journeyflow_repeat_contacts", "repeat_contacts"),
        ("journeyflow_journeys", "journeys"),
    ):
        assert await net_total(client, counter) == row[field]


async def test_a_revision_that_moves_an_event_to_another_customer_retires_its_contact(
    client: httpx.AsyncClient, service: Service
) -> None:
    ana = {"email": "ana@example.com"}
    ben = {"email": "ben@example.com"}
    mine = unified(
        "m1",
        "contact.started",
        at(0),
        "chat",
        source="chat",
        contact_id="ana-1",
        intent="cancel",
        identifiers=ana,
    )
    misfiled = unified(
        "x1",
        "contact.started",
        at(60),
        "chat",
        source="chat",
        contact_id="ana-2",
        intent="cancel",
        identifiers=ana,
    )
    await post_and_process(client, service, [mine, misfiled])
    assert (await total_row(client))["repeat_contacts"] == 1

    refiled = misfiled | {"identifiers": ben, "revision": 1, "contact_id": "ben-1"}
    await post_and_process(client, service, [refiled])
    row = await total_row(client)
    assert (row["contacts"], row["repeat_contacts"], row["journeys"]) == (2, 0, 2)
    assert await net_total(client, "journeyflow_repeat_contacts") == 0
