"""Read the metrics engine's tables back in forms comparable across runs (no customer ids)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import asyncpg
import orjson

from journeyflow.journeys.changes import combine
from journeyflow.journeys.contributions import METRICS, Bucket, cells, contributions
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.derive import derive
from journeyflow.journeys.facts import EventFacts

Cells = Counter[tuple[Any, ...]]


async def buckets(pool: asyncpg.Pool, table: str = "metric_buckets") -> Cells:
    """Every non-zero (period, channel, intent, department, source, metric) cell of a table."""
    rows = await pool.fetch(f"SELECT * FROM {table}")
    period = "minute" if table == "metric_buckets" else "hour"
    cells: Cells = Counter()
    for row in rows:
        key = (row[period], row["channel"], row["intent"], row["department"], row["source"])
        for metric in METRICS:
            if row[metric]:
                cells[(*key, metric)] = row[metric]
    return cells


async def from_scratch(pool: asyncpg.Pool, definitions: Definitions) -> Cells:
    """The minute cells a from-scratch derivation of every live customer's timeline gives."""
    async with pool.acquire() as connection:
        live = [
            r["id"]
            for r in await connection.fetch("SELECT id FROM customers WHERE merged_into IS NULL")
        ]
        rows = await connection.fetch("SELECT customer_id, payload::text AS payload FROM timeline")
    events: dict[int, list[EventFacts]] = defaultdict(list)
    for row in rows:  # every event, inert ones included: the processor's reads may skip those
        events[row["customer_id"]].append(EventFacts.from_payload(orjson.loads(row["payload"])))
    derived = combine(derive(events.get(c, []), definitions) for c in live)
    return Counter(
        {(*bucket, metric): v for (bucket, metric), v in cells(contributions(derived)).items()}
    )


def hourly(cells: Cells) -> Cells:
    rolled: Cells = Counter()
    for (minute, *rest), value in cells.items():
        rolled[(minute.replace(minute=0), *rest)] += value
    return Counter({k: v for k, v in rolled.items() if v})


def totals(cells: Cells) -> Counter[str]:
    by_metric: Counter[str] = Counter()
    for key, value in cells.items():
        by_metric[key[-1]] += value
    return by_metric


__all__ = ["Bucket", "buckets", "from_scratch", "hourly", "totals"]
