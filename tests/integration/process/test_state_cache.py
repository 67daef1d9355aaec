"""The processors' state cache never shows through: whoever else writes a customer, whatever
rolls back, batches end in exactly the state a from-scratch derivation gives."""

from __future__ import annotations

import random

import orjson
import pytest
from support.metric_tables import buckets, from_scratch

from journeyflow.bootstrap import Service
from journeyflow.demo.population import Population, batches
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.replay import replay
from journeyflow.log import LoggedEvent
from journeyflow.log.postgres import read_after
from journeyflow.process.batch import BatchApplier

DEFS = Definitions()


class Abandoned(Exception):
    """Raised inside a batch's transaction to roll it back."""


async def logged(service: Service, seed: int) -> list[LoggedEvent]:
    events = list(Population(10, seed=seed).events)
    random.Random(seed).shuffle(events)
    await service.ingest.ingest(events, lambda source: True)
    async with service.pool.acquire() as connection:
        return await read_after(connection, 0, 10_000)


async def apply(service: Service, applier: BatchApplier, records: list[LoggedEvent]) -> None:
    async with service.pool.acquire() as connection, connection.transaction():
        await applier.apply(connection, records)


async def apply_then_roll_back(
    service: Service, applier: BatchApplier, records: list[LoggedEvent]
) -> None:
    async with service.pool.acquire() as connection, connection.transaction():
        await applier.apply(connection, records)
        raise Abandoned


async def test_two_processors_taking_turns_on_the_same_customers_end_exact(
    service: Service,
) -> None:
    records = await logged(service, seed=21)
    mine, theirs = BatchApplier(service.rules, DEFS), BatchApplier(service.rules, DEFS)
    for n, chunk in enumerate(batches(records, 9)):  # each cache goes stale every other batch
        await apply(service, mine if n % 3 else theirs, chunk)
    assert mine.cache.hits > 0  # the cache was used, and its stale entries were not
    assert mine.cache.misses > 0
    assert await buckets(service.pool) == await from_scratch(service.pool, DEFS)


async def test_a_rolled_back_batch_leaves_nothing_behind_in_the_cache(service: Service) -> None:
    records = await logged(service, seed=22)
    applier = BatchApplier(service.rules, DEFS)
    for chunk in batches(records, 25):
        with pytest.raises(Abandoned):
            await apply_then_roll_back(service, applier, chunk)
        await apply(service, applier, chunk)
    assert await buckets(service.pool) == await from_scratch(service.pool, DEFS)


async def test_a_replay_makes_every_cached_state_stale(service: Service) -> None:
    records = await logged(service, seed=23)
    applier = BatchApplier(service.rules, DEFS)
    half = len(records) // 2
    await apply(service, applier, records[:half])
    assert await current_entries(service, applier) > 0
    await replay(service.pool, DEFS)
    assert await current_entries(service, applier) == 0
    await apply(service, applier, records[half:])
    assert await buckets(service.pool) == await from_scratch(service.pool, DEFS)


async def current_entries(service: Service, applier: BatchApplier) -> int:
    """Cached states the stored stamps still vouch for."""
    stamps = await service.pool.fetch("SELECT id, state_version FROM customers")
    return sum(applier.cache.get(r["id"], r["state_version"]) is not None for r in stamps)


async def test_events_already_on_the_timeline_are_found_out_after_deriving_alongside(
    service: Service,
) -> None:
    """A batch of first revisions is derived while its timeline write runs, on the assumption
    that each is new. A resend that raced its original (possible on Kafka) is not: the write
    says so, and the customers it touched are derived again from the tables."""
    records = await logged(service, seed=24)
    applier = BatchApplier(service.rules, DEFS)
    half = len(records) // 2
    await apply(service, applier, records[:half])
    counted = ("contact.transferred", "identity.verified")  # counted twice if taken twice
    resent = [r for r in records[:half] if orjson.loads(r.payload)["kind"] in counted][-5:]
    assert resent
    async with service.pool.acquire() as connection, connection.transaction():
        result = await applier.apply(connection, [*resent, *records[half:]])
    assert result.appended == len(records) - half  # the resent ones were not written again
    assert await buckets(service.pool) == await from_scratch(service.pool, DEFS)
