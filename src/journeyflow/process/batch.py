"""Apply one batch of logged events: stitch identities, append to timelines, recompute metrics.

Called inside the transaction that also stores the log position, so the batch's effects and the
fact that it was processed commit together or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from journeyflow.identity import repository as identities
from journeyflow.identity.keys import IdentifierRules
from journeyflow.identity.stitch import EventKeys, Stitcher, StitchPlan
from journeyflow.journeys.changes import Changes
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.derive import can_change, derivable
from journeyflow.journeys.facts import EventFacts
from journeyflow.journeys.recompute import recompute
from journeyflow.journeys.state_cache import StateCache
from journeyflow.log import LoggedEvent
from journeyflow.process.decode import BatchEvent, CorruptLogRecord, decode
from journeyflow.store.database import Connection
from journeyflow.timeline import writer as timeline
from journeyflow.timeline.writer import TimelineRow, TimelineWrite

__all__ = ["BatchApplier", "BatchResult", "CorruptLogRecord"]


@dataclass(frozen=True, slots=True)
class BatchResult:
    events: list[BatchEvent]
    appended: int
    merges: int
    conflicts: int
    journeys: Changes


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

    async def apply(self, connection: Connection, records: Sequence[LoggedEvent]) -> BatchResult:
        events = [decode(record) for record in records]
        keyed = [
            EventKeys(e.seq, self._rules.keys_of(e.identifiers, e.facts.source, e.facts.contact_id))
            for e in events
        ]
        all_keys = sorted({k for event in keyed for k in event.keys})
        known = await identities.load_known(connection, all_keys, self._limited_types)
        plan = self._stitcher.plan(keyed, known)
        refs = {e.seq: identities.EventRef(e.source, e.event_id, e.occurred_at) for e in events}
        real = await identities.apply_plan(connection, plan, refs, known)
        customer_of = {e.seq: real[plan.assignments[e.seq]] for e in events}
        written = await timeline.append(connection, [_row(customer_of[e.seq], e) for e in events])
        affected = _affected(plan, real, events, customer_of) | written.changed
        changes = await recompute(
            connection,
            affected,
            self.definitions,
            cache=self.cache,
            appended=_appended(affected, written, events, _merged(plan, real)),
        )
        return BatchResult(events, written.written, len(plan.merges), len(plan.conflicts), changes)


def _row(customer: int, event: BatchEvent) -> TimelineRow:
    f = event.facts
    return TimelineRow(
        customer,
        f.occurred_at,
        event.received_at or f.occurred_at,
        f.source,
        f.event_id,
        event.revision,
        f.kind,
        f.channel,
        f.contact_id,
        event.payload,
    )


def _affected(
    plan: StitchPlan,
    real: dict[int, int],
    events: Sequence[BatchEvent],
    customer_of: dict[int, int],
) -> set[int]:
    """Customers whose derived state may have changed: assigned an event that can change it,
    merged away, or survivors."""
    affected = {
        customer_of[e.seq]
        for e in events
        if can_change(e.facts.kind, e.facts.contact_id, e.revision)
    }
    affected.update(_merged(plan, real))
    return affected


def _merged(plan: StitchPlan, real: dict[int, int]) -> set[int]:
    """Profiles merged away in this batch and their survivors."""
    profiles: set[int] = set()
    for merged, survivor in plan.survivor.items():
        profiles.add(real.get(merged, merged))
        profiles.add(real.get(survivor, survivor))
    return profiles


def _appended(
    affected: set[int], written: TimelineWrite, events: Sequence[BatchEvent], merged: set[int]
) -> dict[int, list[EventFacts]]:
    """Affected customers whose timelines only gained plain inserts, with the derivable ones
    (the rest of their history is what the state cache holds, if it is current)."""
    uncertain = written.changed | merged
    facts = {(e.source, e.event_id): e.facts for e in events if e.revision == 0}
    appended: dict[int, list[EventFacts]] = defaultdict(list)
    for row in written.inserted:
        fact = facts[(row.source, row.event_id)]
        if derivable(fact):
            appended[row.customer_id].append(fact)
    return {c: appended.get(c, []) for c in affected if c not in uncertain}
