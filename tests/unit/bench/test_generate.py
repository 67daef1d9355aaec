"""The benchmark's load generator: reproducible, valid, realistic, one customer per person."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository root: `bench`

from bench.generate import deliveries, events, person_events
from journeyflow.events import InteractionEvent
from journeyflow.identity.keys import IdentifierRules
from journeyflow.identity.stitch import EventKeys, KnownProfiles, Stitcher
from journeyflow.settings import IdentitySettings

RULES = IdentifierRules(IdentitySettings(), "US")
START = datetime(2026, 10, 1, tzinfo=UTC)


def test_same_seed_same_events_and_any_person_can_be_generated_alone() -> None:
    assert list(events(30, seed=5)) == list(events(30, seed=5))
    assert list(events(30, seed=5)) != list(events(30, seed=6))
    alone = list(events(1, seed=5, first=17))
    assert alone == [e for e in events(30, seed=5) if e["event_id"].startswith("5x17-")]


def test_every_event_is_a_valid_unified_event() -> None:
    for event in events(200, seed=1):
        InteractionEvent.model_validate(event)


def test_the_traffic_has_the_frictions_the_metrics_count() -> None:
    kinds = Counter(e["kind"] for e in events(300, seed=2))
    for kind in (
        "contact.transferred",
        "contact.escalated",
        "identity.verified",
        "survey.responded",
        "case.resolved",
        "touchpoint.viewed",
    ):
        assert kinds[kind] > 0, kind
    refs = [e for e in events(300, seed=2) if "previous_contact_ref" in e]
    assert refs


def test_deliveries_are_late_and_resent_but_lose_nothing() -> None:
    sent = list(events(200, seed=3))
    arrived = list(deliveries(sent, seed=3, late=0.1, duplicates=0.05))
    ids = Counter(e["event_id"] for e in arrived)
    assert set(ids) == {e["event_id"] for e in sent}
    assert any(n > 1 for n in ids.values())
    assert [e["event_id"] for e in arrived] != [e["event_id"] for e in sent]


def test_each_person_stitches_into_exactly_one_customer() -> None:
    stitched = []
    for index in range(40):
        keyed = [
            EventKeys(n, RULES.keys_of(e.get("identifiers", {}), e["source"], e.get("contact_id")))
            for n, e in enumerate(person_events(9, index, START, timedelta(days=30)))
        ]
        plan = Stitcher(RULES).plan(keyed, KnownProfiles())
        stitched.append(len(set(plan.assignments.values())))
    assert stitched == [1] * 40
