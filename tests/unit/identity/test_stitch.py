"""The pure identity stitcher (DESIGN §3): a batch of events + what the store knows -> a plan."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from journeyflow.identity.keys import CONTACT, IdentifierRules, IdKey
from journeyflow.identity.stitch import (
    PROVISIONAL_BASE,
    Conflict,
    EventKeys,
    KnownProfiles,
    Merge,
    Stitcher,
    StitchPlan,
    distinct_keys,
    needing_counts,
)
from journeyflow.settings import IdentitySettings


def stitcher(**identity: object) -> Stitcher:
    return Stitcher(IdentifierRules(IdentitySettings(**identity), "US"))  # type: ignore[arg-type]


def email(n: int) -> IdKey:
    return IdKey("email", f"person{n}@example.com")


def phone(n: int) -> IdKey:
    return IdKey("phone", f"+1415555{n:04d}")


def account(n: int) -> IdKey:
    return IdKey("account_id", f"AC-{n}")


def customer(n: int) -> IdKey:
    return IdKey("customer_id", f"CUS-{n}")


def device(n: int) -> IdKey:
    return IdKey("device_id", f"dev-{n}")


def contact(n: int) -> IdKey:
    return IdKey(CONTACT, f"chat/conv-{n}")


def known(profiles: dict[int, Sequence[IdKey]]) -> KnownProfiles:
    """The store's view: who owns which key, and how many of each type every profile holds."""
    return KnownProfiles(
        owner={key: profile for profile, keys in profiles.items() for key in keys},
        counts={profile: Counter(k.type for k in keys) for profile, keys in profiles.items()},
    )


def plan(
    *events: Sequence[IdKey], store: KnownProfiles | None = None, using: Stitcher | None = None
) -> StitchPlan:
    """Stitch events numbered 1, 2, 3… in the order given."""
    batch = [EventKeys(seq, keys) for seq, keys in enumerate(events, start=1)]
    return (using or stitcher()).plan(batch, store or KnownProfiles())


# -- new and known identifiers -------------------------------------------------------------------


def test_a_new_strong_identifier_makes_a_new_provisional_profile() -> None:
    result = plan([email(1)])

    new = result.assignments[1]
    assert new > PROVISIONAL_BASE
    assert result.new_profiles == [new]
    assert result.new_keys == {email(1): new}
    assert result.seen_keys == {email(1): [1]}
    assert result.merges == []
    assert result.conflicts == []


def test_each_unrelated_event_gets_its_own_new_profile() -> None:
    result = plan([email(1)], [phone(2)])

    assert result.assignments[1] != result.assignments[2]
    assert sorted(result.new_profiles) == sorted(result.assignments.values())


def test_a_known_identifier_places_the_event_on_its_owner() -> None:
    result = plan([email(1)], store=known({7: [email(1)]}))

    assert result.assignments == {1: 7}
    assert result.new_profiles == []
    assert result.new_keys == {}
    assert result.seen_keys == {email(1): [1]}


def test_a_new_identifier_seen_with_a_known_one_is_attached_to_its_owner() -> None:
    result = plan([email(1), phone(1)], store=known({7: [email(1)]}))

    assert result.assignments == {1: 7}
    assert result.new_keys == {phone(1): 7}


def test_events_sharing_a_strong_identifier_land_on_one_profile() -> None:
    result = plan([email(1)], [phone(1)], [phone(1), account(1)], [email(2)], [account(1)])

    assert result.assignments[2] == result.assignments[3] == result.assignments[5]
    assert result.assignments[1] != result.assignments[2]
    assert result.assignments[4] not in {result.assignments[1], result.assignments[2]}


def test_a_key_repeated_within_one_event_counts_once() -> None:
    result = plan([customer(1), customer(1)])

    assert result.conflicts == []
    assert result.seen_keys == {customer(1): [1]}


# -- merges --------------------------------------------------------------------------------------


def test_an_event_bridging_two_known_profiles_merges_the_younger_into_the_older() -> None:
    store = known({3: [email(1)], 8: [phone(1)]})

    result = plan([phone(1), email(1)], store=store)

    assert result.assignments == {1: 3}
    assert result.merges == [
        Merge(from_profile=8, into_profile=3, seq=1, rule="shared:email,phone")
    ]
    assert result.survivor == {8: 3}
    assert result.conflicts == []


