"""`python -m bench [--quick]`: every measurement in one run, a table, bench/results/latest.json."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import psutil

from bench import dataset, hotpath, ingest, limits, process, queries, writes
from bench.postgres import BenchPostgres
from bench.service import ServeProcess

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".journeyflow" / "bench"
FULL = {
    "copy_rows": 1_000_000,
    "consume_events": 1_000_000,
    "process_events": 1_000_000,
    "http_seconds": 30.0,
    "freshness_seconds": 60.0,
    "customers": 1_000_000,
    "query_requests": 2000,
    "hotpath_events": 50_000,
}
QUICK = {
    "copy_rows": 200_000,
    "consume_events": 200_000,
    "process_events": 100_000,
    "http_seconds": 10.0,
    "freshness_seconds": 15.0,
    "customers": 20_000,
    "query_requests": 500,
    "hotpath_events": 20_000,
}


KAFKA_STAGES = (  # stage, `bench.process` kind, result key, what runs
    ("kafka", "kafka", "kafka_process", "`journeyflow process`"),
    ("scaleout", "scaled", "kafka_scaled", "two `journeyflow process`"),
)


def say(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", file=sys.stderr, flush=True)


async def run(sizes: dict[str, Any], only: set[str]) -> dict[str, Any]:
    pg = BenchPostgres(DATA)
    pg.start()
    out: dict[str, Any] = {}
    try:
        if "hotpath" in only:
            say(f"hot path: compiled and pure Python, {sizes['hotpath_events']:,} events, 3 rounds")
            out["hotpath"] = await hotpath.compare(sizes["hotpath_events"])
        if "http" in only:
            dsn = await pg.fresh("bench_http")
            workers = os.cpu_count() or 1  # an ingest tier runs a worker per core
            with ServeProcess(
                dsn, DATA / "serve", workers=workers, JOURNEYFLOW_PROCESSING__IN_SERVE="false"
            ) as serve:
                seconds = sizes["http_seconds"]
                say(f"http: ingest tier, {workers} workers, closed loop for {seconds:.0f}s")
                out["http"] = await asyncio.to_thread(
                    ingest.http_throughput, serve, seconds, 8, pg.cpu_seconds
                )
                out["http"]["service_peak_rss_bytes"] = serve.peak_rss
                out["http"]["workers"] = workers
            await pg.settle()
            dsn = await pg.fresh("bench_http")
            with ServeProcess(dsn, DATA / "serve") as serve:
                say(f"http: serve with its processor, closed loop for {sizes['http_seconds']:.0f}s")
                out["http_with_processor"] = await asyncio.to_thread(
                    ingest.http_throughput, serve, sizes["http_seconds"], 8, pg.cpu_seconds
                )
                out["http_with_processor"]["service_peak_rss_bytes"] = serve.peak_rss
        await pg.settle(drop="bench_http")
        if "freshness" in only:
            dsn = await pg.fresh("bench_fresh")
            with ServeProcess(dsn, DATA / "serve") as serve:
                say(f"freshness: 5,000 events/s for {sizes['freshness_seconds']:.0f}s")
                out["freshness"] = await asyncio.to_thread(
                    ingest.freshness, serve, 5000.0, sizes["freshness_seconds"]
                )
                out["freshness"]["service_peak_rss_bytes"] = serve.peak_rss
            await pg.settle(drop="bench_fresh")
            dsn = await pg.fresh("bench_fresh")
            with ServeProcess(dsn, DATA / "serve", processor_beside=True) as serve:
                say("freshness: the same, into an ingest tier with `journeyflow process` beside")
                out["freshness_split"] = await asyncio.to_thread(
                    ingest.freshness, serve, 5000.0, sizes["freshness_seconds"]
                )
                out["freshness_split"]["service_peak_rss_bytes"] = serve.peak_rss
        await pg.settle(drop="bench_fresh")
        # The limits and the processing backlog last (each stage waits for the server to settle).
        scratch = await pg.fresh("bench_process")
        if "copy" in only:
            say(f"copy: {sizes['copy_rows']:,} timeline-shaped rows")
            out["copy"] = await limits.copy_rows_per_second(scratch, sizes["copy_rows"])
        if "consume" in only:
            say(f"consume: {sizes['consume_events']:,} events on the mock cluster")
            out["consume"] = await asyncio.to_thread(limits.raw_consume, sizes["consume_events"])
        if "process" in only:
            await pg.settle()  # the COPY stage's checkpoint is not the processor's work
            say(f"process: filling the log with {sizes['process_events']:,} events")
            rows = process.log_rows(sizes["process_events"], seed=3)
            await process.fill_log(scratch, rows)
            del rows
            await pg.settle()  # nor is writing out the filled log
            say("process: running the processor to the end of the log")
            out["process"] = await process.apart("log", scratch, pg.pid)
        await pg.settle(drop="bench_process")
        for stage, kind, key, who in KAFKA_STAGES:
            if stage in only:
                dsn = await pg.fresh(f"bench_{stage}")
                await pg.settle()
                say(f"{stage}: {who} on Kafka over {sizes['process_events']:,} events")
                out[key] = await process.apart(kind, dsn, pg.pid, sizes["process_events"])
            await pg.settle(drop=f"bench_{stage}")
        if "queries" in only:
            dsn, info = await dataset.ensure(pg, sizes["customers"], say)
            out["dataset"] = info
            with ServeProcess(dsn, DATA / "serve") as serve:
                say(f"queries: {sizes['query_requests']} of each, {sizes['customers']:,} customers")
                out["queries"] = await asyncio.to_thread(
                    queries.latencies, serve, sizes["customers"], sizes["query_requests"]
                )
                out["queries"]["service_peak_rss_bytes"] = serve.peak_rss
    finally:
        pg.stop()
    return out


def summary(raw: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of issue 7, each beside its limit."""
    s: dict[str, Any] = {}
    copy = raw.get("copy", {}).get("per_second")
    consume = raw.get("consume", {}).get("per_second")
    s["copy_rows_per_second"] = copy
    s["raw_consume_events_per_second"] = consume
    if "process" in raw:
        s["process_events_per_second"] = raw["process"]["per_second"]
        if copy:
            s["process_share_of_copy"] = raw["process"]["per_second"] / copy
        s["process_cpu_ceiling_events_per_second"] = raw["process"]["cpu_ceiling_events_per_second"]
        s["process_wal_bytes_per_event"] = raw["process"]["postgres_writes"]["wal_bytes_per_event"]
        s["process_row_writes_per_event"] = raw["process"]["postgres_writes"][
            "row_writes_per_event"
        ]
    if "kafka_process" in raw:
        s["kafka_process_events_per_second"] = raw["kafka_process"]["per_second"]
    if "kafka_scaled" in raw:
        s["kafka_2_processors_events_per_second"] = raw["kafka_scaled"]["per_second"]
    if "http" in raw:
        s["http_events_per_second"] = raw["http"]["per_second"]
        s["http_p50_ms"] = raw["http"]["p50_ms"]
        s["http_p99_ms"] = raw["http"]["p99_ms"]
        s["http_cpu_ceiling_events_per_second"] = raw["http"]["cpu_ceiling_events_per_second"]
    if "http_with_processor" in raw:
        s["http_with_processor_events_per_second"] = raw["http_with_processor"]["per_second"]
        s["http_with_processor_p99_ms"] = raw["http_with_processor"]["p99_ms"]
    if "freshness" in raw:
        s["freshness_p50_seconds"] = raw["freshness"]["p50_seconds"]
        s["freshness_p99_seconds"] = raw["freshness"]["p99_seconds"]
    if "freshness_split" in raw:
        s["freshness_split_p50_seconds"] = raw["freshness_split"]["p50_seconds"]
        s["freshness_split_p99_seconds"] = raw["freshness_split"]["p99_seconds"]
    if "queries" in raw:
        for name in ("timeline", "context", "scorecard_30d"):
            s[f"{name}_p99_ms"] = raw["queries"][name]["p99_ms"]
    if "hotpath" in raw:
        us = raw["hotpath"]["us_per_event"]
        s["hot_path_compiled_speedup"] = sum(us["pure"].values()) / sum(us["compiled"].values())
    rss = [v.get("service_peak_rss_bytes", 0) for v in raw.values() if isinstance(v, dict)]
    s["service_peak_rss_mib"] = max(rss, default=0) / 2**20 or None
    return s


