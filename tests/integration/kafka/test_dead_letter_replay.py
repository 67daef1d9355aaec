"""`journeyflow dlq replay` re-feeds dead letters once their cause is fixed."""

from __future__ import annotations

from pathlib import Path

import orjson
from support.kafka import MockCluster
from support.subprocesses import journeyflow

from journeyflow import bootstrap
from journeyflow.kafka.topics import Topics
from journeyflow.settings import IdentitySettings, Settings

from .conftest import eventually

LOYALTY_EVENT = {
    "event_id": "app-1",
    "source": "app",
    "occurred_at": "2026-11-20T10:00:00Z",
    "kind": "touchpoint.viewed",
    "channel": "app",
    "identifiers": {"loyalty_id": "L-778", "email": "ana@example.com"},
}


def with_loyalty_ids() -> IdentitySettings:
    identity = IdentitySettings()
    return identity.model_copy(
        update={
            "strength": identity.strength | {"loyalty_id": "strong"},
            "max_per_profile": identity.max_per_profile | {"loyalty_id": 1},
        }
    )


async def test_a_dead_letter_replayed_after_the_fix_is_processed(
    cluster: MockCluster, kafka_database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=kafka_database_url,
        data_dir=tmp_path,
        processing={"linger": "PT0.02S", "shutdown_timeout": "PT2S"},
        kafka={"bootstrap_servers": cluster.bootstrap},
    )
    await cluster.produce(Topics("journeyflow").raw("unified"), [orjson.dumps(LOYALTY_EVENT)])

    # Before the fix: loyalty_id is not a configured identifier type.
    before = await bootstrap.start(settings, pool_size=2)
    before.start_processing()
    try:

        async def dead_lettered() -> bool:
            return bool(await before.pool.fetchval("SELECT count(*) FROM dead_letters"))

        await eventually(dead_lettered)
        error = await before.pool.fetchval("SELECT error FROM dead_letters")
        assert "unknown type(s) loyalty_id" in error
    finally:
        await before.close()

    # The fix: configure the type, replay, and the event is processed.
    fixed = settings.model_copy(update={"identity": with_loyalty_ids()})
    env = {
        "JOURNEYFLOW_DATABASE_URL": kafka_database_url,
        "JOURNEYFLOW_DATA_DIR": str(tmp_path),
        "JOURNEYFLOW_KAFKA__BOOTSTRAP_SERVERS": cluster.bootstrap,
    }
    replay = journeyflow("dlq", "replay", env=env, cwd=tmp_path, log=tmp_path / "replay.log")
    assert replay.wait(timeout=60) == 0, (tmp_path / "replay.log").read_text()
    assert "replayed 1 dead letter" in (tmp_path / "replay.log").read_text()

    after = await bootstrap.start(fixed, pool_size=2)
    after.start_processing()
    try:

        async def processed() -> bool:
            return bool(await after.pool.fetchval("SELECT count(*) FROM timeline"))

        await eventually(processed)
        assert (
            await after.pool.fetchval(
                "SELECT count(*) FROM dead_letters WHERE replayed_at IS NOT NULL"
            )
            == 1
        )
        owner = await after.pool.fetchval(
            "SELECT customer_id FROM identifiers WHERE type = 'loyalty_id' AND value = 'L-778'"
        )
        assert owner is not None
    finally:
        await after.close()

    again = journeyflow("dlq", "replay", env=env, cwd=tmp_path, log=tmp_path / "again.log")
    assert again.wait(timeout=60) == 0
    assert "replayed 0 dead letter" in (tmp_path / "again.log").read_text()
