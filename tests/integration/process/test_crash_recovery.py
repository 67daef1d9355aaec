"""A processor killed with SIGKILL mid-stream and restarted ends exactly where an uninterrupted
run ends: the batch in flight rolls back with its position, so nothing is lost or applied twice."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from support import databases
from support.subprocesses import free_port, journeyflow

from journeyflow import bootstrap
from journeyflow.demo.population import Population, batches
from journeyflow.log.postgres import PostgresEventLog
from journeyflow.settings import Settings

BATCH_SIZE = 40
DELIVERIES = Population(120, seed=5).deliveries(duplicates=0.02, late=0.05)


async def fill_log(dsn: str, deliveries: list[dict[str, Any]] = DELIVERIES) -> int:
    """A database whose log holds the deliveries; nothing processed yet."""
    service = await bootstrap.start(Settings(database_url=dsn), pool_size=2)
    try:
        for chunk in batches(deliveries, 500):
            await service.ingest.ingest(chunk, lambda source: True)
        return await PostgresEventLog(service.pool).head()
    finally:
        await service.close()


async def snapshot(dsn: str) -> dict[str, Any]:
    """Everything processing decided, free of surrogate ids (sequences are not transactional)."""
    connection = await asyncpg.connect(dsn)
    try:
        events_of = {
            row["customer_id"]: frozenset(zip(row["sources"], row["event_ids"], strict=True))
            for row in await connection.fetch(
                "SELECT customer_id, array_agg(source) AS sources, array_agg(event_id) AS event_ids"
                " FROM timeline GROUP BY customer_id"
            )
        }
        identifiers = {
            (row["type"], row["value"]): events_of.get(row["customer_id"], frozenset())
            for row in await connection.fetch("SELECT type, value, customer_id FROM identifiers")
        }
        merges = await connection.fetch(
            "SELECT source, event_id, rule FROM identity_merges ORDER BY source, event_id, rule"
        )
        conflicts = await connection.fetch(
            "SELECT source, event_id, identifier_type, identifier_value, reason"
            " FROM identity_conflicts ORDER BY 1, 2, 3, 4"
        )
        return {
            "partition": set(events_of.values()),
            "identifiers": identifiers,
            "customers": await connection.fetchval(
                "SELECT count(*) FILTER (WHERE merged_into IS NULL),"
                " count(*) FILTER (WHERE merged_into IS NOT NULL) FROM customers"
            ),
            "merges": [tuple(r) for r in merges],
            "conflicts": [tuple(r) for r in conflicts],
            "position": await connection.fetchval("SELECT max(position) FROM processor_positions"),
        }
    finally:
        await connection.close()


async def processed(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        value = await connection.fetchval("SELECT max(position) FROM processor_positions")
        return int(value or 0)
    finally:
        await connection.close()


async def process_in_a_subprocess(
    dsn: str,
    tmp: Path,
    *,
    kill_at: int | None,
    head: int,
    metrics_port: int | None = None,
    batch_size: int | None = BATCH_SIZE,
) -> str | None:
    """Run `journeyflow process` to `head` (or SIGKILL it at `kill_at`); returns its last
    /metrics page when it serves one. `batch_size=None` leaves the setting to its default."""
    env = {
        "JOURNEYFLOW_DATABASE_URL": dsn,
        "JOURNEYFLOW_DATA_DIR": str(tmp),
        "JOURNEYFLOW_PROCESSING__LINGER": "PT0.01S",
    }
    if batch_size is not None:
        env["JOURNEYFLOW_PROCESSING__BATCH_SIZE"] = str(batch_size)
    if metrics_port is not None:
        env["JOURNEYFLOW_METRICS_PORT"] = str(metrics_port)
    worker = journeyflow("process", env=env, cwd=tmp, log=tmp / "process.log")
    page = None
    deadline = time.monotonic() + 120
    try:
        target = head if kill_at is None else kill_at
        while await processed(dsn) < target:
            assert worker.poll() is None, (tmp / "process.log").read_text()
            assert time.monotonic() < deadline, "processing did not progress"
            await asyncio.sleep(0.005)
        if kill_at is None:
            if metrics_port is not None:
                async with httpx.AsyncClient(timeout=5) as http:
                    page = (await http.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0, (tmp / "process.log").read_text()
        else:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    return page


async def test_a_processor_killed_mid_stream_resumes_to_the_uninterrupted_result(
    server_dsn: str, template_dsn: str, tmp_path: Path
) -> None:
    reference_dsn = await databases.create(server_dsn)
    crashed_dsn = await databases.create(server_dsn)
    try:
        head = await fill_log(reference_dsn)
        assert await fill_log(crashed_dsn) == head
        assert head > 20 * BATCH_SIZE

        metrics = await process_in_a_subprocess(
            reference_dsn, tmp_path, kill_at=None, head=head, metrics_port=free_port()
        )
        assert metrics is not None
        assert f"journeyflow_processed_events_total {float(head)}" in metrics
        await process_in_a_subprocess(crashed_dsn, tmp_path, kill_at=head // 3, head=head)
        interrupted_at = await processed(crashed_dsn)
        assert 0 < interrupted_at < head, "the kill must land mid-stream"
        await process_in_a_subprocess(crashed_dsn, tmp_path, kill_at=None, head=head)

        expected = await snapshot(reference_dsn)
        assert expected["position"] == head
        assert await snapshot(crashed_dsn) == expected
    finally:
        await databases.drop(server_dsn, reference_dsn)
        await databases.drop(server_dsn, crashed_dsn)


async def test_left_unset_the_batch_size_of_journeyflow_process_is_the_standalone_one(
    server_dsn: str, tmp_path: Path
) -> None:
    """`serve` keeps batches of 2,000 beside its HTTP work; `journeyflow process`, alone on its
    loop, takes up to 40,000 a batch: here the whole log in one."""
    dsn = await databases.create(server_dsn)
    try:
        deliveries = Population(250, seed=6).deliveries(duplicates=0.0, late=0.0)
        head = await fill_log(dsn, deliveries)
        assert 2_000 < head <= 40_000
        page = await process_in_a_subprocess(
            dsn, tmp_path, kill_at=None, head=head, metrics_port=free_port(), batch_size=None
        )
        assert page is not None
        assert "journeyflow_batch_events_count 1.0" in page
        assert f"journeyflow_batch_events_sum {float(head)}" in page
    finally:
        await databases.drop(server_dsn, dsn)
