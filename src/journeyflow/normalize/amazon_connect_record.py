"""The Amazon Connect contact record (CTR) as we read it: the published data model, leniently.

Only the fields journeyflow maps are declared; Amazon adds fields over time and says consumers
should ignore new ones, so unknown fields are allowed. The model doubles as the published payload
schema (`schemas/formats/amazon-connect-ctr.v1.json`).
Source: "Data model for Amazon Connect contact records", Amazon Connect Administrator Guide.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from journeyflow.normalize.common import ROOT, as_object
from journeyflow.normalize.format import NormalizeError

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=256)]
Seconds = Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)]
AttributeValue = Annotated[str, StringConstraints(max_length=32767)] | int | float | bool | None


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Endpoint(_Lenient):
    """`CustomerEndpoint` / `SystemEndpoint`: a phone number (or another address type)."""

    Address: Text | None = None
    Type: Text | None = Field(default=None, description="TELEPHONE_NUMBER, EMAIL_ADDRESS, …")


class QueueRecord(_Lenient):
    """`Queue`: where the contact waited for an agent on this leg."""

    ARN: Text | None = None
    Name: Text | None = None
    EnqueueTimestamp: AwareDatetime | None = None
    DequeueTimestamp: AwareDatetime | None = None
    Duration: Seconds | None = Field(default=None, description="seconds in queue")


class AgentRecord(_Lenient):
    """`Agent`: the agent who took this leg, and the leg's agent-side durations (seconds)."""

    ARN: Text | None = None
    Username: Text | None = None
    ConnectedToAgentTimestamp: AwareDatetime | None = None
    AgentInteractionDuration: Seconds | None = Field(default=None, description="talk time")
    CustomerHoldDuration: Seconds | None = None
    AfterContactWorkDuration: Seconds | None = None
    NumberOfHolds: int | None = Field(default=None, ge=0)


class ContactRecord(_Lenient):
    """One contact record: one leg of a call or chat (a transfer starts a new leg)."""

    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        json_schema_extra={
            "$id": "https://journeyflow.dev/schemas/formats/amazon-connect-ctr.v1.json",
            "title": "Amazon Connect contact record",
        },
    )

    ContactId: Id
    InitialContactId: Id | None = Field(
        default=None, description="first leg of the chain (absent or equal on the first leg)"
    )
    PreviousContactId: Id | None = None
    NextContactId: Id | None = Field(default=None, description="set when this leg was transferred")
    Channel: Text = Field(description="VOICE, CHAT, TASK or EMAIL")
    InitiationMethod: Text = Field(
        description="INBOUND, OUTBOUND, TRANSFER, QUEUE_TRANSFER, CALLBACK, API, MONITOR, …"
    )
    InitiationTimestamp: AwareDatetime
    ConnectedToSystemTimestamp: AwareDatetime | None = None
    DisconnectTimestamp: AwareDatetime | None = None
    LastUpdateTimestamp: AwareDatetime = Field(
        description="a re-delivered record with a later value supersedes the earlier copy"
    )
    DisconnectReason: Text | None = None
    CustomerEndpoint: Endpoint | None = None
    SystemEndpoint: Endpoint | None = None
    Queue: QueueRecord | None = None
    Agent: AgentRecord | None = None
    Attributes: dict[str, AttributeValue] | None = Field(
        default=None, description="user-defined contact attributes (string to string)"
    )

    def attribute(self, name: str) -> str | None:
        """A contact attribute as trimmed text; absent or blank is None."""
        value: Any = (self.Attributes or {}).get(name)
        if value is None or isinstance(value, bool):
            return None if value is None else str(value).lower()
        text = str(value).strip()
        return text or None


def parse(payload: Any) -> ContactRecord:
    """The record, or a `NormalizeError` at the JSON path of its first problem."""
    as_object(payload, ROOT)
    try:
        return ContactRecord.model_validate(payload)
    except ValidationError as error:
        problems = error.errors(include_url=False)
        path = ROOT + "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in problems[0]["loc"]
        )
        more = len(problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise NormalizeError(problems[0]["msg"] + suffix, path) from None


def payload_schema() -> dict[str, Any]:
    return ContactRecord.model_json_schema(mode="validation")
