"""The published JSON Schema (`schemas/interaction-event.v1.json`) matches the model."""

from __future__ import annotations

from pathlib import Path

import orjson

from journeyflow.events.model import KINDS, SCHEMA_ID
from journeyflow.schema import stale

SCHEMAS = Path(__file__).parents[2] / "schemas"
EVENT_SCHEMA = SCHEMAS / "interaction-event.v1.json"


def test_the_committed_schema_files_are_current() -> None:
    assert stale(SCHEMAS) == [], "regenerate the schemas from the models"


def test_stale_notices_a_missing_schema_file(tmp_path: Path) -> None:
    assert stale(tmp_path) == ["interaction-event.v1.json"]


def test_the_event_schema_has_its_published_id() -> None:
    schema = orjson.loads(EVENT_SCHEMA.read_bytes())

    assert schema["$id"] == SCHEMA_ID == "https://journeyflow.dev/schemas/interaction-event.v1.json"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_event_schema_forbids_unknown_top_level_fields() -> None:
    schema = orjson.loads(EVENT_SCHEMA.read_bytes())

    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"event_id", "source", "occurred_at", "kind", "channel"}
    assert "from" in schema["properties"]
    assert "from_" not in schema["properties"]


def test_the_event_schema_lists_the_kinds() -> None:
    kind = orjson.loads(EVENT_SCHEMA.read_bytes())["properties"]["kind"]

    assert {"enum": list(KINDS)} in kind["anyOf"]
