"""Sessions and runs round-trip through a real SQLite file; deletes cascade; state survives reopening."""
from __future__ import annotations

import sqlite3

import pytest

from negotiator_app.domain import OutcomeKind, RunState
from negotiator_app.storage import SCHEMA_VERSION, Store
from negotiator_app.storage.store import NotFound
from tests.storage.support import (
    RUN_CABLES, RUN_TIES, cable_events, orphan, record, scripted_session, small_config,
)

ALL_TABLES = ["sessions", "buyer_items", "sellers", "inventory", "rooms", "runs", "participants", "messages",
              "message_recipients", "usage", "offers", "violations", "outcomes", "run_events"]


def counts(path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ALL_TABLES}


def test_session_config_round_trips_with_private_fields(store):
    config = small_config()
    summary = store.create_session(config)
    assert (summary.item_count, summary.seller_count, summary.run_count) == (3, 2, 0)
    loaded = store.get_session(summary.id)
    assert loaded.config == config
    assert loaded.config.sellers[0].inventory[0].least_price == 5  # private fields are stored


def test_every_run_entity_round_trips(store):
    session_id = store.create_session(small_config()).id
    events = cable_events()
    record(store, session_id, events).close()
    run = store.load_run(RUN_CABLES)
    sent = [e.message for e in events if type(e).__name__ == "MessageCompleted"]
    assert run.messages == sent  # text, recipients, round, time, usage, reasoning kept apart
    assert run.messages[0].reasoning == "think first"
    assert run.offers == [e.offer for e in events if type(e).__name__ == "OfferMade"]
    assert run.violations == [e.violation for e in events if type(e).__name__ == "ViolationRecorded"]
    assert run.outcome.kind == OutcomeKind.DEAL and run.outcome.price_per_unit == 6.0
    assert run.state == RunState.DECIDED and run.rounds == 2 and run.parse_failures == 1
    assert run.participants == ["Pat", "Bolt", "Acme"]
    assert [e.kind for e in run.events] == ["parse_failed", "decision", "decision"]
    assert run.last_event_seq == len(events)  # token deltas are numbered but not stored
    assert run.config == small_config()


def test_token_deltas_are_not_stored(store, tmp_path):
    session_id = store.create_session(small_config()).id
    record(store, session_id, cable_events()).close()
    assert counts(store.path)["messages"] == 6


def test_list_rename_duplicate_update(store):
    session_id = scripted_session(store)
    other = store.create_session(small_config().model_copy(update={"name": "Other"}))
    listed = store.list_sessions()
    assert [s.id for s in listed][0] == other.id  # newest activity first
    mine = next(s for s in listed if s.id == session_id)
    assert mine.run_count == 2 and mine.item_count == 3
    store.rename_session(session_id, "Renamed")
    assert store.get_session(session_id).name == "Renamed"
    copy = store.duplicate_session(session_id)
    assert copy.name == "Renamed (copy)" and copy.run_count == 0
    edited = store.get_session(copy.id).config
    edited.buyer.items[0].quantity = 12
    store.update_session(copy.id, edited)
    assert store.get_session(copy.id).config.buyer.items[0].quantity == 12
    assert store.get_session(session_id).config.buyer.items[0].quantity == 10  # the original is untouched
    assert store.load_run(RUN_CABLES).config.buyer.items[0].quantity == 10  # runs keep their configuration


def test_runs_listed_newest_first_per_room(store):
    session_id = scripted_session(store)
    later = [e for e in cable_events("e" * 32)]
    for e in later:
        e.at = e.at.replace(hour=13)
    record(store, session_id, later).close()
    room1 = store.list_runs(session_id, "room-1")
    assert [r.run_id for r in room1] == ["e" * 32, RUN_CABLES]
    assert {r.run_id for r in store.list_runs(session_id)} == {"e" * 32, RUN_CABLES, RUN_TIES}


def test_delete_cascades_to_everything(store):
    session_id = scripted_session(store)
    assert all(n > 0 for n in counts(store.path).values())
    store.delete_session(session_id)
    assert counts(store.path) == dict.fromkeys(ALL_TABLES, 0)
    with pytest.raises(NotFound):
        store.get_session(session_id)


def test_unfinished_runs_are_marked_interrupted_and_snapshot_resumes(store):
    session_id = store.create_session(small_config()).id
    events = cable_events()[:9]  # killed after Acme's bad offer
    record(store, session_id, events).close()
    assert store.load_run(RUN_CABLES).state == RunState.RUNNING
    assert store.mark_interrupted_runs() == []  # its owner (this process) is alive
    orphan(store.path, RUN_CABLES)
    assert store.mark_interrupted_runs() == [RUN_CABLES]
    assert store.load_run(RUN_CABLES).state == RunState.INTERRUPTED
    snap = store.snapshot(RUN_CABLES)
    assert [m.seq for m in snap.messages] == [1, 2, 3]
    assert len(snap.offers) == 2 and snap.last_event_seq == 9
    assert store.mark_interrupted_runs() == []


def test_schema_version_and_reopen(tmp_path):
    path = tmp_path / "db.sqlite3"
    with Store.open(path) as s:
        s.create_session(small_config())
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Store.open(path) as s:
        assert len(s.list_sessions()) == 1
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_newer_schema_is_refused_not_overwritten(tmp_path):
    from negotiator_app.storage import StorageError

    path = tmp_path / "db.sqlite3"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StorageError, match="newer Negotiator"):
        Store.open(path)
    assert path.exists()
