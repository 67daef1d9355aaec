"""The benchmark's Postgres: the same embedded server journeyflow uses, in `.journeyflow/bench`,
one database per stage (fresh ones for throughput, a cached one for the large query data set)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import asyncpg
import psutil

from journeyflow.store import migrate
from journeyflow.store.embedded import EmbeddedPostgres


class BenchPostgres:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._embedded = EmbeddedPostgres(root)
        self._base = ""

    def start(self) -> None:
        self._base = self._embedded.start()

    def stop(self) -> None:
        self._embedded.stop()

    def cpu_seconds(self) -> float:
        return server_cpu_seconds(self._embedded.pid)

    @property
    def pid(self) -> int:
        """The postmaster's process id (for `server_cpu_seconds` in another process)."""
        return self._embedded.pid

    def dsn(self, database: str) -> str:
        return self._base.replace("/journeyflow?", f"/{database}?", 1)

    async def exists(self, database: str) -> bool:
        connection = await asyncpg.connect(self.dsn("journeyflow"))
        try:
            return bool(
                await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
            )
        finally:
            await connection.close()

    async def settle(self, *, drop: str | None = None, within: float = 300) -> None:
        """Let the server finish what an earlier stage left it doing, so the next stage is not
        timed against it: drop that stage's database (its autovacuum goes with it), checkpoint,
        and wait until no autovacuum worker runs (at most `within` seconds)."""
        connection = await asyncpg.connect(self.dsn("journeyflow"))
        try:
            if drop is not None:
                await connection.execute(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')
            await connection.execute("CHECKPOINT")
            deadline = time.monotonic() + within
            while time.monotonic() < deadline:
                busy = await connection.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
                )
                if not busy:
                    break
                await asyncio.sleep(1)
        finally:
            await connection.close()

    async def fresh(self, database: str) -> str:
        """Drop and re-create `database`, migrated; returns its DSN."""
        connection = await asyncpg.connect(self.dsn("journeyflow"))
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await connection.execute(f'CREATE DATABASE "{database}"')
        finally:
            await connection.close()
        dsn = self.dsn(database)
        await migrate.upgrade(dsn)
        return dsn


def server_cpu_seconds(postmaster_pid: int) -> float:
    """CPU time the server has used so far: the postmaster, its live processes, and the
    backends that have exited (reaped by the postmaster)."""
    postmaster = psutil.Process(postmaster_pid)
    own = postmaster.cpu_times()
    total = own.user + own.system + own.children_user + own.children_system
    for child in postmaster.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            times = child.cpu_times()
            total += times.user + times.system
    return total
