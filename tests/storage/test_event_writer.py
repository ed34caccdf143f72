"""The store's one event writer: every running session's events go through one thread, in shared transactions."""
from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import event

from negotiator_app.domain import RunState
from negotiator_app.storage import Recorder, Store
from negotiator_app.storage.event_writer import writer_for
from tests.storage.support import RUN_CABLES, RUN_TIES, cable_events, small_config, ties_events

OTHER_RUN = "e" * 32


def writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "negotiator-writer"]


def two_sessions(store: Store) -> tuple[Recorder, Recorder]:
    config = small_config()
    first, second = (Recorder(store, store.create_session(config).id, config) for _ in range(2))
    writer_for(store).gather_s = 60.0  # what is queued below waits for the flush: one batch, whatever the machine
    return first, second


def test_the_sessions_of_a_store_are_written_by_one_thread_in_one_transaction(tmp_path):
    with Store.open(tmp_path / "n.sqlite3") as store:
        commits: list[str] = []
        cables, ties = two_sessions(store)
        event.listen(store.engine, "commit", lambda conn: commits.append(threading.current_thread().name))
        [thread] = writer_threads()
        for e in cable_events():
            cables.handle(e)
        for e in ties_events():
            ties.handle(e)
        assert cables.flush_sync(10) and ties.backlog == 0
        assert commits == ["negotiator-writer"]  # both sessions' runs, all their events: one transaction
        assert store.load_run(RUN_CABLES).state == RunState.DECIDED and store.load_run(RUN_TIES).state == RunState.NO_DEAL
        assert store.load_run(RUN_CABLES).session_id != store.load_run(RUN_TIES).session_id
        assert cables.close() and ties.close()
        thread.join(10)
        assert not thread.is_alive()  # the thread ends with its last recorder...
        again = Recorder(store, store.load_run(RUN_TIES).session_id)
        assert len(writer_threads()) == 1  # ...and the next one starts another
        again.close()


@pytest.mark.expect_errors("not stored: OfferMade", "offers refused")
def test_an_event_the_database_refuses_costs_only_its_own_run_not_the_sessions_written_with_it(tmp_path):
    db = tmp_path / "n.sqlite3"
    Store.open(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute(f"CREATE TRIGGER no_offers BEFORE INSERT ON offers WHEN NEW.run_id = '{RUN_CABLES}' "
                     "BEGIN SELECT RAISE(ABORT, 'offers refused'); END")
    conn.close()
    with Store.open(db) as store:
        refusing, other = two_sessions(store)
        for e in cable_events():
            refusing.handle(e)
        for e in cable_events(OTHER_RUN):  # the same run in another session, queued into the same batch
            other.handle(e)
        assert refusing.flush_sync(10) and other.flush_sync(10)
        refused, kept = store.load_run(RUN_CABLES), store.load_run(OTHER_RUN)
        assert refused.state == RunState.ERROR and refused.offers == [] and len(refused.messages) == 6
        assert kept.state == RunState.DECIDED and len(kept.offers) == 3 and len(kept.messages) == 6
        assert refusing.failing is not None and other.failing is None  # only the refused session is told
        refusing.close()
        other.close()
