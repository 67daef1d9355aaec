"""Recompute-and-diff for the customers a batch touched, inside the batch's transaction.

Exact under late events, duplicates, revisions and merges because nothing is updated
incrementally: each affected customer's state is derived again from its whole history, and the
buckets move by (new contributions - stored contributions). Contributions add up row by row, so
rows that did not change are set aside first: they cancel out, and are not rewritten either.

The history and stored state come from the state cache when the customer's stamp says the entry
is current and the batch only appended events to its timeline (the common case); otherwise, and
for merges and revisions, from the tables.

Deriving is Python work and writing the batch's timeline rows and identifiers is Postgres work,
on a core of its own. So when the batch holds only first revisions, those writes run on the
connection while the customers are derived, on the assumption that every event is new; the
write reports any that were not, and their customers are derived again after it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Protocol

from journeyflow.journeys import repository
from journeyflow.journeys.changes import (
    Changes,
    add,
    after_shared_start,
    changes,
    combine,
    settled,
    trim,
)
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.derive import derive_sorted
from journeyflow.journeys.facts import EventFacts, by_order, extended
from journeyflow.journeys.model import Derived
from journeyflow.journeys.state_cache import CustomerState, StateCache
from journeyflow.store.database import Connection


class Meanwhile(Protocol):
    """Python work for the time Postgres stores a batch's derived rows and bucket deltas."""

    async def read(self, connection: Connection) -> None:
        """On the batch's connection, just before those writes (so it sees all the rest)."""

    async def work(self) -> None:
        """While they run: Python work that yields to the event loop every so often."""


async def recompute(
    connection: Connection,
    customers: Iterable[int],
    definitions: Definitions,
    *,
    cache: StateCache | None = None,
    appended: Mapping[int, Sequence[EventFacts]] | None = None,
    alongside: Callable[[], Awaitable[set[int]]] | None = None,
    meanwhile: Meanwhile | None = None,
) -> Changes:
    """Re-derive `customers` (live ones; merged-away ones are only retired) and apply deltas.

    `appended`: customers whose timelines this batch changed only by inserting these derivable
    events (their cached history plus these is their history now); anyone else is read again.

    `alongside`: the batch's timeline write, not yet made, when `appended` assumes what it will
    insert. It runs on the connection while Python derives the customers `appended` covers (their
    histories are read before it, plus `appended`), so Postgres and Python work at the same time.
    It returns the customers whose timelines it did not change as assumed: those are derived
    again from the tables after it.

    `meanwhile`: Python work to run while the derived rows and buckets are written (the last
    writes, Postgres's alone); the processor plans the next batch's stitching there.
    """
    everyone = sorted(set(customers))
    if not everyone:
        if alongside is not None:
            await alongside()
        return Changes()
    stamps = await repository.lock_and_stamp(connection, everyone)
    live = [c for c in everyone if c in stamps and stamps[c].live]
    appended = appended or {}
    histories: dict[int, tuple[EventFacts, ...]] = {}
    stored: dict[int, Derived] = {}
    if cache is not None:
        for customer in live:
            added = appended.get(customer)
            if added is None:
                continue
            entry = cache.get(customer, stamps[customer].seen)
            if entry is not None:
                histories[customer] = extended(entry.history, added)
                stored[customer] = entry.derived
        cache.hits += len(histories)
        cache.misses += len(live) - len(histories)
    fresh: dict[int, Derived] = {}
    result = Changes()
    moved: dict[int, tuple[Derived, Derived]] = {}
    if alongside is not None:
        early = [c for c in live if c in appended]
        fresh, result = await _derive_while_writing(
            connection, early, appended, histories, stored, definitions, alongside, moved
        )
    rest = [c for c in everyone if c not in fresh]
    await _read_histories(connection, [c for c in live if c not in histories], histories)
    await _read_stored(connection, rest, stored)
    fresh.update(await _derive(rest, histories, definitions))
    add(result, changes_of(rest, stored, fresh, moved))
    result = settled(result)

    def remember() -> None:
        # Before the commit, while Postgres writes: an entry carries the version stamped in
        # this transaction, so should it roll back, the stored version never matches it.
        if cache is None:
            return
        for customer in everyone:
            if customer in fresh:
                state = CustomerState(
                    stamps[customer].stamped, histories[customer], fresh[customer]
                )
                cache.put(customer, state)
            else:
                cache.discard(customer)

    await _store(connection, moved, result, remember, meanwhile)
    return result


async def _store(
    connection: Connection,
    moved: Mapping[int, tuple[Derived, Derived]],
    result: Changes,
    remember: Callable[[], None],
    meanwhile: Meanwhile | None,
) -> None:
    """Rewrite the changed rows and apply the bucket deltas: Postgres's work alone, so the
    batch's states are cached (`remember`) and `meanwhile` works while it is done."""

    async def store() -> None:
        await repository.rewrite(connection, moved)
        await repository.apply_deltas(connection, result.buckets)

    if meanwhile is not None:
        await meanwhile.read(connection)
    task = asyncio.ensure_future(store())
    await asyncio.sleep(0)  # let it build and send its first statement
    try:
        remember()
        if meanwhile is not None:
            await meanwhile.work()
    except BaseException:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise
    await task


