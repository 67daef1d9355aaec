"""One settings object, read once from the environment (`JOURNEYFLOW_…`, nested with `__`).

Nothing else in journeyflow reads the environment: the composition root builds `Settings` and
passes the parts each component needs.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from journeyflow.kafka.settings import KafkaSettings
from journeyflow.normalize.settings import NormalizeSettings

Scope = str  # "read", "admin" or "ingest:<source>"


class IdentitySettings(BaseModel):
    """Identity-stitching rules (DESIGN §3). Every identifier type must appear in `strength`."""

    strength: dict[str, str] = Field(
        default_factory=lambda: {
            "customer_id": "strong",
            "account_id": "strong",
            "crm_contact_id": "strong",
            "crm_case_id": "strong",
            "billing_customer_id": "strong",
            "phone": "strong",
            "email": "strong",
            "chat_user_id": "strong",
            "device_id": "weak",
            "session_id": "weak",
        },
        description="identifier type -> 'strong' (merges profiles) or 'weak' (attaches only)",
    )
    max_per_profile: dict[str, int] = Field(
        default_factory=lambda: {
            "customer_id": 1,
            "account_id": 3,
            "crm_contact_id": 3,
            "crm_case_id": 10_000,
            "billing_customer_id": 3,
            "phone": 5,
            "email": 5,
            "chat_user_id": 5,
            "device_id": 10,
            "session_id": 1000,
        },
        description="most identifiers of one type a single profile may hold",
    )
    priority: list[str] = Field(
        default_factory=lambda: [
            "customer_id",
            "account_id",
            "billing_customer_id",
            "crm_contact_id",
            "crm_case_id",
            "email",
            "phone",
            "chat_user_id",
            "device_id",
            "session_id",
        ],
        description="when a merge is refused, the event goes to its highest-priority identifier",
    )
    block_patterns: list[str] = Field(
        default_factory=lambda: [
            r"^[0\-\s+().]*$",
            r"^(unknown|anonymous|null|none|n/?a|undefined|test|-)$",
            r"^(no-?reply|do-?not-?reply)@",
            r"^1234567890?$",
        ],
        description="case-insensitive regexes; a matching value is junk and ignored",
    )
    max_merges_per_event: int = Field(
        default=5, ge=1, description="circuit breaker: profiles one event may merge"
    )

    @field_validator("strength")
    @classmethod
    def _known_strengths(cls, value: dict[str, str]) -> dict[str, str]:
        bad = {k: v for k, v in value.items() if v not in ("strong", "weak")}
        if bad:
            raise ValueError(f"identifier strength must be 'strong' or 'weak', got {bad}")
        return value


BESIDE_HTTP_BATCH = 2_000
STANDALONE_BATCH = 40_000
"""A backlog's batches in `journeyflow process`. Over 1M logged events, 20,000 re-derived 0.237
customers an event against 0.256 at 10,000 and was faster in every interleaved pair (+13 %, 54 MB
more RSS; docs/performance.md, 7 December). 40,000 was then no faster, but only because every
young collection scanned a batch in flight (`bootstrap.tune_garbage_collection`); with the
collector kept above what batches keep alive it re-derives 0.209 customers an event, writes
3.79 rows an event instead of 4.06, and was faster in every interleaved pair (+12 %, 110 MB
more RSS; docs/performance.md, 8 December)."""


class ProcessingSettings(BaseModel):
    """How the processor takes micro-batches from the log."""

    batch_size: int | None = Field(
        default=None,
        ge=1,
        le=50_000,
        description="the most events one processing transaction takes; unset: "
        f"{BESIDE_HTTP_BATCH:,} where the processor shares `serve`'s event loop with HTTP, "
        f"{STANDALONE_BATCH:,} in `journeyflow process` (a batch takes what the log holds, so "
        "live traffic makes small ones; a backlog is worked off in large ones)",
    )
    linger: timedelta = Field(
        default=timedelta(milliseconds=50),
        description="how long an idle processor waits before polling the log again; on Kafka, "
        "also how long a batch keeps fetching after its first records, to fill up",
    )
    shutdown_timeout: timedelta = Field(
        default=timedelta(seconds=10),
        description="on shutdown, how long to wait for a batch in flight (and, on Kafka, for the "
        "clients to leave the group and flush) before cancelling",
    )
    in_serve: bool = Field(
        default=True,
        description="`serve` also runs the processor (and, on Kafka, the raw normalizers); false "
        "makes it an ingest and query tier only, with `journeyflow process` running beside it",
    )
    state_cache_events: int = Field(
        default=500_000,
        ge=0,
        description="recently active customers' histories kept in memory by the processor, in "
        "events (about 0.5 KB each with their derived state); 0 reads every touched customer "
        "from Postgres in every batch",
    )

    def batch_for(self, *, beside_http: bool) -> int:
        """The configured batch size, else the default for where the processor runs: larger
        batches re-derive a busy customer once for more of its events (+20-50 % throughput on a
        backlog), but each holds the event loop longer, which HTTP requests beside it feel."""
        if self.batch_size is not None:
            return self.batch_size
        return BESIDE_HTTP_BATCH if beside_http else STANDALONE_BATCH


class JourneySettings(BaseModel):
    """Contact and journey definitions (DESIGN §4); the repeat window is `repeat_window`."""

    repeat_scope: Literal["same_intent", "any"] = Field(
        default="same_intent",
        description="same_intent: same intent (or either unknown) makes a repeat; any: any reason",
    )
    self_service_channels: list[str] = Field(
        default_factory=lambda: ["ivr", "bot", "web", "app"],
        description="a contact whose first channel is one of these started self-service",
    )
    intents: list[str] = Field(
        default_factory=lambda: [
            "billing_dispute",
            "plan_change",
            "technical_issue",
            "order_status",
            "cancel",
            "eligibility",
            "fraud",
            "payment",
            "account",
        ],
        description="intent vocabulary for Prometheus labels; others are labelled `other`",
    )
    departments: list[str] = Field(
        default_factory=lambda: [
            "care",
            "billing",
            "provisioning",
            "technical",
            "sales",
            "fraud",
            "claims",
            "retention",
        ],
        description="department vocabulary for Prometheus labels; others are labelled `other`",
    )
    recent_actions: int = Field(default=10, ge=1, le=100, description="actions in a briefing")


class Settings(BaseSettings):
    """journeyflow's whole configuration."""

    model_config = SettingsConfigDict(
        env_prefix="JOURNEYFLOW_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str | None = Field(
        default=None, description="postgresql://…; absent -> embedded Postgres under data_dir"
    )
    data_dir: Path = Path(".journeyflow")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    api_keys: dict[str, list[Scope]] = Field(default_factory=dict)
    default_phone_region: str = "US"
    repeat_window: timedelta = timedelta(days=7)
    max_body_bytes: int = 5 * 1024 * 1024
    max_events_per_request: int = 1000
    log_level: str = "info"
    metrics_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="`process` and `normalize` serve Prometheus /metrics on this port (on "
        "`host`); `serve` always has /metrics on its own port",
    )
    identity: IdentitySettings = Field(default_factory=IdentitySettings)
    processing: ProcessingSettings = Field(default_factory=ProcessingSettings)
    normalize: NormalizeSettings = Field(default_factory=NormalizeSettings)
    journeys: JourneySettings = Field(default_factory=JourneySettings)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)

    @field_validator("api_keys")
    @classmethod
    def _valid_scopes(cls, value: dict[str, list[Scope]]) -> dict[str, list[Scope]]:
        for key, scopes in value.items():
            if len(key) < 12:
                raise ValueError("API keys must be at least 12 characters long")
            for scope in scopes:
                if scope not in ("read", "admin") and not scope.startswith("ingest:"):
                    raise ValueError(f"unknown scope {scope!r} (read, admin, ingest:<source>)")
        return value

    @field_validator("default_phone_region")
    @classmethod
    def _region_upper(cls, value: str) -> str:
        return value.upper()
