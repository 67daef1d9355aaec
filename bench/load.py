"""Load from a separate process: a minimal keep-alive HTTP/1.1 client (cheap on the client side,
so the two cores go to the service), closed-loop concurrent posters and an open-loop rate poster.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import orjson


class Connection:
    """One keep-alive connection; `request` returns (status, body)."""

    def __init__(self, url: str, key: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.auth = f"Authorization: Bearer {key}\r\n" if key else ""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        try:
            return await self._request(method, path, body)
        except (ConnectionError, IndexError, asyncio.IncompleteReadError):
            await self.close()  # the server closed an idle keep-alive connection: once more
            return await self._request(method, path, body)

    async def _request(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.auth}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def batch_bodies(events: Iterable[dict[str, Any]], size: int) -> Iterator[tuple[int, bytes]]:
    chunk: list[dict[str, Any]] = []
    for event in events:
        chunk.append(event)
        if len(chunk) == size:
            yield len(chunk), orjson.dumps({"events": chunk})
            chunk = []
    if chunk:
        yield len(chunk), orjson.dumps({"events": chunk})


async def _closed_loop(
    url: str, key: str, bodies: list[tuple[int, bytes]], clients: int, seconds: float
) -> dict[str, Any]:
    """`clients` connections each post the next pre-encoded body as soon as the last returns."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    events = 0
    queue = iter(bodies)
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal events
        connection = Connection(url, key)
        try:
            for count, body in queue:
                if time.perf_counter() > deadline:
                    break
                started = time.perf_counter()
                status, _ = await connection.request("POST", "/v1/events", body)
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
                if status == 202:
                    events += count
        finally:
            await connection.close()

    started = time.perf_counter()
    cpu = time.process_time()
    await asyncio.gather(*(client() for _ in range(clients)))
    return {
        "events": events,
        "seconds": time.perf_counter() - started,
        "latencies": latencies,
        "statuses": {str(k): v for k, v in statuses.items()},
        "client_cpu_seconds": time.process_time() - cpu,
    }


def _closed_loop_entry(args: tuple[Any, ...], out: Any) -> None:
    out.send(asyncio.run(_closed_loop(*args)))


def closed_loop_in_process(
    url: str, key: str, bodies: list[tuple[int, bytes]], clients: int, seconds: float
) -> dict[str, Any]:
    """Run the posters in a child process (the service's cores are not shared with our loop)."""
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(
        target=_closed_loop_entry, args=((url, key, bodies, clients, seconds), send)
    )
    child.start()
    result: dict[str, Any] = receive.recv()
    child.join()
    return result


async def post_paced(
    url: str,
    key: str,
    events: Iterator[dict[str, Any]],
    rate: float,
    batch: int,
    seconds: float | None = None,
    live: bool = False,
    on_sent: Any = None,
) -> int:
    """Open loop: one `batch`-event request every `batch / rate` seconds (several in flight when
    the service is slow), `occurred_at` rewritten to now when `live`. Returns events accepted."""
    interval = batch / rate
    accepted = 0
    pending: set[asyncio.Task[None]] = set()
    idle: list[Connection] = []
    start = time.perf_counter()

    async def send(chunk: list[dict[str, Any]], sent_at: float) -> None:
        nonlocal accepted
        connection = idle.pop() if idle else Connection(url, key)
        body = orjson.dumps({"events": chunk})
        status, body = await connection.request("POST", "/v1/events", body)
        idle.append(connection)
        if status != 202:
            raise RuntimeError(f"ingest answered {status}: {body[:300]!r}")
        accepted += orjson.loads(body)["accepted"]
        if on_sent is not None:
            on_sent(sent_at, time.perf_counter())

    tick = 0
    while seconds is None or time.perf_counter() - start < seconds:
        chunk = [e for _, e in zip(range(batch), events, strict=False)]
        if not chunk:
            break
        if live:
            now = datetime.now(UTC).isoformat()
            chunk = [{**e, "occurred_at": now} for e in chunk]
        task = asyncio.create_task(send(chunk, time.perf_counter()))
        pending.add(task)
        task.add_done_callback(pending.discard)
        tick += 1
        delay = start + tick * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    if pending:
        await asyncio.gather(*pending)
    for connection in idle:
        await connection.close()
    return accepted


def post_at_rate(
    events: Iterator[dict[str, Any]], url: str, key: str, rate: float, batch: int
) -> None:
    """CLI entry: post a generated stream to a running service at `rate` events/s."""
    started = time.perf_counter()
    accepted = asyncio.run(post_paced(url, key, events, rate, batch))
    elapsed = time.perf_counter() - started
    print(f"accepted {accepted} events in {elapsed:.1f}s ({accepted / elapsed:.0f}/s)")
