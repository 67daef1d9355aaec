"""Prometheus collectors move by committed deltas, with bounded labels only."""

from __future__ import annotations

from collections import Counter

from prometheus_client import CollectorRegistry
from support.journey_events import at

from journeyflow.journeys.changes import Changes, Observation
from journeyflow.journeys.contributions import Bucket
from journeyflow.journeys.definitions import Definitions
from journeyflow.observability.journey_metrics import JourneyMetrics

DEFS = Definitions(intents=frozenset({"billing"}), departments=frozenset({"care"}))


def recorded(changes: Changes) -> CollectorRegistry:
    registry = CollectorRegistry()
    JourneyMetrics(registry).record(changes, DEFS)
    return registry


def test_intents_and_departments_outside_the_vocabulary_are_labelled_other() -> None:
    registry = recorded(
        Changes(
            buckets={
                Bucket(at(0), "voice", "billing", "care", "ivr"): {"contacts": 2},
                Bucket(at(1), "voice", "acct-4711 refund", "", "ivr"): {"contacts": 1},
            }
        )
    )

    def contacts(**labels: str) -> float | None:
        return registry.get_sample_value("journeyflow_contacts_total", labels)

    assert contacts(channel="voice", intent="billing", department="care") == 2
    assert contacts(channel="voice", intent="other", department="unknown") == 1


def test_a_negative_delta_is_counted_as_a_correction_not_a_decrement() -> None:
    old = Bucket(at(0), "chat", "billing", "", "chat")
    registry = recorded(
        Changes(
            buckets={old: {"repeats": -1}, old._replace(minute=at(5)): {"repeats": -1}},
            switches=Counter({("chat", "voice", "lost"): -1, ("chat", "voice", "carried"): 1}),
        )
    )
    corrections = "journeyflow_metric_corrections_total"
    assert registry.get_sample_value(corrections, {"metric": "journeyflow_repeat_contacts"}) == 2
    assert registry.get_sample_value(corrections, {"metric": "journeyflow_channel_switches"}) == 1
    carried = {"from_channel": "chat", "to_channel": "voice", "context": "carried"}
    assert registry.get_sample_value("journeyflow_channel_switches_total", carried) == 1


def test_durations_are_observed_in_seconds() -> None:
    registry = recorded(
        Changes(handle=[Observation("voice", "billing", "care", 420.0)], resolution=[])
    )
    labels = {"channel": "voice", "intent": "billing"}
    assert registry.get_sample_value("journeyflow_contact_handle_seconds_sum", labels) == 420.0
    assert registry.get_sample_value("journeyflow_contact_handle_seconds_count", labels) == 1
