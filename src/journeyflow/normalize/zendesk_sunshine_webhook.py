"""Sunshine Conversations v2 webhook deliveries: the envelope, its events, and their JSON Schema.

One POST carries `{"app": {"id"}, "webhook": {"id", "version": "v2"}, "events": [ {"id", "type",
"createdAt", "payload"} … ]}`; the events "may or may not originate from the same user or
conversation", so the splitter hands each event to the normalizer on its own (rejections then
name the event's position in `events`). A JSON array of deliveries (a replay) is flattened.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, TypeAdapter

TRIGGERS = (
    "client:add",
    "client:remove",
    "client:update",
    "conversation:create",
    "conversation:join",
    "conversation:leave",
    "conversation:remove",
    "conversation:message",
    "conversation:message:delivery:channel",
    "conversation:message:delivery:failure",
    "conversation:message:delivery:user",
    "conversation:postback",
    "conversation:read",
    "conversation:referral",
    "conversation:typing",
    "passthrough:messaging",
    "switchboard:acceptControl",
    "switchboard:acceptControl:failure",
    "switchboard:offerControl",
    "switchboard:offerControl:failure",
    "switchboard:passControl",
    "switchboard:passControl:failure",
    "switchboard:releaseControl",
    "user:merge",
    "user:update",
    "user:remove",
)
"""Every webhook trigger Sunshine Conversations documents (v2)."""


def split(body: Any) -> Sequence[Any]:
    """A delivery -> its events; an array of deliveries or events -> all of them, in order."""
    items = body if isinstance(body, list) else [body]
    events: list[Any] = []
    for item in items:
        inner = item.get("events") if isinstance(item, dict) else None
        if isinstance(inner, list) and "type" not in item:
            events.extend(inner)
        else:
            events.append(item)
    return events


class WebhookEvent(BaseModel):
    model_config = ConfigDict(extra="allow", title="Sunshine Conversations webhook event")
    id: str = Field(description="unique per event; a retried delivery repeats it")
    type: str = Field(json_schema_extra={"enum": list[JsonValue](TRIGGERS)})
    createdAt: str = Field(description="YYYY-MM-DDThh:mm:ss.SSSZ")
    payload: dict[str, Any] = Field(
        default_factory=dict, description="depends on type: conversation, user, message, …"
    )


class _Ref(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str | None = None


class WebhookDelivery(BaseModel):
    """The body Sunshine Conversations POSTs to a v2 webhook."""

    model_config = ConfigDict(extra="allow", title="Sunshine Conversations webhook delivery")
    app: _Ref | None = None
    webhook: _Ref | None = None
    events: list[WebhookEvent]


def payload_schema() -> dict[str, Any]:
    accepted = WebhookDelivery | list[WebhookDelivery] | WebhookEvent
    schema = TypeAdapter(accepted).json_schema()
    schema["title"] = "Sunshine Conversations v2 webhook"
    return schema
