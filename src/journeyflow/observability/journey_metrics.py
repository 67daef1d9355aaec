"""Prometheus view of the journey metrics: counters moved by the deltas a commit decided.

Labels are bounded: `channel` (a closed enumeration), `intent` and `department` through the
configured vocabularies (`other`, `unknown`). A counter cannot go down, so a negative delta (a
contact that stops being a repeat after a correction) is counted in
`journeyflow_metric_corrections_total{metric}`: counter - corrections = what the buckets hold.
"""

from __future__ import annotations

from collections import Counter as Tally

from prometheus_client import CollectorRegistry, Counter, Histogram

from journeyflow.journeys.changes import Changes, Observation
from journeyflow.journeys.contributions import by_labels
from journeyflow.journeys.definitions import Definitions

COUNTERS = {
    "contacts": ("journeyflow_contacts", "Contacts, by start."),
    "assisted": ("journeyflow_assisted_contacts", "Contacts that reached a human."),
    "self_service": ("journeyflow_self_service_contacts", "Contacts that started self-service."),
    "contained": ("journeyflow_contained_contacts", "Self-service contacts never assisted."),
    "repeats": ("journeyflow_repeat_contacts", "Contacts that repeat an earlier one."),
    "followed_by_repeat": (
        "journeyflow_followed_by_repeat_contacts",
        "Contacts followed by a repeat within the window.",
    ),
    "transfers": ("journeyflow_transfers", "Transfers inside contacts."),
    "transferred_contacts": (
        "journeyflow_transferred_contacts",
        "Assisted contacts with at least one transfer.",
    ),
    "escalations": ("journeyflow_escalations", "Self-service to human escalations."),
    "blind_handoffs": ("journeyflow_blind_handoffs", "Channel switches that lost the context."),
    "repeated_verifications": (
        "journeyflow_repeated_verifications",
        "Identity verifications after a journey's first.",
    ),
    "journeys": ("journeyflow_journeys", "Journeys, by first contact."),
    "resolved_journeys": ("journeyflow_journeys_resolved", "Resolved journeys."),
    "csat_count": ("journeyflow_csat_responses", "CSAT responses."),
    "csat_sum": ("journeyflow_csat_score", "Sum of CSAT scores (1-5)."),
    "csat_satisfied": ("journeyflow_csat_satisfied_responses", "CSAT responses of 4 or 5."),
    "nps_count": ("journeyflow_nps_responses", "NPS responses."),
    "nps_promoters": ("journeyflow_nps_promoters", "NPS responses of 9 or 10."),
    "nps_detractors": ("journeyflow_nps_detractors", "NPS responses of 0 to 6."),
    "ces_count": ("journeyflow_ces_responses", "CES responses."),
    "ces_sum": ("journeyflow_ces_score", "Sum of CES scores (1-7)."),
}
LABELS = ("channel", "intent", "department")
HANDLE_BUCKETS = (30, 60, 120, 180, 300, 450, 600, 900, 1200, 1800, 3600)
RESOLUTION_BUCKETS = (60, 300, 900, 3600, 4 * 3600, 86400, 2 * 86400, 4 * 86400, 7 * 86400)


class JourneyMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.counters = {
            metric: Counter(name, text, LABELS, registry=registry)
            for metric, (name, text) in COUNTERS.items()
        }
        self.channel_switches = Counter(
            "journeyflow_channel_switches",
            "Consecutive contacts of a journey on different channels; context carried or lost.",
            ["from_channel", "to_channel", "context"],
            registry=registry,
        )
        self.corrections = Counter(
            "journeyflow_metric_corrections",
            "Decrements a counter could not make (retroactive changes), by metric.",
            ["metric"],
            registry=registry,
        )
        self.handle_seconds = Histogram(
            "journeyflow_contact_handle_seconds",
            "Handle time of assisted contacts.",
            ["channel", "intent"],
            buckets=HANDLE_BUCKETS,
            registry=registry,
        )
        self.resolution_seconds = Histogram(
            "journeyflow_journey_resolution_seconds",
            "First contact to resolution, per resolved journey.",
            ["channel", "intent"],
            buckets=RESOLUTION_BUCKETS,
            registry=registry,
        )

    def record(self, changes: Changes, definitions: Definitions) -> None:
        """Move the collectors by a committed batch's changes."""
        # Summed by label set in compiled code, then by the names the label sets go by (several
        # intents may be `other`): only the totals decide between a counter and a correction.
        totals: Tally[tuple[str, str, str, str]] = Tally()
        counted = self.counters
        for (channel, intent, department), counts in by_labels(changes.buckets).items():
            named = (definitions.intent_label(intent), definitions.department_label(department))
            for metric, value in counts.items():
                if metric in counted:
                    totals[(metric, channel, *named)] += value
        for (metric, channel, intent, department), value in totals.items():
            if value > 0:
                self.counters[metric].labels(channel, intent, department).inc(value)
            elif value < 0:
                self.corrections.labels(COUNTERS[metric][0]).inc(-value)
        for (origin, target, context), value in changes.switches.items():
            if value > 0:
                self.channel_switches.labels(origin, target, context).inc(value)
            elif value < 0:
                self.corrections.labels("journeyflow_channel_switches").inc(-value)
        for histogram, observations in (
            (self.handle_seconds, changes.handle),
            (self.resolution_seconds, changes.resolution),
        ):
            children: dict[tuple[str, str], Histogram] = {}
            for item in observations:
                labels = (item.channel, item.intent)
                child = children.get(labels)
                if child is None:
                    child = histogram.labels(item.channel, _intent(item, definitions))
                    children[labels] = child
                child.observe(item.seconds)
        for name, value in changes.withdrawn.items():
            self.corrections.labels(f"journeyflow_{name}").inc(value)


def _intent(item: Observation, definitions: Definitions) -> str:
    return definitions.intent_label(item.intent)