TARGETS = {  # name: (target, "min" | "max", limit name or None)
    "copy_rows_per_second": (None, "min", None),
    "raw_consume_events_per_second": (None, "min", None),
    "process_events_per_second": (25_000, "min", "copy_rows_per_second"),
    "process_share_of_copy": (0.12, "min", None),
    "kafka_process_events_per_second": (25_000, "min", "raw_consume_events_per_second"),
    "kafka_2_processors_events_per_second": (None, "min", "kafka_process_events_per_second"),
    "http_events_per_second": (50_000, "min", "copy_rows_per_second"),
    "http_p99_ms": (50, "max", None),
    "freshness_p99_seconds": (1.0, "max", None),
    "freshness_split_p99_seconds": (1.0, "max", None),
    "timeline_p99_ms": (10, "max", None),
    "context_p99_ms": (10, "max", None),
    "scorecard_30d_p99_ms": (100, "max", None),
}


def table(s: dict[str, Any]) -> str:
    lines = [f"{'measure':40} {'value':>12} {'target':>10} {'met':>4}  beside the limit"]
    for name, value in s.items():
        if value is None:
            continue
        target, sense, limit = TARGETS.get(name, (None, "min", None))
        met = (
            ""
            if target is None
            else ("yes" if (value >= target if sense == "min" else value <= target) else "NO")
        )
        ratio = ""
        if limit and s.get(limit):
            ratio = f"{value / s[limit]:.3f} x {limit}"
        if name == "process_events_per_second" and s.get("raw_consume_events_per_second"):
            ratio += f"; {value / s['raw_consume_events_per_second']:.3f} x raw consume"
        shown = f"{value:,.0f}" if value >= 100 else f"{value:.3f}"
        lines.append(
            f"{name:40} {shown:>12} {'' if target is None else f'{target:,}':>10} {met:>4}  {ratio}"
        )
    return "\n".join(lines)


