"""Recompute-and-diff for the customers a batch touched, inside the batch's transaction.

Exact under late events, duplicates, revisions and merges because nothing is updated
incrementally: each affected customer's state is derived again from its whole timeline, and the
buckets move by (new contributions - stored contributions). Contributions add up row by row, so
rows that did not change are set aside first: they cancel out, and are not rewritten either.
"""

from __future__ import annotations

from collections.abc import Iterable

from journeyflow.journeys import repository
from journeyflow.journeys.changes import Changes, changes, combine, trim
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.derive import derive
from journeyflow.store.database import Connection


async def recompute(
    connection: Connection, customers: Iterable[int], definitions: Definitions
) -> Changes:
    """Re-derive `customers` (live ones; merged-away ones are only retired) and apply deltas."""
    everyone = sorted(set(customers))
    if not everyone:
        return Changes()
    live = await repository.lock_live(connection, everyone)
    events = await repository.load_events(connection, live)
    fresh = {customer: derive(events.get(customer, []), definitions) for customer in live}
    stored = await repository.load_derived(connection, everyone)
    result = changes(*trim(combine(stored.values()), combine(fresh.values())))
    await repository.rewrite(connection, stored, fresh)
    await repository.apply_deltas(connection, result.buckets)
    return result
