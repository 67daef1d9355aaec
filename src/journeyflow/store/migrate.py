"""Alembic migrations, run programmatically over an asyncpg connection."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection as SyncConnection
from sqlalchemy.ext.asyncio import create_async_engine

from journeyflow.store.database import Connection

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(dsn: str, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe to run from several processes at once."""
    await _run(dsn, command.upgrade, revision)


async def downgrade(dsn: str, revision: str) -> None:
    """Take the schema back to `revision` (each migration's downgrade, newest first)."""
    await _run(dsn, command.downgrade, revision)


async def _run(dsn: str, step: Callable[[Config, str], None], revision: str) -> None:
    engine = create_async_engine(
        "postgresql+asyncpg://", async_creator=lambda: asyncpg.connect(dsn)
    )

    def run(connection: SyncConnection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        step(config, revision)

    try:
        async with engine.begin() as connection:
            await connection.run_sync(run)
    finally:
        await engine.dispose()


async def current_revision(connection: Connection) -> str | None:
    exists = await connection.fetchval("SELECT to_regclass('alembic_version') IS NOT NULL")
    if not exists:
        return None
    value: str | None = await connection.fetchval("SELECT version_num FROM alembic_version")
    return value
