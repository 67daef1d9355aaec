"""Setting aside the rows a recompute did not change loses nothing, and neither does working out
the changes of a batch's customers a few at a time: the changes are the same."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from support.journey_events import at, contact, histories

from journeyflow.journeys.changes import (
    Changes,
    Observation,
    add,
    after_shared_start,
    changes,
    combine,
    settled,
    trim,
)
from journeyflow.journeys.contributions import Bucket
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.derive import derive
from journeyflow.journeys.facts import EventFacts
from journeyflow.journeys.model import Contact, Derived, Journey

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
    assert settled(changes(*trim(old, new))) == settled(changes(old, new))


@settings(max_examples=150, deadline=None)
@given(events=histories(), seed=st.randoms(use_true_random=False), keep=st.floats(0, 1))
def test_setting_aside_the_unchanged_leading_rows_leaves_the_changes_as_they_were(
    events: list[EventFacts], seed: random.Random, keep: float
) -> None:
    old, new = before_and_after(events, seed, keep)
    assert settled(changes(*after_shared_start(old, new))) == settled(changes(old, new))


def test_a_new_contact_leaves_only_what_it_changed_and_what_follows() -> None:
    earlier = [*contact("c1", at(0, days=-30)), *contact("c2", at(0, days=-20))]
    recent = contact("c3", at(0), outcome="unresolved")
    before = derive([*earlier, *recent], DEFS)
    after = derive([*earlier, *recent, *contact("c4", at(60), intent="billing")], DEFS)
    old, new = after_shared_start(before, after)
    assert old.contacts == before.contacts[2:]  # c3 is followed by a repeat now
    assert new.contacts == after.contacts[2:]
    assert after_shared_start(after, after) == (Derived(), Derived())


@given(events=histories())
def test_trim_sets_aside_exactly_the_shared_rows(events: list[EventFacts]) -> None:
    derived = derive(events, DEFS)
    doubled = combine([derived, derived])
    old, new = trim(derived, doubled)
    assert old == Derived()
    assert new == derived  # one copy is shared, the other is new (multiset, not set)


def before_and_after(
    events: list[EventFacts], seed: random.Random, keep: float
) -> tuple[Derived, Derived]:
    arrivals = list(events)
    seed.shuffle(arrivals)
    return derive(arrivals[: int(len(arrivals) * keep)], DEFS), derive(arrivals, DEFS)


@settings(max_examples=100, deadline=None)
@given(
    first=histories(),
    second=histories(),
    seed=st.randoms(use_true_random=False),
    keep=st.floats(0, 1),
)
def test_changes_added_up_customer_by_customer_equal_the_changes_of_them_all(
    first: list[EventFacts], second: list[EventFacts], seed: random.Random, keep: float
) -> None:
    second = [e._replace(source=f"other-{e.source}") for e in second]  # contacts of its own
    old_first, new_first = before_and_after(first, seed, keep)
    old_second, new_second = before_and_after(second, seed, keep)
    total = Changes()
    add(total, changes(*trim(old_first, new_first)))
    add(total, changes(*trim(old_second, new_second)))
    whole = changes(combine([old_first, old_second]), combine([new_first, new_second]))
    assert settled(total) == settled(whole)


def test_what_cancels_out_between_customers_is_gone_once_settled() -> None:
    bucket = Bucket(at(0), "voice", "billing", "", "ivr")
    switch = ("chat", "voice", "lost")
    total = Changes()
    add(total, Changes(buckets={bucket: {"contacts": 1}}, switches=Counter({switch: 1})))
    add(total, Changes(buckets={bucket: {"contacts": -1}}, switches=Counter({switch: -1})))
    assert total.switches == Counter({switch: 0})  # added up, not yet settled
    assert settled(total).empty


def observations_read_plainly(
    old: Derived, new: Derived
) -> tuple[list[Observation], list[Observation], Counter[str]]:
    """The histogram observations of a change, read plainly: a handle time for each
    assisted contact whose labelled handle time is new or different, a resolution time for each
    journey whose labelled resolution time is; a correction for each that replaced another."""

    def handle(c: Contact) -> Observation | None:
        if not c.assisted or c.handle_ms is None:
            return None
        return Observation(c.channel, c.intent or "", c.department or "", c.handle_ms / 1000)

    def resolution(j: Journey) -> Observation | None:
        if j.resolved_at is None:
            return None
        seconds = (j.resolved_at - j.started_at).total_seconds()
        return Observation(j.channel, j.intent or "", j.department or "", seconds)

    withdrawn: Counter[str] = Counter()

    def moved(olds: Any, news: Any, key: Any, value: Any, name: str) -> list[Observation]:
        before_of = {key(row): value(row) for row in olds}
        observed = []
        for row in news:
            now, before = value(row), before_of.get(key(row))
            if now is not None and now != before:
                observed.append(now)
                withdrawn[name] += before is not None
        return observed

    handles = moved(old.contacts, new.contacts, Contact.key.fget, handle, "contact_handle_seconds")
    resolutions = moved(
        old.journeys, new.journeys, lambda j: j.id, resolution, "journey_resolution_seconds"
    )
    return handles, resolutions, +withdrawn


@settings(max_examples=200, deadline=None)
@given(events=histories(), seed=st.randoms(use_true_random=False), keep=st.floats(0, 1))
def test_histogram_observations_are_the_new_or_changed_handle_and_resolution_times(
    events: list[EventFacts], seed: random.Random, keep: float
) -> None:
    old, new = before_and_after(events, seed, keep)
    found = settled(changes(old, new))
    assert (found.handle, found.resolution, +found.withdrawn) == observations_read_plainly(old, new)


def test_a_handle_time_that_changes_is_observed_again_and_the_first_counted_as_withdrawn() -> None:
    first = derive(contact("c1", at(0), agent_id="a1", handle_ms=60_000), DEFS)
    again = derive(contact("c1", at(0), agent_id="a1", handle_ms=60_000), DEFS)
    longer = derive(contact("c1", at(0), agent_id="a1", handle_ms=90_000), DEFS)
    assert [o.seconds for o in changes(Derived(), first).handle] == [60.0]
    assert not changes(first, again).handle
    moved = changes(first, longer)
    assert [o.seconds for o in moved.handle] == [90.0]
    assert moved.withdrawn == Counter(contact_handle_seconds=1)
