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
