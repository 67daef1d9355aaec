"""`zendesk-sunshine`: Sunshine Conversations v2 webhook events -> chat contact events.

A conversation is one contact (`contact_id` = conversation id). Mapped events:

- `conversation:create` -> `contact.started`, on channel `bot` when a bot (any switchboard
  integration not configured as human) is in control, else `chat`; identifiers from the user;
- `switchboard:passControl` / `switchboard:acceptControl` handing the conversation to a human
  integration (e.g. `zd:agentWorkspace`) -> `contact.escalated` (from bot to chat);
- `switchboard:passControl` / `switchboard:releaseControl` with reason `ticketClosed` or
  `transferToEmail`, and `conversation:remove` -> `contact.ended` (outcome resolved /
  transferred / none).

Every other documented trigger (messages, reads, typing, deliveries, client and user changes,
offers, failures, control passed to a bot) is accepted and yields no event: messages are content,
not steps of a journey, and the user who writes them is the one `conversation:create` named.
Unknown types and v1 payloads are rejected. Event ids are Sunshine's own event ids, which a
retried delivery repeats, so a retry is a duplicate, never a second escalation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from journeyflow.events import InteractionEvent
from journeyflow.normalize.common import (
    ROOT,
    as_object,
    child,
    make_event,
    map_intent,
    optional_object,
    optional_str,
    parse_timestamp,
    require,
    require_str,
)
from journeyflow.normalize.format import NativeFormat, NormalizeError
from journeyflow.normalize.settings import NormalizeSettings, ZendeskSunshineSettings
from journeyflow.normalize.zendesk_sunshine_webhook import TRIGGERS, payload_schema, split

NAME = "zendesk-sunshine"
SOURCE = "chat"
ENDING_REASONS = {"ticketClosed": "resolved", "transferToEmail": "transferred"}
_PHONE_IDENTITIES = frozenset({"phone", "phonenumber", "sms"})


@dataclass(frozen=True, slots=True)
class _Event:
    """One webhook event, read as far as every mapped type needs it."""

    type: str
    body: Mapping[str, Any]
    """`payload`, at JSON path `$.payload`."""
    conversation: Mapping[str, Any]
    in_control: Mapping[str, Any]
    """The conversation's `activeSwitchboardIntegration` (empty when none)."""
    settings: NormalizeSettings


PAYLOAD = child(ROOT, "payload")
CONVERSATION = child(PAYLOAD, "conversation")
Fields = dict[str, Any] | None
"""The event-specific fields of the one event a webhook event means, or None for no event."""


def normalize(payload: Any, settings: NormalizeSettings) -> list[InteractionEvent]:
    """One webhook event (an element of a delivery's `events`) -> its contact events."""
    event = as_object(payload, ROOT)
    if "trigger" in event:
        raise NormalizeError(
            "a Sunshine Conversations v1 webhook payload; set the webhook's version to v2"
        )
    type_ = require_str(event, "type")
    if type_ not in TRIGGERS:
        raise NormalizeError(
            f"unknown Sunshine Conversations event type {type_[:80]!r}", child(ROOT, "type")
        )
    handler = _HANDLERS.get(type_)
    if handler is None:
        return []
    body = as_object(require(event, "payload"), PAYLOAD)
    conversation = as_object(require(body, "conversation", PAYLOAD), CONVERSATION)
    in_control = optional_object(conversation, "activeSwitchboardIntegration", CONVERSATION)
    base = {
        "event_id": require_str(event, "id"),
        "source": SOURCE,
        "format": NAME,
        "occurred_at": parse_timestamp(require(event, "createdAt"), child(ROOT, "createdAt")),
        "contact_id": require_str(conversation, "id", CONVERSATION),
    }
    fields = handler(_Event(type_, body, conversation, in_control, settings))
    if fields is None:
        return []
    return [make_event({**base, **fields})]


