"""Prometheus collectors, in a registry of their own (one per service instance, not global).

Labels are bounded: `source` is a producer system kind, `result` a fixed set. Counters move only
after the transaction that decided them has committed.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    disable_created_metrics,
)
from prometheus_client.exposition import generate_latest, start_http_server

from journeyflow import __version__
from journeyflow.observability.journey_metrics import JourneyMetrics

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
FRESHNESS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)


class Metrics:
    def __init__(self) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call] # `_created` series double the output and no dashboard uses them
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        Info("journeyflow_build", "journeyflow version", registry=r).info({"version": __version__})
        self.ingest_events = Counter(
            "journeyflow_ingest_events",
            "Events offered to ingest, by source and result (accepted, duplicate, rejected).",
            ["source", "result"],
            registry=r,
        )
        self.ingest_requests = Counter(
            "journeyflow_ingest_requests",
            "Ingest HTTP requests by response status.",
            ["status"],
            registry=r,
        )
        self.processed_events = Counter(
            "journeyflow_processed_events", "Events applied by the processor.", registry=r
        )
        self.identity_merges = Counter(
            "journeyflow_identity_merges", "Profiles merged into an older profile.", registry=r
        )
        self.identity_conflicts = Counter(
            "journeyflow_identity_conflicts",
            "Merges or attachments refused by identity limits.",
            registry=r,
        )
        self.batch_seconds = Histogram(
            "journeyflow_batch_duration_seconds",
            "Time to apply one batch, commit included.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.batch_events = Histogram(
            "journeyflow_batch_events",
            "Events per applied batch.",
            buckets=(1, 10, 50, 100, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000),
            registry=r,
        )
        self.freshness_seconds = Histogram(
            "journeyflow_event_freshness_seconds",
            "Commit time minus occurred_at, for live events (received within 5 min of occurring).",
            buckets=FRESHNESS_BUCKETS,
            registry=r,
        )
        self.lag_events = Gauge(
            "journeyflow_processing_lag_events",
            "Events durable in the log but not yet processed.",
            registry=r,
        )
        self.log_head = Gauge(
            "journeyflow_log_head_position", "Position of the newest logged event.", registry=r
        )
        self.processed_position = Gauge(
            "journeyflow_processed_position", "Position of the newest processed event.", registry=r
        )
        self.last_batch_timestamp = Gauge(
            "journeyflow_last_batch_timestamp_seconds",
            "Unix time of the last committed batch.",
            registry=r,
        )
        self.state_cache_lookups = Counter(
            "journeyflow_state_cache_lookups",
            "Customers a batch re-derived, by whether their history came from the state cache "
            "(hit) or had to be read from Postgres (miss).",
            ["result"],
            registry=r,
        )
        self.stitch_plans_ahead = Counter(
            "journeyflow_stitch_plans_ahead",
            "Batches whose stitching the batch before planned, by whether the plan held (used) "
            "or identities were written in between (made_again).",
            ["result"],
            registry=r,
        )
        self.state_cache_events = Gauge(
            "journeyflow_state_cache_events",
            "Events held in the processor's state cache (bounded by "
            "JOURNEYFLOW_PROCESSING__STATE_CACHE_EVENTS).",
            registry=r,
        )
        self.journeys = JourneyMetrics(r)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def serve_metrics(registry: CollectorRegistry, host: str, port: int) -> None:
    """Expose `registry` at http://host:port/metrics from a daemon thread (headless commands)."""
    start_http_server(port, addr=host, registry=registry)
