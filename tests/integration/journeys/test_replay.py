"""`journeyflow replay` rebuilds exactly what live processing built, or the same under new
definitions as a from-scratch derivation."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from support.metric_tables import buckets, from_scratch, hourly, totals
from support.processing import drain
from typer.testing import CliRunner

from journeyflow.bootstrap import Service
from journeyflow.cli import app
from journeyflow.demo.population import Population, batches
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.replay import replay

TABLES = ("contacts", "journeys", "journey_surveys", "metric_buckets", "metric_buckets_hourly")


async def snapshot(pool: asyncpg.Pool) -> dict[str, list[Any]]:
    state = {}
    for table in TABLES:
        rows = await pool.fetch(f"SELECT * FROM {table}")
        state[table] = sorted(tuple(map(str, r.values())) for r in rows)
    return state


@pytest.fixture
async def processed(service: Service) -> Service:
    events = list(Population(12, seed=8).events)
    random.Random(2).shuffle(events)
    for chunk in batches(events, 37):
        await service.ingest.ingest(chunk, lambda source: True)
        await drain(service)
    return service


async def test_replay_rebuilds_exactly_what_live_processing_built(processed: Service) -> None:
    live = await snapshot(processed.pool)
    assert live["contacts"]
    seen: list[tuple[int, int]] = []
    report = await replay(
        processed.pool, Definitions(), chunk=5, progress=lambda d, t: seen.append((d, t))
    )
    assert await snapshot(processed.pool) == live
    assert report.contacts == len(live["contacts"])
    assert seen[-1] == (report.customers, report.customers)


async def test_replay_with_a_shorter_window_equals_a_from_scratch_derivation(
    processed: Service,
) -> None:
    before = totals(await buckets(processed.pool))
    one_day = Definitions(repeat_window=timedelta(days=1))
    await replay(processed.pool, one_day)
    minutes = await buckets(processed.pool)
    assert minutes == await from_scratch(processed.pool, one_day)
    assert await buckets(processed.pool, "metric_buckets_hourly") == hourly(minutes)
    after = totals(minutes)
    assert after["contacts"] == before["contacts"]
    assert after["repeats"] < before["repeats"]


async def test_the_replay_command_applies_the_configured_window(
    processed: Service, database_url: str
) -> None:
    env = {
        "JOURNEYFLOW_DATABASE_URL": database_url,
        "JOURNEYFLOW_REPEAT_WINDOW": "P1D",
        "COLUMNS": "120",
    }
    result = await asyncio.to_thread(CliRunner().invoke, app, ["replay"], env=env)
    assert result.exit_code == 0, result.output
    minutes = await buckets(processed.pool)
    assert minutes == await from_scratch(
        processed.pool, Definitions(repeat_window=timedelta(days=1))
    )
    contacts = await processed.pool.fetchval("SELECT count(*) FROM contacts")
    assert f"rebuilt {contacts} contacts" in result.output
