"""Apply one batch of logged events: stitch identities, append to timelines, recompute metrics.

Called inside the transaction that also stores the log position, so the batch's effects and the
fact that it was processed commit together or not at all.

Given the batch after it (read ahead), a batch also plans that one's stitching: at its end, once
its own identifiers are written, it reads what the next batch's keys are known as, then stitches
the next batch in Python while Postgres writes its derived rows and buckets, time Python would
otherwise spend waiting. A plan is a function of the keys' owners and profile counts alone, so
the next batch may use it if nobody has written identities since they were read: every
identity-writing transaction (batch or erasure) draws an identity write version first, and the
next batch checks, in its own transaction, that the last version drawn is still the planning
batch's own. Otherwise it plans again; either way the plan is the one it would have made.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from journeyflow.identity import repository as identities
from journeyflow.identity.keys import IdentifierRules
from journeyflow.identity.sightings import EventRef
from journeyflow.identity.stitch import (
    EventKeys,
    KnownProfiles,
    Stitcher,
    StitchPlan,
    distinct_keys,
    needing_counts,
)
from journeyflow.journeys.changes import Changes
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.recompute import recompute
from journeyflow.journeys.state_cache import StateCache
from journeyflow.log import LoggedEvent
from journeyflow.process.decode import BatchEvent, CorruptLogRecord, decode
from journeyflow.process.placement import (
    affected,
    appended,
    customers_of,
    merged_profiles,
    row_tail,
    timeline_rows,
)
from journeyflow.store.database import Connection
from journeyflow.timeline import writer as timeline
from journeyflow.timeline.writer import TimelineRow, TimelineWrite

__all__ = ["BatchApplier", "BatchResult", "CorruptLogRecord", "PreparedBatch"]


PREPARE_CHUNK = 50
"""Events prepared (or stitched ahead) between two yields to the event loop in the background.
Small, because the batch in flight waits for the loop at each reply from Postgres: a background
step holds up every round trip of the transaction (250 events, 5-10 ms a step, cost the
processor about 13 % of its rate against 50)."""


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """A batch decoded and keyed: everything that needs no database, done ahead of applying
    (in the read-ahead, while the batch before waits on Postgres)."""

    events: list[BatchEvent]
    keys: list[EventKeys]
    refs: dict[int, EventRef]
    """The identity tables' record of each event, by seq."""
    kept: list[BatchEvent]
    """One event per `(source, event_id)`, as `timeline.latest` keeps them."""
    tails: list[tuple[Any, ...]]
    """Each kept event's timeline row after its customer id."""

    @classmethod
    def of(cls, events: list[BatchEvent], keys: list[EventKeys]) -> PreparedBatch:
        make = tuple.__new__  # not the named tuple's constructor, a Python function
        refs: dict[int, EventRef] = {}
        for e in events:
            f = e.facts
            refs[e.seq] = make(EventRef, (f.source, f.event_id, f.occurred_at))
        kept = timeline.latest(events)
        return cls(events, keys, refs, kept, [row_tail(e) for e in kept])

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq

    def rows(self, customer_of: dict[int, int]) -> list[TimelineRow]:
        """The batch's timeline rows, one per event, once each event's customer is known."""
        return timeline_rows(self.kept, self.tails, customer_of)


@dataclass(frozen=True, slots=True)
class BatchResult:
    events: list[BatchEvent]
    appended: int
    merges: int
    conflicts: int
    journeys: Changes
    cache: CacheUse = field(default_factory=lambda: CacheUse(0, 0, 0))
    planned_ahead: bool | None = None
    """Whether the stitch plan made ahead (by the batch before) was used; None: there was none."""


@dataclass(frozen=True, slots=True)
class _PlannedAhead:
    """A batch's stitch plan, made by the batch before, and what it was made from."""

    batch: PreparedBatch
    version: int
    """The identity write version of the batch that read `known` (drawn before it wrote)."""
    known: KnownProfiles
    plan: StitchPlan


@dataclass(frozen=True, slots=True)
class CacheUse:
    """What the state cache did for one batch."""

    hits: int
    misses: int
    events_held: int


