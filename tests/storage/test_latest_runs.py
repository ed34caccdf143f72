"""The Resume buttons' question, answered cheaply: each room's newest run (id, state, owner) in one SELECT."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import event

from negotiator_app.domain import RunState
from negotiator_app.engine import RunStarted
from negotiator_app.storage.async_store import AsyncStore
from negotiator_app.storage.owners import this_process
from tests.storage.support import RUN_TIES, T0, record, scripted_session


def test_latest_runs_gives_each_rooms_newest_run_state_and_owner_in_one_select(store):
    sid = scripted_session(store)
    newer = "e" * 32  # room-1 again, an hour later, still running (this process negotiates it)
    record(store, sid, [RunStarted(room="room-1", run_id=newer, item="Cable", quantity=10, sellers=["Bolt", "Acme"],
                                   buyer="Pat", buyer_mode="ai", max_rounds=5, model="m1",
                                   at=T0 + timedelta(hours=1))]).close()
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    latest = store.latest_runs(sid)
    assert {key: (run.run_id, run.state) for key, run in latest.items()} == {
        "room-1": (newer, RunState.RUNNING), "room-2": (RUN_TIES, store.load_run(RUN_TIES).state)}
    assert latest["room-1"].owner_id == this_process().id
    selects = [s for s in statements[:2] if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and "messages" not in selects[0]  # no transcript is read for a button
    assert store.latest_runs(sid + 1) == {}  # another session: nothing


def test_the_async_store_answers_on_its_own_thread_in_the_order_asked(store):
    sid = scripted_session(store)

    async def scenario():
        disk = AsyncStore.of(store)
        assert AsyncStore.of(store) is disk  # one thread per store
        copy, sessions = await asyncio.gather(disk.duplicate_session(sid), disk.list_sessions())
        assert copy.id in [s.id for s in sessions]  # the read asked after the write sees it
        threads = await disk.call(lambda: __import__("threading").current_thread().name)
        assert threads.startswith("store")

    asyncio.run(scenario())
