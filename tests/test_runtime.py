"""The session runtime: storage-failure policy, notices on the loop, explicit "stored" notices, a close that
never blocks the loop, and one owner for every room task."""
import asyncio
import threading

import pytest

from negotiator_app.domain import RunState
from negotiator_app.engine import RunFinished
from negotiator_app.runtime import (
    RoomRunning, RunStored, SessionRuntime, StorageFailed, StorageRecovered, client_factory,
)
from negotiator_app.storage import Store
from tests.engine.support import Script, make_config, wait_for
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.hardening.test_storage_faults import _install_fault

ENDLESS = Script(decide=lambda r, b: {"decision": "continue", "seller": None, "message": "Lower?"})


def test_storage_failure_pauses_running_rooms_and_recovery_resumes_only_those(tmp_path):
    db = tmp_path / "negotiator.sqlite3"
    with FakeLMStudio(per_token_delay_s=0.002) as fake:
        fake.responder = ENDLESS

        async def main():
            store = Store.open(db)
            session_id = store.create_session(make_config(2, items=3, rounds=30)).id
            runtime = SessionRuntime(store, session_id, client_factory(fake.base_url), recorder_retry_delays=(0.02,))
            heard, threads = [], set()
            runtime.subscribe(lambda item: (heard.append(item), threads.add(threading.get_ident())))
            fault = _install_fault(store, db, "read_only")
            runtime.start("room-1")
            runtime.start("room-2")
            rooms = runtime.engine.rooms
            await wait_for(lambda: min(rooms[k].round for k in ("room-1", "room-2")) >= 2)
            rooms["room-2"].pause()  # the person paused this one: it must stay paused
            fault["switch"](True)
            await wait_for(lambda: any(isinstance(i, StorageFailed) for i in heard) and rooms["room-1"].state == RunState.PAUSED)
            paused = {k: r.state for k, r in rooms.items()}
            runtime.start("room-3")  # started while nothing can be stored: it waits with the others
            late = rooms["room-3"].paused
            fault["switch"](False)
            await wait_for(lambda: any(isinstance(i, StorageRecovered) for i in heard))
            after = {k: r.paused for k, r in rooms.items()}
            await runtime.close()
            store.close()
            return heard, threads, paused, after, late
        heard, threads, paused, after, late = asyncio.run(main())
    failed = next(i for i in heard if isinstance(i, StorageFailed))
    assert "read-only" in failed.message
    assert paused["room-1"] == RunState.PAUSED and late
    assert after == {"room-1": False, "room-2": True, "room-3": False}  # resumed what the failure paused, only
    assert threads == {threading.main_thread().ident}  # writer-thread callbacks arrive on the loop's thread


def test_a_run_stored_notice_follows_the_commit_of_its_start_and_end(tmp_path):
    with FakeLMStudio() as fake:
        fake.responder = Script(decide=lambda r, b: {"decision": "walk_away", "seller": None, "message": "Bye."})

        async def main():
            store = Store.open(tmp_path / "n.sqlite3")
            runtime = SessionRuntime(store, store.create_session(make_config(2)).id, client_factory(fake.base_url))
            seen = []

            def on(item) -> None:
                if isinstance(item, RunStored):  # what is on disk at the moment the notice arrives
                    seen.append((item.state, [r.state for r in store.list_runs(runtime.session_id)]))
            runtime.subscribe(on)
            await asyncio.gather(*runtime.start_all())
            await wait_for(lambda: len(seen) == 2)
            await runtime.close()
            store.close()
            return seen
        seen = asyncio.run(main())
    assert seen[0][0] == RunState.RUNNING and len(seen[0][1]) == 1 and not seen[0][1][0].finished  # stored, live
    assert seen[1][0] == RunState.NO_DEAL and seen[1][1] == [RunState.NO_DEAL]


def test_send_to_an_idle_room_starts_a_task_the_runtime_owns_and_reports(tmp_path):
    with FakeLMStudio(per_token_delay_s=0.01) as fake:
        fake.responder = ENDLESS

        async def main():
            store = Store.open(tmp_path / "n.sqlite3")
            runtime = SessionRuntime(store, store.create_session(make_config(2)).id, client_factory(fake.base_url))
            heard = []
            runtime.subscribe(heard.append)
            task = runtime.send("room-1", "Hello @Seller A, two widgets?")
            owned = runtime.task("room-1") is task and runtime.running_rooms == ["room-1"]
            await wait_for(lambda: runtime.engine.rooms["room-1"].transcript)  # the typed opening is posted
            await runtime.close()  # stops what it owns: the typed run ends as stopped
            store.close()
            return owned, task, heard
        owned, task, heard = asyncio.run(main())
    assert owned and task.done()
    assert [i for i in heard if isinstance(i, RoomRunning)] == [RoomRunning("room-1", True), RoomRunning("room-1", False)]
    assert [e.state for e in heard if isinstance(e, RunFinished)] == [RunState.STOPPED]


@pytest.mark.expect_errors(r"some events could not be stored before closing", r"not stored|recorder closing")
def test_closing_with_a_failing_disk_never_blocks_the_loop(tmp_path):
    db = tmp_path / "negotiator.sqlite3"
    with FakeLMStudio(per_token_delay_s=0.002) as fake:
        fake.responder = ENDLESS

        async def main():
            store = Store.open(db)
            runtime = SessionRuntime(store, store.create_session(make_config(2)).id, client_factory(fake.base_url),
                                     recorder_retry_delays=(0.02,))
            fault = _install_fault(store, db, "read_only")
            runtime.start_all()
            await wait_for(lambda: runtime.engine.rooms["room-1"].round >= 1)
            fault["switch"](True)
            await wait_for(lambda: runtime.storage_error is not None)
            ticks = 0

            async def tick():
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.01)
                    ticks += 1
            ticker = asyncio.ensure_future(tick())
            stored = await runtime.close(timeout=0.5)  # the recorder keeps failing until the timeout
            ticker.cancel()
            fault["switch"](False)
            store.close()
            return stored, ticks
        stored, ticks = asyncio.run(main())
    assert stored is False
    assert ticks >= 5  # the loop kept turning while the recorder waited on the disk
