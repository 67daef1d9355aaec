"""The ways a Salesforce change event message reaches us, and the JSON Schema of all of them.

- the message alone, as a Pub/Sub API client decodes it: `{"ChangeEventHeader": {...}, fields…}`;
- a CometD / Streaming API message: `{"schema": "…", "payload": {message}, "event":
  {"replayId": 42}}`, or with the older `{"data": {…that…}, "channel": "/data/CaseChangeEvent"}`;
- a JSON array of any of these (a CometD delivery, or a replay batch).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from journeyflow.normalize.common import ROOT, as_object, child
from journeyflow.normalize.format import NormalizeError
from journeyflow.normalize.salesforce_header import HEADER


def split(body: Any) -> Sequence[Any]:
    """A JSON array holds several messages (each maybe enveloped); anything else is one."""
    return body if isinstance(body, list) else [body]


def message_of(payload: Any) -> tuple[Mapping[str, Any], str, int | str | None]:
    """(the change event message, its JSON path, the replay id when the envelope has one)."""
    outer = as_object(payload, ROOT)
    if HEADER in outer:
        return outer, ROOT, None
    envelope, path = outer, ROOT
    if "payload" not in outer and isinstance(outer.get("data"), dict):
        envelope, path = outer["data"], child(ROOT, "data")
    if "payload" not in envelope:
        raise NormalizeError(
            f"expected a change event message ({HEADER} at top level) or a streaming envelope "
            "with a payload",
            path,
        )
    message_path = child(path, "payload")
    message = as_object(envelope["payload"], message_path)
    if HEADER not in message:
        raise NormalizeError("required field is missing", child(message_path, HEADER))
    return message, message_path, _replay_id(envelope)


def _replay_id(envelope: Mapping[str, Any]) -> int | str | None:
    event = envelope.get("event")
    value = event.get("replayId") if isinstance(event, dict) else None
    if value is None:
        value = envelope.get("replayId", envelope.get("replay_id"))
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    return value if isinstance(value, int) else value[:64]


class ChangeEventHeader(BaseModel):
    model_config = ConfigDict(extra="allow")
    entityName: str = Field(description="Case (mapped) or Contact (accepted, ignored)")
    recordIds: list[str]
    changeType: str = Field(
        description="CREATE, UPDATE, DELETE, UNDELETE, or GAP_ + one of those",
        json_schema_extra={"examples": ["CREATE", "UPDATE"]},
    )
    commitTimestamp: int = Field(description="epoch milliseconds")
    transactionKey: str
    sequenceNumber: int
    changedFields: list[str] | None = None
    changeOrigin: str | None = None
    commitUser: str | None = None
    commitNumber: int | None = None


class ChangeEventMessage(BaseModel):
    """The message: its header plus the record fields that were set or changed."""

    model_config = ConfigDict(extra="allow", title="Salesforce change event message")
    ChangeEventHeader: ChangeEventHeader
    Status: str | None = None
    Origin: str | None = None
    Reason: str | None = None
    Type: str | None = None
    ContactId: str | None = None
    AccountId: str | None = None
    SuppliedEmail: str | None = None
    SuppliedPhone: str | None = None
    IsClosed: bool | None = None
    CaseNumber: str | None = None


class ReplayEvent(BaseModel):
    model_config = ConfigDict(extra="allow")
    replayId: int | str | None = None


class StreamingEnvelope(BaseModel):
    """CometD / Streaming API delivery of one change event."""

    model_config = ConfigDict(extra="allow")
    schema_: str | None = Field(default=None, alias="schema")
    payload: ChangeEventMessage
    event: ReplayEvent | None = None


class LegacyEnvelope(BaseModel):
    model_config = ConfigDict(extra="allow")
    data: StreamingEnvelope
    channel: str | None = None


def payload_schema() -> dict[str, Any]:
    one = ChangeEventMessage | StreamingEnvelope | LegacyEnvelope
    schema = TypeAdapter(one).json_schema(by_alias=True)
    schema["title"] = "Salesforce Change Data Capture event"
    return schema
