"""What a committed batch tells Prometheus; called only after the commit that decided it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from journeyflow.journeys.definitions import Definitions
from journeyflow.observability.metrics import Metrics
from journeyflow.process.batch import BatchResult

LIVE_WINDOW = timedelta(minutes=5)
"""Freshness is observed only for live events (received within this long of occurring)."""


def observe_batch(
    metrics: Metrics, result: BatchResult, definitions: Definitions, seconds: float
) -> None:
    now = datetime.now(UTC)
    metrics.processed_events.inc(len(result.events))
    metrics.identity_merges.inc(result.merges)
    metrics.identity_conflicts.inc(result.conflicts)
    metrics.batch_seconds.observe(seconds)
    metrics.batch_events.observe(len(result.events))
    metrics.last_batch_timestamp.set(now.timestamp())
    metrics.journeys.record(result.journeys, definitions)
    metrics.state_cache_lookups.labels(result="hit").inc(result.cache.hits)
    metrics.state_cache_lookups.labels(result="miss").inc(result.cache.misses)
    metrics.state_cache_events.set(result.cache.events_held)
    if result.planned_ahead is not None:
        held = "used" if result.planned_ahead else "made_again"
        metrics.stitch_plans_ahead.labels(result=held).inc()
    for event in result.events:
        received = event.received_at or now
        if received - event.occurred_at <= LIVE_WINDOW:
            metrics.freshness_seconds.observe(max(0.0, (now - event.occurred_at).total_seconds()))
