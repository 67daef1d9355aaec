"""One person through four systems, each posting its own native payloads to `/v1/ingest/{format}`:
an Amazon Connect call, a Sunshine chat passed from the bot to an agent, a Stripe dispute and
failed payment, and a Salesforce case opened and closed. Every event must land on one customer
timeline, whatever order the systems deliver in."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from support.processing import drain, partition
from unit.normalize import golden

from journeyflow.bootstrap import Service
from journeyflow.normalize.settings import NormalizeSettings
from journeyflow.settings import Settings

EMAIL = "jenny.rosen@example.com"
PHONE = "+14155550100"
CUSTOMER = "CUST-1001"
CASE = "500RM000003kQzWYAU"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Connect's intent vocabulary (case ids are identifiers by default, so case updates, which
    name no contact, find the customer of their case)."""
    normalize = NormalizeSettings(
        intent_map=golden.settings_for("amazon-connect-ctr").intent_map,
        queue_departments=golden.settings_for("amazon-connect-ctr").queue_departments,
    )
    return settings.model_copy(update={"normalize": normalize})


def _fixture(format_name: str, name: str) -> Any:
    return copy.deepcopy(golden.Case(format_name, name).body())


def _deliveries() -> list[tuple[str, Any]]:
    """(format, request body) as each system would post them for the same person."""
    call = _fixture("amazon-connect-ctr", "inbound-call-escalated-then-transferred")
    assert call["CustomerEndpoint"]["Address"] == PHONE
    assert call["Attributes"]["customer_id"] == CUSTOMER

    chat = _fixture("zendesk-sunshine", "bot_conversation_passed_to_agent")
    chat["events"][0]["payload"]["user"]["externalId"] = CUSTOMER  # the web login

    dispute = _fixture("stripe", "dispute_created")  # names the card holder's e-mail only
    failed = _fixture("stripe", "invoice_payment_failed")
    failed["data"]["object"]["metadata"] = {"customer_id": CUSTOMER}

    opened = _fixture("salesforce-cdc", "case_created_cometd")
    opened["payload"]["SuppliedEmail"] = EMAIL.upper()
    opened["payload"]["SuppliedPhone"] = "(415) 555-0100"
    closed = _fixture("salesforce-cdc", "case_closed_bare")  # names nothing but the case
    return [
        ("amazon-connect-ctr", call),
        ("zendesk-sunshine", chat),
        ("stripe", dispute),
        ("stripe", [failed]),
        ("salesforce-cdc", [opened, closed]),
    ]


async def _deliver(client: httpx.AsyncClient, deliveries: list[tuple[str, Any]]) -> None:
    for format_name, body in deliveries:
        response = await client.post(f"/v1/ingest/{format_name}", json=body)
        assert response.status_code == 202, response.text
        assert response.json()["rejected"] == [], response.text


async def _customer(client: httpx.AsyncClient, type_: str, value: str) -> int:
    response = await client.get("/v1/customers", params={type_: value})
    assert response.status_code == 200, f"{type_}={value}: {response.text}"
    customer_id: int = response.json()["id"]
    return customer_id


async def _timeline(client: httpx.AsyncClient, customer_id: int) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/customers/{customer_id}/timeline", params={"limit": 100})
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    events: list[dict[str, Any]] = response.json()["events"]
    return events


@pytest.mark.parametrize("order", ["as_listed", "reversed"])
async def test_a_dispute_and_a_case_land_on_the_timeline_of_the_caller_and_chatter(
    client: httpx.AsyncClient, service: Service, database_url: str, order: str
) -> None:
    deliveries = _deliveries()
    if order == "reversed":
        deliveries.reverse()
    await _deliver(client, deliveries)
    await drain(service)

    customer = await _customer(client, "phone", PHONE)
    for type_, value in [
        ("email", EMAIL),
        ("customer_id", CUSTOMER),
        ("billing_customer_id", "cus_00000000000000"),
        ("crm_contact_id", "003RM000006gY9bYAE"),
        ("chat_user_id", "26508c10541a4b0ff472e5e2"),
        ("crm_case_id", CASE),
    ]:
        assert await _customer(client, type_, value) == customer, type_

    events = await _timeline(client, customer)
    by_source = {(e["source"], e["kind"]) for e in events}
    assert ("billing", "billing.dispute_opened") in by_source
    assert ("billing", "billing.payment_failed") in by_source
    assert ("crm", "case.opened") in by_source
    assert ("crm", "case.resolved") in by_source
    assert ("chat", "contact.escalated") in by_source
    assert ("ivr", "contact.started") in by_source
    assert len(await partition(database_url)) == 1  # no event of theirs went anywhere else


async def test_the_chat_is_one_contact_with_one_escalation_on_the_same_timeline(
    client: httpx.AsyncClient, service: Service
) -> None:
    await _deliver(client, _deliveries())
    chat = dict(_deliveries())["zendesk-sunshine"]
    await _deliver(client, [("zendesk-sunshine", chat)])  # Sunshine retries the delivery
    await drain(service)

    events = await _timeline(client, await _customer(client, "email", EMAIL))
    chat_events = [e for e in events if e["source"] == "chat"]
    assert {e["contact_id"] for e in chat_events} == {"6571a2b3c4d5e6f708192a3b"}
    assert [e["kind"] for e in chat_events].count("contact.escalated") == 1
    assert all("contact_id" not in e for e in events if e["source"] in ("billing", "crm"))
