"""The pure identity stitcher: a batch of events and what the store knows -> a plan of changes.

Rules (DESIGN §3), applied event by event in log order:

* strong identifiers merge every profile they touch into the oldest of them (the survivor),
  unless the merged profile would break a per-type limit or the event would merge more profiles
  than the circuit breaker allows: then nothing merges, the event goes to the profile of its
  highest-priority known identifier, and a conflict is recorded;
* weak identifiers attach to a profile and never merge two identified profiles; the one exception
  is an *anonymous* profile (no strong identifiers of its own), which is absorbed into the
  identified profile the same weak identifier is later seen with (or simply identified, when the
  event brings strong identifiers nobody owns yet), so "browse, then log in" stitches whatever the
  arrival order; an absorption that would break a limit is refused and recorded as a conflict;
* an identifier is owned by one profile; a new identifier joins the event's profile unless that
  profile already holds the most of that type allowed (conflict recorded).

Without conflicts the resulting partition equals the connected components of the strong-identifier
graph, whatever the order or batching. Profile ids from the store are positive and ordered by age;
profiles created here get provisional ids above `PROVISIONAL_BASE`, so `min()` is always "oldest".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, NamedTuple

from journeyflow.identity.keys import IdentifierRules, IdKey, Strength

PROVISIONAL_BASE: Final = 1 << 62


class EventKeys(NamedTuple):
    """What the stitcher needs of one event."""

    seq: int
    keys: Sequence[IdKey]


@dataclass(slots=True)
class KnownProfiles:
    """The store's current view of the identifiers a batch touches."""

    owner: dict[IdKey, int] = field(default_factory=dict)
    counts: dict[int, Counter[str]] = field(default_factory=dict)
    seen: dict[IdKey, tuple[datetime, datetime]] = field(default_factory=dict)
    """When each known identifier was first and last seen, as stored."""


@dataclass(frozen=True, slots=True)
class Merge:
    from_profile: int
    into_profile: int
    seq: int
    rule: str


@dataclass(frozen=True, slots=True)
class Conflict:
    seq: int
    key: IdKey
    profile: int
    other_profile: int | None
    reason: str


@dataclass(slots=True)
class StitchPlan:
    """Everything the batch changes; apply it in one transaction."""

    assignments: dict[int, int] = field(default_factory=dict)
    """log seq -> final profile id (provisional ids where new)."""
    new_profiles: list[int] = field(default_factory=list)
    new_keys: dict[IdKey, int] = field(default_factory=dict)
    """identifiers first seen in this batch -> their final profile."""
    seen_keys: dict[IdKey, list[int]] = field(default_factory=dict)
    """every accepted key -> the seqs that carried it (for first/last seen)."""
    merges: list[Merge] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    survivor: dict[int, int] = field(default_factory=dict)
    """merged-away profile -> final survivor, for every merge in the plan."""


def distinct_keys(events: Iterable[EventKeys]) -> list[IdKey]:
    """Every key the events carry, once each, in no particular order (what to look up)."""
    keys: set[IdKey] = set()
    for event in events:
        keys.update(event.keys)
    return list(keys)


def needing_counts(events: Iterable[EventKeys], owner: Mapping[IdKey, int]) -> set[int]:
    """The stored profiles whose identifier counts the stitcher may consult for this batch.

    Counts matter only where an identifier could be added (an event with an unknown key) or
    profiles could merge or be absorbed (an event touching two). Most events carry only keys
    their one owner already holds: whatever the counts say, such an event lands on that owner
    (a property test holds the plans equal), so their owners' counts need not be read at all.
    """
    needed: set[int] = set()
    get = owner.get
    for event in events:
        if len(event.keys) < 2:
            continue  # one key: it has an owner already, or nobody whose counts could matter
        owners = set(map(get, event.keys))
        if len(owners) > 1:  # two owners, or an owner and a new key (None)
            needed.update(o for o in owners if o is not None)
    return needed


