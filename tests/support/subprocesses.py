"""Run journeyflow commands as real processes, the way an operator does."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


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


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, within: float = 90) -> None:
    """Until `url`/readyz answers 200; fails with the process's output if it exits or times out."""
    deadline = time.monotonic() + within
    while True:
        assert process.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, "not ready in time:\n" + log.read_text(errors="replace")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
