"""The store for code on the event loop (the GUI thread): every call runs on one dedicated thread.

A window must never wait on the disk: a slow or locked database would freeze it. Each `AsyncStore` method
runs the `Store` call of the same name on a single worker thread (one at a time, in the order asked, so a
write is always seen by the read that follows it) and the loop awaits the result. `run()` does the same for
any function that takes the store first (exports, imports, metrics). Errors come back unchanged.

A window can be built before its database is open (`AsyncStore.opening()`, then `open()`): the calls made
meanwhile wait, in order, until the store is open, so the window shows before SQLAlchemy is even imported.
"""
from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # the store's module (SQLAlchemy) and the records' models are imported on the store's thread
    from ..domain import Message, SessionConfig
    from .models import Debrief, LatestRun, RunRecord, RunSummary, SessionSummary, StoredSession
    from .store import Store

T = TypeVar("T")
_shared: weakref.WeakKeyDictionary[Store, AsyncStore] = weakref.WeakKeyDictionary()


class AsyncStore:
    def __init__(self, store: Store | None) -> None:
        self._store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._waiting: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []  # calls made before open()

    @classmethod
    def opening(cls) -> AsyncStore:
        """An AsyncStore whose store `open()` opens later; calls made before then wait for it."""
        return cls(None)

    async def open(self, opener: Callable[[], Store]) -> Store:
        """Run `opener` on the store's thread, then hand it the calls that waited, in the order they came. If it
        raises, the error comes back here and the waiting calls keep waiting: their owner cancels them."""
        loop = asyncio.get_running_loop()
        store = await loop.run_in_executor(self._executor, opener)
        self._store = store
        _shared[store] = self
        waiting, self._waiting = self._waiting, []
        for function, answer in waiting:  # queued before any later call can be: a write stays before its read
            if not answer.cancelled():
                running = loop.run_in_executor(self._executor, function)
                running.add_done_callback(partial(_forward, answer))
        return store

    @property
    def is_open(self) -> bool:
        return self._store is not None

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the store is still being opened; await a call on this AsyncStore first")
        return self._store

    @classmethod
    def of(cls, store: Store) -> AsyncStore:
        """The one AsyncStore (and so the one worker thread) of this store."""
        found = _shared.get(store)
        if found is None:
            found = _shared[store] = cls(store)
        return found

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`function(store, *args, **kwargs)` on the store's thread."""
        return await self.call(lambda: function(self.store, *args, **kwargs))

    async def call(self, function: Callable[[], T]) -> T:
        """`function()` on the store's thread (for code that holds the store already)."""
        loop = asyncio.get_running_loop()
        if self._store is None:  # not open yet: open() hands it to the store's thread
            answer: asyncio.Future[T] = loop.create_future()
            self._waiting.append((function, answer))
            return await answer
        return await loop.run_in_executor(self._executor, function)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _method(self, name: str, *args: Any) -> Any:
        """The Store method `name`, looked up on the store's thread (this module never imports the Store)."""
        return await self.run(lambda store: getattr(store, name)(*args))

    # ----- the Store's methods, awaited -----------------------------------------------------------

    async def list_sessions(self) -> list[SessionSummary]:
        return await self._method("list_sessions")

    async def session_summary(self, session_id: int) -> SessionSummary:
        return await self._method("session_summary", session_id)

    async def get_session(self, session_id: int) -> StoredSession:
        return await self._method("get_session", session_id)

    async def create_session(self, config: SessionConfig) -> SessionSummary:
        return await self._method("create_session", config)

    async def update_session(self, session_id: int, config: SessionConfig) -> None:
        await self._method("update_session", session_id, config)

    async def rename_session(self, session_id: int, name: str) -> None:
        await self._method("rename_session", session_id, name)

    async def duplicate_session(self, session_id: int) -> SessionSummary:
        return await self._method("duplicate_session", session_id)

    async def delete_session(self, session_id: int) -> None:
        await self._method("delete_session", session_id)

    async def list_runs(self, session_id: int, room_key: str | None = None) -> list[RunSummary]:
        return await self._method("list_runs", session_id, room_key)

    async def latest_runs(self, session_id: int) -> dict[str, LatestRun]:
        return await self._method("latest_runs", session_id)

    async def load_run(self, run_id: str, last_messages: int | None = None) -> RunRecord:
        return await self._method("load_run", run_id, last_messages)

    async def load_messages(self, run_id: str, before_seq: int, limit: int) -> list[Message]:
        return await self._method("load_messages", run_id, before_seq, limit)

    async def claim_run(self, run_id: str) -> None:
        await self._method("claim_run", run_id)

    async def load_debriefs(self, session_id: int) -> list[Debrief]:
        return await self._method("load_debriefs", session_id)


def _forward(answer: asyncio.Future, done: asyncio.Future) -> None:
    """A queued call has run: its result or error goes to the caller still waiting for it."""
    error = None if done.cancelled() else done.exception()  # read even when nobody waits: never "unretrieved"
    if answer.cancelled():
        return
    if done.cancelled():
        answer.cancel()
    elif error is not None:
        answer.set_exception(error)
    else:
        answer.set_result(done.result())