def test_a_merge_of_three_profiles_keeps_the_oldest() -> None:
    store = known({12: [email(1)], 5: [phone(1)], 9: [account(1)]})

    result = plan([email(1), phone(1), account(1)], store=store)

    assert result.assignments == {1: 5}
    assert result.survivor == {9: 5, 12: 5}
    assert {m.rule for m in result.merges} == {"shared:account_id,email,phone"}


def test_chained_merges_resolve_to_the_final_survivor() -> None:
    store = known({1: [email(1)], 2: [phone(1)], 3: [account(1)]})

    result = plan([phone(1), account(1)], [email(1), phone(1)], store=store)

    assert result.merges == [
        Merge(3, 2, 1, "shared:account_id,phone"),
        Merge(2, 1, 2, "shared:email,phone"),
    ]
    assert result.survivor == {3: 1, 2: 1}
    assert result.assignments == {1: 1, 2: 1}


def test_assignments_are_always_final_profiles() -> None:
    store = known({1: [email(1)], 2: [phone(1)]})

    result = plan(
        [phone(1)], [account(5)], [account(5), phone(1)], [email(1), phone(1)], store=store
    )

    assert set(result.assignments.values()) == {1}
    assert result.new_keys == {account(5): 1}
    assert not set(result.assignments.values()) & set(result.survivor)


# -- limits and the circuit breaker --------------------------------------------------------------


def test_a_merge_that_breaks_a_limit_is_refused_and_the_priority_identifier_wins() -> None:
    # Profile 1 is older, but customer_id outranks email: the event goes to profile 2.
    store = known({1: [customer(1), email(1)], 2: [customer(2)]})

    result = plan([email(1), customer(2)], store=store)

    assert result.merges == []
    assert result.survivor == {}
    assert result.assignments == {1: 2}
    assert result.conflicts == [
        Conflict(
            seq=1,
            key=email(1),
            profile=2,
            other_profile=1,
            reason="merged profile would hold too many customer_id identifiers",
        )
    ]


def test_a_refused_merge_still_attaches_new_identifiers_to_the_chosen_profile() -> None:
    store = known({1: [customer(1), email(1)], 2: [customer(2)]})

    result = plan([email(1), customer(2), phone(3)], store=store)

    assert result.assignments == {1: 2}
    assert result.new_keys == {phone(3): 2}


def test_the_circuit_breaker_refuses_an_event_touching_too_many_profiles() -> None:
    store = known({1: [email(1)], 2: [phone(1)], 3: [account(1)]})

    result = plan(
        [email(1), phone(1), account(1)], store=store, using=stitcher(max_merges_per_event=1)
    )

    assert result.merges == []
    assert result.assignments == {1: 3}  # account_id outranks email and phone
    reasons = {c.reason for c in result.conflicts}
    assert reasons == {"merge would join 3 profiles (at most 2)"}
    assert {(c.key, c.profile, c.other_profile) for c in result.conflicts} == {
        (email(1), 3, 1),
        (phone(1), 3, 2),
    }


def test_the_circuit_breaker_allows_merges_up_to_its_limit() -> None:
    store = known({1: [email(1)], 2: [phone(1)]})

    result = plan([email(1), phone(1)], store=store, using=stitcher(max_merges_per_event=1))

    assert result.survivor == {2: 1}
    assert result.conflicts == []


def test_a_new_identifier_beyond_the_per_type_limit_is_not_attached() -> None:
    store = known({1: [email(1), account(1), account(2), account(3)]})

    result = plan([email(1), account(4)], store=store)

    assert result.assignments == {1: 1}
    assert account(4) not in result.new_keys
    assert result.conflicts == [
        Conflict(1, account(4), 1, None, "profile already holds 3 account_id")
    ]


def test_a_new_profile_takes_at_most_the_limit_of_a_type() -> None:
    result = plan([customer(1), customer(2)])

    new = result.assignments[1]
    assert result.new_keys == {customer(1): new}
    assert result.conflicts == [
        Conflict(1, customer(2), new, None, "profile already holds 1 customer_id")
    ]


# -- weak identifiers and anonymous profiles -----------------------------------------------------


