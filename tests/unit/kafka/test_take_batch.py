"""A Kafka batch fills up: after its first records it takes what the consumer fetches within the
linger, up to the batch size, instead of a single fetch response (a backlog was applied a fetch
response at a time, and two processors taking turns shrank each other's batches to a few
events)."""

from __future__ import annotations

import asyncio
import time

from aiokafka import ConsumerRecord, TopicPartition

from journeyflow.kafka.processor import take_batch

P0 = TopicPartition("journeyflow.events", 0)
P1 = TopicPartition("journeyflow.events", 1)


def records(tp: TopicPartition, first: int, count: int) -> list[ConsumerRecord]:
    return [
        ConsumerRecord(tp.topic, tp.partition, offset, 0, 0, None, b"{}", None, 2, 0, [])
        for offset in range(first, first + count)
    ]


class ScriptedConsumer:
    """Answers each `getmany` with the next fetch of its script, at most `max_records` of it
    (the rest is kept for the next call, as aiokafka keeps what it buffered); with nothing
    left, waits out the timeout and answers nothing."""

    def __init__(self, *fetches: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        self.fetches = list(fetches)
        self.asked: list[int | None] = []

    async def getmany(
        self, *partitions: TopicPartition, timeout_ms: int = 0, max_records: int | None = None
    ) -> dict[TopicPartition, list[ConsumerRecord]]:
        self.asked.append(max_records)
        if not self.fetches:
            await asyncio.sleep(timeout_ms / 1000)
            return {}
        fetch, answer, room = self.fetches.pop(0), {}, max_records or 10**9
        rest = {}
        for tp, batch in fetch.items():
            answer[tp], rest[tp] = batch[:room], batch[room:]
            room -= len(answer[tp])
        if any(rest.values()):
            self.fetches.insert(0, {tp: r for tp, r in rest.items() if r})
        return {tp: r for tp, r in answer.items() if r}


async def test_a_backlog_fills_the_batch_from_several_fetch_responses() -> None:
    consumer = ScriptedConsumer(
        {P0: records(P0, 0, 30), P1: records(P1, 0, 20)},
        {P0: records(P0, 30, 30)},
        {P1: records(P1, 20, 40)},
    )
    batch = await take_batch(consumer, 100, linger_ms=1000)
    assert [r.offset for r in batch[P0]] == list(range(60))
    assert [r.offset for r in batch[P1]] == list(range(40))
    assert consumer.asked == [100, 50, 20]  # never more than the batch has room for


async def test_what_does_not_fit_is_left_for_the_next_batch() -> None:
    consumer = ScriptedConsumer({P0: records(P0, 0, 80)}, {P0: records(P0, 80, 80)})
    first = await take_batch(consumer, 100, linger_ms=1000)
    second = await take_batch(consumer, 100, linger_ms=1000)
    assert [r.offset for r in first[P0]] == list(range(100))
    assert [r.offset for r in second[P0]] == list(range(100, 160))


async def test_a_trickle_waits_at_most_the_linger_after_its_first_records() -> None:
    consumer = ScriptedConsumer({P0: records(P0, 0, 3)})
    started = time.monotonic()
    batch = await take_batch(consumer, 100, linger_ms=50)
    waited = time.monotonic() - started
    assert [r.offset for r in batch[P0]] == [0, 1, 2]
    assert 0.04 <= waited < 0.5


async def test_an_idle_topic_gives_an_empty_batch_after_one_linger() -> None:
    consumer = ScriptedConsumer()
    assert await take_batch(consumer, 100, linger_ms=20) == {}
    assert consumer.asked == [100]
