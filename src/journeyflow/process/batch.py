"""Apply one batch of logged events: stitch identities, append to timelines, recompute metrics.

Called inside the transaction that also stores the log position, so the batch's effects and the
fact that it was processed commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from journeyflow.errors import JourneyflowError
from journeyflow.events import InteractionEvent
from journeyflow.identity import repository as identities
from journeyflow.identity.keys import IdentifierRules
from journeyflow.identity.stitch import EventKeys, Stitcher, StitchPlan
from journeyflow.journeys.changes import Changes
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.derive import can_change
from journeyflow.journeys.recompute import recompute
from journeyflow.log import LoggedEvent
from journeyflow.store.database import Connection
from journeyflow.timeline import writer as timeline
from journeyflow.timeline.writer import TimelineEntry


class CorruptLogRecord(JourneyflowError):
    """A logged payload no longer validates (it was valid when accepted)."""


@dataclass(frozen=True, slots=True)
class BatchResult:
    events: list[InteractionEvent]
    appended: int
    merges: int
    conflicts: int
    journeys: Changes


class BatchApplier:
    def __init__(self, rules: IdentifierRules, definitions: Definitions | None = None) -> None:
        self._rules = rules
        self.definitions = definitions or Definitions()
        self._stitcher = Stitcher(rules)
        self._limited_types = sorted(rules.types)

    async def apply(self, connection: Connection, records: Sequence[LoggedEvent]) -> BatchResult:
        events = {record.seq: _decode(record) for record in records}
        keyed = [
            EventKeys(seq, self._rules.keys_of(e.identifiers, e.source, e.contact_id))
            for seq, e in events.items()
        ]
        all_keys = sorted({k for event in keyed for k in event.keys})
        known = await identities.load_known(connection, all_keys, self._limited_types)
        plan = self._stitcher.plan(keyed, known)
        refs = {
            seq: identities.EventRef(e.source, e.event_id, e.occurred_at)
            for seq, e in events.items()
        }
        real = await identities.apply_plan(connection, plan, refs)
        payloads = {record.seq: record.payload for record in records}
        written = await timeline.append(
            connection,
            [
                TimelineEntry(real[plan.assignments[seq]], event, payloads[seq])
                for seq, event in events.items()
            ],
        )
        affected = _affected(plan, real, events) | written.displaced
        changes = await recompute(connection, affected, self.definitions)
        return BatchResult(
            list(events.values()), written.written, len(plan.merges), len(plan.conflicts), changes
        )


def _affected(
    plan: StitchPlan, real: dict[int, int], events: dict[int, InteractionEvent]
) -> set[int]:
    """Customers whose derived state may have changed: assigned an event that can change it,
    merged away, or survivors."""
    affected = {
        real[plan.assignments[seq]]
        for seq, e in events.items()
        if can_change(e.kind, e.contact_id, e.revision)
    }
    for merged, survivor in plan.survivor.items():
        affected.add(real.get(merged, merged))
        affected.add(real.get(survivor, survivor))
    return affected


def _decode(record: LoggedEvent) -> InteractionEvent:
    if record.event is not None:
        return record.event
    try:
        return InteractionEvent.model_validate_json(record.payload)
    except ValidationError as error:
        raise CorruptLogRecord(f"log record {record.seq} does not validate: {error}") from error
