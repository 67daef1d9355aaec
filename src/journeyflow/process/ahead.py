"""Work started for the next batch while the current one is applied, used only if it is done.

Both processors (embedded log, Kafka) read and prepare their next batch in the background; the
batch being applied asks whether it is there yet (to plan its stitching) and the loop waits for
it, or drops it, once the batch is committed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Ahead(Generic[T]):
    def __init__(self, work: Coroutine[Any, Any, T], name: str) -> None:
        self._task = asyncio.create_task(work, name=name)

    def ready(self) -> T | None:
        """The result if it is there already (None while working, or if the work failed)."""
        task = self._task
        if not task.done() or task.cancelled() or task.exception() is not None:
            return None
        return task.result()

    async def result(self) -> T:
        """The result, once there; raises what the work raised."""
        return await self._task

    async def cancel(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task
