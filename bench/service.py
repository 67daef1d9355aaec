"""`journeyflow serve` as a subprocess on a bench database, with its RSS sampled while it runs;
optionally with `journeyflow process` beside it (serve as an ingest tier)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from types import TracebackType

import orjson
import psutil

KEY = "bench-admin-key-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class ServeProcess:
    def __init__(
        self,
        dsn: str,
        data_dir: Path,
        *,
        workers: int = 1,
        processor_beside: bool = False,
        **env: str,
    ) -> None:
        self.workers = workers
        self.processor_beside = processor_beside
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {
            **os.environ,
            "JOURNEYFLOW_DATABASE_URL": dsn,
            "JOURNEYFLOW_DATA_DIR": str(data_dir),
            "JOURNEYFLOW_API_KEYS": orjson.dumps({KEY: ["admin"]}).decode(),
            "JOURNEYFLOW_LOG_LEVEL": "warning",
            **({"JOURNEYFLOW_PROCESSING__IN_SERVE": "false"} if processor_beside else {}),
            **env,
        }
        self._process: subprocess.Popen[bytes] | None = None
        self._processor: subprocess.Popen[bytes] | None = None
        self.peak_rss = 0
        self._sampling = False

    def __enter__(self) -> ServeProcess:
        cli = Path(sys.executable).with_name("journeyflow")
        self._process = subprocess.Popen(
            [str(cli), "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=self._env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if self._process.poll() is not None:
                    raise RuntimeError(self._process.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        else:
            raise RuntimeError("journeyflow serve did not become ready in 60 s")
        if self.processor_beside:  # after serve: it has applied the migrations
            self._processor = subprocess.Popen(
                [str(cli), "process"],
                env=self._env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        self._sampling = True
        threading.Thread(target=self._sample, daemon=True).start()
        return self

    def _sample(self) -> None:
        assert self._process is not None
        tops = [psutil.Process(p.pid) for p in (self._process, self._processor) if p is not None]
        while self._sampling:
            try:  # the server (or the sum of its worker processes) and the processor beside it
                processes = [p for top in tops for p in (top, *top.children(recursive=True))]
                self.peak_rss = max(self.peak_rss, sum(p.memory_info().rss for p in processes))
            except psutil.Error:
                return
            time.sleep(0.1)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server process and its workers."""
        assert self._process is not None
        me = psutil.Process(self._process.pid)
        total = 0.0
        for process in (me, *me.children(recursive=True)):
            times = process.cpu_times()
            total += times.user + times.system
        return total

    def get(self, path: str) -> bytes:
        request = urllib.request.Request(
            f"{self.url}{path}", headers={"Authorization": f"Bearer {KEY}"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            body: bytes = answer.read()
            return body

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._sampling = False
        for process in (self._processor, self._process):
            if process is None:
                continue
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
