"""Postgres side of identity: load what a batch touches, persist a `StitchPlan`.

Set-based SQL only (`unnest` arrays, or COPY into a staging table for the bulk upserts), a fixed
number of round trips per batch whatever its size.
Merges rewrite `identifiers.customer_id` to the survivor, so an identifier always names a live
profile and lookups never follow redirect chains; `customers.merged_into` always names the final
survivor, so an old id resolves in one step.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from journeyflow.identity.keys import IdKey
from journeyflow.identity.sightings import EventRef, identifier_rows, profile_rows
from journeyflow.identity.stitch import KnownProfiles, StitchPlan
from journeyflow.store.database import Connection


async def load_known(connection: Connection, keys: Sequence[IdKey]) -> KnownProfiles:
    """Who owns each of `keys`, and when each was first and last seen (counts: `load_counts`)."""
    rows = await connection.fetch(
        """
        SELECT i.type, i.value, i.customer_id, i.first_seen, i.last_seen
        FROM unnest($1::text[], $2::text[]) AS k(type, value)
        JOIN identifiers i ON i.type = k.type AND i.value = k.value
        """,
        [k.type for k in keys],
        [k.value for k in keys],
    )
    known = KnownProfiles()
    for r in rows:
        key = tuple.__new__(IdKey, (r["type"], r["value"]))
        known.owner[key] = r["customer_id"]
        known.seen[key] = (r["first_seen"], r["last_seen"])
    return known


async def load_counts(
    connection: Connection,
    known: KnownProfiles,
    profiles: Collection[int],
    limited_types: Sequence[str],
) -> None:
    """Fill in how many identifiers of each limited type these profiles hold."""
    if not profiles:
        return
    counts = await connection.fetch(
        """
        SELECT customer_id, type, count(*) AS n FROM identifiers
        WHERE customer_id = ANY($1::bigint[]) AND type = ANY($2::text[])
        GROUP BY customer_id, type
        """,
        sorted(profiles),
        list(limited_types),
    )
    held = known.counts
    for customer, type_, n in counts:
        if customer not in held:
            held[customer] = Counter()
        held[customer][type_] = n


async def draw_write_version(connection: Connection) -> int:
    """Draw this transaction's identity write version: every transaction that writes
    identifiers or profiles draws one after taking its locks and before writing (migration
    0008), so a version that is still the last one drawn says nobody has written since."""
    version: int = await connection.fetchval("SELECT nextval('identity_writes')")
    return version


async def last_write_version(connection: Connection) -> int:
    """The last identity write version drawn by anyone (0: none yet)."""
    version: int = await connection.fetchval(
        "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM identity_writes"
    )
    return version


async def apply_plan(
    connection: Connection,
    plan: StitchPlan,
    events: Mapping[int, EventRef],
    known: KnownProfiles,
) -> dict[int, int]:
    """Write the plan's profiles, merges and conflicts; returns every assigned profile id
    (provisional or not) -> real id. Its identifiers are written by `record_identifiers`: nothing
    later in the batch reads them, so a processor can send them while it derives."""
    real = await _create_profiles(connection, plan, events)
    await _merge(connection, plan, events, real)
    await _record_conflicts(connection, plan, events, real)
    return real


async def _create_profiles(
    connection: Connection, plan: StitchPlan, events: Mapping[int, EventRef]
) -> dict[int, int]:
    real = {p: p for p in plan.assignments.values()}
    if plan.new_profiles:
        rows = await connection.fetch(
            "SELECT nextval('customer_ids') AS id FROM generate_series(1, $1)",
            len(plan.new_profiles),
        )
        real.update(zip(plan.new_profiles, sorted(r["id"] for r in rows), strict=True))
    await connection.copy_records_to_table(
        "customer_delta",
        records=profile_rows(plan, events, real),
        columns=("id", "first_seen", "last_seen"),
    )
    await connection.execute(_UPSERT_CUSTOMERS)
    return real


_UPSERT_CUSTOMERS = """
WITH upserted AS (
    INSERT INTO customers (id, first_seen, last_seen)
    SELECT id, first_seen, last_seen FROM customer_delta ORDER BY id
    ON CONFLICT (id) DO UPDATE SET
        first_seen = least(customers.first_seen, excluded.first_seen),
        last_seen = greatest(customers.last_seen, excluded.last_seen)
    WHERE excluded.first_seen < customers.first_seen OR excluded.last_seen > customers.last_seen
)
DELETE FROM customer_delta
"""


async def _merge(
    connection: Connection,
    plan: StitchPlan,
    events: Mapping[int, EventRef],
    real: dict[int, int],
) -> None:
    if not plan.merges:
        return
    merged = sorted(plan.survivor)
    survivors = [real.get(plan.survivor[m], plan.survivor[m]) for m in merged]
    for table in ("identifiers", "timeline"):
        await connection.execute(
            f"""
            UPDATE {table} AS t SET customer_id = m.survivor
            FROM unnest($1::bigint[], $2::bigint[]) AS m(merged, survivor)
            WHERE t.customer_id = m.merged
            """,
            merged,
            survivors,
        )
    await connection.execute(
        """
        UPDATE customers AS s SET
            first_seen = least(s.first_seen, agg.first_seen),
            last_seen = greatest(s.last_seen, agg.last_seen)
        FROM (
            SELECT m.survivor, min(c.first_seen) AS first_seen, max(c.last_seen) AS last_seen
            FROM unnest($1::bigint[], $2::bigint[]) AS m(merged, survivor)
            JOIN customers c ON c.id = m.merged
            GROUP BY m.survivor
        ) AS agg
        WHERE s.id = agg.survivor
        """,
        merged,
        survivors,
    )
    await connection.execute(
        """
        UPDATE customers AS c SET merged_into = m.survivor, merged_at = coalesce(c.merged_at, now())
        FROM unnest($1::bigint[], $2::bigint[]) AS m(merged, survivor)
        WHERE c.id = m.merged OR c.merged_into = m.merged
        """,
        merged,
        survivors,
    )
    await connection.executemany(
        """
        INSERT INTO identity_merges (from_customer, into_customer, source, event_id, rule)
        VALUES ($1, $2, $3, $4, $5)
        """,
        [
            (m.from_profile, real.get(m.into_profile, m.into_profile), *_ref(events, m.seq), m.rule)
            for m in plan.merges
        ],
    )


async def record_identifiers(
    connection: Connection,
    plan: StitchPlan,
    events: Mapping[int, EventRef],
    real: dict[int, int],
    known: KnownProfiles,
) -> None:
    """Insert new identifiers; widen the first/last seen of known ones the batch saw outside
    them (`sightings.identifier_rows`)."""
    rows = identifier_rows(plan, events, real, known)
    if not rows:
        return
    await connection.copy_records_to_table(
        "identifier_delta",
        records=rows,
        columns=("type", "value", "customer_id", "first_seen", "last_seen"),
    )
    await connection.execute(_UPSERT_IDENTIFIERS)


_UPSERT_IDENTIFIERS = """
WITH upserted AS (
    INSERT INTO identifiers AS i (type, value, customer_id, first_seen, last_seen)
    SELECT type, value, customer_id, first_seen, last_seen FROM identifier_delta
    ORDER BY type, value  -- one lock order for every writer
    ON CONFLICT (type, value) DO UPDATE SET
        first_seen = least(i.first_seen, excluded.first_seen),
        last_seen = greatest(i.last_seen, excluded.last_seen)
)
DELETE FROM identifier_delta
"""


async def _record_conflicts(
    connection: Connection,
    plan: StitchPlan,
    events: Mapping[int, EventRef],
    real: dict[int, int],
) -> None:
    if not plan.conflicts:
        return
    await connection.executemany(
        """
        INSERT INTO identity_conflicts (source, event_id, identifier_type, identifier_value,
                                        customer_id, other_customer_id, reason)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """,
        [
            (
                *_ref(events, c.seq),
                c.key.type,
                c.key.value,
                real.get(c.profile, c.profile),
                None if c.other_profile is None else real.get(c.other_profile, c.other_profile),
                c.reason,
            )
            for c in plan.conflicts
        ],
    )


def _ref(events: Mapping[int, EventRef], seq: int) -> tuple[str, str]:
    return events[seq].source, events[seq].event_id
