"""The state cache: entries only for the stamp they were written with, bounded by events held."""

from __future__ import annotations

from support.journey_events import at, contact

from journeyflow.journeys.model import Derived
from journeyflow.journeys.state_cache import CustomerState, StateCache


def state(version: int, events: int) -> CustomerState:
    history = tuple(e for n in range(events // 2) for e in contact(f"c{n}", at(n)))
    return CustomerState(version, history, Derived())


def test_an_entry_is_returned_only_for_the_stamp_it_was_written_with() -> None:
    cache = StateCache(max_events=100)
    cache.put(7, state(version=41, events=4))
    assert cache.get(7, 41) is not None
    assert cache.get(7, 42) is None  # someone else wrote the customer since
    assert cache.get(8, 41) is None


def test_the_least_recently_used_entries_leave_first_when_the_bound_is_reached() -> None:
    cache = StateCache(max_events=15)  # an entry of 4 events weighs 5
    for customer in (1, 2, 3):
        cache.put(customer, state(customer, events=4))
    assert cache.get(1, 1) is not None  # 1 is now the most recently used
    cache.put(4, state(4, events=4))
    assert cache.get(2, 2) is None
    assert [c for c in (1, 3, 4) if cache.get(c, c) is not None] == [1, 3, 4]
    assert cache.events == 15


def test_a_history_larger_than_the_whole_cache_is_not_kept() -> None:
    cache = StateCache(max_events=3)
    cache.put(1, state(1, events=4))
    assert len(cache) == 0
    assert cache.events == 0


def test_replacing_or_discarding_an_entry_keeps_the_count_exact() -> None:
    cache = StateCache(max_events=100)
    cache.put(1, state(1, events=4))
    cache.put(1, state(2, events=6))
    assert cache.events == 7
    cache.discard(1)
    assert cache.events == 0
