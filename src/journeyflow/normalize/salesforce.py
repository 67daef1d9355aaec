"""`salesforce-cdc`: Salesforce Change Data Capture messages for `Case` -> `case.*` events.

A change event carries a `ChangeEventHeader` (entityName, recordIds, changeType, commitTimestamp,
transactionKey, sequenceNumber, changedFields) and, at top level, the record fields that were set
(CREATE) or changed (UPDATE). One message may describe the same change to several records: it
gives one event per record id, with the id `<transactionKey>:<sequenceNumber>:<recordId>` (stable,
so a replayed message is a duplicate).

Cases are timeline entries, not contacts (DESIGN §4): no `contact_id`. Because an UPDATE holds
only the changed fields, most updates name no contact; the case id itself is an identifier
(`crm_case_id`, setting `case_identifier`) so they still join the right customer.

`Contact` change events carry identity only: they yield `identity.linked` events (the contact's
e-mail and phones belong to its CRM contact id), which stitch identities and count in no metric.
Other entities are rejected, naming the supported ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from journeyflow.events import InteractionEvent
from journeyflow.normalize.common import (
    child,
    is_truthy,
    make_event,
    map_intent,
    optional_str,
)
from journeyflow.normalize.format import NativeFormat, NormalizeError
from journeyflow.normalize.salesforce_envelope import message_of, payload_schema, split
from journeyflow.normalize.salesforce_header import HEADER, Change, entity_of, read_change
from journeyflow.normalize.settings import NormalizeSettings, SalesforceSettings

NAME = "salesforce-cdc"
SOURCE = "crm"
CASE = "Case"
CONTACT = "Contact"
_CASE_ATTRIBUTES = ("CaseNumber", "Status", "Priority", "Origin", "Reason", "Type", "OwnerId")


def normalize(payload: Any, settings: NormalizeSettings) -> list[InteractionEvent]:
    """One change event message (bare or in its streaming envelope) -> its case events."""
    message, path, replay_id = message_of(payload)
    entity = entity_of(message, path)
    if entity == CONTACT:
        return _contact_links(message, path, replay_id, settings)
    if entity != CASE:
        raise NormalizeError(
            f"unsupported entity {entity[:80]!r}; supported: {CASE}, {CONTACT}",
            child(child(path, HEADER), "entityName"),
        )
    change = read_change(message, path)
    common = _common_fields(message, path, settings)
    attributes = {"change_type": change.change_type, **common.pop("attributes")}
    if change.gap:
        attributes["gap"] = True
    if change.change == "UPDATE" and change.changed_fields:
        attributes["changed_fields"] = change.changed_fields
    if replay_id is not None:
        attributes["replay_id"] = replay_id
    kinds = _kinds(change, message, path, settings.salesforce)
    return [
        _event(
            record_id,
            change.event_id(record_id) + ("" if n == 0 else f":{kind}"),
            kind,
            change.committed_at,
            {**common, "attributes": {"case_id": record_id, **attributes}},
            settings.salesforce,
        )
        for record_id in change.record_ids
        for n, kind in enumerate(kinds)
    ]


def _contact_links(
    message: Mapping[str, Any], path: str, replay_id: Any, settings: NormalizeSettings
) -> list[InteractionEvent]:
    """A Contact created or changed: its e-mail and phones belong to that CRM contact."""
    change = read_change(message, path)
    if change.change not in ("CREATE", "UPDATE", "UNDELETE"):
        return []
    found = {
        "email": optional_str(message, "Email", path),
        "phone": optional_str(message, "Phone", path) or optional_str(message, "MobilePhone", path),
    }
    if settings.salesforce.account_identifier:
        found[settings.salesforce.account_identifier] = optional_str(message, "AccountId", path)
    linked = {k: v for k, v in found.items() if v}
    if not linked:
        return []  # e.g. a changed title: nothing about identity
    attributes: dict[str, Any] = {"change_type": change.change_type}
    if replay_id is not None:
        attributes["replay_id"] = replay_id
    return [
        make_event(
            {
                "event_id": change.event_id(record_id),
                "source": SOURCE,
                "format": NAME,
                "occurred_at": change.committed_at,
                "kind": "identity.linked",
                "channel": settings.salesforce.default_channel,
                "identifiers": {"crm_contact_id": record_id, **linked},
                "attributes": {"contact_record_id": record_id, **attributes},
            }
        )
        for record_id in change.record_ids
    ]


def _event(
    record_id: str,
    event_id: str,
    kind: str,
    committed_at: datetime,
    fields: Mapping[str, Any],
    config: SalesforceSettings,
) -> InteractionEvent:
    identifiers = dict(fields["identifiers"])
    if config.case_identifier:
        identifiers[config.case_identifier] = record_id
    return make_event(
        {
            **fields,
            "event_id": event_id,
            "source": SOURCE,
            "format": NAME,
            "occurred_at": committed_at,
            "kind": kind,
            "identifiers": identifiers,
            "outcome": "resolved" if kind == "case.resolved" else None,
        }
    )


def _kinds(
    change: Change, message: Mapping[str, Any], path: str, config: SalesforceSettings
) -> list[str]:
    """A case created already closed (a call logged after the fact) is opened and resolved; an
    update resolves it only if it changed the status (enriched messages repeat unchanged ones)."""
    status = optional_str(message, "Status", path)
    closed_statuses = {s.strip().lower() for s in config.closed_statuses}
    closed = is_truthy(message.get("IsClosed")) or (
        status is not None and status.lower() in closed_statuses
    )
    if change.change == "CREATE":
        return ["case.opened", "case.resolved"] if closed else ["case.opened"]
    if change.changed_fields and not {"Status", "IsClosed"} & set(change.changed_fields):
        closed = False
    return ["case.resolved"] if change.change == "UPDATE" and closed else ["case.updated"]


def _common_fields(
    message: Mapping[str, Any], path: str, settings: NormalizeSettings
) -> dict[str, Any]:
    """Channel, intent, identifiers and attributes from the record fields in the message."""
    config = settings.salesforce
    origin = optional_str(message, "Origin", path)
    channel = config.default_channel
    if origin is not None:
        by_origin = {name.strip().lower(): value for name, value in config.origin_channels.items()}
        channel = by_origin.get(origin.lower(), config.default_channel)
    reason = optional_str(message, "Reason", path) or optional_str(message, "Type", path)
    identifiers = {
        "crm_contact_id": optional_str(message, "ContactId", path),
        "email": optional_str(message, "SuppliedEmail", path),
        "phone": optional_str(message, "SuppliedPhone", path),
    }
    if config.account_identifier:
        identifiers[config.account_identifier] = optional_str(message, "AccountId", path)
    attributes: dict[str, Any] = {}
    for field in _CASE_ATTRIBUTES:
        value = optional_str(message, field, path)
        if value is not None:
            attributes[_snake(field)] = value
    if isinstance(message.get("IsEscalated"), bool):
        attributes["is_escalated"] = message["IsEscalated"]
    return {
        "channel": channel,
        "intent": map_intent(reason, settings),
        "identifiers": {k: v for k, v in identifiers.items() if v},
        "attributes": attributes,
    }


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


FORMAT = NativeFormat(
    name=NAME,
    source=SOURCE,
    summary="Salesforce Change Data Capture events for Case (and Contact, for identity)",
    normalize=normalize,
    split=split,
    payload_schema=payload_schema(),
)
