"""JSON Schemas published under `schemas/`, generated from the models.

`interaction-event.v1.json` is the unified event; `formats/<name>.v1.json` is the native payload
each registered format accepts (`NativeFormat.payload_schema`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from journeyflow.events import InteractionEvent
from journeyflow.normalize import registry

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE_URL = "https://journeyflow.dev/schemas/"
FORMATS_DIR = "formats"
SCHEMAS: dict[str, type[InteractionEvent]] = {"interaction-event.v1.json": InteractionEvent}


def _dump(schema: dict[str, Any]) -> bytes:
    return orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def render(model: type[InteractionEvent]) -> bytes:
    return _dump({"$schema": DIALECT, **model.model_json_schema(by_alias=True, mode="validation")})


def format_schema(name: str) -> dict[str, Any] | None:
    """The published payload schema of format `name`, with its own `$id`; None if it has none."""
    payload = registry.get(name).payload_schema
    if payload is None:
        return None
    return {
        **payload,
        "$schema": DIALECT,
        "$id": f"{BASE_URL}{FORMATS_DIR}/{name}.v1.json",
        "title": payload.get("title", name),
    }


def expected() -> dict[str, bytes]:
    """Every published file (path relative to `schemas/`) and its content."""
    files = {name: render(model) for name, model in SCHEMAS.items()}
    for name in registry.names():
        schema = format_schema(name)
        if schema is not None:
            files[f"{FORMATS_DIR}/{name}.v1.json"] = _dump(schema)
    return files


def stale(directory: Path) -> list[str]:
    """Schema files that differ from what the models generate now, or that no format owns."""
    files = expected()
    differing = [
        name
        for name, content in files.items()
        if not (directory / name).exists() or (directory / name).read_bytes() != content
    ]
    published = directory / FORMATS_DIR
    orphans = (
        sorted(f"{FORMATS_DIR}/{p.name}" for p in published.glob("*.json"))
        if published.is_dir()
        else []
    )
    return differing + [name for name in orphans if name not in files]


def write(directory: Path) -> list[Path]:
    """(Re)write every schema file and remove format schemas no registered format owns."""
    files = expected()
    written = []
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    for orphan in (directory / FORMATS_DIR).glob("*.json"):
        if f"{FORMATS_DIR}/{orphan.name}" not in files:
            orphan.unlink()
    return written


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its local `#/$defs/…` references replaced by their targets, so it can sit
    inside another document (OpenAPI) where `#/` means that document's root. A cycle is cut to
    `{"type": "object"}`."""
    definitions: dict[str, Any] = schema.get("$defs", {})

    def resolve(node: Any, seen: frozenset[str]) -> Any:
        if isinstance(node, list):
            return [resolve(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            if name in seen or name not in definitions:
                return {"type": "object"}
            rest = {k: resolve(v, seen) for k, v in node.items() if k != "$ref"}
            return {**resolve(definitions[name], seen | {name}), **rest}
        return {k: resolve(v, seen) for k, v in node.items() if k not in ("$defs", "$schema")}

    result: dict[str, Any] = resolve(schema, frozenset())
    return result
