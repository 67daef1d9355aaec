"""The install compiles the processor's hot path, and runs exactly the modules it names compiled.

`make test` installs with JOURNEYFLOW_NATIVE=require, so these tests run the compiled modules; an
install with JOURNEYFLOW_NATIVE=off runs them all as pure Python.
"""

from __future__ import annotations

import importlib
import os
import sysconfig
import tomllib
from pathlib import Path

from journeyflow import native
from journeyflow.native import compiled_modules, describe

ROOT = Path(__file__).parents[2]


def configured() -> list[str]:
    hook = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
    paths = hook["targets"]["wheel"]["hooks"]["custom"]["modules"]
    return sorted(".".join(Path(p).relative_to("src").with_suffix("").parts) for p in paths)


def test_the_configured_modules_and_only_those_are_compiled() -> None:
    expected = [] if os.environ.get("JOURNEYFLOW_NATIVE") == "off" else configured()

    assert compiled_modules() == expected
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    for name in expected:
        module = importlib.import_module(name)
        assert module.__file__ is not None
        assert module.__file__.endswith(suffix), f"{name} was imported from its source"


def test_the_start_up_line_says_what_runs() -> None:
    if compiled_modules():
        assert describe() == f"hot path: {len(configured())} modules compiled with mypyc"
    else:
        assert describe().startswith("hot path: pure Python")


def test_a_module_edited_after_it_was_compiled_is_stale(tmp_path: Path) -> None:
    package = tmp_path / "journeyflow"
    (package / "identity").mkdir(parents=True)
    source = package / "identity" / "stitch.py"
    binary = package / "identity" / f"stitch{native.SUFFIX}"
    source.write_text("")
    binary.write_bytes(b"")
    os.utime(source, (1_000, 1_000))
    os.utime(binary, (2_000, 2_000))

    assert compiled_modules(package) == ["journeyflow.identity.stitch"]
    assert native.stale_modules(package) == []

    os.utime(source, (3_000, 3_000))
    assert native.stale_modules(package) == ["journeyflow.identity.stitch"]
