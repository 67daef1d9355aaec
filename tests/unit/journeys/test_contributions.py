"""Bucket contributions: attribution, and invariance under arrival order and increments."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from support.journey_events import at, contact, fact, histories

from journeyflow.journeys.changes import changes, settled
from journeyflow.journeys.contacts import minute_of
from journeyflow.journeys.contributions import (
    Bucket,
    Contributions,
    accumulate,
    by_labels,
    cells,
    contributions,
)
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.derive import derive
from journeyflow.journeys.facts import EventFacts
from journeyflow.journeys.model import Derived

DEFS = Definitions()


def by_metric(derived: Derived) -> Counter[str]:
    totals: Counter[str] = Counter()
    for counts in contributions(derived).values():
        totals.update(counts)
    return totals


def test_contact_counts_land_in_the_bucket_of_the_contact_start() -> None:
    events = [
        fact("contact.started", at(0.5), "ivr", contact_id="c", intent="billing"),
        fact("contact.escalated", at(3), "voice", contact_id="c", to_department="care"),
        fact("contact.ended", at(40), "voice", contact_id="c", agent_id="a", handle_ms=90_000),
    ]
    start = Bucket(at(0), "ivr", "billing", "care", "ivr")
    assert contributions(derive(events, DEFS)) == {
        start: {
            "contacts": 1,
            "assisted": 1,
            "self_service": 1,
            "escalations": 1,
            "handled_contacts": 1,
            "handle_ms_sum": 90_000,
            "journeys": 1,
        }
    }


def test_survey_scores_add_up_per_scale() -> None:
    events = [
        fact("survey.responded", at(0), "email", source="s", csat=4, nps=9, ces=2),
        fact("survey.responded", at(1), "email", source="s", csat=2, nps=5),
    ]
    totals = by_metric(derive(events, DEFS))
    assert totals == Counter(
        csat_sum=6,
        csat_count=2,
        csat_satisfied=1,
        nps_promoters=1,
        nps_detractors=1,
        nps_count=2,
        ces_sum=2,
        ces_count=1,
    )


def test_changes_keep_withdrawals_and_drop_what_did_not_move() -> None:
    before = derive(contact("c2", at(days=2)), DEFS)
    after = derive([*contact("c2", at(days=2)), *contact("c1", at(0))], DEFS)
    delta = settled(changes(before, after)).buckets
    second = Bucket(minute_of(at(days=2)), "voice", "billing", "", "ivr")
    assert delta[second]["repeats"] == 1
    assert delta[second]["journeys"] == -1
    assert "contacts" not in delta[second]  # counted before and after: no zero left


# -- invariance ---------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(events=histories(), seed=st.randoms(use_true_random=False))
def test_arrival_order_never_changes_what_is_derived(
    events: list[EventFacts], seed: random.Random
) -> None:
    shuffled = list(events)
    seed.shuffle(shuffled)
    assert derive(shuffled, DEFS) == derive(events, DEFS)


@settings(max_examples=150, deadline=None)
@given(events=histories(), seed=st.randoms(use_true_random=False), cuts=st.integers(1, 6))
def test_deltas_of_any_increments_sum_to_the_from_scratch_contributions(
    events: list[EventFacts], seed: random.Random, cuts: int
) -> None:
    arrivals = list(events)
    seed.shuffle(arrivals)
    size = max(1, len(arrivals) // cuts)
    running: Contributions = {}
    seen: list[EventFacts] = []
    stored = Derived()
    for i in range(0, len(arrivals), size):
        seen.extend(arrivals[i : i + size])
        fresh = derive(seen, DEFS)
        accumulate(running, changes(stored, fresh).buckets)
        stored = fresh
    assert cells(running) == cells(contributions(derive(events, DEFS)))


def test_every_metric_has_a_bucket_column() -> None:
    import importlib

    from journeyflow.journeys.contributions import METRICS

    migration = importlib.import_module("journeyflow.store.migrations.versions.0003_journeys")
    assert migration.METRICS == METRICS


def test_label_sets_sum_their_buckets_over_minutes_and_sources() -> None:
    total: Contributions = {
        Bucket(at(1), "voice", "billing", "", "ivr"): {"contacts": 2, "transfers": 1},
        Bucket(at(2), "voice", "billing", "", "crm"): {"contacts": -1},
        Bucket(at(1), "chat", "billing", "", "ivr"): {"contacts": 5},
    }

    assert by_labels(total) == {
        ("voice", "billing", ""): {"contacts": 1, "transfers": 1},
        ("chat", "billing", ""): {"contacts": 5},
    }
