"""JSON Schemas published under `schemas/`, generated from the pydantic models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from journeyflow.events import InteractionEvent

SCHEMAS: dict[str, type[InteractionEvent]] = {"interaction-event.v1.json": InteractionEvent}


def render(model: type[InteractionEvent]) -> bytes:
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **model.model_json_schema(by_alias=True, mode="validation"),
    }
    return orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def stale(directory: Path) -> list[str]:
    """Schema files that differ from what the models generate now."""
    return [
        name
        for name, model in SCHEMAS.items()
        if not (directory / name).exists() or (directory / name).read_bytes() != render(model)
    ]


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        (directory / name).write_bytes(render(model))
        written.append(directory / name)
    return written
