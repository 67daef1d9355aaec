"""A journeyflow service running on Kafka (librdkafka's mock cluster) and real Postgres."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import databases
from support.api_keys import ADMIN_KEY, API_KEYS
from support.kafka import MockCluster

from journeyflow import bootstrap
from journeyflow.api.app import create_app
from journeyflow.bootstrap import Service
from journeyflow.demo.population import Population, batches
from journeyflow.settings import Settings


@pytest.fixture
def cluster() -> Iterator[MockCluster]:
    running = MockCluster()
    yield running
    running.stop()


@pytest.fixture
async def kafka_database_url(server_dsn: str, template_dsn: str) -> AsyncIterator[str]:
    """A database of its own, so a test can compare the Kafka service with the embedded one."""
    dsn = await databases.create(server_dsn)
    yield dsn
    await databases.drop(server_dsn, dsn)


@pytest.fixture
def kafka_settings(kafka_database_url: str, tmp_path: Path, cluster: MockCluster) -> Settings:
    return Settings(
        database_url=kafka_database_url,
        data_dir=tmp_path,
        api_keys=API_KEYS,
        processing={"batch_size": 200, "linger": "PT0.02S", "shutdown_timeout": "PT2S"},
        kafka={"bootstrap_servers": cluster.bootstrap, "produce_timeout": "PT3S"},
    )


@pytest.fixture
async def kafka_service(kafka_settings: Settings) -> AsyncIterator[Service]:
    """Ingest produces to the events topic; processor and raw normalizers run in the background."""
    started = await bootstrap.start(kafka_settings, pool_size=4)
    started.start_processing()
    yield started
    await started.close()


@pytest.fixture
async def kafka_client(
    kafka_settings: Settings, kafka_service: Service
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(kafka_settings, kafka_service))
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://journeyflow.test",
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    ) as http:
        yield http


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 30) -> None:
    """Wait until `check()` is true; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


DELIVERIES = Population(40, seed=4).deliveries(duplicates=0.03, late=0.05)
"""A small population's events, with resends and late arrivals."""


def settings_for(
    dsn: str, tmp_path: Path, cluster: MockCluster, *, batch_size: int, **kafka: Any
) -> Settings:
    """A processor's settings: small batches, a short linger, `kafka` options added."""
    return Settings(
        database_url=dsn,
        data_dir=tmp_path,
        processing={"batch_size": batch_size, "linger": "PT0.01S", "shutdown_timeout": "PT2S"},
        kafka={"bootstrap_servers": cluster.bootstrap, **kafka},
    )


async def ingest_deliveries(service: bootstrap.Service) -> None:
    """`DELIVERIES` onto the events topic, as HTTP ingest would produce them."""
    for chunk in batches(DELIVERIES, 200):
        await service.ingest.ingest(chunk, lambda source: True)