class Stitcher:
    """Plans identity changes for a batch; holds no state between batches."""

    def __init__(self, rules: IdentifierRules) -> None:
        self._rules = rules

    def plan(self, events: Iterable[EventKeys], known: KnownProfiles) -> StitchPlan:
        return self.start(known).run(events)

    def start(self, known: KnownProfiles) -> BatchStitch:
        """A plan made event by event (`add`, then `finish`): a caller may pause in between."""
        return BatchStitch(self._rules, known)


class BatchStitch:
    """One batch's plan in the making."""

    def __init__(self, rules: IdentifierRules, known: KnownProfiles) -> None:
        self.rules = rules
        self.owner = dict(known.owner)
        self.counts = {p: Counter(c) for p, c in known.counts.items()}
        self.parent: dict[int, int] = {}
        self.plan = StitchPlan()
        self._next_provisional = PROVISIONAL_BASE

    # -- profile bookkeeping -------------------------------------------------------------
    def find(self, profile: int) -> int:
        root = profile
        while root in self.parent:
            root = self.parent[root]
        while profile != root:  # path compression
            self.parent[profile], profile = root, self.parent[profile]
        return root

    def new_profile(self) -> int:
        self._next_provisional += 1
        profile = self._next_provisional
        self.plan.new_profiles.append(profile)
        self.counts[profile] = Counter()
        return profile

    def held(self, profile: int) -> Counter[str]:
        """Identifier counts by type; the store counts only limited types, so may know none."""
        counts = self.counts.get(profile)
        if counts is None:  # not `setdefault`: that makes a Counter on every call (~1 µs)
            counts = self.counts[profile] = Counter()
        return counts

    def owner_of(self, key: IdKey) -> int | None:
        owner = self.owner.get(key)
        return None if owner is None else self.find(owner)

    def identified(self, profile: int) -> bool:
        """Holds a strong identifier of its own (contact keys do not count)."""
        return any(n > 0 and self.rules.identifies(t) for t, n in self.held(profile).items())

    def fits(self, profiles: Iterable[int], extra: Iterable[IdKey]) -> IdKey | str | None:
        """None if the union of `profiles` plus `extra` keys respects every limit."""
        total: Counter[str] = Counter()
        for profile in profiles:
            counts = self.counts.get(profile)
            if counts:
                total.update(counts)
        for key in extra:
            total[key.type] += 1
        for type_, n in total.items():
            limit = self.rules.limit(type_)
            if limit is not None and n > limit:
                return type_
        return None

    def merge(self, profiles: set[int], seq: int, rule: str) -> int:
        survivor = min(profiles)
        for profile in sorted(profiles - {survivor}):
            self.parent[profile] = survivor
            counts = self.counts.pop(profile, None)
            if counts:
                self.held(survivor).update(counts)
            self.plan.merges.append(Merge(profile, survivor, seq, rule))
        return survivor

    # -- one event -------------------------------------------------------------------------
    def run(self, events: Iterable[EventKeys]) -> StitchPlan:
        for event in events:
            self.add(event)
        return self.finish()

    def add(self, event: EventKeys) -> None:
        """Stitch the next event of the batch (in log order)."""
        self.plan.assignments[event.seq] = self.stitch(event)

    def stitch(self, event: EventKeys) -> int:
        keys = list(dict.fromkeys(event.keys))
        sole = self._sole_owner(keys)
        if sole is not None:
            # Most events: every key already on one profile. Whatever the rules, such an event
            # lands there and changes nothing but when its keys were last seen.
            seen = self.plan.seen_keys
            for key in keys:
                seen.setdefault(key, []).append(event.seq)
            return sole
        strong = [k for k in keys if self.rules.strength(k.type) is Strength.STRONG]
        weak = [k for k in keys if self.rules.strength(k.type) is Strength.WEAK]
        owners = sorted({o for k in strong if (o := self.owner_of(k)) is not None})
        new_strong = [k for k in strong if self.owner_of(k) is None]

        if not owners:
            # Weak evidence may place an event, never give a new strong identifier an owner of
            # its own -- except an anonymous profile, which such an event identifies at last.
            identifying = any(self.rules.identifies(k.type) for k in strong)
            weak_owners = [o for k in weak if (o := self.owner_of(k)) is not None]
            anonymous = [o for o in weak_owners if not self.identified(o)]
            if not identifying and weak_owners:
                target = weak_owners[0]
            elif identifying and anonymous:
                target = min(anonymous)
            else:
                target = self.new_profile()
        elif len(owners) == 1:
            target = owners[0]
        else:
            target = self.merge_or_refuse(event.seq, strong, set(owners), new_strong)

        self.attach(event.seq, target, keys)
        return self.absorb_anonymous(event.seq, target, weak)

    def _sole_owner(self, keys: list[IdKey]) -> int | None:
        """The one profile holding all of `keys`, if there is one (None when a key has none)."""
        owner, parent = self.owner, self.parent
        sole: int | None = None
        for key in keys:
            profile = owner.get(key)
            if profile is None:
                return None
            if profile in parent:  # merged in this batch (rare): follow it to its survivor
                profile = self.find(profile)
            if sole is None:
                sole = profile
            elif profile != sole:
                return None
        return sole

    def merge_or_refuse(
        self, seq: int, strong: list[IdKey], owners: set[int], new_strong: list[IdKey]
    ) -> int:
        reason: str | None = None
        if len(owners) - 1 > self.rules.max_merges_per_event:
            limit = self.rules.max_merges_per_event + 1
            reason = f"merge would join {len(owners)} profiles (at most {limit})"
        elif (broken := self.fits(owners, new_strong)) is not None:
            reason = f"merged profile would hold too many {broken} identifiers"
        if reason is None:
            shared = sorted({k.type for k in strong if self.owner_of(k) is not None})
            return self.merge(owners, seq, "shared:" + ",".join(shared))
        by_priority = sorted(
            (k for k in strong if self.owner_of(k) is not None),
            key=lambda k: (self.rules.priority(k.type), k),
        )
        target = self.owner_of(by_priority[0])
        assert target is not None
        for key in by_priority[1:]:
            other = self.owner_of(key)
            if other != target:
                self.plan.conflicts.append(Conflict(seq, key, target, other, reason))
        return target

    def absorb_anonymous(self, seq: int, target: int, weak: list[IdKey]) -> int:
        if not self.identified(target):
            return target
        for key in weak:
            other = self.owner_of(key)
            if other is None or other == target or self.identified(other):
                continue
            if (broken := self.fits({target, other}, ())) is None:
                target = self.merge({target, other}, seq, f"anonymous:{key.type}")
            else:
                reason = f"absorbing the anonymous profile would exceed the {broken} limit"
                self.plan.conflicts.append(Conflict(seq, key, target, other, reason))
        return target

    def attach(self, seq: int, target: int, keys: list[IdKey]) -> None:
        for key in keys:
            owner = self.owner_of(key)
            if owner is None:
                limit = self.rules.limit(key.type)
                if limit is not None and self.held(target)[key.type] >= limit:
                    reason = f"profile already holds {limit} {key.type}"
                    self.plan.conflicts.append(Conflict(seq, key, target, None, reason))
                    continue
                self.owner[key] = target
                self.held(target)[key.type] += 1
                self.plan.new_keys[key] = target
            self.plan.seen_keys.setdefault(key, []).append(seq)

    def finish(self) -> StitchPlan:
        plan = self.plan
        plan.assignments = {seq: self.find(p) for seq, p in plan.assignments.items()}
        plan.new_keys = {k: self.find(p) for k, p in plan.new_keys.items()}
        plan.survivor = {m.from_profile: self.find(m.into_profile) for m in plan.merges}
        plan.conflicts = [
            Conflict(
                c.seq,
                c.key,
                self.find(c.profile),
                None if c.other_profile is None else self.find(c.other_profile),
                c.reason,
            )
            for c in plan.conflicts
        ]
        plan.new_profiles = [p for p in plan.new_profiles if p not in self.parent]
        # A profile born and merged inside this batch never existed for anyone else.
        plan.merges = [m for m in plan.merges if m.from_profile < PROVISIONAL_BASE]
        plan.survivor = {f: s for f, s in plan.survivor.items() if f < PROVISIONAL_BASE}
        return plan
