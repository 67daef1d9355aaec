"""Golden tests: a native payload file in, the exact unified events out.

Layout: `tests/fixtures/formats/<format>/NAME.json` is one request body as the system sends it
(a payload, an array, or the format's envelope); `NAME.expected.json` is the list of unified
events (`InteractionEvent.to_json()` form) it must give, or `{"error": "<substring>"}` when a
payload of it must be rejected. An optional `settings.json` in the folder holds the
`NormalizeSettings` every case of that format runs with. `SOURCES.md` names the public
documentation each sample was built from.

Use from a test module: `from unit.normalize import golden`, then
`@pytest.mark.parametrize("case", golden.cases("stripe"), ids=str)` and
`golden.check(case)`. To see what a payload gives now (never to write expectations blindly):
`.venv/bin/python tests/unit/normalize/golden.py <format> <NAME>`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from journeyflow.normalize import registry
from journeyflow.normalize.format import NormalizeError
from journeyflow.normalize.settings import NormalizeSettings

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats"


@dataclass(frozen=True)
class Case:
    format: str
    name: str

    def __str__(self) -> str:
        return f"{self.format}/{self.name}"

    @property
    def payload_path(self) -> Path:
        return FIXTURES / self.format / f"{self.name}.json"

    @property
    def expected_path(self) -> Path:
        return FIXTURES / self.format / f"{self.name}.expected.json"

    def body(self) -> Any:
        return orjson.loads(self.payload_path.read_bytes())

    def expected(self) -> Any:
        return orjson.loads(self.expected_path.read_bytes())


def settings_for(format_name: str) -> NormalizeSettings:
    path = FIXTURES / format_name / "settings.json"
    if not path.exists():
        return NormalizeSettings()
    return NormalizeSettings.model_validate(orjson.loads(path.read_bytes()))


def cases(format_name: str) -> list[Case]:
    """Every fixture of a format (a payload file without its expectation is an error)."""
    folder = FIXTURES / format_name
    found = []
    for path in sorted(folder.glob("*.json")):
        if path.name.endswith(".expected.json") or path.name == "settings.json":
            continue
        case = Case(format_name, path.name.removesuffix(".json"))
        if not case.expected_path.exists():
            raise AssertionError(f"{case}: no {case.expected_path.name}")
        found.append(case)
    if not found:
        raise AssertionError(f"no fixtures under {folder}")
    return found


def actual(case: Case) -> list[dict[str, Any]]:
    """The events the case's body gives now, as JSON objects; NormalizeError propagates."""
    fmt = registry.get(case.format)
    settings = settings_for(case.format)
    events = []
    for payload in fmt.split(case.body()):
        events.extend(orjson.loads(e.to_json()) for e in fmt.normalize(payload, settings))
    return events


def check(case: Case) -> None:
    expected = case.expected()
    if isinstance(expected, dict) and set(expected) == {"error"}:
        with pytest.raises(NormalizeError) as caught:
            actual(case)
        assert expected["error"] in str(caught.value), f"{case}: {caught.value}"
        return
    assert actual(case) == expected, f"{case}: events differ from {case.expected_path.name}"


if __name__ == "__main__":
    sys.stdout.buffer.write(
        orjson.dumps(actual(Case(sys.argv[1], sys.argv[2])), option=orjson.OPT_INDENT_2) + b"\n"
    )
