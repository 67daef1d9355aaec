"""Postgres side of the metrics engine: lock customers, load timelines and stored state,
replace the stored state, and apply bucket deltas to the minute and hour tables.

A fixed number of round trips per batch whatever its size (`= ANY`, COPY, `unnest`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from journeyflow.journeys.contributions import METRICS, Bucket, Contributions
from journeyflow.journeys.derive import LOOSE_KINDS
from journeyflow.journeys.facts import EventFacts
from journeyflow.journeys.model import Contact, Derived, Journey, Survey, derived_of
from journeyflow.journeys.rows import PRIMARY_KEYS, bucket_rows, rewritten
from journeyflow.store.database import Connection

EMPTY = Derived((), (), ())
CONTACT_COLUMNS = ("customer_id", *Contact._fields)
JOURNEY_COLUMNS = ("customer_id", *Journey._fields)
SURVEY_COLUMNS = ("customer_id", *Survey._fields)
KEYS = ("channel", "intent", "department", "source")


@dataclass(frozen=True, slots=True)
class Stamp:
    """A locked customer: live or merged away, its state version before and after this batch."""

    live: bool
    seen: int
    stamped: int


_LOCK_AND_STAMP = """
WITH locked AS (
    SELECT id, merged_into, state_version FROM customers
    WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE
), stamped AS (
    UPDATE customers c SET state_version = nextval('customer_state_versions')
    FROM locked l WHERE c.id = l.id
    RETURNING c.id, c.state_version
)
SELECT l.id, l.merged_into IS NULL AS live, l.state_version AS seen, s.state_version AS stamped
FROM locked l JOIN stamped s ON s.id = l.id
"""


async def lock_and_stamp(connection: Connection, customers: Sequence[int]) -> dict[int, Stamp]:
    """Lock the customers in id order (recomputes never deadlock each other) and stamp a new
    state version on each; returns the stamps of those that exist."""
    rows = await connection.fetch(_LOCK_AND_STAMP, sorted(set(customers)))
    return {r["id"]: Stamp(r["live"], r["seen"], r["stamped"]) for r in rows}


async def load_events(
    connection: Connection, customers: Sequence[int]
) -> dict[int, list[EventFacts]]:
    """The derivable events on these customers' timelines (see `derive.derivable`)."""
    if not customers:
        return {}
    rows = await connection.fetch(
        "SELECT customer_id, payload::text AS payload FROM timeline "
        "WHERE customer_id = ANY($1::bigint[]) AND (contact_id IS NOT NULL OR kind = ANY($2))",
        list(customers),
        sorted(LOOSE_KINDS),
    )
    events: dict[int, list[EventFacts]] = defaultdict(list)
    for row in rows:
        events[row["customer_id"]].append(EventFacts.from_payload(orjson.loads(row["payload"])))
    return events


async def load_derived(connection: Connection, customers: Sequence[int]) -> dict[int, Derived]:
    """The stored state of these customers, by customer (what their buckets currently hold)."""
    ids = list(customers)
    if not ids:
        return {}
    parts: dict[int, tuple[list[Contact], list[Journey], list[Survey]]] = defaultdict(
        lambda: ([], [], [])
    )
    for slot, (kind, table) in enumerate(_STORED):
        arrays = [i for i, name in enumerate(kind._fields) if name in _ARRAYS]
        for row in await connection.fetch(
            f"SELECT customer_id, {', '.join(kind._fields)} FROM {table} "
            "WHERE customer_id = ANY($1::bigint[])",
            ids,
        ):
            values = list(row)
            for i in arrays:  # arrays come back as lists; the values hold tuples
                values[i + 1] = tuple(values[i + 1])
            parts[values[0]][slot].append(kind._make(values[1:]))
    return {c: derived_of(tuple(a), tuple(b), tuple(d)) for c, (a, b, d) in parts.items()}


_ARRAYS = frozenset({"verified_at", "channels"})
_STORED: tuple[tuple[Any, str], ...] = (
    (Contact, "contacts"),
    (Journey, "journeys"),
    (Survey, "journey_surveys"),
)


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
        contacts.extend((customer, *c) for c in derived.contacts)
        journeys.extend((customer, *j) for j in derived.journeys)
        surveys.extend((customer, *s) for s in derived.surveys)
    for table, columns, records in (
        ("contacts", CONTACT_COLUMNS, contacts),
        ("journeys", JOURNEY_COLUMNS, journeys),
        ("journey_surveys", SURVEY_COLUMNS, surveys),
    ):
        if records:
            await connection.copy_records_to_table(table, records=records, columns=columns)


