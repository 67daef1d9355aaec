"""Turn raw JSON items into events, with error messages a producer can act on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from journeyflow.events.model import InteractionEvent


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input item that is not a valid event, and why."""

    index: int
    event_id: str | None
    errors: list[str]

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "event_id": self.event_id, "errors": self.errors}


def describe(error: ValidationError) -> list[str]:
    """One readable line per problem: `path: message`."""
    lines = []
    for item in error.errors(include_url=False):
        path = ".".join(str(part) for part in item["loc"]) or "(event)"
        if item["type"] == "extra_forbidden":
            top_level = len(item["loc"]) == 1
            hint = " (put custom data in 'attributes')" if top_level else ""
            lines.append(f"{path}: unknown field{hint}")
        elif item["type"] == "timezone_aware":
            lines.append(f"{path}: timestamp must carry a UTC offset, e.g. 2024-05-01T09:30:00Z")
        else:
            lines.append(f"{path}: {item['msg'].removeprefix('Value error, ')}")
    return lines


_EVENTS = TypeAdapter(list[InteractionEvent])


def parse_events(items: Sequence[Any]) -> list[InteractionEvent | Rejected]:
    """Validate every item; never raises for bad input. All at once when all are valid (one
    call into pydantic-core), else item by item for each item's own errors."""
    try:
        return list(_EVENTS.validate_python(items))
    except ValidationError:
        return [parse_event(index, item) for index, item in enumerate(items)]


def parse_event(index: int, item: Any) -> InteractionEvent | Rejected:
    """Validate one JSON item; never raises for bad input."""
    event_id = item.get("event_id") if isinstance(item, dict) else None
    if not isinstance(event_id, str):
        event_id = None
    if not isinstance(item, dict):
        return Rejected(index, None, [f"(event): expected a JSON object, got {_json_type(item)}"])
    try:
        return InteractionEvent.model_validate(item)
    except ValidationError as error:
        return Rejected(index, event_id, describe(error))


def _json_type(value: Any) -> str:
    names = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
