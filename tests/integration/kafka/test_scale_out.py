"""Several processors on one events topic give exactly the result of one.

Two `journeyflow process` members split the four partitions (explicit assignment: the mock
cluster cannot rebalance two group members, DESIGN §7); one of them is killed with SIGKILL
half-way and restarted. The reference is a single processor in consumer-group mode reading the
same records into another database. Positions live in Postgres with the effects, so the killed
batch rolls back with its positions and is applied once on restart.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import asyncpg
from support import databases
from support.kafka import MockCluster
from support.metric_tables import buckets
from support.subprocesses import journeyflow

from journeyflow import bootstrap
from journeyflow.demo.population import Population, batches
from journeyflow.kafka.topics import Topics
from journeyflow.settings import Settings

EVENTS_TOPIC = Topics("journeyflow").events
DELIVERIES = Population(80, seed=9).deliveries(duplicates=0.03, late=0.05)


async def produce_events(cluster: MockCluster, dsn: str) -> dict[int, int]:
    """The deliveries on the events topic, keyed as HTTP ingest keys them; returns end offsets."""
    settings = Settings(database_url=dsn, kafka={"bootstrap_servers": cluster.bootstrap})
    service = await bootstrap.start(settings, pool_size=2)
    try:
        for chunk in batches(DELIVERIES, 200):
            report = await service.ingest.ingest(chunk, lambda source: True)
            assert not report.rejected
    finally:
        await service.close()
    return await cluster.end_offsets(EVENTS_TOPIC)


async def applied(dsn: str, group: str) -> dict[int, int]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT partition, next_offset FROM kafka_positions WHERE consumer_group = $1", group
        )
        return {r["partition"]: r["next_offset"] for r in rows}
    finally:
        await connection.close()


def processor(
    cluster: MockCluster, dsn: str, tmp: Path, group: str, partitions: list[int] | None
) -> subprocess.Popen[bytes]:
    env = {
        "JOURNEYFLOW_DATABASE_URL": dsn,
        "JOURNEYFLOW_DATA_DIR": str(tmp),
        "JOURNEYFLOW_KAFKA__BOOTSTRAP_SERVERS": cluster.bootstrap,
        "JOURNEYFLOW_KAFKA__GROUP_ID": group,
        "JOURNEYFLOW_PROCESSING__BATCH_SIZE": "15",
        "JOURNEYFLOW_PROCESSING__LINGER": "PT0.01S",
    }
    if partitions is not None:
        env["JOURNEYFLOW_KAFKA__ASSIGNED_PARTITIONS"] = str(partitions)
    name = "-".join(map(str, partitions or ["all"]))
    return journeyflow("process", env=env, cwd=tmp, log=tmp / f"process-{group}-{name}.log")


async def wait_until(
    dsn: str, group: str, partitions: list[int], offsets: dict[int, int], *members: Any
) -> None:
    deadline = time.monotonic() + 120
    while True:
        done = await applied(dsn, group)
        if all(done.get(p, 0) >= offsets[p] for p in partitions):
            return
        for member in members:
            assert member.poll() is None, "a processor died"
        assert time.monotonic() < deadline, f"stuck at {done}, want {offsets}"
        await asyncio.sleep(0.01)


def stop(*members: subprocess.Popen[bytes]) -> None:
    for member in members:
        member.send_signal(signal.SIGTERM)
    for member in members:
        assert member.wait(timeout=30) == 0


async def final_state(dsn: str) -> dict[str, Any]:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    assert pool is not None
    try:
        groups = await pool.fetch(
            "SELECT array_agg(source || '/' || event_id ORDER BY source, event_id) AS events"
            " FROM timeline GROUP BY customer_id"
        )
        identifiers = await pool.fetch(
            "SELECT i.type, i.value, array_agg(t.source || '/' || t.event_id"
            "   ORDER BY t.source, t.event_id) AS events"
            " FROM identifiers i JOIN timeline t USING (customer_id) GROUP BY 1, 2"
        )
        return {
            "customers": {tuple(g["events"]) for g in groups},
            "identifiers": {(r["type"], r["value"], tuple(r["events"])) for r in identifiers},
            "timeline": await pool.fetchval("SELECT count(*) FROM timeline"),
            "buckets": await buckets(pool),
            "hourly": await buckets(pool, "metric_buckets_hourly"),
        }
    finally:
        await pool.close()


async def test_two_processors_one_killed_half_way_end_as_one_uninterrupted_processor(
    cluster: MockCluster, server_dsn: str, template_dsn: str, tmp_path: Path
) -> None:
    reference = await databases.create(server_dsn)
    scaled = await databases.create(server_dsn)
    try:
        ends = await produce_events(cluster, reference)
        assert sorted(ends) == [0, 1, 2, 3]
        assert all(ends.values()), "every partition holds events"

        single = processor(cluster, reference, tmp_path, "reference", None)
        await wait_until(reference, "reference", [0, 1, 2, 3], ends, single)
        stop(single)
        # Positions live in Postgres; Kafka gets them too, for lag tools.
        assert await cluster.committed("reference", EVENTS_TOPIC) == ends

        first = processor(cluster, scaled, tmp_path, "scaled", [0, 1])
        second = processor(cluster, scaled, tmp_path, "scaled", [2, 3])
        half = {p: offset // 2 for p, offset in ends.items()}
        await wait_until(scaled, "scaled", [2, 3], half, first, second)
        second.send_signal(signal.SIGKILL)
        second.wait(timeout=30)
        killed_at = await applied(scaled, "scaled")
        assert any(killed_at.get(p, 0) < ends[p] for p in (2, 3)), "killed after the end"

        second = processor(cluster, scaled, tmp_path, "scaled", [2, 3])
        await wait_until(scaled, "scaled", [0, 1, 2, 3], ends, first, second)
        stop(first, second)

        expected = await final_state(reference)
        assert expected["timeline"] == len({(e["source"], e["event_id"]) for e in DELIVERIES})
        assert await final_state(scaled) == expected
    finally:
        await databases.drop(server_dsn, reference)
        await databases.drop(server_dsn, scaled)
