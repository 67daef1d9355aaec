"""The hot-path stage times the build it names: the installed (compiled) modules, or every one of
them from source."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from journeyflow.native import compiled_modules

ROOT = Path(__file__).resolve().parents[3]


def run(*arguments: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.hotpath", *arguments, "400"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=120,
    )
    figures: dict[str, object] = orjson.loads(done.stdout)
    return figures


def test_the_pure_build_imports_every_module_from_source() -> None:
    figures = run("--pure")

    assert figures["imported_compiled"] is False
    steps = figures["us_per_event"]
    assert isinstance(steps, dict)
    assert set(steps) == {"decode", "keys", "stitch", "derive", "prepare", "changes"}
    assert all(value > 0 for value in steps.values())


def test_the_installed_build_imports_the_compiled_modules() -> None:
    assert run()["imported_compiled"] is bool(compiled_modules())
