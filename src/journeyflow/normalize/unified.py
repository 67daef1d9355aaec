"""The unified event itself as a native format, so every ingest path runs through a registry.

Each event names its own `source`, so the format has none: the route checks `ingest:<source>`
per event, as `/v1/events` does. Its payload schema is the published InteractionEvent schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from journeyflow.events import InteractionEvent
from journeyflow.events.validation import describe
from journeyflow.normalize.common import ROOT, as_object
from journeyflow.normalize.format import NativeFormat, NormalizeError
from journeyflow.normalize.settings import NormalizeSettings

NAME = "unified"


def normalize(payload: Any, settings: NormalizeSettings) -> list[InteractionEvent]:
    """One unified event in, the same event out (validated)."""
    as_object(payload, ROOT)
    try:
        return [InteractionEvent.model_validate(payload)]
    except ValidationError as error:
        raise NormalizeError("; ".join(describe(error)), ROOT) from None


def split(body: Any) -> Sequence[Any]:
    """One event, a JSON array of events, or the `{"events": [...]}` envelope of `/v1/events`."""
    if isinstance(body, dict) and set(body) == {"events"} and isinstance(body["events"], list):
        return list(body["events"])
    return body if isinstance(body, list) else [body]


def _payload_schema() -> dict[str, Any]:
    return InteractionEvent.model_json_schema(by_alias=True, mode="validation")


FORMAT = NativeFormat(
    name=NAME,
    source=None,
    summary="journeyflow's own unified InteractionEvent (as POST /v1/events takes it)",
    normalize=normalize,
    split=split,
    payload_schema=_payload_schema(),
)
