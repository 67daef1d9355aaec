"""Postgres side of the metrics engine: lock customers, load timelines and stored state,
replace the stored state, and apply bucket deltas to the minute and hour tables.

A fixed number of round trips per batch whatever its size (`= ANY`, COPY, `unnest`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson

from journeyflow.journeys.contributions import METRICS, Contributions
from journeyflow.journeys.facts import EventFacts
from journeyflow.journeys.model import Contact, Derived, Journey, Survey
from journeyflow.store.database import Connection

CONTACT_COLUMNS = ("customer_id", *Contact.__slots__)
JOURNEY_COLUMNS = ("customer_id", *Journey.__slots__)
SURVEY_COLUMNS = ("customer_id", *Survey.__slots__)
KEYS = ("channel", "intent", "department", "source")


async def lock_live(connection: Connection, customers: Sequence[int]) -> list[int]:
    """Lock the customers in id order (recomputes never deadlock each other); return live ones."""
    rows = await connection.fetch(
        "SELECT id, merged_into FROM customers WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
        sorted(set(customers)),
    )
    return [r["id"] for r in rows if r["merged_into"] is None]


async def load_events(
    connection: Connection, customers: Sequence[int]
) -> dict[int, list[EventFacts]]:
    rows = await connection.fetch(
        "SELECT customer_id, payload::text AS payload FROM timeline "
        "WHERE customer_id = ANY($1::bigint[])",
        list(customers),
    )
    events: dict[int, list[EventFacts]] = defaultdict(list)
    for row in rows:
        events[row["customer_id"]].append(EventFacts.from_payload(orjson.loads(row["payload"])))
    return events


async def load_derived(connection: Connection, customers: Sequence[int]) -> Derived:
    """The stored state of these customers, all together (what their buckets currently hold)."""
    ids = list(customers)
    rows = []
    for kind, table in ((Contact, "contacts"), (Journey, "journeys"), (Survey, "journey_surveys")):
        rows.append(
            await connection.fetch(
                f"SELECT {', '.join(kind.__slots__)} FROM {table} "
                "WHERE customer_id = ANY($1::bigint[])",
                ids,
            )
        )
    contacts, journeys, surveys = rows
    return Derived(
        tuple(Contact(**_contact_fields(r)) for r in contacts),
        tuple(Journey(**{**r, "channels": tuple(r["channels"])}) for r in journeys),
        tuple(Survey(**r) for r in surveys),
    )


def _contact_fields(row: Any) -> dict[str, Any]:
    fields = dict(row)
    fields["verified_at"] = tuple(fields["verified_at"])
    return fields


async def replace(
    connection: Connection, customers: Sequence[int], fresh: Mapping[int, Derived]
) -> None:
    """Delete the stored state of `customers`, then store `fresh` (a subset of them)."""
    ids = list(customers)
    for table in ("contacts", "journeys", "journey_surveys"):
        await connection.execute(f"DELETE FROM {table} WHERE customer_id = ANY($1::bigint[])", ids)
    contacts: list[tuple[Any, ...]] = []
    journeys: list[tuple[Any, ...]] = []
    surveys: list[tuple[Any, ...]] = []
    for customer, derived in fresh.items():
        contacts.extend(_record(customer, c, Contact.__slots__) for c in derived.contacts)
        journeys.extend(_record(customer, j, Journey.__slots__) for j in derived.journeys)
        surveys.extend(_record(customer, s, Survey.__slots__) for s in derived.surveys)
    for table, columns, records in (
        ("contacts", CONTACT_COLUMNS, contacts),
        ("journeys", JOURNEY_COLUMNS, journeys),
        ("journey_surveys", SURVEY_COLUMNS, surveys),
    ):
        if records:
            await connection.copy_records_to_table(table, records=records, columns=columns)


def _record(customer: int, value: object, slots: Sequence[str]) -> tuple[Any, ...]:
    return (customer, *(_column(getattr(value, name)) for name in slots))


def _column(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


async def apply_deltas(connection: Connection, delta: Contributions) -> None:
    """Add `delta` to the minute buckets and their hourly rollup; drop rows left all-zero."""
    minutes = _rows(delta, lambda b: b.minute)
    hours = _rows(delta, lambda b: b.minute.replace(minute=0))
    await _upsert(connection, "metric_buckets", "minute", minutes)
    await _upsert(connection, "metric_buckets_hourly", "hour", hours)


def _rows(
    delta: Contributions, period: Any
) -> dict[tuple[datetime, str, str, str, str], Counter[str]]:
    rows: dict[tuple[datetime, str, str, str, str], Counter[str]] = defaultdict(Counter)
    for (bucket, metric), value in delta.items():
        key = (period(bucket), bucket.channel, bucket.intent, bucket.department, bucket.source)
        rows[key][metric] += value
    return {k: v for k, v in rows.items() if any(v.values())}


async def _upsert(
    connection: Connection,
    table: str,
    period: str,
    rows: Mapping[tuple[datetime, str, str, str, str], Counter[str]],
) -> None:
    if not rows:
        return
    keys = sorted(rows)  # one lock order for every writer
    columns = (period, *KEYS, *METRICS)
    arrays: list[list[Any]] = [[k[i] for k in keys] for i in range(5)]
    arrays += [[rows[k][m] for k in keys] for m in METRICS]
    types = ["timestamptz", "text", "text", "text", "text"] + ["bigint"] * len(METRICS)
    unnest = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(types))
    updates = ", ".join(f"{m} = b.{m} + excluded.{m}" for m in METRICS)
    key_list = ", ".join((period, *KEYS))
    await connection.execute(
        f"""
        INSERT INTO {table} AS b ({", ".join(columns)})
        SELECT * FROM unnest({unnest})
        ON CONFLICT ({key_list}) DO UPDATE SET {updates}
        """,
        *arrays,
    )
    all_zero = " AND ".join(f"{m} = 0" for m in METRICS)
    await connection.execute(
        f"""
        DELETE FROM {table} WHERE ({key_list}) IN (
            SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[])
        ) AND {all_zero}
        """,
        *arrays[:5],
    )