async def rewrite(connection: Connection, moved: Mapping[int, tuple[Derived, Derived]]) -> None:
    """Take each customer's stored rows from `old` to `new` (`moved[customer]`), touching only
    rows that differ: an unchanged contact, journey or survey is neither deleted nor rewritten.

    The pairs may leave out each customer's leading rows that new events left as they were
    (`after_shared_start`): a customer's rows have distinct keys, so none of them can reappear
    further on, and what is not in a pair stays as it is."""
    gone, added = rewritten(moved)
    for table, keys in PRIMARY_KEYS.items():
        if gone[table]:
            names = ["customer_id", *(name for name, _ in keys)]
            types = ["bigint", *(type_ for _, type_ in keys)]
            unnest = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(types))
            match = " AND ".join(f"t.{c} = d.{c}" for c in names)
            await connection.execute(
                f"DELETE FROM {table} AS t USING unnest({unnest}) AS d({', '.join(names)}) "
                f"WHERE {match}",
                *([row[i] for row in gone[table]] for i in range(len(names))),
            )
    for table, columns in (
        ("contacts", CONTACT_COLUMNS),
        ("journeys", JOURNEY_COLUMNS),
        ("journey_surveys", SURVEY_COLUMNS),
    ):
        if added[table]:
            await connection.copy_records_to_table(table, records=added[table], columns=columns)


_METRIC_LIST = ", ".join(METRICS)
_KEY_LIST = ", ".join(KEYS)
_ADDED = ", ".join(f"{m} = b.{m} + excluded.{m}" for m in METRICS)
_APPLY_DELTAS = f"""
WITH minutes AS (
    INSERT INTO metric_buckets AS b (minute, {_KEY_LIST}, {_METRIC_LIST})
    SELECT minute, {_KEY_LIST}, {_METRIC_LIST} FROM bucket_delta ORDER BY minute, {_KEY_LIST}
    ON CONFLICT (minute, {_KEY_LIST}) DO UPDATE SET {_ADDED}
), hours AS (
    INSERT INTO metric_buckets_hourly AS b (hour, {_KEY_LIST}, {_METRIC_LIST})
    SELECT date_trunc('hour', minute, 'UTC'), {_KEY_LIST},
           {", ".join(f"sum({m})::bigint" for m in METRICS)}
    FROM bucket_delta
    GROUP BY 1, {_KEY_LIST}
    HAVING {" OR ".join(f"sum({m}) <> 0" for m in METRICS)}
    ORDER BY 1, {_KEY_LIST}
    ON CONFLICT (hour, {_KEY_LIST}) DO UPDATE SET {_ADDED}
)
DELETE FROM bucket_delta
"""
"""The minute rows as staged, the hour rows summed from them, in one statement that also
empties the staging table (all three see the rows as they were staged)."""


async def apply_deltas(connection: Connection, delta: Contributions) -> None:
    """Add `delta` to the minute buckets and their hourly rollup; drop rows left all-zero."""
    if not delta:
        return
    await connection.copy_records_to_table(
        "bucket_delta", records=bucket_rows(delta), columns=("minute", *KEYS, *METRICS)
    )
    await connection.execute(_APPLY_DELTAS)
    # Only a decrease can leave a row all-zero; drop those (rows nobody counts in any more).
    shrunk = sorted(
        bucket for bucket, counts in delta.items() if any(v < 0 for v in counts.values())
    )
    if shrunk:
        hours = sorted({b._replace(minute=b.minute.replace(minute=0)) for b in shrunk})
        await _drop_zero_rows(connection, "metric_buckets", "minute", shrunk)
        await _drop_zero_rows(connection, "metric_buckets_hourly", "hour", hours)


async def _drop_zero_rows(
    connection: Connection, table: str, period: str, keys: Sequence[Bucket]
) -> None:
    all_zero = " AND ".join(f"{m} = 0" for m in METRICS)
    await connection.execute(
        f"""
        DELETE FROM {table} WHERE ({period}, {_KEY_LIST}) IN (
            SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[])
        ) AND {all_zero}
        """,
        *([k[i] for k in keys] for i in range(5)),
    )