def test_a_weak_identifier_never_merges_two_identified_profiles() -> None:
    store = known({1: [email(1), device(1)], 2: [email(2)]})

    result = plan([email(2), device(1)], store=store)

    assert result.assignments == {1: 2}
    assert result.merges == []
    assert device(1) not in result.new_keys


def test_a_shared_device_keeps_two_new_people_apart() -> None:
    result = plan([email(1), device(1)], [email(2), device(1)])

    assert result.assignments[1] != result.assignments[2]
    assert result.new_keys[device(1)] == result.assignments[1]


def test_an_event_with_only_a_known_weak_identifier_joins_its_owner() -> None:
    result = plan([device(1)], store=known({4: [email(1), device(1)]}))

    assert result.assignments == {1: 4}
    assert result.new_profiles == []


def test_new_strong_key_with_a_weak_key_of_an_identified_profile_gets_a_new_profile() -> None:
    result = plan([email(2), device(1)], store=known({4: [email(1), device(1)]}))

    new = result.assignments[1]
    assert new > PROVISIONAL_BASE
    assert result.new_keys == {email(2): new}
    assert result.merges == []


def test_anonymous_profile_is_absorbed_when_its_weak_key_comes_with_a_known_strong_key() -> None:
    store = known({2: [email(1)], 4: [device(1)]})

    result = plan([email(1), device(1)], store=store)

    assert result.assignments == {1: 2}
    assert result.merges == [Merge(4, 2, 1, "anonymous:device_id")]
    assert result.survivor == {4: 2}


def test_an_older_anonymous_profile_survives_the_absorption() -> None:
    store = known({1: [device(1)], 6: [email(1)]})

    result = plan([email(1), device(1)], store=store)

    assert result.assignments == {1: 1}
    assert result.survivor == {6: 1}


def test_an_anonymous_profile_of_the_same_batch_is_absorbed_without_a_merge_row() -> None:
    result = plan([device(1)], [email(1), device(1)], store=known({2: [email(1)]}))

    assert result.assignments == {1: 2, 2: 2}
    assert result.merges == []
    assert result.new_profiles == []
    assert result.new_keys == {device(1): 2}


def _absorption_over_the_device_limit() -> StitchPlan:
    # The identified profile holds 6 devices, the anonymous one 5: together 11 > 10.
    store = known({2: [email(1), *map(device, range(6))], 4: [*map(device, range(10, 15))]})
    return plan([email(1), device(10)], store=store)


def test_an_absorption_that_would_break_a_limit_is_refused() -> None:
    result = _absorption_over_the_device_limit()

    assert result.assignments == {1: 2}
    assert result.merges == []
    assert result.survivor == {}


def test_a_refused_absorption_records_a_conflict() -> None:
    result = _absorption_over_the_device_limit()

    assert [(c.key, c.profile, c.other_profile) for c in result.conflicts] == [(device(10), 2, 4)]


def test_logging_in_then_browsing_puts_both_on_one_profile() -> None:
    result = plan([email(1), device(1)], [device(1)])

    assert result.assignments[1] == result.assignments[2]
    assert len(result.new_profiles) == 1


def test_browsing_then_logging_in_with_a_first_seen_identifier_puts_both_on_one_profile() -> None:
    result = plan([device(1)], [email(1), device(1)])

    assert result.assignments[1] == result.assignments[2]


def test_anonymous_profile_is_absorbed_when_its_weak_key_comes_with_a_new_strong_key() -> None:
    result = plan([email(1), device(1)], store=known({4: [device(1)]}))

    assert result.assignments == {1: 4}
    assert result.new_keys == {email(1): 4}


def test_the_contact_key_links_the_events_of_one_contact() -> None:
    result = plan([contact(1)], [contact(1), email(1)])

    assert result.assignments[1] == result.assignments[2]
    assert len(result.new_profiles) == 1


def test_a_stored_contact_only_profile_can_gain_an_identifier() -> None:
    store = KnownProfiles(owner={contact(1): 5}, counts={})  # as load_known builds it

    result = plan([contact(1), email(1)], store=store)

    assert result.assignments == {1: 5}
    assert result.new_keys == {email(1): 5}


# -- batch boundaries ----------------------------------------------------------------------------


