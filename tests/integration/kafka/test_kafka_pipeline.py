"""journeyflow end to end on Kafka: raw topics, the events topic, dead letters, broker loss."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import orjson
from support.kafka import MockCluster
from support.processing import drain, partition

from journeyflow.bootstrap import Service
from journeyflow.demo.population import Population
from journeyflow.kafka.topics import Topics

from .conftest import eventually

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats"
TOPICS = Topics("journeyflow")
POPULATION_EVENTS = Population(25, seed=21).events


SHARED_SAMPLE_CONVERSATION = b"5f74a0d52b5315fc007e798a"
"""Sunshine's docs reuse one sample conversation with different users' customer ids: an identity
conflict, and with conflicts the partition may depend on arrival order (DESIGN §3)."""


def native_bodies() -> list[tuple[str, bytes]]:
    """The documented samples that normalize to events without conflicts: (format, body).

    A sample is left out when it reuses an event id an earlier sample took (Stripe's docs put
    `evt_000000000000000000000000` on several different events). Of two different events under
    one id the first processed is kept and the other is a duplicate; on Kafka they may travel in
    different partitions (keyed by their strongest identifiers, DESIGN §1), so which is first is
    not defined, and neither is the partition that follows from their identifiers.
    """
    bodies = []
    taken: set[tuple[str, str]] = set()
    for expected in sorted(FIXTURES.glob("*/*.expected.json")):
        events = orjson.loads(expected.read_bytes())
        if isinstance(events, dict):
            continue  # a sample that must be rejected
        payload = expected.with_name(expected.name.replace(".expected.json", ".json"))
        ids = {(e["source"], e["event_id"]) for e in events}
        if SHARED_SAMPLE_CONVERSATION in payload.read_bytes() or ids & taken:
            continue
        taken |= ids
        bodies.append((expected.parent.name, payload.read_bytes()))
    return bodies


async def timeline_size(service: Service) -> int:
    return int(await service.pool.fetchval("SELECT count(*) FROM timeline"))


async def scorecards(client: httpx.AsyncClient) -> dict[str, Any]:
    cards = {}
    for by in ("none", "intent", "channel", "department", "source"):
        response = await client.get(
            "/v1/scorecard",
            params={"from": "2026-09-01T00:00:00Z", "to": "2027-01-01T00:00:00Z", "by": by},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        cards[by] = sorted(body["rows"], key=lambda row: str(row["key"]))
    return cards


async def test_raw_topics_give_the_same_timelines_and_scorecards_as_http(
    cluster: MockCluster,
    kafka_service: Service,
    kafka_client: httpx.AsyncClient,
    service: Service,
    client: httpx.AsyncClient,
) -> None:
    # Over HTTP, on the embedded log:
    for start in range(0, len(POPULATION_EVENTS), 500):
        chunk = POPULATION_EVENTS[start : start + 500]
        assert (await client.post("/v1/events", json={"events": chunk})).status_code == 202
    for format_name, body in native_bodies():
        response = await client.post(
            f"/v1/ingest/{format_name}",
            content=body,
            headers={"content-type": "application/json"},
        )
        assert response.status_code in (202, 422), response.text
    await drain(service)
    expected_events = await timeline_size(service)
    assert await service.pool.fetchval("SELECT count(*) FROM identity_conflicts") == 0

    # On Kafka, as producers would send them to the raw topics:
    await cluster.produce(TOPICS.raw("unified"), [orjson.dumps(e) for e in POPULATION_EVENTS])
    for format_name, body in native_bodies():
        await cluster.produce(TOPICS.raw(format_name), [body])

    async def caught_up() -> bool:
        return await timeline_size(kafka_service) == expected_events

    await eventually(caught_up)
    assert await partition(kafka_service.pool) == await partition(service.pool)
    assert await scorecards(kafka_client) == await scorecards(client)


async def test_http_ingest_on_kafka_answers_202_only_once_the_broker_acknowledged(
    kafka_service: Service, kafka_client: httpx.AsyncClient
) -> None:
    events = POPULATION_EVENTS[:50]
    response = await kafka_client.post("/v1/events", json={"events": events})
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 50

    async def processed() -> bool:
        return await timeline_size(kafka_service) == 50

    await eventually(processed)
    again = await kafka_client.post("/v1/events", json={"events": events[:10]})
    assert again.json()["duplicates"] == 10


async def test_undecodable_and_invalid_records_land_in_the_dlq_and_the_rest_goes_on(
    cluster: MockCluster, kafka_service: Service, kafka_client: httpx.AsyncClient
) -> None:
    good = [orjson.dumps(e) for e in POPULATION_EVENTS[:6]]
    bad_event = dict(POPULATION_EVENTS[6], channel="pigeon")
    records = [
        good[0],
        b"\xff\xfe\x00garbage",
        good[1],
        b'{"event_id": "x", "source": ',
        good[2],
        orjson.dumps(bad_event),
        good[3],
    ]
    await cluster.produce(TOPICS.raw("unified"), records)
    await cluster.produce(TOPICS.raw("stripe"), [b'{"object": "event", "type": "nonsense"}'])
    # A producer writing straight to the events topic gets no free pass either:
    await cluster.produce(TOPICS.events, [good[4], b"[1, 2, 3]", good[5]])

    async def settled() -> bool:
        letters = await kafka_service.pool.fetchval("SELECT count(*) FROM dead_letters")
        return await timeline_size(kafka_service) == 6 and letters == 5

    await eventually(settled)
    rows = await kafka_service.pool.fetch(
        "SELECT stage, format, topic, reason, error FROM dead_letters ORDER BY id"
    )
    assert Counter((r["stage"], r["format"], r["reason"]) for r in rows) == Counter(
        {
            ("normalize", "unified", "undecodable"): 1,
            ("normalize", "unified", "invalid-json"): 1,
            ("normalize", "unified", "invalid-payload"): 1,
            ("normalize", "stripe", "invalid-payload"): 1,
            ("process", "unified", "invalid-event"): 1,
        }
    )
    assert any("channel" in r["error"] for r in rows if r["reason"] == "invalid-payload")

    async def all_published() -> bool:
        return len(await cluster.read_all(TOPICS.dlq)) == 5

    await eventually(all_published)
    dlq = await cluster.read_all(TOPICS.dlq)
    assert sorted(r.value for r in dlq) == sorted(
        bytes(v)
        for v in await kafka_service.pool.fetchval("SELECT array_agg(value) FROM dead_letters")
    )
    headers = dict(dlq[0].headers)
    assert {
        "journeyflow.error",
        "journeyflow.format",
        "journeyflow.original.topic",
        "journeyflow.original.partition",
        "journeyflow.original.offset",
    } <= set(headers)

    metrics = (await kafka_client.get("/metrics")).text
    assert 'journeyflow_dlq_records_total{format="unified",reason="undecodable"} 1.0' in metrics
    assert 'journeyflow_dlq_records_total{format="stripe",reason="invalid-payload"} 1.0' in metrics
    assert 'journeyflow_kafka_records_produced_total{topic="journeyflow.dlq"} 5.0' in metrics
    consumed = 'journeyflow_kafka_records_consumed_total{topic="journeyflow.raw.unified"} 7.0'
    assert consumed in metrics
    assert "journeyflow_kafka_consumer_lag_records{" in metrics

    listed = await kafka_client.get("/v1/dead-letters", params={"limit": 3})
    assert listed.status_code == 200
    first_page = listed.json()
    assert len(first_page["dead_letters"]) == 3
    rest = await kafka_client.get("/v1/dead-letters", params={"after": first_page["next_after"]})
    assert len(rest.json()["dead_letters"]) == 2
    assert rest.json()["next_after"] is None


async def test_with_the_broker_gone_http_ingest_answers_503_in_bounded_time(
    cluster: MockCluster, kafka_service: Service, kafka_client: httpx.AsyncClient
) -> None:
    assert (await kafka_client.post("/v1/events", json=POPULATION_EVENTS[0])).status_code == 202
    cluster.stop()

    started = time.monotonic()
    response = await kafka_client.post("/v1/events", json=POPULATION_EVENTS[1])
    elapsed = time.monotonic() - started

    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert "nothing was accepted" in response.json()["detail"]
    assert elapsed < 10