def python_speed() -> float:
    """Seconds for a fixed pure-Python loop (best of three): how fast this machine's cores were
    during the run, so runs on a shared machine can be compared (lower is faster)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sum(range(30_000_000))
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (about 5 minutes)")
    parser.add_argument(
        "--only", default="hotpath,copy,consume,process,kafka,scaleout,http,freshness,queries"
    )
    parser.add_argument("--customers", type=int, help="query data set size (default by mode)")
    args = parser.parse_args()
    sizes = dict(QUICK if args.quick else FULL)
    if args.customers:
        sizes["customers"] = args.customers
    speed_before = python_speed()
    started = time.perf_counter()
    raw = asyncio.run(run(sizes, set(args.only.split(","))))
    speed_after = python_speed()
    s = summary(raw)
    result = {
        "mode": "quick" if args.quick else "full",
        "finished_at": datetime.now(UTC).isoformat(),
        "seconds": time.perf_counter() - started,
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "python_loop_seconds": {"before": speed_before, "after": speed_after},
        },
        "sizes": sizes,
        "summary": s,
        "raw": raw,
    }
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    path = ROOT / "bench" / "results" / "latest.json"
    path.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    print(
        f"journeyflow bench ({result['mode']} mode, {result['seconds']:.0f}s, "
        f"{os.cpu_count()} cores, Postgres on the same cores)"
    )
    print(
        f"sizes: {sizes['process_events']:,} events processed, {sizes['customers']:,} customers "
        f"queried, HTTP {sizes['http_seconds']:.0f}s, freshness {sizes['freshness_seconds']:.0f}s"
    )
    print(
        f"machine speed: a fixed Python loop took {speed_before:.2f}s before the run and "
        f"{speed_after:.2f}s after (lower is faster; compare runs by it)"
    )
    print(table(s))
    if "copy" in raw:
        rates = raw["copy"]["passes_per_second"]
        shown = ", ".join(f"{rate:,.0f}" for rate in rates)
        print(f"copy limit: the median of {len(rates)} passes ({shown} rows/s)")
    for key, stage in (("process", "processing"), ("kafka_process", "on Kafka")):
        if key in raw:
            print(f"Postgres's writes {stage}: {writes.describe(raw[key]['postgres_writes'])}")
    if "hotpath" in raw:
        us = raw["hotpath"]["us_per_event"]
        shown = ", ".join(
            f"{step} {us['compiled'][step]:.2f} / {us['pure'][step]:.2f}" for step in us["compiled"]
        )
        print(f"hot path, us an event compiled / pure Python (best of 3 x 5): {shown}")
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