def test_profiles_created_and_merged_in_one_batch_leave_no_trace() -> None:
    result = plan([email(1)], [phone(1)], [email(1), phone(1)])

    (only,) = result.new_profiles
    assert result.assignments == {1: only, 2: only, 3: only}
    assert result.new_keys == {email(1): only, phone(1): only}
    assert result.merges == []
    assert result.survivor == {}


def test_a_new_profile_merged_into_a_stored_one_leaves_no_merge_row() -> None:
    result = plan([phone(1)], [email(1), phone(1)], store=known({5: [email(1)]}))

    assert result.assignments == {1: 5, 2: 5}
    assert result.new_profiles == []
    assert result.new_keys == {phone(1): 5}
    assert result.merges == []


def test_the_stitcher_keeps_no_state_between_batches() -> None:
    shared = stitcher()

    first = plan([email(1)], using=shared)
    second = plan([email(1)], using=shared)

    assert first.new_keys == second.new_keys  # the second batch was not told about email(1)


# -- order independence (property) ---------------------------------------------------------------

PROPERTY_RULES = IdentifierRules(IdentitySettings(max_merges_per_event=64), "US")
LIMITS = {"account_id": 3, "phone": 5, "email": 5}


@dataclass
class MemoryStore:
    """What Postgres keeps between batches, applied the way identity.repository applies a plan."""

    owner: dict[IdKey, int] = field(default_factory=dict)
    counts: dict[int, Counter[str]] = field(default_factory=dict)
    merged_into: dict[int, int] = field(default_factory=dict)
    profile_of: dict[int, int] = field(default_factory=dict)
    next_id: int = 1

    def known(self, keys: Iterable[IdKey]) -> KnownProfiles:
        owner = {k: self.owner[k] for k in keys if k in self.owner}
        return KnownProfiles(
            owner=owner, counts={p: Counter(self.counts[p]) for p in set(owner.values())}
        )

    def apply(self, plan: StitchPlan, event_of_seq: dict[int, int]) -> None:
        assert plan.conflicts == []
        real: dict[int, int] = {}
        for provisional in plan.new_profiles:
            assert provisional > PROVISIONAL_BASE
            real[provisional] = self.next_id
            self.counts[self.next_id] = Counter()
            self.next_id += 1
        for merged, survivor in plan.survivor.items():
            assert merged in self.counts, "only stored profiles produce merge rows"
            into = real.get(survivor, survivor)
            self.merged_into[merged] = into
            self.owner = {k: into if p == merged else p for k, p in self.owner.items()}
            self.counts[into].update(self.counts.pop(merged))
        for key, profile in plan.new_keys.items():
            assert key not in self.owner
            self.owner[key] = real.get(profile, profile)
            self.counts[self.owner[key]][key.type] += 1
        for seq, profile in plan.assignments.items():
            final = real.get(profile, profile)
            assert final in self.counts, "assignments name live profiles only"
            self.profile_of[event_of_seq[seq]] = final

    def resolve(self, profile: int) -> int:
        while profile in self.merged_into:
            profile = self.merged_into[profile]
        return profile


def components(events: list[list[IdKey]]) -> set[frozenset[int]]:
    """Connected components of the event-identifier graph, as sets of event indexes."""
    parent: dict[object, object] = {}

    def find(node: object) -> object:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for index, keys in enumerate(events):
        for key in keys:
            parent[find(("event", index))] = find(key)
    groups: dict[object, set[int]] = {}
    for index in range(len(events)):
        groups.setdefault(find(("event", index)), set()).add(index)
    return {frozenset(group) for group in groups.values()}


def stitch_in_batches(events: list[list[IdKey]], order: list[int], cuts: list[int]) -> MemoryStore:
    store = MemoryStore()
    stitch = Stitcher(PROPERTY_RULES)
    bounds = [0, *sorted(set(cuts)), len(order)]
    seq = 0
    for start, end in itertools.pairwise(bounds):
        if start >= end:
            continue
        batch, event_of_seq = [], {}
        for index in order[start:end]:
            seq += 1
            batch.append(EventKeys(seq, events[index]))
            event_of_seq[seq] = index
        batch_keys = {k for e in batch for k in e.keys}
        store.apply(stitch.plan(batch, store.known(batch_keys)), event_of_seq)
    return store


def partition(store: MemoryStore, n_events: int) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for index in range(n_events):
        groups.setdefault(store.resolve(store.profile_of[index]), set()).add(index)
    return {frozenset(group) for group in groups.values()}


