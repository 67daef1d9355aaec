"""Recompute-and-diff for the customers a batch touched, inside the batch's transaction.

Exact under late events, duplicates, revisions and merges because nothing is updated
incrementally: each affected customer's state is derived again from its whole history, and the
buckets move by (new contributions - stored contributions). Contributions add up row by row, so
rows that did not change are set aside first: they cancel out, and are not rewritten either.

The history and stored state come from the state cache when the customer's stamp says the entry
is current and the batch only appended events to its timeline (the common case); otherwise, and
for merges and revisions, from the tables.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence

from journeyflow.journeys import repository
from journeyflow.journeys.changes import Changes, changes, combine, trim
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.derive import derive_sorted
from journeyflow.journeys.facts import EventFacts, by_order
from journeyflow.journeys.model import Derived
from journeyflow.journeys.state_cache import CustomerState, StateCache
from journeyflow.store.database import Connection


async def recompute(
    connection: Connection,
    customers: Iterable[int],
    definitions: Definitions,
    *,
    cache: StateCache | None = None,
    appended: Mapping[int, Sequence[EventFacts]] | None = None,
) -> Changes:
    """Re-derive `customers` (live ones; merged-away ones are only retired) and apply deltas.

    `appended`: customers whose timelines this batch changed only by inserting these derivable
    events (their cached history plus these is their history now); anyone else is read again.
    """
    everyone = sorted(set(customers))
    if not everyone:
        return Changes()
    stamps = await repository.lock_and_stamp(connection, everyone)
    live = [c for c in everyone if c in stamps and stamps[c].live]
    histories: dict[int, tuple[EventFacts, ...]] = {}
    stored: dict[int, Derived] = {}
    if cache is not None and appended is not None:
        for customer in live:
            added = appended.get(customer)
            if added is None:
                continue
            entry = cache.get(customer, stamps[customer].seen)
            if entry is not None:
                histories[customer] = _merged(entry.history, added)
                stored[customer] = entry.derived
    unread = [c for c in live if c not in histories]
    if cache is not None:
        cache.hits += len(histories)
        cache.misses += len(unread)
    loaded = await repository.load_events(connection, unread)
    for customer in unread:
        histories[customer] = tuple(sorted(loaded.get(customer, ()), key=by_order))
    stored.update(
        await repository.load_derived(connection, [c for c in everyone if c not in stored])
    )
    fresh = await _derive(live, histories, definitions)
    result = changes(*trim(combine(stored.values()), combine(fresh.values())))
    await repository.rewrite(connection, stored, fresh)
    await repository.apply_deltas(connection, result.buckets)
    if cache is not None:
        for customer in everyone:
            if customer in fresh:
                state = CustomerState(
                    stamps[customer].stamped, histories[customer], fresh[customer]
                )
                cache.put(customer, state)
            else:
                cache.discard(customer)
    return result


DERIVE_CHUNK = 250
"""Customers derived between two yields to the event loop: a large batch's derivation does not
hold up requests served on the same loop, and lets the next batch's read-ahead move on."""


async def _derive(
    customers: Sequence[int],
    histories: Mapping[int, tuple[EventFacts, ...]],
    definitions: Definitions,
) -> dict[int, Derived]:
    fresh: dict[int, Derived] = {}
    for start in range(0, len(customers), DERIVE_CHUNK):
        for customer in customers[start : start + DERIVE_CHUNK]:
            fresh[customer] = derive_sorted(histories[customer], definitions)
        await asyncio.sleep(0)
    return fresh


def _merged(history: tuple[EventFacts, ...], added: Sequence[EventFacts]) -> tuple[EventFacts, ...]:
    if not added:
        return history
    if history and min(map(by_order, added)) > by_order(history[-1]):
        return history + tuple(sorted(added, key=by_order))
    return tuple(sorted((*history, *added), key=by_order))
