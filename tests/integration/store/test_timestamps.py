"""The microsecond timestamp codec reads and writes exactly what asyncpg's own codec does."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone

import asyncpg
import pytest

from journeyflow.store.timestamps import use_microsecond_timestamps

Pair = tuple[asyncpg.Connection, asyncpg.Connection]
"""asyncpg's own codec, then ours."""
ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]


def moments(count: int, seed: int = 7) -> list[datetime]:
    """Aware datetimes from year 1 to 9999, to the microsecond, in several zones, plus edges:
    Postgres's epoch and a microsecond either side of it."""
    rng = random.Random(seed)
    span = (datetime(9999, 12, 30, tzinfo=UTC) - datetime(1, 1, 2, tzinfo=UTC)) // timedelta(
        microseconds=1
    )
    start = datetime(1, 1, 2, tzinfo=UTC)
    found = [
        (start + timedelta(microseconds=rng.randrange(span))).astimezone(rng.choice(ZONES))
        for _ in range(count)
    ]
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    return [*found, epoch, epoch - timedelta(microseconds=1), epoch + timedelta(microseconds=1)]


@pytest.fixture
async def connections(server_dsn: str) -> AsyncIterator[Pair]:
    plain = await asyncpg.connect(server_dsn)
    ours = await asyncpg.connect(server_dsn)
    await use_microsecond_timestamps(ours)
    try:
        yield plain, ours
    finally:
        await plain.close()
        await ours.close()


async def test_aware_datetimes_are_stored_as_asyncpg_stores_them(
    connections: Pair,
) -> None:
    plain, ours = connections
    values = moments(3_000)
    query = "SELECT ($1::timestamptz[])::text"  # the server's own reading of what was sent

    assert await ours.fetchval(query, values) == await plain.fetchval(query, values)


async def test_values_read_back_equal_and_in_utc_as_asyncpg_gives_them(
    connections: Pair,
) -> None:
    plain, ours = connections
    text = await plain.fetchval("SELECT ($1::timestamptz[])::text", moments(3_000))
    query = "SELECT unnest($1::text::timestamptz[])"

    read_plain = [r[0] for r in await plain.fetch(query, text)]
    read_ours = [r[0] for r in await ours.fetch(query, text)]

    assert read_ours == read_plain
    assert all(value.tzinfo is UTC for value in read_ours)
    assert [v.isoformat() for v in read_ours] == [v.isoformat() for v in read_plain]


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 20, 10, 5, 0, 123456),  # naive: local time, as asyncpg takes it
        date(2026, 11, 20),  # local midnight
        datetime.max,  # infinity
        datetime.min,  # -infinity
    ],
)
async def test_naive_datetimes_dates_and_infinities_are_taken_as_asyncpg_takes_them(
    connections: Pair, value: datetime | date
) -> None:
    plain, ours = connections
    query = "SELECT $1::timestamptz::text, $1::timestamptz"

    assert tuple(await ours.fetchrow(query, value)) == tuple(await plain.fetchrow(query, value))


async def test_anything_else_is_refused_with_asyncpg_s_error(
    connections: Pair,
) -> None:
    _, ours = connections
    with pytest.raises(asyncpg.DataError, match=r"expected a datetime\.date or datetime\.datetime"):
        await ours.fetchval("SELECT $1::timestamptz", "2026-11-20")
