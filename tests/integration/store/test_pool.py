"""The shared pool hands connections back as they were left, but never inside a transaction."""

from __future__ import annotations

from journeyflow.store.database import connect


async def test_a_released_connection_keeps_its_session(database_url: str) -> None:
    pool = await connect(database_url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as connection:
            await connection.execute("SET application_name = 'left-behind'")
        async with pool.acquire() as connection:
            assert await connection.fetchval("SHOW application_name") == "left-behind"
    finally:
        await pool.close()


async def test_a_transaction_left_open_is_rolled_back_on_release(database_url: str) -> None:
    pool = await connect(database_url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as connection:
            await connection.execute("BEGIN")
            await connection.execute("INSERT INTO processor_positions VALUES ('left-open', 7)")
        async with pool.acquire() as connection:
            assert not connection.is_in_transaction()
            found = await connection.fetchval(
                "SELECT count(*) FROM processor_positions WHERE consumer = 'left-open'"
            )
            assert found == 0
    finally:
        await pool.close()
