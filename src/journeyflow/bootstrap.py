"""The composition root: the one place that reads settings and wires adapters together.

`start()` connects (embedded Postgres when no URL is set), migrates, and returns a `Service`
holding every component; nothing in journeyflow connects at import time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from journeyflow.identity.keys import IdentifierRules
from journeyflow.ingest.service import IngestService
from journeyflow.journeys import definitions
from journeyflow.log.postgres import PostgresEventLog
from journeyflow.observability.metrics import Metrics
from journeyflow.process.batch import BatchApplier
from journeyflow.process.processor import Processor
from journeyflow.settings import Scope, Settings
from journeyflow.store import migrate
from journeyflow.store.database import connect
from journeyflow.store.embedded import EmbeddedPostgres

log = logging.getLogger(__name__)

ADMIN_KEY_FILE = "admin-api-key"


@dataclass
class Service:
    settings: Settings
    pool: asyncpg.Pool
    metrics: Metrics
    rules: IdentifierRules
    ingest: IngestService
    processor: Processor
    embedded: EmbeddedPostgres | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _processing: asyncio.Task[None] | None = None

    def start_processing(self) -> None:
        self._stop.clear()
        self._processing = asyncio.create_task(self.processor.run(self._stop), name="processor")

    async def close(self) -> None:
        self._stop.set()
        if self._processing is not None:
            with suppress(asyncio.CancelledError):
                await self._processing
        await self.pool.close()
        if self.embedded is not None:
            self.embedded.stop()


async def database_dsn(settings: Settings) -> tuple[str, EmbeddedPostgres | None]:
    if settings.database_url:
        return settings.database_url, None
    embedded = EmbeddedPostgres(settings.data_dir)
    dsn = await asyncio.to_thread(embedded.start)
    return dsn, embedded


async def start(settings: Settings, *, pool_size: int = 10) -> Service:
    dsn, embedded = await database_dsn(settings)
    try:
        await migrate.upgrade(dsn)
        pool = await connect(dsn, max_size=pool_size)
    except BaseException:
        if embedded is not None:
            embedded.stop()
        raise
    metrics = Metrics()
    rules = IdentifierRules(settings.identity, settings.default_phone_region)
    processor = Processor(
        pool,
        BatchApplier(rules, definitions.from_settings(settings)),
        metrics,
        batch_size=settings.processing.batch_size,
        linger=settings.processing.linger,
    )
    ingest = IngestService(PostgresEventLog(pool), rules, metrics)
    return Service(settings, pool, metrics, rules, ingest, processor, embedded)


def api_keys(settings: Settings) -> dict[str, list[Scope]]:
    """Configured keys, or else an admin key generated once into a 0600 file: never run open."""
    if settings.api_keys:
        return settings.api_keys
    path = settings.data_dir / ADMIN_KEY_FILE
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        _write_private(path, "jf_" + secrets.token_urlsafe(32))
    log.warning("no API keys configured; admin key is in %s", path.resolve())
    return {path.read_text().strip(): ["admin"]}


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