async def _derive_while_writing(
    connection: Connection,
    customers: Sequence[int],
    appended: Mapping[int, Sequence[EventFacts]],
    histories: dict[int, tuple[EventFacts, ...]],
    stored: dict[int, Derived],
    definitions: Definitions,
    write: Callable[[], Awaitable[set[int]]],
    moved: dict[int, tuple[Derived, Derived]],
) -> tuple[dict[int, Derived], Changes]:
    """Derive `customers`, and what changed for them, while `write` runs on the connection.

    Their histories are read first (unless cached) and given what `appended` assumes the write
    adds. Should it report any of them, nothing is kept and their histories are dropped: they
    are all derived again, from the tables.
    """
    unread = [c for c in customers if c not in histories]
    await _read_histories(connection, unread, histories)
    for customer in unread:
        histories[customer] = extended(histories[customer], appended[customer])
    await _read_stored(connection, customers, stored)
    found = Changes()
    task = asyncio.ensure_future(write())
    await asyncio.sleep(0)  # let it send its first statement before deriving starts
    try:
        fresh = await _derive_in_steps(customers, histories, stored, definitions, found, moved)
    except BaseException:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise
    unexpected = await task
    if unexpected.isdisjoint(customers):
        return fresh, found
    for customer in unexpected:  # rare: a resend that raced its original
        histories.pop(customer, None)
    return {}, Changes()


async def _read_histories(
    connection: Connection, customers: Sequence[int], into: dict[int, tuple[EventFacts, ...]]
) -> None:
    loaded = await repository.load_events(connection, customers)
    for customer in customers:
        into[customer] = tuple(sorted(loaded.get(customer, ()), key=by_order))


async def _read_stored(
    connection: Connection, customers: Sequence[int], into: dict[int, Derived]
) -> None:
    into.update(await repository.load_derived(connection, [c for c in customers if c not in into]))


DERIVE_CHUNK = 50
"""Customers derived between two yields to the event loop: a large batch's derivation does not
hold up requests served on the same loop, and lets the next batch's read-ahead move on (kept
short for the same reason as `process.batch.PREPARE_CHUNK`)."""

ALONGSIDE_CHUNK = 25
"""The same while the connection writes: each yield lets the loop pass Postgres the next socket
buffer of a COPY, so it is not left waiting for data."""


async def _derive(
    customers: Sequence[int],
    histories: Mapping[int, tuple[EventFacts, ...]],
    definitions: Definitions,
) -> dict[int, Derived]:
    """Derive those of `customers` that have a history (the live ones)."""
    fresh: dict[int, Derived] = {}
    for start in range(0, len(customers), DERIVE_CHUNK):
        for customer in customers[start : start + DERIVE_CHUNK]:
            if customer in histories:
                fresh[customer] = derive_sorted(histories[customer], definitions)
        await asyncio.sleep(0)
    return fresh


async def _derive_in_steps(
    customers: Sequence[int],
    histories: Mapping[int, tuple[EventFacts, ...]],
    stored: Mapping[int, Derived],
    definitions: Definitions,
    into: Changes,
    moved: dict[int, tuple[Derived, Derived]],
) -> dict[int, Derived]:
    """`_derive`, adding what changed to `into` as it goes, in `ALONGSIDE_CHUNK` steps.

    Chunk by chunk equals all at once because no contact or journey moves between these
    customers (moves come with merges and revisions, which are never derived alongside).
    """
    fresh: dict[int, Derived] = {}
    for start in range(0, len(customers), ALONGSIDE_CHUNK):
        part = customers[start : start + ALONGSIDE_CHUNK]
        for customer in part:
            fresh[customer] = derive_sorted(histories[customer], definitions)
        add(into, changes_of(part, stored, fresh, moved))
        await asyncio.sleep(0)
    return fresh


def changes_of(
    customers: Iterable[int],
    stored: Mapping[int, Derived],
    fresh: Mapping[int, Derived],
    moved: dict[int, tuple[Derived, Derived]],
) -> Changes:
    """What changed for `customers`: each one's unchanged leading rows set aside first (the
    rest of each customer's stored and fresh rows go `moved`, for the rewrite), then the rows
    shared between all of them (a contact may move between customers in a merge)."""
    olds: list[Derived] = []
    news: list[Derived] = []
    for customer in customers:
        before, after = stored.get(customer), fresh.get(customer)
        if before is not None and after is not None:
            before, after = after_shared_start(before, after)
        if before is not None:
            olds.append(before)
        if after is not None:
            news.append(after)
        moved[customer] = (before or repository.EMPTY, after or repository.EMPTY)
    return changes(*trim(combine(olds), combine(news)))
