"""Reading a change event's `ChangeEventHeader`: what changed, where, when, in which transaction.

Checked strictly, because the event ids come from it: `<transactionKey>:<sequenceNumber>:<id>`
must be the same every time a message is replayed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from journeyflow.normalize.common import (
    as_object,
    child,
    parse_timestamp,
    require,
    require_str,
)
from journeyflow.normalize.format import NormalizeError

HEADER = "ChangeEventHeader"
CHANGE_TYPES = frozenset({"CREATE", "UPDATE", "DELETE", "UNDELETE"})
MAX_CHANGED = 20


@dataclass(frozen=True, slots=True)
class Change:
    entity: str
    change_type: str
    """As sent, e.g. `UPDATE` or `GAP_UPDATE`."""
    committed_at: datetime
    transaction: str
    sequence: int
    record_ids: list[str]
    changed_fields: list[str] | None
    """Field names an UPDATE changed, when the header lists them."""

    @property
    def change(self) -> str:
        """CREATE, UPDATE, DELETE or UNDELETE (gap events as their plain change)."""
        return self.change_type.removeprefix("GAP_")

    @property
    def gap(self) -> bool:
        """A gap event: Salesforce could not send the field values; only the header is there."""
        return self.change_type.startswith("GAP_")

    def event_id(self, record_id: str) -> str:
        return f"{self.transaction}:{self.sequence}:{record_id}"


def entity_of(message: Mapping[str, Any], path: str) -> str:
    header_path = child(path, HEADER)
    header = as_object(require(message, HEADER, path), header_path)
    return require_str(header, "entityName", header_path)


def read_change(message: Mapping[str, Any], path: str) -> Change:
    """The header of `message` (at JSON path `path`), or a `NormalizeError` naming the field."""
    header_path = child(path, HEADER)
    header = as_object(require(message, HEADER, path), header_path)
    change_type = require_str(header, "changeType", header_path)
    type_path = child(header_path, "changeType")
    if change_type == "GAP_OVERFLOW":
        raise NormalizeError(
            "GAP_OVERFLOW names no records; re-read the changed records from Salesforce", type_path
        )
    if change_type.removeprefix("GAP_") not in CHANGE_TYPES:
        raise NormalizeError(f"unknown changeType {change_type[:40]!r}", type_path)
    time_path = child(header_path, "commitTimestamp")
    changed = header.get("changedFields")
    return Change(
        entity=require_str(header, "entityName", header_path),
        change_type=change_type,
        committed_at=parse_timestamp(
            _seconds(require(header, "commitTimestamp", header_path)), time_path
        ),
        transaction=require_str(header, "transactionKey", header_path),
        sequence=_sequence(require(header, "sequenceNumber", header_path), header_path),
        record_ids=_record_ids(require(header, "recordIds", header_path), header_path),
        changed_fields=[f[:80] for f in changed if isinstance(f, str)][:MAX_CHANGED]
        if isinstance(changed, list) and changed
        else None,
    )


def _seconds(value: Any) -> Any:
    """commitTimestamp is epoch milliseconds (Pub/Sub and CometD alike); ISO text passes through."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value / 1000
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip()) / 1000
    return value


def _sequence(value: Any, header_path: str) -> int:
    whole = isinstance(value, int | str) and not isinstance(value, bool)
    text = str(value).strip() if whole else ""
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