@st.composite
def person(draw: st.DrawFn, number: int) -> list[IdKey]:
    keys = [
        IdKey(type_, f"p{number}-{type_}-{i}")
        for type_, limit in LIMITS.items()
        for i in range(draw(st.integers(0, limit)))
    ]
    return keys or [IdKey("email", f"p{number}-email-0")]


@st.composite
def scenarios(draw: st.DrawFn) -> list[list[IdKey]]:
    n_people = draw(st.integers(1, 4))
    people = [draw(person(n)) for n in range(n_people)]
    events = draw(
        st.lists(
            st.integers(0, n_people - 1).flatmap(
                lambda p: st.lists(st.sampled_from(people[p]), min_size=1, max_size=4, unique=True)
            ),
            min_size=1,
            max_size=24,
        )
    )
    return events


@st.composite
def arrivals(draw: st.DrawFn, n_events: int) -> tuple[list[int], list[int]]:
    order = draw(st.permutations(range(n_events)))
    cuts = draw(st.lists(st.integers(1, max(1, n_events - 1)), max_size=6))
    return order, cuts


@settings(max_examples=250, deadline=None)
@given(data=st.data(), events=scenarios())
def test_the_final_partition_is_the_identifier_graph_components_whatever_the_order_and_batching(
    data: st.DataObject, events: list[list[IdKey]]
) -> None:
    expected = components(events)
    n = len(events)
    runs = [
        (list(range(n)), []),  # one batch, log order
        (list(range(n)), list(range(1, n))),  # one event per batch
        data.draw(arrivals(n), label="first arrival"),
        data.draw(arrivals(n), label="second arrival"),
    ]

    for order, cuts in runs:
        store = stitch_in_batches(events, order, cuts)

        assert partition(store, n) == expected, (order, cuts)
        assert len(store.counts) == len(expected), "one live profile per component"
        for type_, limit in LIMITS.items():
            assert all(c[type_] <= limit for c in store.counts.values())


# -- counts are read only where they can matter (property) ---------------------------------------

SMALL_LIMITS = IdentifierRules(
    IdentitySettings(
        max_per_profile={"email": 2, "phone": 2, "account_id": 1, "device_id": 2},
        max_merges_per_event=2,
    ),
    "US",
)
KEY_POOL = [
    *(email(n) for n in range(6)),
    *(phone(n) for n in range(6)),
    *(account(n) for n in range(4)),
    *(device(n) for n in range(4)),
    *(contact(n) for n in range(4)),
]


@st.composite
def stored_and_batch(draw: st.DrawFn) -> tuple[KnownProfiles, list[EventKeys]]:
    """A store of a few profiles (over their limits too) and a batch over the same key pool."""
    owner = {key: draw(st.integers(1, 5)) for key in draw(st.sets(st.sampled_from(KEY_POOL)))}
    counts: dict[int, Counter[str]] = {}
    for key, profile in owner.items():
        if key.type != CONTACT:
            counts.setdefault(profile, Counter())[key.type] += 1
    events = draw(
        st.lists(st.lists(st.sampled_from(KEY_POOL), min_size=1, max_size=4, unique=True))
    )
    batch = [EventKeys(seq, keys) for seq, keys in enumerate(events, start=1)]
    return KnownProfiles(owner=owner, counts=counts), batch


@settings(max_examples=400, deadline=None)
@given(case=stored_and_batch())
def test_reading_counts_only_where_needed_plans_exactly_as_reading_them_all(
    case: tuple[KnownProfiles, list[EventKeys]],
) -> None:
    store, batch = case
    needed = needing_counts(batch, store.owner)
    partial = KnownProfiles(
        owner=dict(store.owner), counts={p: c for p, c in store.counts.items() if p in needed}
    )
    stitch = Stitcher(SMALL_LIMITS)
    assert stitch.plan(batch, partial) == stitch.plan(batch, store)


def test_a_batch_looks_up_each_of_its_keys_once() -> None:
    events = [EventKeys(1, [email(1), phone(1)]), EventKeys(2, [phone(1), contact(1)])]

    keys = distinct_keys(events)

    assert sorted(keys) == sorted([email(1), phone(1), contact(1)])
    assert len(keys) == 3