def _started(event: _Event) -> Fields:
    config = event.settings.zendesk_sunshine
    bot = bool(event.in_control) and not _is_human(event.in_control, config)
    metadata = optional_object(event.conversation, "metadata", CONVERSATION)
    raw_intent = metadata.get(config.intent_metadata_key) if config.intent_metadata_key else None
    source = optional_object(event.body, "source", PAYLOAD)
    attributes = {
        "creation_reason": optional_str(event.body, "creationReason", PAYLOAD),
        "sunshine_channel": optional_str(source, "type", child(PAYLOAD, "source")),
        "conversation_type": optional_str(event.conversation, "type", CONVERSATION),
        "switchboard_integration": _integration_name(event.in_control),
    }
    return {
        "kind": "contact.started",
        "channel": "bot" if bot else "chat",
        "intent": map_intent(raw_intent, event.settings),
        "identifiers": _identifiers(event.body, config),
        "attributes": {k: v for k, v in attributes.items() if v},
    }


def _control(event: _Event) -> Fields:
    """Control passed, accepted or released: an ending, an escalation, or nothing."""
    reason = optional_str(event.body, "reason", PAYLOAD)
    if reason in ENDING_REASONS or event.type == "switchboard:releaseControl":
        return _ended(reason)
    if not event.in_control or not _is_human(event.in_control, event.settings.zendesk_sunshine):
        return None  # control went to a bot or another system: not a step of the journey
    attributes = {
        "switchboard_integration": _integration_name(event.in_control),
        "integration_type": _integration_type(event.in_control),
    }
    return {
        "kind": "contact.escalated",
        "channel": "chat",
        "from": {"channel": "bot"},
        "to": {"channel": "chat"},
        "attributes": {k: v for k, v in attributes.items() if v},
    }


def _removed(event: _Event) -> Fields:
    return {**_ended(None), "attributes": {"removed": True}}


def _ended(reason: str | None) -> dict[str, Any]:
    return {
        "kind": "contact.ended",
        "channel": "chat",
        "outcome": ENDING_REASONS.get(reason) if reason else None,
        "attributes": {"reason": reason} if reason else {},
    }


def _is_human(integration: Mapping[str, Any], config: ZendeskSunshineSettings) -> bool:
    name = (_integration_name(integration) or "").lower()
    names = {n.strip().lower() for n in config.agent_integration_names}
    return _integration_type(integration) in config.agent_integration_types or name in names


def _integration_name(integration: Mapping[str, Any]) -> str | None:
    value = integration.get("name")
    return value[:256] if isinstance(value, str) and value.strip() else None


def _integration_type(integration: Mapping[str, Any]) -> str | None:
    value = integration.get("integrationType")
    return value[:256] if isinstance(value, str) and value.strip() else None


def _identifiers(body: Mapping[str, Any], config: ZendeskSunshineSettings) -> dict[str, str]:
    """chat_user_id, the externalId (as the configured type), e-mail and phone of the user."""
    user_path = child(PAYLOAD, "user")
    user = optional_object(body, "user", PAYLOAD)
    profile = optional_object(user, "profile", user_path)
    found = {
        "chat_user_id": optional_str(user, "id", user_path),
        "email": optional_str(profile, "email", child(user_path, "profile")),
    }
    if config.external_id_identifier:
        found[config.external_id_identifier] = optional_str(user, "externalId", user_path)
    identities = user.get("identities")
    for identity in identities if isinstance(identities, list) else []:
        if not isinstance(identity, dict) or not isinstance(identity.get("value"), str):
            continue
        kind = str(identity.get("type", "")).lower()
        type_ = "email" if kind == "email" else "phone" if kind in _PHONE_IDENTITIES else None
        if type_ and not found.get(type_):
            found[type_] = identity["value"].strip()[:320]
    return {name: value for name, value in found.items() if value}


_HANDLERS: dict[str, Callable[[_Event], Fields]] = {
    "conversation:create": _started,
    "conversation:remove": _removed,
    "switchboard:passControl": _control,
    "switchboard:acceptControl": _control,
    "switchboard:releaseControl": _control,
}

FORMAT = NativeFormat(
    name=NAME,
    source=SOURCE,
    summary="Zendesk Sunshine Conversations v2 webhooks: conversations, bot -> agent handoffs",
    normalize=normalize,
    split=split,
    payload_schema=payload_schema(),
)
