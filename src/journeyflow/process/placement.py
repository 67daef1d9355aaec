"""A stitched batch's events placed on their customers: timeline rows, who to re-derive, and what
each one's timeline gained (pure).

Every event of a batch passes through here inside its transaction, before Postgres has anything
to write, so it is compiled with the rest of the hot path (`process.batch` drives it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from journeyflow.identity.stitch import StitchPlan
from journeyflow.journeys.derive import can_change, derivable
from journeyflow.journeys.facts import EventFacts
from journeyflow.process.decode import BatchEvent
from journeyflow.timeline.writer import TimelineRow, TimelineWrite


def row_tail(event: BatchEvent) -> tuple[Any, ...]:
    """`event`'s timeline row without its first column, the customer id (made ahead, before
    anyone knows whose timeline it goes on)."""
    f = event.facts
    return (
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


def customers_of(
    events: Sequence[BatchEvent], plan: StitchPlan, real: dict[int, int]
) -> dict[int, int]:
    """Each event's customer (by seq): its profile in the plan, by the id it has in the store."""
    assignments = plan.assignments
    return {e.seq: real[assignments[e.seq]] for e in events}


def timeline_rows(
    kept: Sequence[BatchEvent], tails: Sequence[tuple[Any, ...]], customer_of: dict[int, int]
) -> list[TimelineRow]:
    """The timeline rows of the `kept` events, given their `tails` and customers."""
    make = tuple.__new__
    return [
        make(TimelineRow, (customer_of[e.seq], *tail)) for e, tail in zip(kept, tails, strict=True)
    ]


def merged_profiles(plan: StitchPlan, real: dict[int, int]) -> set[int]:
    """Profiles merged away in this batch and their survivors."""
    profiles: set[int] = set()
    for merged, survivor in plan.survivor.items():
        profiles.add(real.get(merged, merged))
        profiles.add(real.get(survivor, survivor))
    return profiles


def affected(
    events: Sequence[BatchEvent], customer_of: dict[int, int], merged: set[int]
) -> set[int]:
    """Customers whose derived state may have changed: assigned an event that can change it,
    merged away, or survivors."""
    customers = set(merged)
    for e in events:
        f = e.facts
        if can_change(f.kind, f.contact_id, e.revision):
            customers.add(customer_of[e.seq])
    return customers


def appended(
    customers: set[int], written: TimelineWrite, kept: Sequence[BatchEvent], merged: set[int]
) -> dict[int, list[EventFacts]]:
    """Of `customers`, those whose timelines only gained plain inserts, with the derivable ones
    (the rest of their history is what the state cache holds, if it is current). `kept`: the
    events the written rows were made of."""
    uncertain = written.changed | merged
    facts: dict[tuple[str, str], EventFacts] = {}
    for e in kept:
        f = e.facts
        if derivable(f):
            facts[(f.source, f.event_id)] = f
    gained: dict[int, list[EventFacts]] = {c: [] for c in customers if c not in uncertain}
    for row in written.inserted:
        fact = facts.get((row.source, row.event_id))
        if fact is not None:
            events = gained.get(row.customer_id)
            if events is not None:
                events.append(fact)
    return gained
