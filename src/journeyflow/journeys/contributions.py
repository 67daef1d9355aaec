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


Contributions = dict[Bucket, dict[str, int]]
"""Bucket -> metric -> value, non-zero values only (a metric absent from a bucket is 0)."""


def contributions(
    derived: Derived, *, into: Contributions | None = None, sign: int = 1
) -> Contributions:
    """What `derived` adds to the buckets; `into`: add `sign` times that to these, in place
    (zeros may be left, as in `accumulate`)."""
    total: Contributions = {} if into is None else into
    for contact in derived.contacts:
        _add(total, _bucket_of(contact), _contact_counts(contact), sign)
    for journey in derived.journeys:
        _add(total, _journey_bucket(journey), _journey_counts(journey), sign)
    for survey in derived.surveys:
        bucket = Bucket(
            survey.minute,
            survey.channel,
            survey.intent or "",
            survey.department or "",
            survey.bucket_source,
        )
        _add(total, bucket, _survey_counts(survey), sign)
    return total


def accumulate(total: Contributions, more: Contributions, sign: int = 1) -> None:
    """`total += sign * more`, in place (zeros may be left; `pruned` drops them)."""
    for bucket, counts in more.items():
        cell = total.get(bucket)
        if cell is None:
            total[bucket] = {m: sign * v for m, v in counts.items()}
            continue
        for metric, value in counts.items():
            cell[metric] = cell.get(metric, 0) + sign * value


def pruned(total: Contributions) -> Contributions:
    """Without zero values and empty buckets."""
    result: Contributions = {}
    for bucket, counts in total.items():
        kept = {m: v for m, v in counts.items() if v}
        if kept:
            result[bucket] = kept
    return result


LabelSet = tuple[str, str, str]
"""`(channel, intent, department)`, as stored in a bucket (unknown intent and department "")."""


def by_labels(total: Contributions) -> dict[LabelSet, dict[str, int]]:
    """The same values summed over minutes and sources: what Prometheus's counters are moved by
    (one label set for many buckets, so the collectors are looked up once each)."""
    sums: dict[LabelSet, dict[str, int]] = {}
    for bucket, counts in total.items():
        labels = (bucket.channel, bucket.intent, bucket.department)
        cell = sums.get(labels)
        if cell is None:
            sums[labels] = dict(counts)
            continue
        for metric, value in counts.items():
            cell[metric] = cell.get(metric, 0) + value
    return sums


def cells(total: Contributions) -> Counter[tuple[Bucket, str]]:
    """The same values keyed `(bucket, metric)`: one number per scorecard cell."""
    return Counter({(b, m): v for b, counts in total.items() for m, v in counts.items() if v})


def _add(total: Contributions, bucket: Bucket, counts: list[tuple[str, int]], sign: int) -> None:
    cell = total.get(bucket)
    if cell is None:
        total[bucket] = dict(counts) if sign == 1 else {m: sign * v for m, v in counts}
        return
    for metric, value in counts:
        cell[metric] = cell.get(metric, 0) + sign * value


def _bucket_of(contact: Contact) -> Bucket:
    return Bucket(
        minute_of(contact.started_at),
        contact.channel,
        contact.intent or "",
        contact.department or "",
        contact.source,
    )


def _contact_counts(contact: Contact) -> list[tuple[str, int]]:
    """The contact's non-zero counts."""
    counts = [("contacts", 1)]
    if contact.assisted:
        counts.append(("assisted", 1))
        if contact.transfers:
            counts.append(("transferred_contacts", 1))
        if contact.handle_ms is not None:
            counts.append(("handled_contacts", 1))
            if contact.handle_ms:
                counts.append(("handle_ms_sum", contact.handle_ms))
    if contact.self_service:
        counts.append(("self_service", 1))
        if not contact.assisted:
            counts.append(("contained", 1))
    if contact.repeat:
        counts.append(("repeats", 1))
    if contact.followed_by_repeat:
        counts.append(("followed_by_repeat", 1))
    if contact.transfers:
        counts.append(("transfers", contact.transfers))
    if contact.escalations:
        counts.append(("escalations", contact.escalations))
    if contact.switched_from is not None:
        counts.append(("channel_switches", 1))
    if contact.blind_handoff:
        counts.append(("blind_handoffs", 1))
    if contact.repeated_verifications:
        counts.append(("repeated_verifications", contact.repeated_verifications))
    return counts


def _journey_bucket(journey: Journey) -> Bucket:
    """The first contact's bucket, with the journey's intent (the first one known)."""
    return Bucket(
        minute_of(journey.started_at),
        journey.channel,
        journey.intent or "",
        journey.department or "",
        journey.source,
    )


def _journey_counts(journey: Journey) -> list[tuple[str, int]]:
    if journey.resolved_at is None:
        return [("journeys", 1)]
    counts = [("journeys", 1), ("resolved_journeys", 1)]
    resolution = _ms(journey.resolved_at - journey.started_at)
    if resolution:
        counts.append(("resolution_ms_sum", resolution))
    return counts


def _survey_counts(survey: Survey) -> list[tuple[str, int]]:
    counts: list[tuple[str, int]] = []
    if survey.csat is not None:
        counts += [("csat_sum", survey.csat), ("csat_count", 1)]
        if survey.csat >= 4:
            counts.append(("csat_satisfied", 1))
    if survey.nps is not None:
        if survey.nps >= 9:
            counts.append(("nps_promoters", 1))
        if survey.nps <= 6:
            counts.append(("nps_detractors", 1))
        counts.append(("nps_count", 1))
    if survey.ces is not None:
        counts += [("ces_sum", survey.ces), ("ces_count", 1)]
    return counts


def _ms(delta: timedelta) -> int:
    return max(0, delta // timedelta(milliseconds=1))