class BatchApplier:
    def __init__(
        self,
        rules: IdentifierRules,
        definitions: Definitions | None = None,
        *,
        cache_events: int = 500_000,
    ) -> None:
        self._rules = rules
        self.definitions = definitions or Definitions()
        self._stitcher = Stitcher(rules)
        self._limited_types = sorted(rules.types)
        self.cache = StateCache(cache_events)
        self._planned: _PlannedAhead | None = None
        self._version = 0
        """The identity write version of the batch being applied."""

    def prepare(self, records: Sequence[LoggedEvent]) -> PreparedBatch:
        """Decode and key `records` (pure: no database)."""
        events = [decode(record) for record in records]
        return PreparedBatch.of(events, [self._keys(e) for e in events])

    async def prepare_cooperatively(self, records: Sequence[LoggedEvent]) -> PreparedBatch:
        """`prepare`, yielding to the event loop every `PREPARE_CHUNK` events, so a batch in
        flight on the same loop is not held up while the next one is prepared."""
        events: list[BatchEvent] = []
        keys: list[EventKeys] = []
        for start in range(0, len(records), PREPARE_CHUNK):
            for record in records[start : start + PREPARE_CHUNK]:
                event = decode(record)
                events.append(event)
                keys.append(self._keys(event))
            await asyncio.sleep(0)
        return PreparedBatch.of(events, keys)

    def _keys(self, event: BatchEvent) -> EventKeys:
        facts = event.facts
        keys = self._rules.keys_of(event.identifiers, facts.source, facts.contact_id)
        return tuple.__new__(EventKeys, (event.seq, keys))

    async def apply(self, connection: Connection, records: Sequence[LoggedEvent]) -> BatchResult:
        return await self.apply_prepared(connection, self.prepare(records))

    async def apply_prepared(
        self,
        connection: Connection,
        batch: PreparedBatch,
        upcoming: Callable[[], PreparedBatch | None] | None = None,
    ) -> BatchResult:
        """Apply a prepared batch inside the caller's transaction. `upcoming`: the batch after
        it, if it has been read and prepared by the time this one is writing its last rows."""
        events = batch.events
        hits, misses = self.cache.hits, self.cache.misses
        known, plan, planned_ahead = await self._stitch(connection, batch)
        refs = batch.refs
        real = await identities.apply_plan(connection, plan, refs, known)
        customer_of = customers_of(events, plan, real)
        rows = batch.rows(customer_of)
        merged = merged_profiles(plan, real)
        customers = affected(events, customer_of, merged)
        written = TimelineWrite(0)

        async def write() -> set[int]:
            nonlocal written
            await identities.record_identifiers(connection, plan, refs, real, known)
            written = await timeline.append(connection, rows)
            return written.changed

        alongside = None if any(e.revision for e in events) else write
        if alongside is None:
            # What a revision replaces (and whose timeline it leaves) is known once it is written.
            customers |= await write()
            gained = appended(customers, written, batch.kept, merged)
        else:
            # First revisions only: each is a plain insert unless it is on a timeline already
            # (then `write` says whose). Derive assuming so while Postgres writes them.
            gained = appended(customers, TimelineWrite(len(rows), rows), batch.kept, merged)
        changes = await recompute(
            connection,
            customers,
            self.definitions,
            cache=self.cache,
            appended=gained,
            alongside=alongside,
            meanwhile=None if upcoming is None else _PlanAhead(self, upcoming),
        )
        cache = CacheUse(self.cache.hits - hits, self.cache.misses - misses, self.cache.events)
        return BatchResult(
            events,
            written.written,
            len(plan.merges),
            len(plan.conflicts),
            changes,
            cache,
            planned_ahead,
        )

    async def _stitch(
        self, connection: Connection, batch: PreparedBatch
    ) -> tuple[KnownProfiles, StitchPlan, bool | None]:
        """The batch's stitch plan and what it was made from: the one made ahead if it still
        holds (and whether there was one), else one made now."""
        ahead, self._planned = self._planned, None
        holds = (
            ahead is not None
            and ahead.batch is batch
            and await identities.last_write_version(connection) == ahead.version
        )
        self._version = await identities.draw_write_version(connection)
        if ahead is not None and holds:
            return ahead.known, ahead.plan, True
        known = await self.known(connection, batch)
        return known, self._stitcher.plan(batch.keys, known), None if ahead is None else False

    async def known(self, connection: Connection, batch: PreparedBatch) -> KnownProfiles:
        """What the store knows of the batch's keys, and of the profiles whose counts matter."""
        known = await identities.load_known(connection, distinct_keys(batch.keys))
        counted = needing_counts(batch.keys, known.owner)
        await identities.load_counts(connection, known, counted, self._limited_types)
        return known

    async def plan_ahead(self, batch: PreparedBatch, known: KnownProfiles) -> None:
        """Stitch `batch` from `known` (read in the batch being applied, after its identity
        writes), yielding to the event loop every `PREPARE_CHUNK` events, and keep the plan for
        when `batch` is applied."""
        stitch = self._stitcher.start(known)
        for start in range(0, len(batch.keys), PREPARE_CHUNK):
            for event in batch.keys[start : start + PREPARE_CHUNK]:
                stitch.add(event)
            await asyncio.sleep(0)
        self._planned = _PlannedAhead(batch, self._version, known, stitch.finish())


class _PlanAhead:
    """`recompute`'s meanwhile: stitch the upcoming batch while this one's last rows are
    written (see the module docstring)."""

    def __init__(self, applier: BatchApplier, upcoming: Callable[[], PreparedBatch | None]):
        self._applier = applier
        self._upcoming = upcoming
        self._read: tuple[PreparedBatch, KnownProfiles] | None = None

    async def read(self, connection: Connection) -> None:
        batch = self._upcoming()
        if batch is not None:
            self._read = (batch, await self._applier.known(connection, batch))

    async def work(self) -> None:
        if self._read is not None:
            await self._applier.plan_ahead(*self._read)
