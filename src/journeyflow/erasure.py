"""Erasure: remove one person's data (a data-subject request), and their counts with it.

A person is a live customer and every profile merged into it. In one transaction, taken while no
batch is being applied (the locks every processor takes), their timeline rows go, their derived
contacts and journeys are re-derived from nothing so the metric buckets move down by exactly
their contributions, and their identifiers, merge and conflict records, log entries and profiles
are deleted. What stays: anonymous aggregates that no longer include them, and dead letters
(records that never reached a customer).

Events of the person still unprocessed in the log, or sent again later, make a new profile: an
erasure forgets, it does not block.
"""

from __future__ import annotations

from dataclasses import dataclass

from journeyflow.identity.repository import draw_write_version
from journeyflow.journeys.changes import Changes
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.recompute import recompute
from journeyflow.process.locks import pause_processing
from journeyflow.store.database import Connection


@dataclass(frozen=True, slots=True)
class Erased:
    customer: int
    profiles: list[int]
    """The live profile and every profile merged into it."""
    events: int
    identifiers: int
    changes: Changes


async def erase(connection: Connection, customer: int, definitions: Definitions) -> Erased:
    """Erase the live profile `customer` (not a merged-away id: resolve it first)."""
    async with connection.transaction():
        await pause_processing(connection)
        await draw_write_version(connection)  # plans made ahead of it are made again
        profiles = [
            row["id"]
            for row in await connection.fetch(
                "SELECT id FROM customers WHERE id = $1 OR merged_into = $1 ORDER BY id FOR UPDATE",
                customer,
            )
        ]
        erased_events = await connection.fetch(
            "DELETE FROM timeline WHERE customer_id = ANY($1::bigint[]) RETURNING source, event_id",
            profiles,
        )
        changes = await recompute(connection, profiles, definitions)
        await connection.execute(
            """
            DELETE FROM event_log l
            USING unnest($1::text[], $2::text[]) AS e(source, event_id)
            WHERE l.source = e.source AND l.event_id = e.event_id
            """,
            [r["source"] for r in erased_events],
            [r["event_id"] for r in erased_events],
        )
        identifiers = await connection.fetchval(
            "WITH gone AS (DELETE FROM identifiers WHERE customer_id = ANY($1::bigint[])"
            " RETURNING 1) SELECT count(*) FROM gone",
            profiles,
        )
        for statement in _FORGET:
            await connection.execute(statement, profiles)
    return Erased(customer, profiles, len(erased_events), int(identifiers), changes)


_FORGET = (
    "DELETE FROM identity_conflicts"
    " WHERE customer_id = ANY($1::bigint[]) OR other_customer_id = ANY($1::bigint[])",
    "DELETE FROM identity_merges"
    " WHERE from_customer = ANY($1::bigint[]) OR into_customer = ANY($1::bigint[])",
    "DELETE FROM contacts WHERE customer_id = ANY($1::bigint[])",
    "DELETE FROM journeys WHERE customer_id = ANY($1::bigint[])",
    "DELETE FROM journey_surveys WHERE customer_id = ANY($1::bigint[])",
    "UPDATE customers SET merged_into = NULL WHERE id = ANY($1::bigint[])",
    "DELETE FROM customers WHERE id = ANY($1::bigint[])",
)
