"""The log and the timeline keep each event's JSON as ingest wrote it, byte for byte."""

from __future__ import annotations

import asyncpg
import httpx
from support.scorecards import post_and_process

from journeyflow.bootstrap import Service
from journeyflow.events import InteractionEvent
from journeyflow.store import migrate

EVENT = {
    "event_id": "chat-7:started",
    "source": "chat",
    "occurred_at": "2026-11-20T10:05:00Z",
    "kind": "contact.started",
    "channel": "chat",
    "contact_id": "chat-7",
    "intent": "billing",
    "identifiers": {"email": "Zoë@example.com", "account_id": "A-1"},
    "attributes": {"queue": "tier 2", "nested": {"b": [1, 2.5, None], "a": "ünïcode"}},
}


async def stored_texts(dsn: str) -> tuple[str, str]:
    connection = await asyncpg.connect(dsn)
    try:
        logged = await connection.fetchval("SELECT payload::text FROM event_log")
        on_timeline = await connection.fetchval("SELECT payload::text FROM timeline")
    finally:
        await connection.close()
    return logged, on_timeline


async def test_the_log_and_the_timeline_store_the_canonical_json_unchanged(
    client: httpx.AsyncClient, service: Service, database_url: str
) -> None:
    await post_and_process(client, service, [EVENT])

    logged, on_timeline = await stored_texts(database_url)

    assert on_timeline == logged
    canonical = InteractionEvent.model_validate_json(logged).to_json().decode()
    assert logged == canonical  # key order and spacing as written (jsonb would reorder them)


async def test_stored_payloads_survive_the_migration_down_to_jsonb_and_back(
    client: httpx.AsyncClient, service: Service, database_url: str
) -> None:
    await post_and_process(client, service, [EVENT])
    before = await stored_texts(database_url)

    await migrate.downgrade(database_url, "0006")
    await migrate.upgrade(database_url)

    logged, on_timeline = await stored_texts(database_url)
    assert InteractionEvent.model_validate_json(logged) == InteractionEvent.model_validate_json(
        before[0]
    )
    assert on_timeline == logged
    again = await client.post("/v1/events", json={"events": [EVENT | {"event_id": "chat-7:x"}]})
    assert again.json()["accepted"] == 1  # the log's append function is back, taking json


async def test_each_logged_row_keys_its_own_payload(
    client: httpx.AsyncClient, database_url: str
) -> None:
    """The key columns travel apart from the payloads (migration 0012) and must pair up with
    them row by row, duplicates and superseded revisions among them."""
    events = [
        EVENT | {"event_id": f"e-{n}", "source": source, "revision": revision}
        for n, (source, revision) in enumerate([("chat", 0), ("crm", 3), ("ivr", 1), ("web", 9)])
    ]
    superseded = events[1] | {"revision": 1}
    answer = await client.post("/v1/events", json={"events": [superseded, *events, events[2]]})
    assert answer.json() | {"rejected": []} == {"accepted": 4, "duplicates": 2, "rejected": []}

    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT source, event_id, revision, received_at, payload FROM event_log ORDER BY seq"
        )
    finally:
        await connection.close()

    logged = [InteractionEvent.model_validate_json(row["payload"]) for row in rows]
    assert [(e.source, e.event_id, e.revision) for e in logged] == [
        ("crm", "e-1", 3),
        ("chat", "e-0", 0),
        ("ivr", "e-2", 1),
        ("web", "e-3", 9),
    ]
    assert [(r["source"], r["event_id"], r["revision"], r["received_at"]) for r in rows] == [
        (e.source, e.event_id, e.revision, e.received_at) for e in logged
    ]
