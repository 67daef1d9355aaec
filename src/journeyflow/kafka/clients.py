"""aiokafka clients configured from settings: security, idempotent producer, consumers."""

from __future__ import annotations

import ssl
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.helpers import create_ssl_context

from journeyflow.kafka.settings import KafkaSettings


def client_options(settings: KafkaSettings) -> dict[str, Any]:
    """Connection and security options every client shares."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "client_id": settings.client_id,
        "security_protocol": settings.security_protocol,
    }
    if settings.security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = _ssl_context(settings)
    if settings.security_protocol.startswith("SASL_"):
        assert settings.sasl_password is not None  # checked by KafkaSettings
        options["sasl_mechanism"] = settings.sasl_mechanism
        options["sasl_plain_username"] = settings.sasl_username
        options["sasl_plain_password"] = settings.sasl_password.get_secret_value()
    return options


def _ssl_context(settings: KafkaSettings) -> ssl.SSLContext:
    context: ssl.SSLContext = create_ssl_context(
        cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None,
        certfile=str(settings.ssl_certfile) if settings.ssl_certfile else None,
        keyfile=str(settings.ssl_keyfile) if settings.ssl_keyfile else None,
    )
    return context


def producer(settings: KafkaSettings) -> AIOKafkaProducer:
    """Idempotent, `acks=all`: an acknowledged record is on every in-sync replica, once."""
    timeout_ms = int(settings.produce_timeout.total_seconds() * 1000)
    return AIOKafkaProducer(
        **client_options(settings),
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=max(timeout_ms, 1000),
        compression_type=None,
    )


def consumer(settings: KafkaSettings, group_id: str, *topics: str) -> AIOKafkaConsumer:
    """Offsets are managed by us (Postgres or after produce acks), never auto-committed."""
    return AIOKafkaConsumer(
        *topics,
        **client_options(settings),
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=None,
    )
