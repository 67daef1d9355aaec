"""Setting aside the rows a recompute did not change loses nothing: the changes are the same."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from support.journey_events import histories

from journeyflow.journeys.changes import changes, combine, trim
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.derive import derive
from journeyflow.journeys.facts import EventFacts
from journeyflow.journeys.model import Derived

DEFS = Definitions()


@settings(max_examples=150, deadline=None)
@given(events=histories(), seed=st.randoms(use_true_random=False), keep=st.floats(0, 1))
def test_changes_of_the_trimmed_pair_equal_changes_of_the_whole(
    events: list[EventFacts], seed: random.Random, keep: float
) -> None:
    arrivals = list(events)
    seed.shuffle(arrivals)
    old = derive(arrivals[: int(len(arrivals) * keep)], DEFS)
    new = derive(arrivals, DEFS)
    assert changes(*trim(old, new)) == changes(old, new)


@given(events=histories())
def test_trim_sets_aside_exactly_the_shared_rows(events: list[EventFacts]) -> None:
    derived = derive(events, DEFS)
    doubled = combine([derived, derived])
    old, new = trim(derived, doubled)
    assert old == Derived()
    assert new == derived  # one copy is shared, the other is new (multiset, not set)
