"""First-contact resolution counts only contacts whose repeat window has passed by `now`: the
scorecard's one pass over hour and minute buckets cuts exactly there, wherever the cut falls."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg
import httpx
import pytest
from support.journey_events import at, unified
from support.scorecards import post_and_process

from journeyflow.bootstrap import Service
from journeyflow.query.scorecard import GroupBy, Scope, scorecard

WINDOW = timedelta(days=7)
STARTS = [at(59), at(60), at(90), at(120), at(179), at(180), at(194), at(195), at(250)]
RANGES = [(at(0), at(600)), (at(60), at(195)), (at(60), at(120)), (at(90), at(120))]
CUTS = [at(0), at(60), at(61), at(90), at(120), at(150), at(180), at(194), at(196), at(600)]
"""Where `now - repeat window` falls: before everything, on hours, inside hours (the first
whole hour of a range included), inside the ragged minutes, after everything."""


@pytest.fixture
async def contacts(client: httpx.AsyncClient, service: Service) -> None:
    intents = ["billing", "fraud", "billing"]
    events = [
        unified(
            f"s{n}",
            "contact.started",
            when,
            "voice",
            contact_id=f"k{n}",
            intent=intents[n % 3],
            identifiers={"phone": f"+1415555{n:04d}"},
        )
        for n, when in enumerate(STARTS)
    ]
    await post_and_process(client, service, events)


async def from_minutes(
    connection: asyncpg.Connection, start: datetime, end: datetime, intent: str
) -> tuple[int, int]:
    """Contacts and those followed by a repeat, summed straight from the minute buckets."""
    row = await connection.fetchrow(
        "SELECT coalesce(sum(contacts), 0) AS c, coalesce(sum(followed_by_repeat), 0) AS f "
        "FROM metric_buckets WHERE minute >= $1 AND minute < $2 AND intent = $3",
        start,
        end,
        intent,
    )
    assert row is not None
    return row["c"], row["f"]


@pytest.mark.usefixtures("contacts")
@pytest.mark.parametrize(("start", "end"), RANGES)
async def test_matured_counts_equal_the_minute_buckets_before_the_cut(
    database_url: str, start: datetime, end: datetime
) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        for cut in CUTS:
            scope = Scope(start, end, GroupBy.INTENT, cut + WINDOW, WINDOW)
            rows = {r["key"]: r for r in (await scorecard(connection, scope))["rows"]}
            for intent in ("billing", "fraud"):
                contacts, _ = await from_minutes(connection, start, end, intent)
                matured, followed = await from_minutes(connection, start, min(cut, end), intent)
                row = rows.get(intent)
                assert (row["contacts"] if row else 0) == contacts, (cut, intent)
                assert (row["fcr_matured_contacts"] if row else 0) == matured, (cut, intent)
                if row is not None and matured:
                    assert row["fcr_rate"] == pytest.approx(1 - followed / matured)
    finally:
        await connection.close()
