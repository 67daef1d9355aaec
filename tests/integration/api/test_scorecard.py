"""`GET /v1/scorecard`: ranges, rollup edges, grouping, bad input, and agreement with /metrics."""

from __future__ import annotations

import random
from datetime import datetime

import httpx
import pytest
from support.journey_events import at, unified
from support.scorecards import ALL_TIME, net_total, post_and_process, scorecard, total_row

from journeyflow.bootstrap import Service
from journeyflow.demo.population import Population, batches

STARTS = [at(59), at(60), at(90), at(120), at(179), at(180), at(194), at(195)]  # 09:59 … 12:15


def started(n: int, when: datetime, intent: str) -> dict[str, object]:
    return unified(
        f"s{n}",
        "contact.started",
        when,
        "voice",
        contact_id=f"k{n}",
        intent=intent,
        identifiers={"phone": f"+1415555{n:04d}"},
    )


@pytest.fixture
async def eight_contacts(client: httpx.AsyncClient, service: Service) -> None:
    intents = ["billing", "fraud"]
    await post_and_process(
        client, service, [started(n, t, intents[n % 2]) for n, t in enumerate(STARTS)]
    )


@pytest.mark.usefixtures("eight_contacts")
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (at(60), at(195), STARTS[1:7]),  # whole hours plus ragged minutes at both ends
        (at(60.5), at(194.5), STARTS[2:7]),  # a bucket counts when its minute starts inside
        (at(90), at(120), STARTS[2:3]),  # inside one hour: minutes only
        (at(0), at(600), STARTS),
    ],
)
async def test_a_range_counts_the_contacts_that_started_in_it(
    client: httpx.AsyncClient, start: datetime, end: datetime, expected: list[datetime]
) -> None:
    row = await total_row(client, **{"from": start.isoformat(), "to": end.isoformat()})
    assert row["contacts"] == len(expected)
    assert row["key"] is None


@pytest.mark.usefixtures("eight_contacts")
async def test_rows_by_a_dimension_add_up_to_the_total(client: httpx.AsyncClient) -> None:
    card = await scorecard(client, by="intent", **ALL_TIME)
    assert card["by"] == "intent"
    assert {r["key"]: r["contacts"] for r in card["rows"]} == {"billing": 4, "fraud": 4}
    by_channel = await scorecard(client, by="channel", **ALL_TIME)
    assert [(r["key"], r["contacts"]) for r in by_channel["rows"]] == [("voice", 8)]


async def test_an_empty_range_has_one_row_of_zeros_and_null_rates(
    client: httpx.AsyncClient,
) -> None:
    card = await scorecard(client, window="15m")
    (row,) = card["rows"]
    assert row["contacts"] == 0
    assert row["containment_rate"] is None
    assert row["fcr_rate"] is None
    assert row["nps"] is None
    assert card["to"] > card["from"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"window": "1h", "from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"}, 400),
        ({"from": "2026-01-01T00:00:00Z"}, 400),
        ({"from": "2026-01-01T00:00:00", "to": "2026-01-02T00:00:00"}, 400),
        ({"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, 400),
        ({"from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, 400),
        ({"from": "yesterday", "to": "2026-01-01T00:00:00Z"}, 422),
        ({"window": "2h"}, 422),
        ({"by": "customer"}, 422),
    ],
)
async def test_bad_ranges_and_groupings_get_a_clear_error(
    client: httpx.AsyncClient, params: dict[str, str], status: int
) -> None:
    response = await client.get("/v1/scorecard", params=params)
    assert response.status_code == status
    assert response.json()["detail"]


COUNTED = {
    "journeyflow_contacts": "contacts",
    "journeyflow_assisted_contacts": "assisted_contacts",
    "journeyflow_self_service_contacts": "self_service_contacts",
    "journeyflow_contained_contacts": "contained_contacts",
    "journeyflow_repeat_contacts": "repeat_contacts",
    "journeyflow_transfers": "transfers",
    "journeyflow_transferred_contacts": "transferred_contacts",
    "journeyflow_escalations": "escalations",
    "journeyflow_channel_switches": "channel_switches",
    "journeyflow_blind_handoffs": "blind_handoffs",
    "journeyflow_repeated_verifications": "repeated_verifications",
    "journeyflow_journeys": "journeys",
    "journeyflow_journeys_resolved": "resolved_journeys",
}


async def test_metrics_totals_equal_scorecard_totals(
    client: httpx.AsyncClient, service: Service
) -> None:
    events = list(Population(15, seed=11).events)
    random.Random(4).shuffle(events)  # late events: some decisions are revised later
    for chunk in batches(events, 40):
        await post_and_process(client, service, chunk)
    row = await total_row(client)
    assert row["contacts"] > 0
    assert row["repeat_contacts"] > 0
    for counter, field in COUNTED.items():
        assert await net_total(client, counter) == row[field], counter
