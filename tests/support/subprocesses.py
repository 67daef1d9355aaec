"""Run journeyflow commands as real processes, the way an operator does."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path


def journeyflow(*args: str, env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start `journeyflow <args>`: `env` over the environment minus any JOURNEYFLOW_ variable."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEYFLOW_")}
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "journeyflow", *args],
            env=base | env,
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
