"""`amazon-connect-ctr`: Amazon Connect contact records -> contact events.

A call is a chain of records, one per leg, linked by `InitialContactId`/`PreviousContactId`; the
whole chain is one contact (`contact_id` = `InitialContactId`, else `ContactId`). Records arrive at
least once and again when updated, so every event id is deterministic per leg and kind
(`<ContactId>:started`) and carries `revision` = `LastUpdateTimestamp` in epoch milliseconds: a
newer copy of a record replaces the events of an older one, a re-sent copy is a duplicate.

Per record: the first leg -> `contact.started` (+ `contact.escalated` when a caller who started
in self-service reached a queue or agent); a TRANSFER/QUEUE_TRANSFER leg -> `contact.transferred`;
every leg -> `contact.ended` with that leg's measures (a contact's handle time is the sum over its
legs); a truthy verification attribute -> `identity.verified` (once per contact, see `_verified`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from journeyflow.events import InteractionEvent
from journeyflow.normalize import amazon_connect_fields as fields_of
from journeyflow.normalize.amazon_connect_record import ContactRecord, parse, payload_schema
from journeyflow.normalize.common import ROOT, department_of, is_truthy, make_event, map_intent
from journeyflow.normalize.format import NativeFormat, NormalizeError
from journeyflow.normalize.settings import AmazonConnectSettings, NormalizeSettings

NAME = "amazon-connect-ctr"
SOURCE = "ivr"
TRANSFER_METHODS = frozenset({"TRANSFER", "QUEUE_TRANSFER"})
AGENT_INITIATED = frozenset({"OUTBOUND", "CALLBACK", "EXTERNAL_OUTBOUND", "AGENT_REPLY"})
IGNORED_METHODS = frozenset({"MONITOR"})
"""Supervisor monitoring legs are not customer contacts: such records yield no events."""


def normalize(payload: Any, settings: NormalizeSettings) -> list[InteractionEvent]:
    record = parse(payload)
    if record.InitiationMethod.upper() in IGNORED_METHODS:
        return []
    return _Leg(record, settings).events()


class _Leg:
    """One record's view of its leg: the shared fields every event of the leg carries."""

    def __init__(self, record: ContactRecord, settings: NormalizeSettings) -> None:
        self.record = record
        self.settings = settings
        connect: AmazonConnectSettings = settings.amazon_connect
        self.connect = connect
        channel = record.Channel.upper()
        if channel not in connect.channels:
            raise NormalizeError(
                f"Channel {record.Channel!r} is not mapped to a journeyflow channel; mapped: "
                f"{', '.join(sorted(connect.channels))} (setting "
                "JOURNEYFLOW_NORMALIZE__AMAZON_CONNECT__CHANNELS)",
                f"{ROOT}.Channel",
            )
        self.channel = connect.channels[channel]
        method = record.InitiationMethod.upper()
        self.is_transfer = method in TRANSFER_METHODS
        self.contact_id = record.InitialContactId or record.ContactId
        self.is_first = not self.is_transfer and self.contact_id == record.ContactId
        self_service = self.is_first and method not in AGENT_INITIATED
        self.start_channel = connect.start_channels.get(channel) if self_service else None
        queue = record.Queue
        agent = record.Agent
        self.queued_at = queue.EnqueueTimestamp if queue else None
        self.agent_at = agent.ConnectedToAgentTimestamp if agent else None
        self.queue = queue.Name if queue and queue.Name else None
        self.agent_id = (agent.Username or agent.ARN or None) if agent else None
        self.revision = fields_of.revision(record)

    def events(self) -> list[InteractionEvent]:
        events = []
        record = self.record
        if self.is_first:
            events.append(self._started())
            escalated = self._escalated()
            if escalated is not None:
                events.append(escalated)
        if self.is_transfer:
            events.append(self._transferred())
        if record.DisconnectTimestamp is not None:
            events.append(self._ended(record.DisconnectTimestamp))
        verified = self._verified()
        if verified is not None:
            events.append(verified)
        return events

    @property
    def reached_human(self) -> bool:
        return self.queued_at is not None or self.agent_at is not None

    def _started(self) -> InteractionEvent:
        return self._event(
            "started",
            "contact.started",
            self.record.InitiationTimestamp,
            channel=self.start_channel or self.channel,
            queue=None if self.start_channel else self.queue,
            agent_id=None if self.start_channel else self.agent_id,
        )

    def _escalated(self) -> InteractionEvent | None:
        """Self-service (IVR) -> human: the caller was queued for, or reached, an agent."""
        if self.start_channel is None or not self.reached_human:
            return None
        at = self.queued_at or self.agent_at
        assert at is not None
        return self._event(
            "escalated",
            "contact.escalated",
            at,
            channel=self.channel,
            **{"from": {"channel": self.start_channel}, "to": self._routing()},
        )

    def _transferred(self) -> InteractionEvent:
        return self._event(
            "transferred",
            "contact.transferred",
            self.record.InitiationTimestamp,
            channel=self.channel,
            to=self._routing(),
        )

    def _ended(self, at: datetime) -> InteractionEvent:
        in_self_service = self.start_channel is not None and not self.reached_human
        fields: dict[str, Any] = {
            "channel": self.start_channel if in_self_service else self.channel,
            "measures": fields_of.measures(self.record),
        }
        outcome = fields_of.outcome(self.record, self.connect)
        if outcome is not None:
            fields["outcome"] = outcome
        if self.record.DisconnectReason:
            fields["attributes"] = {
                **fields_of.leg_attributes(self.record),
                "disconnect_reason": self.record.DisconnectReason,
            }
        return self._event("ended", "contact.ended", at, **fields)

    def _verified(self) -> InteractionEvent | None:
        """Once per contact: Connect copies attributes onto transfer legs, so a flag seen on
        several legs cannot be told from a re-verification. Its id is per contact; its revision
        prefers the earliest leg, then that leg's latest update, so arrival order does not
        matter (see `amazon_connect_fields.verification_revision`)."""
        if not is_truthy((self.record.Attributes or {}).get(self.connect.verified_attribute)):
            return None
        at = self.record.InitiationTimestamp
        in_self_service = self.start_channel is not None
        return self._event(
            "verified",
            "identity.verified",
            at,
            event_id=f"{self.contact_id}:verified",
            revision=fields_of.verification_revision(self.record),
            channel=self.start_channel if in_self_service else self.channel,
            queue=None if in_self_service else self.queue,
            agent_id=None if in_self_service else self.agent_id,
        )

    def _routing(self) -> dict[str, Any]:
        routing = {
            "queue": self.queue,
            "department": department_of(self.queue, self.settings),
            "agent_id": self.agent_id,
            "channel": self.channel,
        }
        return {key: value for key, value in routing.items() if value is not None}

    def _event(self, suffix: str, kind: str, at: datetime, **fields: Any) -> InteractionEvent:
        record = self.record
        intent = map_intent(record.attribute(self.connect.intent_attribute), self.settings)
        base: dict[str, Any] = {
            "event_id": f"{record.ContactId}:{suffix}",
            "source": SOURCE,
            "format": NAME,
            "revision": self.revision,
            "occurred_at": at,
            "kind": kind,
            "contact_id": self.contact_id,
            "previous_contact_ref": record.attribute(self.connect.previous_contact_ref_attribute),
            "identifiers": fields_of.identifiers(record, self.connect),
            "intent": intent,
            "queue": self.queue,
            "agent_id": self.agent_id,
            "attributes": fields_of.leg_attributes(record),
        }
        merged: dict[str, Any] = {**base, **fields}
        merged["department"] = department_of(merged["queue"], self.settings)
        return make_event({k: v for k, v in merged.items() if v is not None}, ROOT)


FORMAT = NativeFormat(
    name=NAME,
    source=SOURCE,
    summary="Amazon Connect contact records (CTRs), one per leg of a call or chat",
    normalize=normalize,
    payload_schema=payload_schema(),
)
