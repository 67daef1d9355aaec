"""A batch's stitching, planned ahead by the batch before it, is used only while it is the plan
the batch would make on time: any identity write in between (an erasure, another processor's
batch) has the batch plan again, and every way ends in the same customers and buckets."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from support.metric_tables import buckets, from_scratch
from support.processing import partition

from journeyflow.bootstrap import Service
from journeyflow.demo.population import Population, batches
from journeyflow.erasure import erase
from journeyflow.journeys.definitions import Definitions
from journeyflow.log import LoggedEvent
from journeyflow.log.postgres import read_after
from journeyflow.observability.metrics import Metrics
from journeyflow.process.batch import BatchApplier, BatchResult, PreparedBatch
from journeyflow.process.processor import Processor

DEFS = Definitions()
POPULATION = Population(12, seed=31)
ONE_CUSTOMER_PER_PERSON = {
    frozenset((e["source"], e["event_id"]) for e in person.events) for person in POPULATION.people
}


async def logged(service: Service) -> list[LoggedEvent]:
    events = list(POPULATION.events)
    random.Random(31).shuffle(events)
    report = await service.ingest.ingest(events, lambda source: True)
    assert not report.rejected
    async with service.pool.acquire() as connection:
        return await read_after(connection, 0, 10_000)


async def apply(
    service: Service,
    applier: BatchApplier,
    batch: PreparedBatch,
    upcoming: PreparedBatch | None = None,
) -> BatchResult:
    ready: Callable[[], PreparedBatch | None] = lambda: upcoming  # noqa: E731
    async with service.pool.acquire() as connection, connection.transaction():
        return await applier.apply_prepared(connection, batch, ready)


async def test_each_batch_stitches_by_the_plan_the_batch_before_made(service: Service) -> None:
    applier = BatchApplier(service.rules, DEFS)
    prepared = [applier.prepare(chunk) for chunk in batches(await logged(service), 20)]
    planned = [
        (await apply(service, applier, batch, upcoming)).planned_ahead
        for batch, upcoming in zip(prepared, [*prepared[1:], None], strict=True)
    ]
    assert planned[0] is None  # nothing before it to plan it
    assert False not in planned  # nobody else wrote identities: every plan made ahead held
    assert planned.count(True) > len(prepared) // 2
    assert await partition(service.pool) == ONE_CUSTOMER_PER_PERSON
    assert await buckets(service.pool) == await from_scratch(service.pool, DEFS)


async def test_another_processors_batch_in_between_has_the_plan_made_again(
    service: Service,
) -> None:
    records = await logged(service)
    third = len(records) // 3
    mine, theirs = BatchApplier(service.rules, DEFS), BatchApplier(service.rules, DEFS)
    first, between, last = (
        mine.prepare(records[:third]),
        theirs.prepare(records[third : 2 * third]),
        mine.prepare(records[2 * third :]),
    )
    await apply(service, mine, first, upcoming=last)
    await apply(service, theirs, between)
    assert (await apply(service, mine, last)).planned_ahead is False
    assert await partition(service.pool) == ONE_CUSTOMER_PER_PERSON
    assert await buckets(service.pool) == await from_scratch(service.pool, DEFS)


async def test_an_erasure_in_between_has_the_plan_made_again(service: Service) -> None:
    records = await logged(service)
    half = len(records) // 2
    applier = BatchApplier(service.rules, DEFS)
    first, second = applier.prepare(records[:half]), applier.prepare(records[half:])
    await apply(service, applier, first, upcoming=second)
    owners = await service.pool.fetch(
        "SELECT DISTINCT i.customer_id FROM identifiers i"
        " JOIN unnest($1::text[], $2::text[]) AS k(type, value)"
        " ON i.type = k.type AND i.value = k.value",
        [k.type for e in second.keys for k in e.keys],
        [k.value for e in second.keys for k in e.keys],
    )
    erased = owners[0]["customer_id"]  # a profile the plan made ahead put events on
    async with service.pool.acquire() as connection:
        await erase(connection, erased, DEFS)
    assert (await apply(service, applier, second)).planned_ahead is False
    on_erased = "SELECT count(*) FROM timeline WHERE customer_id = $1"
    assert await service.pool.fetchval(on_erased, erased) == 0  # they made a new profile
    assert await buckets(service.pool) == await from_scratch(service.pool, DEFS)


async def test_the_processor_plans_batches_ahead_and_counts_whether_the_plans_held(
    service: Service,
) -> None:
    await logged(service)
    metrics = Metrics()
    processor = Processor(
        service.pool,
        BatchApplier(service.rules, DEFS),
        metrics,
        batch_size=20,
        linger=timedelta(0),
    )
    await processor.drain()
    plans = "journeyflow_stitch_plans_ahead_total"
    used = metrics.registry.get_sample_value(plans, {"result": "used"})
    assert used is not None
    assert used > 0
    assert metrics.registry.get_sample_value(plans, {"result": "made_again"}) is None
    assert await partition(service.pool) == ONE_CUSTOMER_PER_PERSON
    assert await buckets(service.pool) == await from_scratch(service.pool, DEFS)
