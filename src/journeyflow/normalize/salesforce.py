"""`salesforce-cdc`: Salesforce Change Data Capture messages for `Case` -> `case.*` events.

A change event carries a `ChangeEventHeader` (entityName, recordIds, changeType, commitTimestamp,
transactionKey, sequenceNumber, changedFields) and, at top level, the record fields that were set
(CREATE) or changed (UPDATE). One message may describe the same change to several records: it
gives one event per record id, with the id `<transactionKey>:<sequenceNumber>:<recordId>` (stable,
so a replayed message is a duplicate).

Cases are timeline entries, not contacts (DESIGN §4): no `contact_id`. Because an UPDATE holds
only the changed fields, most updates name no contact; `case_identifier` (settings) makes the case
id itself an identifier so they still join the right customer.

`Contact` change events carry identity only, and no unified kind means "these identifiers belong
together" without also meaning a step of the journey, so they yield no events (documented). Other
entities are rejected, naming the supported ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from journeyflow.events import InteractionEvent
from journeyflow.normalize.common import (
    as_object,
    child,
    is_truthy,
    make_event,
    map_intent,
    optional_str,
    parse_timestamp,
    require,
    require_str,
)
from journeyflow.normalize.format import NativeFormat, NormalizeError
from journeyflow.normalize.salesforce_envelope import message_of, payload_schema, split
from journeyflow.normalize.settings import NormalizeSettings, SalesforceSettings

NAME = "salesforce-cdc"
SOURCE = "crm"
CASE = "Case"
IDENTITY_ONLY = frozenset({"Contact"})
CHANGE_TYPES = frozenset({"CREATE", "UPDATE", "DELETE", "UNDELETE"})
_CASE_ATTRIBUTES = ("CaseNumber", "Status", "Priority", "Origin", "Reason", "Type", "OwnerId")
_MAX_CHANGED = 20


def normalize(payload: Any, settings: NormalizeSettings) -> list[InteractionEvent]:
    """One change event message (bare or in its streaming envelope) -> its case events."""
    message, path, replay_id = message_of(payload)
    header_path = child(path, "ChangeEventHeader")
    header = as_object(require(message, "ChangeEventHeader", path), header_path)
    entity = require_str(header, "entityName", header_path)
    if entity in IDENTITY_ONLY:
        return []
    if entity != CASE:
        raise NormalizeError(
            f"unsupported entity {entity[:80]!r}; supported: {CASE} (and {', '.join(IDENTITY_ONLY)}"
            ", accepted and ignored)",
            child(header_path, "entityName"),
        )
    change_type = require_str(header, "changeType", header_path)
    gap = change_type.startswith("GAP_")
    change = change_type.removeprefix("GAP_")
    if change == "OVERFLOW":
        raise NormalizeError(
            "GAP_OVERFLOW names no records; re-read the changed Cases from Salesforce",
            child(header_path, "changeType"),
        )
    if change not in CHANGE_TYPES:
        raise NormalizeError(
            f"unknown changeType {change_type[:40]!r}", child(header_path, "changeType")
        )
    commit = parse_timestamp(
        _millis(
            require(header, "commitTimestamp", header_path), child(header_path, "commitTimestamp")
        ),
        child(header_path, "commitTimestamp"),
    )
    transaction = require_str(header, "transactionKey", header_path)
    sequence = _sequence(require(header, "sequenceNumber", header_path), header_path)
    record_ids = _record_ids(require(header, "recordIds", header_path), header_path)

    config = settings.salesforce
    kinds = _kinds(change, message, header, path, config)
    common = _common_fields(message, path, settings)
    attributes = {"change_type": change_type, **common.pop("attributes")}
    if gap:
        attributes["gap"] = True
    changed = header.get("changedFields")
    if change == "UPDATE" and isinstance(changed, list):
        attributes["changed_fields"] = [f[:80] for f in changed if isinstance(f, str)][
            :_MAX_CHANGED
        ]
    if replay_id is not None:
        attributes["replay_id"] = replay_id
    return [
        _event(
            record_id,
            f"{transaction}:{sequence}:{record_id}" + ("" if n == 0 else f":{kind}"),
            kind,
            commit,
            common,
            attributes,
            config,
        )
        for record_id in record_ids
        for n, kind in enumerate(kinds)
    ]


def _event(
    record_id: str,
    event_id: str,
    kind: str,
    commit: datetime,
    common: Mapping[str, Any],
    attributes: Mapping[str, Any],
    config: SalesforceSettings,
) -> InteractionEvent:
    identifiers = dict(common["identifiers"])
    if config.case_identifier:
        identifiers[config.case_identifier] = record_id
    return make_event(
        {
            **common,
            "event_id": event_id,
            "source": SOURCE,
            "format": NAME,
            "occurred_at": commit,
            "kind": kind,
            "identifiers": identifiers,
            "outcome": "resolved" if kind == "case.resolved" else None,
            "attributes": {"case_id": record_id, **attributes},
        }
    )


def _kinds(
    change: str,
    message: Mapping[str, Any],
    header: Mapping[str, Any],
    path: str,
    config: SalesforceSettings,
) -> list[str]:
    """A case created already closed (a call logged after the fact) is opened and resolved; an
    update resolves it only if it changed the status (enriched messages repeat unchanged ones)."""
    status = optional_str(message, "Status", path)
    closed_statuses = {s.strip().lower() for s in config.closed_statuses}
    closed = is_truthy(message.get("IsClosed")) or (
        status is not None and status.lower() in closed_statuses
    )
    if change == "CREATE":
        return ["case.opened", "case.resolved"] if closed else ["case.opened"]
    changed = header.get("changedFields")
    if (
        isinstance(changed, list)
        and changed
        and not {"Status", "IsClosed"} & set(map(str, changed))
    ):
        closed = False
    if change == "UPDATE" and closed:
        return ["case.resolved"]
    return ["case.updated"]


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


def _millis(value: Any, path: str) -> Any:
    """commitTimestamp is epoch milliseconds (Pub/Sub and CometD both); ISO text passes through."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value / 1000
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip()) / 1000
    return value


def _sequence(value: Any, header_path: str) -> int:
    text = (
        str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    )
    if not (text.isascii() and text.isdigit()):
        raise NormalizeError("expected a whole number", child(header_path, "sequenceNumber"))
    return int(text)


def _record_ids(value: Any, header_path: str) -> list[str]:
    path = child(header_path, "recordIds")
    ids = [value] if isinstance(value, str) else value
    if not isinstance(ids, list) or not ids:
        raise NormalizeError("expected a non-empty array of record ids", path)
    out = []
    for i, item in enumerate(ids):
        if not isinstance(item, str) or not item.strip() or len(item) > 64:
            raise NormalizeError("expected a record id", child(path, i))
        if item.endswith("*"):
            raise NormalizeError(
                f"wildcard record id {item!r} (a field type conversion) names no record", path
            )
        out.append(item.strip())
    return list(dict.fromkeys(out))


FORMAT = NativeFormat(
    name=NAME,
    source=SOURCE,
    summary="Salesforce Change Data Capture events for Case (Contact accepted, ignored)",
    normalize=normalize,
    split=split,
    payload_schema=payload_schema(),
)
