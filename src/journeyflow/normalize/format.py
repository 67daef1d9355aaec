"""What a native format is: a pure function from one payload to unified events.

A normalizer takes one decoded JSON payload as its system sent it (one Amazon Connect contact
record, one Stripe event, ...) and returns the unified events it means, or raises `NormalizeError`
with a message a producer can act on. It does no I/O and keeps no state, so HTTP ingest, the Kafka
raw-topic consumers and the tests all run the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from journeyflow.errors import JourneyflowError
from journeyflow.events import InteractionEvent
from journeyflow.normalize.settings import NormalizeSettings


class NormalizeError(JourneyflowError):
    """A payload that is not a valid instance of its format; `path` locates the problem."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.reason = message


class ForgedSignature(NormalizeError):
    """The request's signature does not match the configured secret (HTTP 401)."""


class StaleSignature(NormalizeError):
    """The signature is valid but older than the configured tolerance (HTTP 400)."""


Normalizer = Callable[[Any, NormalizeSettings], list[InteractionEvent]]
"""One payload in, its unified events out (possibly none), or `NormalizeError`."""

Splitter = Callable[[Any], Sequence[Any]]
"""A request body -> the payloads in it (a single payload, a JSON array, or a batch envelope)."""

Verifier = Callable[[bytes, Mapping[str, str], NormalizeSettings, datetime], None]
"""Checks a delivery's signature over the raw body and headers (lower-case names) at `now`;
raises `ForgedSignature` or `StaleSignature`. Formats without signatures have none."""


def single_or_array(body: Any) -> Sequence[Any]:
    """The default splitter: a JSON array holds several payloads, anything else is one."""
    return body if isinstance(body, list) else [body]


@dataclass(frozen=True, slots=True)
class NativeFormat:
    name: str
    """URL and topic name: `/v1/ingest/{name}`, `journeyflow.raw.{name}`."""
    source: str | None
    """System kind of the events it yields (`ivr`, `billing`, ...), which the caller needs the
    `ingest:<source>` scope for; None when each event names its own (the unified format)."""
    summary: str
    normalize: Normalizer
    split: Splitter = single_or_array
    verify: Verifier | None = None
    signed: Callable[[NormalizeSettings], bool] | None = None
    """Whether deliveries must carry a valid signature under these settings (a secret is set):
    then a verified signature authenticates the sender for this format, with no API key."""
    payload_schema: dict[str, Any] | None = None
    """JSON Schema of the native payload, published under `schemas/` and in OpenAPI."""
