"""A request limiter shared by every room of a session, fair between rooms (round-robin)."""
from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from contextlib import asynccontextmanager


class FairLimiter:
    """At most `capacity` requests at once; a freed slot goes to the next room in turn, not the busiest."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.in_use = 0
        self._waiting: OrderedDict[str, deque[asyncio.Future[None]]] = OrderedDict()

    @asynccontextmanager
    async def slot(self, room: str):
        await self._acquire(room)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, room: str) -> None:
        if self.in_use < self.capacity and not self._waiting:
            self.in_use += 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(room, deque()).append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release()  # the slot was handed to us just as we were cancelled: pass it on
            else:
                self._forget(room, future)
            raise

    def _forget(self, room: str, future: asyncio.Future[None]) -> None:
        queue = self._waiting.get(room)
        if queue and future in queue:
            queue.remove(future)
            if not queue:
                del self._waiting[room]

    def _release(self) -> None:
        self.in_use -= 1
        while self._waiting and self.in_use < self.capacity:
            room, queue = next(iter(self._waiting.items()))
            future = queue.popleft()
            # Round-robin: the room just served goes to the back of the line.
            del self._waiting[room]
            if queue:
                self._waiting[room] = queue
            if not future.done():
                self.in_use += 1
                future.set_result(None)
