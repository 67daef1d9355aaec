"""Derived state -> additive bucket contributions, and the Prometheus view of the same counts.

Buckets are keyed `(minute, channel, intent, department, source)` with unknown intent and
department as "". All values are integers (durations in milliseconds), so the difference of the
contributions before and after a change is exact and repeated changes never drift.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import NamedTuple

from journeyflow.journeys.contacts import minute_of
from journeyflow.journeys.model import Contact, Derived, Journey, Survey

METRICS = (
    "contacts",
    "assisted",
    "self_service",
    "contained",
    "repeats",
    "followed_by_repeat",
    "transfers",
    "transferred_contacts",
    "escalations",
    "channel_switches",
    "blind_handoffs",
    "repeated_verifications",
    "handled_contacts",
    "handle_ms_sum",
    "journeys",
    "resolved_journeys",
    "resolution_ms_sum",
    "csat_sum",
    "csat_count",
    "csat_satisfied",
    "nps_promoters",
    "nps_detractors",
    "nps_count",
    "ces_sum",
    "ces_count",
)


class Bucket(NamedTuple):
    minute: datetime
    channel: str
    intent: str
    department: str
    source: str


Contributions = Counter[tuple[Bucket, str]]


def contributions(derived: Derived) -> Contributions:
    total: Contributions = Counter()
    for contact in derived.contacts:
        _add(total, _bucket_of(contact), _contact_counts(contact))
    for journey in derived.journeys:
        _add(total, _journey_bucket(journey), _journey_counts(journey))
    for survey in derived.surveys:
        bucket = Bucket(
            survey.minute,
            survey.channel,
            survey.intent or "",
            survey.department or "",
            survey.bucket_source,
        )
        _add(total, bucket, _survey_counts(survey))
    return total


def difference(new: Contributions, old: Contributions) -> Contributions:
    """new - old, keeping negative values and dropping zeros (Counter `-` would drop negatives)."""
    delta: Contributions = Counter(new)
    delta.subtract(old)
    return Counter({k: v for k, v in delta.items() if v})


def _add(total: Contributions, bucket: Bucket, counts: dict[str, int]) -> None:
    for metric, value in counts.items():
        if value:
            total[(bucket, metric)] += value


def _bucket_of(contact: Contact) -> Bucket:
    return Bucket(
        minute_of(contact.started_at),
        contact.channel,
        contact.intent or "",
        contact.department or "",
        contact.source,
    )


def _contact_counts(contact: Contact) -> dict[str, int]:
    handled = contact.assisted and contact.handle_ms is not None
    return {
        "contacts": 1,
        "assisted": contact.assisted,
        "self_service": contact.self_service,
        "contained": contact.contained,
        "repeats": contact.repeat,
        "followed_by_repeat": contact.followed_by_repeat,
        "transfers": contact.transfers,
        "transferred_contacts": contact.assisted and contact.transfers > 0,
        "escalations": contact.escalations,
        "channel_switches": contact.switched_from is not None,
        "blind_handoffs": contact.blind_handoff,
        "repeated_verifications": contact.repeated_verifications,
        "handled_contacts": handled,
        "handle_ms_sum": (contact.handle_ms or 0) if handled else 0,
    }


def _journey_bucket(journey: Journey) -> Bucket:
    """The first contact's bucket, with the journey's intent (the first one known)."""
    return Bucket(
        minute_of(journey.started_at),
        journey.channel,
        journey.intent or "",
        journey.department or "",
        journey.source,
    )


def _journey_counts(journey: Journey) -> dict[str, int]:
    resolution = 0
    if journey.resolved_at is not None:
        resolution = _ms(journey.resolved_at - journey.started_at)
    return {
        "journeys": 1,
        "resolved_journeys": journey.resolved,
        "resolution_ms_sum": resolution,
    }


def _survey_counts(survey: Survey) -> dict[str, int]:
    counts: dict[str, int] = {}
    if survey.csat is not None:
        counts |= {"csat_sum": survey.csat, "csat_count": 1, "csat_satisfied": survey.csat >= 4}
    if survey.nps is not None:
        counts |= {
            "nps_promoters": survey.nps >= 9,
            "nps_detractors": survey.nps <= 6,
            "nps_count": 1,
        }
    if survey.ces is not None:
        counts |= {"ces_sum": survey.ces, "ces_count": 1}
    return counts


def _ms(delta: timedelta) -> int:
    return max(0, delta // timedelta(milliseconds=1))
