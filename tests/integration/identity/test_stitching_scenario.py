"""Hundreds of people, thousands of events, identifiers scattered and dirty: one customer each."""

from __future__ import annotations

from collections import Counter

import httpx
from support.processing import drain

from journeyflow.bootstrap import Service
from journeyflow.demo.population import Population, batches


async def test_every_person_resolves_to_exactly_one_customer(
    client: httpx.AsyncClient, service: Service
) -> None:
    population = Population(400, seed=11)
    deliveries = population.deliveries(duplicates=0.02, late=0.05)
    unique = {(e["source"], e["event_id"]) for e in deliveries}
    resent = len(deliveries) - len(unique)
    assert len(unique) >= 5000
    assert resent > 0

    accepted = duplicates = 0
    for batch in batches(deliveries, 250):
        response = await client.post("/v1/events", json={"events": batch})
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["rejected"] == []
        accepted += body["accepted"]
        duplicates += body["duplicates"]
    assert (accepted, duplicates) == (len(unique), resent)

    assert await drain(service) == len(unique)

    customer_of_person = {}
    for person in population.people:
        found = set()
        for type_, values in person.identifiers.items():
            for value in values:
                response = await client.get("/v1/customers", params={type_: value})
                assert response.status_code == 200, (person.index, type_, value, response.text)
                found.add(response.json()["id"])
        assert len(found) == 1, f"person {person.index} split over {found}"
        customer_of_person[person.index] = found.pop()
    assert len(set(customer_of_person.values())) == len(population.people), "people share ids"

    timeline_sizes = Counter(
        row["customer_id"] for row in await service.pool.fetch("SELECT customer_id FROM timeline")
    )
    assert sum(timeline_sizes.values()) == len(unique)
    for person in population.people:
        customer = int(customer_of_person[person.index].removeprefix("cus_"))
        assert timeline_sizes[customer] == len(person.events)


async def test_junk_identifiers_never_link_people(
    client: httpx.AsyncClient, service: Service
) -> None:
    events = [
        {
            "event_id": f"e{i}",
            "source": "ivr",
            "occurred_at": "2026-11-01T10:00:00Z",
            "kind": "contact.started",
            "channel": "ivr",
            "contact_id": f"call-{i}",
            "identifiers": {"phone": junk, "account_id": f"AC-{i}"},
        }
        for i, junk in enumerate(["0000000000", "unknown", "000-000-0000", " null "])
    ]
    assert (await client.post("/v1/events", json={"events": events})).status_code == 202
    await drain(service)
    customers = await service.pool.fetchval("SELECT count(*) FROM customers")
    phones = await service.pool.fetchval("SELECT count(*) FROM identifiers WHERE type='phone'")
    assert (customers, phones) == (4, 0)
