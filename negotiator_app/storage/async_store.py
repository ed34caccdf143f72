"""The store for code on the event loop (the GUI thread): every call runs on one dedicated thread.

A window must never wait on the disk: a slow or locked database would freeze it. Each `AsyncStore` method
runs the `Store` call of the same name on a single worker thread (one at a time, in the order asked, so a
write is always seen by the read that follows it) and the loop awaits the result. `run()` does the same for
any function that takes the store first (exports, imports, metrics). Errors come back unchanged.
"""
from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from ..domain import Message, SessionConfig
from .models import Debrief, LatestRun, RunRecord, RunSummary, SessionSummary, StoredSession
from .store import Store

T = TypeVar("T")
_shared: weakref.WeakKeyDictionary[Store, AsyncStore] = weakref.WeakKeyDictionary()


class AsyncStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

    @classmethod
    def of(cls, store: Store) -> AsyncStore:
        """The one AsyncStore (and so the one worker thread) of this store."""
        found = _shared.get(store)
        if found is None:
            found = _shared[store] = cls(store)
        return found

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`function(store, *args, **kwargs)` on the store's thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(function, self.store, *args, **kwargs))

    async def call(self, function: Callable[[], T]) -> T:
        """`function()` on the store's thread (for code that holds the store already)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, function)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    # ----- the Store's methods, awaited -----------------------------------------------------------

    async def list_sessions(self) -> list[SessionSummary]:
        return await self.run(Store.list_sessions)

    async def session_summary(self, session_id: int) -> SessionSummary:
        return await self.run(Store.session_summary, session_id)

    async def get_session(self, session_id: int) -> StoredSession:
        return await self.run(Store.get_session, session_id)

    async def create_session(self, config: SessionConfig) -> SessionSummary:
        return await self.run(Store.create_session, config)

    async def update_session(self, session_id: int, config: SessionConfig) -> None:
        await self.run(Store.update_session, session_id, config)

    async def rename_session(self, session_id: int, name: str) -> None:
        await self.run(Store.rename_session, session_id, name)

    async def duplicate_session(self, session_id: int) -> SessionSummary:
        return await self.run(Store.duplicate_session, session_id)

    async def delete_session(self, session_id: int) -> None:
        await self.run(Store.delete_session, session_id)

    async def list_runs(self, session_id: int, room_key: str | None = None) -> list[RunSummary]:
        return await self.run(Store.list_runs, session_id, room_key)

    async def latest_runs(self, session_id: int) -> dict[str, LatestRun]:
        return await self.run(Store.latest_runs, session_id)

    async def load_run(self, run_id: str, last_messages: int | None = None) -> RunRecord:
        return await self.run(Store.load_run, run_id, last_messages)

    async def load_messages(self, run_id: str, before_seq: int, limit: int) -> list[Message]:
        return await self.run(Store.load_messages, run_id, before_seq, limit)

    async def claim_run(self, run_id: str) -> None:
        await self.run(Store.claim_run, run_id)

    async def load_debriefs(self, session_id: int) -> list[Debrief]:
        return await self.run(Store.load_debriefs, session_id)
