"""Kafka settings: `JOURNEYFLOW_KAFKA__BOOTSTRAP_SERVERS=…` switches journeyflow to Kafka."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator


class KafkaSettings(BaseModel):
    bootstrap_servers: str | None = Field(
        default=None, description="host:port[,host:port…]; absent -> the embedded Postgres log"
    )
    client_id: str = "journeyflow"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    topic_prefix: str = Field(default="journeyflow", pattern=r"^[A-Za-z0-9._\-]{1,200}$")
    partitions: int = Field(default=4, ge=1, description="for topics `kafka create-topics` makes")
    replication_factor: int = Field(default=1, ge=1)
    group_id: str = Field(default="journeyflow-processor", description="events-topic consumers")
    normalizer_group_id: str = Field(
        default="journeyflow-normalizer", description="raw-topic consumers"
    )
    assigned_partitions: list[int] | None = Field(
        default=None,
        description="explicit events-topic partitions for this processor (static scaling, no "
        "group rebalancing); absent -> consumer-group assignment",
    )
    produce_timeout: timedelta = Field(
        default=timedelta(seconds=5),
        description="longest an HTTP ingest waits for the broker's ack before answering 503",
    )
    run_consumers: bool = Field(
        default=True, description="`serve` also runs the raw normalizers and the processor"
    )

    @model_validator(mode="after")
    def _sasl_complete(self) -> KafkaSettings:
        if self.security_protocol.startswith("SASL_") and not (
            self.sasl_mechanism and self.sasl_username and self.sasl_password
        ):
            raise ValueError(
                f"{self.security_protocol} needs sasl_mechanism, sasl_username and sasl_password"
            )
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.bootstrap_servers)
