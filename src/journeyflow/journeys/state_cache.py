"""A bounded memory of recently recomputed customers: their derivable history and stored state.

Recompute-and-diff needs, for every customer a batch touches, the customer's whole history and
the derived state its buckets currently hold. Reading and parsing both from Postgres was most of
a batch's cost, and the same customers come back batch after batch (the events of one contact,
the contacts of one journey). An entry is trusted only while `customers.state_version` still
holds the value stamped in the transaction that wrote the entry: another processor, a replay,
an erasure or a rolled-back batch leaves a different value, and the customer is read from the
tables again. The cache is bounded by the number of events it holds (least recently used out
first), so memory stays flat however many customers there are.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from journeyflow.journeys.facts import EventFacts
from journeyflow.journeys.model import Derived


@dataclass(frozen=True, slots=True)
class CustomerState:
    version: int
    """`customers.state_version` as stamped when this state was derived."""
    history: tuple[EventFacts, ...]
    """The customer's derivable events (see `derive.derivable`), sorted by `EventFacts.order`."""
    derived: Derived
    """What the derived tables (and so the buckets) hold for the customer."""

    @property
    def weight(self) -> int:
        return len(self.history) + 1


class StateCache:
    def __init__(self, max_events: int) -> None:
        self.max_events = max_events
        self._entries: OrderedDict[int, CustomerState] = OrderedDict()
        self._events = 0
        self.hits = 0
        """Customers re-derived from a cached history (counted by the recompute)."""
        self.misses = 0
        """Customers whose history had to be read from Postgres instead."""

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def events(self) -> int:
        """Events held, over all entries."""
        return self._events

    def get(self, customer: int, version: int) -> CustomerState | None:
        """The entry of `customer`, if it was stamped with `version` (the stored one)."""
        entry = self._entries.get(customer)
        if entry is None or entry.version != version:
            return None
        self._entries.move_to_end(customer)
        return entry

    def put(self, customer: int, state: CustomerState) -> None:
        self.discard(customer)
        if state.weight > self.max_events:
            return
        self._entries[customer] = state
        self._events += state.weight
        while self._events > self.max_events:
            _, evicted = self._entries.popitem(last=False)
            self._events -= evicted.weight

    def discard(self, customer: int) -> None:
        entry = self._entries.pop(customer, None)
        if entry is not None:
            self._events -= entry.weight

    def clear(self) -> None:
        self._entries.clear()
        self._events = 0
