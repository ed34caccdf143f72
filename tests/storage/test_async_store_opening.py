"""An AsyncStore can be used before its database is open: the calls wait and then run in the order asked."""
from __future__ import annotations

import asyncio
import threading

import pytest

from negotiator_app.storage import StorageError, Store
from negotiator_app.storage.async_store import AsyncStore
from tests.storage.support import small_config


def test_calls_made_while_the_store_opens_run_after_it_in_the_order_asked(tmp_path):
    db = tmp_path / "n.sqlite3"
    release = threading.Event()
    opener_thread: list[str] = []

    def slow_open() -> Store:
        opener_thread.append(threading.current_thread().name)
        assert release.wait(30)
        return Store.open(db)

    async def scenario() -> None:
        disk = AsyncStore.opening()
        assert not disk.is_open
        created = asyncio.ensure_future(disk.create_session(small_config()))  # a write asked first ...
        listed = asyncio.ensure_future(disk.list_sessions())  # ... is seen by the read asked after it
        given_up = asyncio.ensure_future(disk.list_sessions())
        await asyncio.sleep(0.05)
        given_up.cancel()  # a caller that stops waiting does not hold up the others
        opening = asyncio.ensure_future(disk.open(slow_open))
        await asyncio.sleep(0.05)
        assert not created.done() and not listed.done()  # nothing ran before the store was open
        release.set()
        store = await asyncio.wait_for(opening, 30)
        try:
            summary = await asyncio.wait_for(created, 30)
            assert [s.id for s in await asyncio.wait_for(listed, 30)] == [summary.id]
            assert given_up.cancelled()
            assert AsyncStore.of(store) is disk and disk.store is store  # one store thread serves everyone
            assert opener_thread[0].startswith("store")  # the opening ran on the store's thread, not the loop's
        finally:
            disk.close()
            store.close()

    asyncio.run(scenario())


def test_a_store_that_cannot_open_raises_at_open_and_leaves_the_waiting_calls_to_their_owner(tmp_path):
    folder = tmp_path / "a folder"
    folder.mkdir()

    async def scenario() -> None:
        disk = AsyncStore.opening()
        waiting = asyncio.ensure_future(disk.list_sessions())
        with pytest.raises(StorageError):
            await disk.open(lambda: Store.open(folder))  # a folder is not a database file
        await asyncio.sleep(0.05)
        assert not waiting.done() and not disk.is_open
        with pytest.raises(RuntimeError, match="still being opened"):
            disk.store  # noqa: B018 - the property raises
        waiting.cancel()
        disk.close()

    asyncio.run(scenario())
