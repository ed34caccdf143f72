"""Run owners in the store: who may mark a run interrupted or resume it, and the recorder's heartbeat."""
from __future__ import annotations

import os
import sqlite3
import time
from datetime import UTC, datetime, timedelta

import pytest

from negotiator_app.domain import RunState
from negotiator_app.storage import Recorder, RunOwnedElsewhere, Store
from negotiator_app.storage.owners import STALE_ENV, this_process
from negotiator_app.storage.runs import mark_interrupted
from tests.storage.support import RUN_CABLES, cable_events, dead_pid, orphan, record, small_config


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "n.sqlite3") as s:
        yield s


def _unfinished(store: Store) -> None:
    session_id = store.create_session(small_config()).id
    record(store, session_id, cable_events()[:9]).close()  # started, a few messages, never finished


def _set_owner(store: Store, owner_id: str | None, beat: datetime | None) -> None:
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE runs SET owner_id = ?, heartbeat_at = ? WHERE id = ?",
                     (owner_id, beat.isoformat() if beat else None, RUN_CABLES))


def test_the_recorder_makes_this_process_the_owner_of_the_runs_it_records(store):
    _unfinished(store)
    run = store.load_run(RUN_CABLES)
    assert run.owner_id == this_process().id and run.heartbeat_at is not None
    assert store.mark_interrupted_runs() == []  # we are alive
    store.claim_run(RUN_CABLES)  # and may take our own run back


def test_a_run_of_another_live_process_is_neither_interrupted_nor_resumable(store):
    _unfinished(store)
    alive = f"{this_process().host}|{os.getppid()}|other"  # the process that started this test: alive
    _set_owner(store, alive, datetime.now(UTC))
    assert store.mark_interrupted_runs() == []
    with pytest.raises(RunOwnedElsewhere, match=f"being negotiated by process {os.getppid()} on"):
        store.claim_run(RUN_CABLES)
    assert store.load_run(RUN_CABLES).state == RunState.RUNNING


def test_a_dead_owner_a_stale_heartbeat_or_no_owner_leaves_the_run_to_be_resumed(store, monkeypatch):
    _unfinished(store)
    orphan(store.path, RUN_CABLES)  # its process is gone
    assert store.mark_interrupted_runs() == [RUN_CABLES]

    monkeypatch.setenv(STALE_ENV, "30")
    far = f"elsewhere|{os.getpid()}|x"  # another machine: only the heartbeat tells
    now = datetime.now(UTC)
    with store.writing() as conn:
        for beat, expected in ((now - timedelta(seconds=10), []), (now - timedelta(seconds=31), [RUN_CABLES])):
            conn.exec_driver_sql("UPDATE runs SET state = 'running', owner_id = ?, heartbeat_at = ?",
                                 (far, beat.isoformat()))
            assert mark_interrupted(conn, now) == expected

    _set_owner(store, None, None)  # written before runs had owners
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE runs SET state = 'running'")
    assert store.mark_interrupted_runs() == [RUN_CABLES]
    assert store.load_run(RUN_CABLES).owner_id is None
    store.claim_run(RUN_CABLES)
    assert store.load_run(RUN_CABLES).owner_id == this_process().id


def test_the_writer_thread_refreshes_the_heartbeat_of_unfinished_runs(store):
    session_id = store.create_session(small_config()).id
    recorder = Recorder(store, session_id, heartbeat_s=0.05)
    for event in cable_events()[:9]:
        recorder.handle(event)
    assert recorder.flush_sync(10)
    first = store.load_run(RUN_CABLES).heartbeat_at
    deadline = time.monotonic() + 10
    while store.load_run(RUN_CABLES).heartbeat_at == first:
        assert time.monotonic() < deadline, "no heartbeat within 10 s"
        time.sleep(0.02)
    assert recorder.close(5)


def test_a_dead_pid_is_told_apart_from_a_live_one():
    from negotiator_app.storage.owners import pid_alive

    assert pid_alive(os.getpid()) and not pid_alive(dead_pid())
