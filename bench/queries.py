"""Read latency over HTTP at scale: timeline, agent briefing, 30-day scorecard."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from bench.ingest import percentile
from bench.load import Connection
from bench.service import KEY, ServeProcess

SCORECARD = "/v1/scorecard?from=2026-10-01T00:00:00Z&to=2026-10-31T00:00:00Z&by=intent"


def latencies(serve: ServeProcess, customers: int, requests: int) -> dict[str, Any]:
    return asyncio.run(_latencies(serve, customers, requests))


async def _latencies(serve: ServeProcess, customers: int, requests: int) -> dict[str, Any]:
    """One client, one request at a time, random customers (uniform over the whole data set)."""
    rng = random.Random(5)
    connection = Connection(serve.url, KEY)
    paths = {
        "timeline": lambda: f"/v1/customers/cus_{rng.randint(1, customers)}/timeline",
        "context": lambda: f"/v1/customers/cus_{rng.randint(1, customers)}/context",
        "scorecard_30d": lambda: SCORECARD,
    }
    result: dict[str, Any] = {}
    try:
        for name, path in paths.items():
            count = requests if name != "scorecard_30d" else max(50, requests // 10)
            for _ in range(20):  # warm the connection and the plan caches
                await connection.request("GET", path())
            times = []
            for _ in range(count):
                started = time.perf_counter()
                status, body = await connection.request("GET", path())
                times.append(time.perf_counter() - started)
                if status != 200:
                    raise RuntimeError(f"{name} answered {status}: {body[:200]!r}")
            result[name] = {
                "requests": count,
                "p50_ms": percentile(times, 50) * 1000,
                "p99_ms": percentile(times, 99) * 1000,
            }
    finally:
        await connection.close()
    return result
