"""Schema migrations: a version-1 database (built by replaying only step 1) upgrades in place to the debriefs
schema (and then to runs with owners) keeping its data, and the frozen steps give exactly the tables schema.py describes."""
from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine

from negotiator_app.storage import SCHEMA_VERSION, Debrief, Store, StorageError
from negotiator_app.storage.db import make_engine
from negotiator_app.storage.migrations import migrate
from negotiator_app.storage.schema import TRIGGERS, metadata
from tests.storage.support import RUN_CABLES, scripted_session


def v1_database(path) -> int:
    """A database as Negotiator 1 left it: schema step 1 only, a session with two stored runs (recorded by
    today's writers into a current database, then copied column by column into the version-1 tables)."""
    current = path.with_name("current.sqlite3")
    with Store.open(current) as store:
        session_id = scripted_session(store)
    engine = make_engine(path)
    with engine.connect() as conn:
        with conn.begin():
            migrate(conn, target=1)
    engine.dispose()
    conn = sqlite3.connect(path)
    try:
        conn.execute("ATTACH DATABASE ? AS current", (str(current),))
        tables = [r[0] for r in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%'")]
        for table in sorted(tables, key=lambda t: t == "outcomes"):  # a deal's trigger checks its offer exists
            columns = ", ".join(r[1] for r in conn.execute(f"PRAGMA main.table_info({table})"))
            conn.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM current.{table}")
        conn.commit()
    finally:
        conn.close()
    return session_id


def test_a_version_1_database_upgrades_in_place_keeping_its_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    session_id = v1_database(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'debriefs'").fetchone() is None
    with Store.open(path) as store:
        assert store.recovered_from is None  # upgraded, not set aside
        assert [s.run_count for s in store.list_sessions()] == [2]
        record = store.load_run(RUN_CABLES)
        assert [m.text for m in record.messages][:2] == ["Hello, best price?", "7 each."]
        assert record.outcome.price_per_unit == 6.0
        assert store.load_debriefs(session_id) == []
        debrief = Debrief(room_key="room-1", item="Cable", run_id=RUN_CABLES, model="m", text="Acme won at #5.",
                          created_at=datetime(2025, 3, 2, tzinfo=UTC))
        store.save_debriefs(session_id, [debrief])
        assert store.load_debriefs(session_id) == [debrief]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
        # v6: a run's recipients are found through an index, not by scanning every run's (reads, cascading deletes)
        plan = conn.execute("EXPLAIN QUERY PLAN SELECT name FROM message_recipients WHERE run_id = ?",
                            (RUN_CABLES,)).fetchall()
        assert "USING COVERING INDEX ix_message_recipients_run_id" in " ".join(row[-1] for row in plan)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _schema(path) -> set[tuple[str, str, str]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
    return {(kind, name, re.sub(r"\s+", " ", sql.replace("IF NOT EXISTS ", "")).replace("( ", "(").replace(" )", ")"))
            for kind, name, sql in rows}


def test_the_frozen_steps_build_exactly_the_live_schema(tmp_path):
    Store.open(tmp_path / "migrated.sqlite3").close()
    engine = create_engine(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    with engine.begin() as conn:
        metadata.create_all(conn)
        for trigger in TRIGGERS:
            conn.exec_driver_sql(trigger)
    engine.dispose()
    migrated, live = _schema(tmp_path / "migrated.sqlite3"), _schema(tmp_path / "live.sqlite3")
    assert migrated == live, "schema.py and migrations.py disagree: add a migration step for the change"
    assert any(name == "debriefs" for _, name, _ in migrated)


def test_debrief_rows_keep_their_rules(tmp_path):
    with Store.open(tmp_path / "d.sqlite3") as store:
        session_id = scripted_session(store)
        at = datetime(2025, 3, 2, tzinfo=UTC)
        overall = Debrief(model="m", text="All good.", created_at=at)
        with pytest.raises(StorageError):  # an item debrief needs the run it was written from (CHECK)
            store.save_debriefs(session_id, [overall.model_copy(update={"room_key": "room-1", "item": "Cable"})])
        with pytest.raises(StorageError):  # one session debrief per session
            store.save_debriefs(session_id, [overall, overall])
        with pytest.raises(ValueError, match="not a run of room-2"):
            store.save_debriefs(session_id, [Debrief(room_key="room-2", item="Cable tie", run_id=RUN_CABLES,
                                                     model="m", text="x", created_at=at)])
        store.save_debriefs(session_id, [overall])
        store.delete_session(session_id)  # cascades
    with sqlite3.connect(tmp_path / "d.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM debriefs").fetchone()[0] == 0
