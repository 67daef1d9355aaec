"""Build hook: compile the processor's hot path to C with mypyc.

The processor's Python is the ceiling on processing throughput (docs/performance.md), and the
modules it spends it in are pure, strictly typed code: mypyc compiles them as they are, with no
second source to keep in step. The `.py` files stay in the wheel beside the compiled modules,
which Python imports first.

`JOURNEYFLOW_NATIVE` says what to do: `auto` (the default) compiles when a C compiler is found
and otherwise builds pure Python with a warning; `require` fails the build instead (the
Makefile, CI and the Docker image use it, so a broken build never passes as a slow one); `off`
builds pure Python. An editable install compiles into `src/` (the `.so` files are git-ignored),
since that is where its imports come from (a wheel leaves `src/` alone: hatchling skips
git-ignored files, and the wheel's compiled modules are built apart).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import warnings
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

GROUP = "journeyflow_native"
"""The shared library's name (`journeyflow_native__mypyc`, top level beside `journeyflow`)."""

MYPY_CONFIG = """\
[mypy]
strict = True
ignore_missing_imports = True
cache_dir = {cache}
"""
"""Type-checking for compilation only: the build's isolated environment has none of the
runtime dependencies (their types become `Any`, as at any boundary mypyc cannot see through);
`mypy` over `src/` with the project's own configuration is the real check."""

SETUP = """\
from setuptools import setup
from mypyc.build import mypycify

setup(
    name="journeyflow-native",
    ext_modules=mypycify({arguments!r}, target_dir={target!r}, group_name={group!r}),
)
"""


class NativeBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        mode = os.environ.get("JOURNEYFLOW_NATIVE", "auto")
        if mode not in {"auto", "require", "off"}:
            raise ValueError(f"JOURNEYFLOW_NATIVE={mode!r}: use auto, require or off")
        src = Path(self.root) / "src"
        if version == "editable":
            _remove_compiled(src)  # never import modules compiled from older sources
        if mode == "off":
            return
        if _compiler() is None:
            if mode == "require":
                raise RuntimeError("JOURNEYFLOW_NATIVE=require, but no C compiler was found")
            warnings.warn(
                "no C compiler found: journeyflow is built as pure Python (slower processing)",
                stacklevel=1,
            )
            return
        modules = [str(Path(m).relative_to("src")) for m in self.config["modules"]]
        self._temp = Path(tempfile.mkdtemp(prefix="journeyflow-native-"))
        out = src if version == "editable" else self._temp / "out"
        built = _compile(src, modules, self._temp, out)
        if version == "editable":
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        for path in built:
            build_data["force_include"][str(out / path)] = str(path)

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        temp: Path | None = getattr(self, "_temp", None)
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def _compile(src: Path, modules: list[str], temp: Path, out: Path) -> list[Path]:
    """Compile `modules` (paths under `src`) into `out`; returns the files made, relative."""
    config = temp / "mypy.ini"
    config.write_text(MYPY_CONFIG.format(cache=temp / "mypy-cache"))
    build = temp / "build"
    setup = temp / "setup.py"
    arguments = ["--config-file", str(config), *modules]
    setup.write_text(SETUP.format(arguments=arguments, target=str(build / "c"), group=GROUP))
    command = [
        sys.executable,
        str(setup),
        "build_ext",
        "--build-lib",
        str(out),
        "--build-temp",
        str(build / "o"),
    ]
    done = subprocess.run(command, cwd=src, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"mypyc failed to compile the hot path:\n{done.stdout}{done.stderr}")
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    return sorted(p.relative_to(out) for p in out.rglob(f"*{suffix}"))


def _remove_compiled(src: Path) -> None:
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    for path in src.rglob(f"*{suffix}"):
        path.unlink()


def _compiler() -> str | None:
    configured = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    return shutil.which(configured.split()[0])
