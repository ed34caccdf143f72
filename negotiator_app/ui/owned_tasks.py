"""Tasks a widget starts and owns: referenced until done, failures reported, cancelled together at close."""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from typing import Any


class OwnedTasks:
    """The set of a widget's background tasks.

    asyncio keeps only weak references to tasks, so an unowned task can vanish mid-flight and its error is
    never seen; and a widget that closes must cancel and await what it started before its objects go away.
    `on_error` is called (on the loop) with the exception of each task that failed (not of cancelled ones).
    """

    def __init__(self, on_error: Callable[[BaseException], object]) -> None:
        self._tasks: set[asyncio.Task] = set()
        self._on_error = on_error

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            self._on_error(exc)

    def __iter__(self) -> Iterator[asyncio.Task]:
        return iter(list(self._tasks))

    def __len__(self) -> int:
        return len(self._tasks)

    async def cancel_all(self) -> None:
        """Cancel every task still under way (except the one calling this) and wait until they have ended."""
        others = [t for t in self._tasks if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
