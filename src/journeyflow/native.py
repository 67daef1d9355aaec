"""Which of journeyflow's modules run compiled to C (mypyc, at install time: `hatch_build.py`).

The same source runs either way; compiled, the processor's hot path takes less Python time per
event. An install without a C compiler runs it as pure Python, which the service says at start.
An editable install compiles into the source tree, where a compiled module is imported instead
of its source even after the source changed: `make` compiles it again, and until then the
service warns and the test suite refuses to run.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

PACKAGE = Path(__file__).parent
SUFFIX: str = sysconfig.get_config_var("EXT_SUFFIX")


def compiled_modules(package: Path = PACKAGE) -> list[str]:
    """Dotted names of the package's modules that are compiled extensions."""
    return sorted(_name(package, path) for path in package.rglob(f"*{SUFFIX}"))


def stale_modules(package: Path = PACKAGE) -> list[str]:
    """Compiled modules whose source changed after they were compiled."""
    stale = []
    for path in package.rglob(f"*{SUFFIX}"):
        source = path.with_name(path.name[: -len(SUFFIX)] + ".py")
        if source.exists() and source.stat().st_mtime > path.stat().st_mtime:
            stale.append(_name(package, path))
    return sorted(stale)


def describe() -> str:
    """One line for the start-up log."""
    compiled = compiled_modules()
    if not compiled:
        return "hot path: pure Python (not compiled at install: no C compiler, or off)"
    return f"hot path: {len(compiled)} modules compiled with mypyc"


def _name(package: Path, path: Path) -> str:
    return ".".join((package.name, *path.relative_to(package).parts))[: -len(SUFFIX)]
