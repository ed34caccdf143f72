"""A damaged or foreign database file, a read-only database and a full disk: clear errors, nothing lost."""
from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import event

from negotiator_app.domain import RunState
from negotiator_app.storage import Recorder, StorageError, Store
from negotiator_app.engine import EventBus
from tests.storage.support import RUN_CABLES, RUN_TIES, cable_events, record, small_config, ties_events


def test_a_file_that_is_not_sqlite_is_moved_aside_and_a_fresh_database_made(tmp_path):
    path = tmp_path / "negotiator.sqlite3"
    path.write_text("these are my holiday notes, not a database\n" * 20)
    with Store.open(path) as store:
        assert store.recovered_from is not None
        assert store.recovered_from.name.startswith("negotiator.sqlite3.corrupt-")
        assert store.recovered_from.read_text().startswith("these are my holiday notes")  # never deleted
        assert store.list_sessions() == []
        store.create_session(small_config())
    with Store.open(path) as again:
        assert again.recovered_from is None and len(again.list_sessions()) == 1


def test_a_damaged_sqlite_file_is_moved_aside(tmp_path):
    path = tmp_path / "negotiator.sqlite3"
    with Store.open(path) as store:
        for _ in range(5):
            store.create_session(small_config())
    original = path.read_bytes()
    # Keep the SQLite header, scribble over the schema and data pages.
    damaged = original[:100] + os.urandom(len(original) - 100)
    path.write_bytes(damaged)
    for side in ("-wal", "-shm"):
        path.with_name(path.name + side).unlink(missing_ok=True)
    with Store.open(path) as store:
        assert store.recovered_from is not None
        assert store.recovered_from.read_bytes() == damaged
        assert store.list_sessions() == []


@pytest.mark.expect_errors(r"recorder closing with 3 events unstored: .*read-only")
def test_read_only_database_reads_but_refuses_writes_with_a_clear_message(tmp_path):
    path = tmp_path / "negotiator.sqlite3"
    with Store.open(path) as store:
        session_id = store.create_session(small_config()).id
    with Store.open(path, read_only=True) as store:
        assert store.get_session(session_id).name == "Small shop"
        with pytest.raises(StorageError, match="read-only"):
            store.create_session(small_config())
        errors: list[StorageError] = []
        recorder = Recorder(store, session_id, small_config(), retry_delays=(0.01,))
        recorder.on_error = errors.append
        bus = EventBus()
        bus.subscribe(recorder.handle)
        for e in cable_events()[:4]:
            bus.emit(e)
        assert not recorder.flush_sync(0.3)  # nothing can be written...
        assert errors and "read-only" in errors[0].user_message
        assert recorder.backlog == 3  # ...and nothing queued was dropped
        recorder.close(timeout=0.1)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only file")
def test_read_only_file_gives_a_clear_error(tmp_path):
    path = tmp_path / "negotiator.sqlite3"
    Store.open(path).close()
    path.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(StorageError, match="read-only"):
            Store.open(path)
    finally:
        tmp_path.chmod(0o755)


def test_full_disk_pauses_writes_keeps_events_and_stores_them_when_space_returns(tmp_path):
    path = tmp_path / "negotiator.sqlite3"
    store = Store.open(path)
    session_id = store.create_session(small_config()).id
    limit = {"pages": None}

    @event.listens_for(store.engine, "checkout")
    def _quota(dbapi_conn, _record, _proxy):
        # A real SQLITE_FULL: the database may not grow past its current size while the quota is on.
        pages = limit["pages"] or 1_000_000_000
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    with sqlite3.connect(path) as conn:
        limit["pages"] = conn.execute("PRAGMA page_count").fetchone()[0]
    errors, recovered = [], []
    recorder = Recorder(store, session_id, small_config(), retry_delays=(0.02,))
    recorder.on_error, recorder.on_recovered = errors.append, lambda: recovered.append(True)
    bus = EventBus()
    bus.subscribe(recorder.handle)
    events = cable_events()
    events[3].message.text = "A long opening. " * 400  # needs new pages: free space in old ones won't do
    for e in events:
        bus.emit(e)
    assert not recorder.flush_sync(0.5)
    assert errors and "full" in errors[0].user_message
    assert len(errors) == 1  # reported once, retried quietly
    limit["pages"] = None  # space is back
    assert recorder.flush_sync(5)
    assert recovered == [True]
    run = store.load_run(RUN_CABLES)
    assert len(run.messages) == 6 and run.state == RunState.DECIDED
    recorder.close()
    store.close()


@pytest.mark.expect_errors("not stored: OfferMade", "offers refused")
def test_a_run_whose_offers_the_database_refused_is_stored_in_the_error_state(tmp_path):
    """The room may have finished before the refusal reached the loop: its stored end must still say error."""
    db = tmp_path / "n.sqlite3"
    with Store.open(db) as store:
        session_id = store.create_session(small_config()).id
    conn = sqlite3.connect(db)
    conn.execute("CREATE TRIGGER no_offers BEFORE INSERT ON offers BEGIN SELECT RAISE(ABORT, 'offers refused'); END")
    conn.commit()
    conn.close()
    with Store.open(db) as store:
        record(store, session_id, cable_events() + ties_events(), small_config()).close()  # queued before written
        cables, ties = store.load_run(RUN_CABLES), store.load_run(RUN_TIES)
    assert cables.state == RunState.ERROR and cables.outcome is None
    assert len(cables.messages) == 6  # what was said is kept
    assert ties.state == RunState.NO_DEAL  # a run with nothing refused ends as it ended
