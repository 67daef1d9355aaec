"""JSON Schema of what `POST /v1/ingest/stripe` takes: Stripe event objects, lenient on purpose.

Only the envelope is described; `data.object` is whatever API resource the event is about, and
extra fields are allowed everywhere because Stripe adds fields in new API versions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class StripeEventData(BaseModel):
    model_config = ConfigDict(extra="allow")
    object: dict[str, Any] = Field(description="the API resource the event is about")
    previous_attributes: dict[str, Any] | None = Field(
        default=None, description="changed fields' old values (*.updated events)"
    )


class StripeEvent(BaseModel):
    """A Stripe (API v1, snapshot) event object as webhook endpoints receive it."""

    model_config = ConfigDict(extra="allow", title="Stripe event")
    id: str = Field(description="evt_…")
    object: Literal["event"] = "event"
    type: str = Field(description="one of the event types journeyflow maps")
    created: int = Field(description="epoch seconds")
    livemode: bool | None = None
    api_version: str | None = None
    data: StripeEventData


def payload_schema(types: Iterable[str]) -> dict[str, Any]:
    """One event, or a JSON array of events (replays); `type` limited to `types`."""
    schema = TypeAdapter(StripeEvent | list[StripeEvent]).json_schema()
    schema["$defs"]["StripeEvent"]["properties"]["type"]["enum"] = sorted(types)
    schema["title"] = "Stripe webhook event(s)"
    return schema
