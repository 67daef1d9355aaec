"""Helpers every format module shares: JSON accessors with paths, timestamps, vocabularies.

Accessors raise `NormalizeError` naming the JSON path of the problem (`$.Queue.Name: expected a
string, got number`), so a producer can fix a rejected payload without reading our code.
Everything here is pure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from journeyflow.events import InteractionEvent
from journeyflow.events.validation import describe
from journeyflow.normalize.format import NormalizeError
from journeyflow.normalize.settings import NormalizeSettings

ROOT = "$"
TRUTHY = frozenset({"true", "yes", "y", "1", "verified"})
MAX_TEXT = 256
_EPOCH_MIN = 0.0
_EPOCH_MAX = 253402300799.0  # 9999-12-31T23:59:59Z


def child(path: str, key: str | int) -> str:
    """The JSON path of `key` under `path`: `$.Queue.Name`, `$.events[2]`."""
    return f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    names: dict[type, str] = {str: "string", list: "array", dict: "object"}
    return names.get(type(value), type(value).__name__)


def as_object(value: Any, path: str = ROOT) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise NormalizeError(f"expected an object, got {json_type(value)}", path)
    return value


def require(obj: Mapping[str, Any], key: str, path: str = ROOT) -> Any:
    """`obj[key]`, which must be present and not null."""
    value = obj.get(key)
    if value is None:
        raise NormalizeError("required field is missing", child(path, key))
    return value


def optional_object(obj: Mapping[str, Any], key: str, path: str = ROOT) -> Mapping[str, Any]:
    """`obj[key]` as an object; an absent or null field is an empty object."""
    value = obj.get(key)
    return {} if value is None else as_object(value, child(path, key))


def require_str(obj: Mapping[str, Any], key: str, path: str = ROOT) -> str:
    value = _text(require(obj, key, path), child(path, key))
    if value is None:
        raise NormalizeError("must not be empty", child(path, key))
    return value


def optional_str(obj: Mapping[str, Any], key: str, path: str = ROOT) -> str | None:
    """`obj[key]` as a trimmed string; absent, null or blank is None."""
    value = obj.get(key)
    return None if value is None else _text(value, child(path, key))


def optional_number(obj: Mapping[str, Any], key: str, path: str = ROOT) -> float | None:
    """`obj[key]` as a finite number (numeric strings accepted); absent or null is None."""
    value = obj.get(key)
    if value is None:
        return None
    where = child(path, key)
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise NormalizeError(f"expected a number, got {value!r}", where) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NormalizeError(f"expected a number, got {json_type(value)}", where)
    number = float(value)
    if not math.isfinite(number):
        raise NormalizeError("expected a finite number", where)
    return number


def _text(value: Any, path: str) -> str | None:
    if not isinstance(value, str):
        raise NormalizeError(f"expected a string, got {json_type(value)}", path)
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise NormalizeError(f"longer than {MAX_TEXT} characters", path)
    return value or None


def parse_timestamp(value: Any, path: str = ROOT) -> datetime:
    """RFC 3339 / ISO 8601 with an offset (`Z` allowed), or epoch seconds; returned in UTC."""
    if isinstance(value, bool):
        raise NormalizeError("expected a timestamp, got boolean", path)
    if isinstance(value, int | float):
        if not math.isfinite(value) or not _EPOCH_MIN <= value <= _EPOCH_MAX:
            raise NormalizeError(f"epoch seconds {value!r} out of range", path)
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str):
        raise NormalizeError(f"expected a timestamp, got {json_type(value)}", path)
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise NormalizeError(
            f"not an RFC 3339 timestamp: {value[:64]!r} (e.g. 2024-05-01T09:30:00Z)", path
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise NormalizeError(f"timestamp {value[:64]!r} must carry a UTC offset", path)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise NormalizeError(f"timestamp {value[:64]!r} out of range", path) from None


def optional_timestamp(obj: Mapping[str, Any], key: str, path: str = ROOT) -> datetime | None:
    value = obj.get(key)
    return None if value is None else parse_timestamp(value, child(path, key))


def epoch_millis(moment: datetime) -> int:
    """A timestamp as whole epoch milliseconds: the `revision` of a record updated at `moment`."""
    return int(moment.timestamp() * 1000)


def is_truthy(value: Any) -> bool:
    """A flag as producers write it: true, "true", "yes", "1", 1, "verified"…"""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return isinstance(value, str) and value.strip().lower() in TRUTHY


def map_intent(raw: Any, settings: NormalizeSettings) -> str | None:
    """A raw reason through the configured intent map (case-insensitive); unmapped values are
    kept, lower-cased with spaces as underscores. Blank or non-string -> None."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    key = raw.strip().lower()
    for name, intent in settings.intent_map.items():
        if name.strip().lower() == key:
            return intent
    return "_".join(key.split())[:MAX_TEXT]


def department_of(queue: str | None, settings: NormalizeSettings) -> str | None:
    """The configured department of a queue (exact name first, then case-insensitive)."""
    if not queue:
        return None
    if queue in settings.queue_departments:
        return settings.queue_departments[queue]
    key = queue.strip().lower()
    for name, department in settings.queue_departments.items():
        if name.strip().lower() == key:
            return department
    return None


def make_event(fields: Mapping[str, Any], path: str = ROOT) -> InteractionEvent:
    """Build a unified event; a value the event model refuses becomes a `NormalizeError`."""
    try:
        return InteractionEvent.model_validate(dict(fields))
    except ValidationError as error:
        raise NormalizeError("; ".join(describe(error)), path) from None
