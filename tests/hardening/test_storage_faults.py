"""The database failing under a running session (read-only, disk full) and two app instances on one file.

Real SQLite faults, not mocks: `PRAGMA query_only` gives SQLITE_READONLY and `PRAGMA max_page_count` a real
SQLITE_FULL on every connection the store checks out while the fault is on (chmod is no use: tests may run
as root).
"""
from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event

from negotiator_app.domain import RunState
from negotiator_app.storage import Store
from tests.engine.support import Script, make_config, target
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.hardening.support import Harness, assert_everything_stored, assert_rules_hold
from tests.waiting import until

ROOT = Path(__file__).resolve().parents[2]
PITCH = "Our widgets are hand-finished, tested twice and shipped the same day from our own warehouse. " * 8


def walk_after(rounds: int):
    return lambda r, b: ({"decision": "continue", "seller": None, "message": f"Round {r} done, lower?"} if r < rounds
                         else {"decision": "walk_away", "seller": None, "message": "Bye."})


def _sell(name, r, body):
    return {"message": f"{name}, round {r}: {PITCH}", "offer_price": target(body), "offer_quantity": None}


def _install_fault(store: Store, path: Path, kind: str) -> dict:
    fault = {"on": False, "pages": 0}

    @event.listens_for(store.engine, "checkout")
    def _apply(dbapi_conn, _record, _proxy):
        if kind == "read_only":
            dbapi_conn.execute(f"PRAGMA query_only = {int(fault['on'])}")
        else:
            dbapi_conn.execute(f"PRAGMA max_page_count = {fault['pages'] if fault['on'] else 1_000_000_000}")

    def switch(on: bool) -> None:
        if on and kind == "disk_full":
            with sqlite3.connect(path) as conn:
                fault["pages"] = conn.execute("PRAGMA page_count").fetchone()[0]
        fault["on"] = on

    fault["switch"] = switch
    return fault


@pytest.mark.parametrize("kind, words", [("read_only", "read-only"), ("disk_full", "is full")])
def test_database_failing_mid_run_pauses_the_rooms_says_why_and_loses_nothing(tmp_path, kind, words):
    db = tmp_path / "negotiator.sqlite3"
    with FakeLMStudio() as fake:
        fake.responder = Script(sell=_sell, decide=walk_after(4))

        async def main():
            h = await Harness.open(fake.base_url, make_config(3, items=2), db)
            fault = _install_fault(h.store, db, kind)
            tasks = h.runtime.start_all()
            await until(lambda: min(r.round for r in h.engine.rooms.values()) >= 2, timeout=30, interval=0.002,
                        what="round 2 in every room")
            fault["switch"](True)
            await until(lambda: h.storage_errors and all(r.state == RunState.PAUSED or r.state.finished
                                                         for r in h.engine.rooms.values()),
                        timeout=30, what="the storage error and every room paused or finished")
            assert all(not t.done() for t in tasks), "a room ran to its end while nothing could be stored"
            backlog = h.recorder.backlog
            await asyncio.sleep(0.2)
            assert h.recorder.backlog >= backlog > 0  # kept, not dropped, while the database refuses writes
            fault["switch"](False)  # the disk has space again / the file is writable again
            states = await asyncio.wait_for(asyncio.gather(*tasks), 20)
            await h.close(close_store=False)
            return h, states
        h, states = asyncio.run(main())
    assert states == [RunState.NO_DEAL, RunState.NO_DEAL]
    assert len(h.storage_errors) == 1 and words in h.storage_errors[0].user_message
    assert "nothing stored so far is lost" in h.storage_errors[0].user_message or "permissions" in \
        h.storage_errors[0].user_message
    assert h.recoveries == 1
    for room in h.engine.rooms.values():
        assert_rules_hold(room)
        assert_everything_stored(h.store, room)
        assert len(room.transcript) == 1 + 4 * 4  # opening + 4 rounds of (3 sellers + the buyer's decision)
    h.store.close()
    with Store.open(db) as reopened:  # and it is all still there after a restart
        assert reopened.recovered_from is None
        assert sum(len(reopened.load_run(r.run_id).messages) for r in h.engine.rooms.values()) == 2 * 17


def test_two_app_instances_in_one_process_share_a_database_without_losing_rows(tmp_path):
    """Two Stores (two engines, two recorder threads) write one file at once; the second starts mid-run."""
    db = tmp_path / "negotiator.sqlite3"
    with FakeLMStudio() as fake:
        fake.responder = Script(sell=_sell, decide=walk_after(5))

        async def main():
            first = await Harness.open(fake.base_url, make_config(4, items=3), db)
            tasks = first.runtime.start_all()
            await until(lambda: first.room.round >= 2, timeout=30, interval=0.002, what="round 2 in the first room")
            second = await Harness.open(fake.base_url, make_config(3, items=2), db, store=Store.open(db))
            second.store.mark_interrupted_runs()  # what the second instance does at start: must not break the first
            tasks += second.runtime.start_all()
            states = await asyncio.wait_for(asyncio.gather(*tasks), 30)
            await first.close(close_store=False)
            await second.close(close_store=False)
            return first, second, states
        first, second, states = asyncio.run(main())
    assert states == [RunState.NO_DEAL] * 5
    assert not first.storage_errors and not second.storage_errors  # busy waits, never an error
    for h in (first, second):
        for room in h.engine.rooms.values():
            assert_everything_stored(h.store, room)  # including the final state the other instance touched
        h.store.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 3 * (1 + 5 * 5) + 2 * (1 + 5 * 4)


def test_two_app_processes_writing_one_database_at_once_lose_nothing(tmp_path):
    db = tmp_path / "negotiator.sqlite3"
    runs, messages = 20, 10
    procs = [subprocess.Popen([sys.executable, "-m", "tests.hardening.db_writer", str(db), tag, str(runs), str(messages)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for tag in ("a", "b")]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
    ids = [line for out, _ in outputs for line in out.split()]
    assert len(ids) == 2 * runs
    with Store.open(db) as store:
        assert store.recovered_from is None
        assert len(store.list_sessions()) == 2
        for run_id in ids:
            record = store.load_run(run_id)
            assert record.state == RunState.DECIDED
            assert [m.seq for m in record.messages] == list(range(1, messages + 1))
            assert record.outcome.seller == "Acme"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
