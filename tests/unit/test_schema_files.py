"""The published JSON Schemas (`schemas/interaction-event.v1.json`, `schemas/formats/*.v1.json`)
match the models and the registered formats."""

from __future__ import annotations

from pathlib import Path

import orjson

from journeyflow.events.model import KINDS, SCHEMA_ID
from journeyflow.normalize.registry import FORMATS
from journeyflow.schema import stale, write

SCHEMAS = Path(__file__).parents[2] / "schemas"
EVENT_SCHEMA = SCHEMAS / "interaction-event.v1.json"


def test_the_committed_schema_files_are_current() -> None:
    assert stale(SCHEMAS) == [], "regenerate the schemas from the models"


def test_stale_notices_every_missing_schema_file(tmp_path: Path) -> None:
    expected = ["interaction-event.v1.json"] + [
        f"formats/{name}.v1.json" for name, fmt in FORMATS.items() if fmt.payload_schema
    ]

    assert sorted(stale(tmp_path)) == sorted(expected)


def test_stale_notices_a_changed_format_schema_and_an_orphan(tmp_path: Path) -> None:
    write(tmp_path)
    (tmp_path / "formats" / "amazon-connect-ctr.v1.json").write_text("{}")
    (tmp_path / "formats" / "retired-format.v1.json").write_text("{}")

    assert stale(tmp_path) == [
        "formats/amazon-connect-ctr.v1.json",
        "formats/retired-format.v1.json",
    ]


def test_write_removes_the_schema_of_a_format_no_longer_registered(tmp_path: Path) -> None:
    (tmp_path / "formats").mkdir()
    (tmp_path / "formats" / "retired-format.v1.json").write_text("{}")

    write(tmp_path)

    assert stale(tmp_path) == []
    assert not (tmp_path / "formats" / "retired-format.v1.json").exists()


def test_every_format_schema_is_published_under_its_own_id() -> None:
    for name, fmt in FORMATS.items():
        assert fmt.payload_schema is not None, f"{name} publishes no payload schema"
        schema = orjson.loads((SCHEMAS / "formats" / f"{name}.v1.json").read_bytes())
        assert schema["$id"] == f"https://journeyflow.dev/schemas/formats/{name}.v1.json"
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


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
