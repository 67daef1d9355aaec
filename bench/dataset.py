"""The large query data set (≥ 1M customers, ≥ 10M events), built once and cached.

Built fast, and said so honestly: timelines, customers and identifiers are COPY-loaded straight
from the generator (every generated person is one customer, which is what the stitcher makes of
them: their identifiers are all connected and unique to them), then contacts, journeys and metric
buckets are derived by journeyflow's own `replay` (the same pure derivation the processor runs).
The processor's stitching is measured separately (`process_events_per_second`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

from bench.generate import TIMELINE_COLUMNS, person_events
from bench.postgres import BenchPostgres
from journeyflow.identity.keys import IdentifierRules
from journeyflow.journeys.definitions import from_settings
from journeyflow.journeys.replay import replay
from journeyflow.settings import Settings
from journeyflow.store.database import connect

START = datetime(2026, 10, 1, tzinfo=UTC)
SEED = 21
CHUNK = 5000
IDENTIFIERS = ("type", "value", "customer_id", "first_seen", "last_seen")


def _chunk(first: int, count: int, rules: IdentifierRules) -> Iterator[tuple[str, list[Any]]]:
    timeline: list[Any] = []
    customers: list[Any] = []
    identifiers: list[Any] = []
    from datetime import timedelta

    for index in range(first, first + count):
        customer = index + 1
        seen: dict[tuple[str, str], list[datetime]] = {}
        times = []
        for event in person_events(SEED, index, START, timedelta(days=30)):
            at = datetime.fromisoformat(event["occurred_at"])
            times.append(at)
            payload = orjson.dumps({**event, "received_at": event["occurred_at"]}).decode()
            timeline.append(
                (
                    customer,
                    at,
                    at,
                    event["source"],
                    event["event_id"],
                    0,
                    event["kind"],
                    event["channel"],
                    event.get("contact_id"),
                    payload,
                )
            )
            for key in rules.keys_of(
                event.get("identifiers", {}), event["source"], event.get("contact_id")
            ):
                span = seen.setdefault((key.type, key.value), [at, at])
                span[0], span[1] = min(span[0], at), max(span[1], at)
        customers.append((customer, min(times), max(times)))
        identifiers.extend((t, v, customer, a, b) for (t, v), (a, b) in seen.items())
    yield "customers", customers
    yield "timeline", timeline
    yield "identifiers", identifiers


async def ensure(pg: BenchPostgres, customers: int, log: Any = print) -> tuple[str, dict[str, Any]]:
    """The DSN of a database holding the data set for `customers` people (built if missing)."""
    name = f"bench_query_{customers}"
    dsn = pg.dsn(name)
    if await pg.exists(name):
        connection = await asyncpg.connect(dsn)
        try:
            done = (
                await connection.fetchrow(
                    "SELECT * FROM bench_dataset WHERE customers = $1", customers
                )
                if await connection.fetchval("SELECT to_regclass('bench_dataset')")
                else None
            )
        finally:
            await connection.close()
        if done is not None:
            return dsn, {**dict(done), "cached": True}
    log(f"building the query data set for {customers:,} customers (once; cached in {name})")
    settings = Settings()
    rules = IdentifierRules(settings.identity, settings.default_phone_region)
    dsn = await pg.fresh(name)
    started = time.perf_counter()
    connection = await asyncpg.connect(dsn)
    events = 0
    try:
        for first in range(0, customers, CHUNK):
            for table, rows in _chunk(first, min(CHUNK, customers - first), rules):
                columns = {
                    "customers": ("id", "first_seen", "last_seen"),
                    "timeline": TIMELINE_COLUMNS,
                    "identifiers": IDENTIFIERS,
                }[table]
                await connection.copy_records_to_table(table, records=rows, columns=columns)
                events += len(rows) if table == "timeline" else 0
            if first % (CHUNK * 20) == 0:
                log(f"  {first + CHUNK:,} customers, {events:,} events loaded")
        await connection.execute("SELECT setval('customer_ids', $1)", customers)
        await connection.execute("ANALYZE")
        loaded = time.perf_counter() - started
        pool = await connect(dsn, min_size=1, max_size=1)
        try:
            report = await replay(pool, from_settings(settings), chunk=2000)
        finally:
            await pool.close()
        await connection.execute("VACUUM ANALYZE")
        info = {
            "customers": customers,
            "events": events,
            "contacts": report.contacts,
            "journeys": report.journeys,
            "load_seconds": loaded,
            "build_seconds": time.perf_counter() - started,
        }
        await connection.execute(
            "CREATE TABLE bench_dataset (customers bigint, events bigint, contacts bigint, "
            "journeys bigint, load_seconds float8, build_seconds float8)"
        )
        await connection.execute(
            "INSERT INTO bench_dataset VALUES ($1, $2, $3, $4, $5, $6)", *info.values()
        )
    finally:
        await connection.close()
    return dsn, {**info, "cached": False}
