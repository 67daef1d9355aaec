"""What one recompute changed: bucket deltas, channel-switch deltas, new histogram observations.

Computed from the stored state before and the derived state after, so the processor can move
Prometheus collectors after the commit by exactly what the database recorded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from journeyflow.journeys.contributions import (
    Contributions,
    accumulate,
    contributions,
    pruned,
)
from journeyflow.journeys.model import Contact, Derived, Journey, Survey, derived_of

SwitchKey = tuple[str, str, str]
"""(from_channel, to_channel, "carried" | "lost")"""


class Observation(NamedTuple):
    """One histogram observation (a named tuple: built and compared at C speed)."""

    channel: str
    intent: str
    department: str
    seconds: float


@dataclass(slots=True)
class Changes:
    buckets: Contributions = field(default_factory=dict)
    switches: Counter[SwitchKey] = field(default_factory=Counter)
    handle: list[Observation] = field(default_factory=list)
    resolution: list[Observation] = field(default_factory=list)
    withdrawn: Counter[str] = field(default_factory=Counter)
    """Histogram observations made earlier that no longer hold (cannot be taken back)."""

    @property
    def empty(self) -> bool:
        return not (self.buckets or self.switches or self.handle or self.resolution)


def combine(parts: Iterable[Derived]) -> Derived:
    contacts: list[Contact] = []
    journeys: list[Journey] = []
    surveys: list[Survey] = []
    for part in parts:
        contacts.extend(part.contacts)
        journeys.extend(part.journeys)
        surveys.extend(part.surveys)
    return derived_of(tuple(contacts), tuple(journeys), tuple(surveys))


def trim(old: Derived, new: Derived) -> tuple[Derived, Derived]:
    """`old` and `new` without the rows they share (as multisets): `changes()` of the trimmed
    pair equals `changes()` of the whole, since every contribution is a sum over rows."""
    parts: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = []
    for before, after in (
        (old.contacts, new.contacts),
        (old.journeys, new.journeys),
        (old.surveys, new.surveys),
    ):
        if not (before and after):
            parts.append((before, after))  # nothing in common (nothing to count)
            continue
        common = _shared_rows(before, after)
        parts.append((_without(before, common), _without(after, common)))
    (oc, nc), (oj, nj), (os_, ns) = parts
    return derived_of(oc, oj, os_), derived_of(nc, nj, ns)


def after_shared_start(old: Derived, new: Derived) -> tuple[Derived, Derived]:
    """`old` and `new` without the leading rows they share position by position: what a
    customer's new events left as it was (their earlier contacts, journeys and surveys). A cheap
    first pass before `trim`, which compares whole multisets, hashing every row."""
    oc, nc = _after_shared(old.contacts, new.contacts)
    oj, nj = _after_shared(old.journeys, new.journeys)
    os_, ns = _after_shared(old.surveys, new.surveys)
    return derived_of(oc, oj, os_), derived_of(nc, nj, ns)


def _after_shared(
    before: tuple[Any, ...], after: tuple[Any, ...]
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    shared, most = 0, min(len(before), len(after))
    while shared < most and before[shared] == after[shared]:
        shared += 1
    return (before[shared:], after[shared:]) if shared else (before, after)


def _shared_rows(before: tuple[Any, ...], after: tuple[Any, ...]) -> dict[Any, int]:
    """How many times each row is in both (the multiset intersection; plain dicts, which the
    compiled module works on directly, where `Counter` runs Python for every call)."""
    unmatched: dict[Any, int] = {}
    for row in before:
        unmatched[row] = unmatched.get(row, 0) + 1
    common: dict[Any, int] = {}
    for row in after:
        n = unmatched.get(row, 0)
        if n:
            unmatched[row] = n - 1
            common[row] = common.get(row, 0) + 1
    return common


def _without(rows: tuple[Any, ...], common: dict[Any, int]) -> tuple[Any, ...]:
    if not common:
        return rows
    left = dict(common)
    kept = []
    for row in rows:
        n = left.get(row, 0)
        if n:
            left[row] = n - 1
        else:
            kept.append(row)
    return tuple(kept)


def changes(old: Derived, new: Derived) -> Changes:
    """What moved from `old` to `new`. Zeros may be left where counts cancel out: a batch adds
    up its customers' changes (`add`) and drops them once (`settled`)."""
    result = Changes(buckets=contributions(old, into=contributions(new), sign=-1))
    result.switches = switches_of(new)
    result.switches.subtract(switches_of(old))
    old_handles = {(c.source, c.contact_id): _handle(c) for c in old.contacts}
    for contact in new.contacts:
        value = _handle(contact)
        if value is not None:
            before = old_handles.get((contact.source, contact.contact_id))
            if value != before:
                result.handle.append(value)
                if before is not None:
                    result.withdrawn["contact_handle_seconds"] += 1
    old_resolutions = {j.id: _resolution(j) for j in old.journeys}
    for journey in new.journeys:
        value = _resolution(journey)
        if value is not None:
            before = old_resolutions.get(journey.id)
            if value != before:
                result.resolution.append(value)
                if before is not None:
                    result.withdrawn["journey_resolution_seconds"] += 1
    return result


def add(total: Changes, more: Changes) -> None:
    """`total += more`, in place, for changes of customers apart from those already in `total`
    (zeros may be left where they cancel out; `settled` drops them)."""
    accumulate(total.buckets, more.buckets)
    total.switches.update(more.switches)
    total.handle += more.handle
    total.resolution += more.resolution
    total.withdrawn.update(more.withdrawn)


def settled(total: Changes) -> Changes:
    """`total` without the zeros `add` may leave."""
    switches = Counter({key: n for key, n in total.switches.items() if n})
    return Changes(pruned(total.buckets), switches, total.handle, total.resolution, total.withdrawn)


def switches_of(derived: Derived) -> Counter[SwitchKey]:
    return Counter(
        (c.switched_from, c.channel, "lost" if c.blind_handoff else "carried")
        for c in derived.contacts
        if c.switched_from is not None
    )


def _handle(contact: Contact) -> Observation | None:
    if not contact.assisted or contact.handle_ms is None:
        return None
    seconds = contact.handle_ms / 1000
    return _observation(contact.channel, contact.intent, contact.department, seconds)


def _resolution(journey: Journey) -> Observation | None:
    if journey.resolved_at is None:
        return None
    seconds = (journey.resolved_at - journey.started_at).total_seconds()
    return _observation(journey.channel, journey.intent, journey.department, seconds)


def _observation(
    channel: str, intent: str | None, department: str | None, seconds: float
) -> Observation:
    """`Observation(...)` without the named tuple's constructor, a Python function."""
    return tuple.__new__(Observation, (channel, intent or "", department or "", seconds))
