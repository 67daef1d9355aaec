"""HTTP ingest throughput/latency (closed loop, separate process) and freshness at a steady rate."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from typing import Any

import orjson

from bench.generate import deliveries, events
from bench.load import Connection, batch_bodies, closed_loop_in_process, post_paced
from bench.service import KEY, ServeProcess


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def http_throughput(
    serve: ServeProcess, seconds: float, clients: int, postgres_cpu: Callable[[], float]
) -> dict[str, Any]:
    """`clients` connections post 100-event batches back to back for `seconds`; with the CPU
    time the server, Postgres and the load process spent per event."""
    budget = int(90_000 * seconds)  # more than the service can take in that time
    stream = deliveries(events(budget // 17 + 1, seed=11), seed=11)
    bodies = list(batch_bodies(stream, 100))
    before = (serve.cpu_seconds(), postgres_cpu())
    result = closed_loop_in_process(serve.url, KEY, bodies, clients, seconds)
    served, database = serve.cpu_seconds() - before[0], postgres_cpu() - before[1]
    latencies = result.pop("latencies")
    client = result.pop("client_cpu_seconds")
    count = max(1, result["events"])
    per_event = (served + database + client) / count
    return {
        **result,
        "service_cpu_us_per_event": served / count * 1e6,
        "postgres_cpu_us_per_event": database / count * 1e6,
        "client_cpu_us_per_event": client / count * 1e6,
        "cpu_ceiling_events_per_second": (os.cpu_count() or 1) / per_event,
        "per_second": result["events"] / result["seconds"],
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "requests": len(latencies),
        "clients": clients,
    }


def freshness(serve: ServeProcess, rate: float, seconds: float) -> dict[str, Any]:
    return asyncio.run(_freshness(serve, rate, seconds))


async def _freshness(serve: ServeProcess, rate: float, seconds: float) -> dict[str, Any]:
    """Post live events (occurred_at = now) at `rate`; poll /v1/status every 10 ms. An event is
    visible once the committed processor position covers the log head seen after its 202 (an
    upper bound: the scorecard and /metrics move in that commit / right after it)."""
    posts: list[tuple[float, float]] = []
    samples: list[tuple[float, int, int]] = []
    done = asyncio.Event()
    poller = Connection(serve.url, KEY)

    async def poll() -> None:
        while True:
            _, body = await poller.request("GET", "/v1/status")
            status = orjson.loads(body)
            samples.append((time.perf_counter(), status["log_head"], status["processed"]))
            if done.is_set() and status["processed"] >= status["log_head"]:
                return
            await asyncio.sleep(0.01)

    polling = asyncio.create_task(poll())
    stream = deliveries(events(int(rate * seconds) // 10 + 100, seed=13), seed=13)
    accepted = await post_paced(
        serve.url,
        KEY,
        stream,
        rate,
        100,
        seconds=seconds,
        live=True,
        on_sent=lambda sent, answered: posts.append((sent, answered)),
    )
    done.set()
    await asyncio.wait_for(polling, 120)
    await poller.close()
    delays = []
    for sent, answered in posts:
        head = next((h for t, h, _ in samples if t >= answered), samples[-1][1])
        seen = next(t for t, _, processed in samples if processed >= head and t >= answered)
        delays.append(seen - sent)
    processed = (  # the processor's counters are in its own process when it runs beside serve
        None
        if serve.processor_beside
        else _sample(serve.get("/metrics").decode(), "journeyflow_processed_events_total")
    )
    scorecard = orjson.loads(serve.get("/v1/scorecard?window=15m"))
    return {
        "events": accepted,
        "rate": rate,
        "seconds": seconds,
        "p50_seconds": percentile(delays, 50),
        "p99_seconds": percentile(delays, 99),
        "metrics_processed_events": processed,
        "scorecard_contacts_15m": _contacts(scorecard),
    }


def _sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def _contacts(scorecard: Any) -> Any:
    rows = scorecard.get("rows", []) if isinstance(scorecard, dict) else []
    return sum(r.get("contacts", 0) or 0 for r in rows) if rows else scorecard
