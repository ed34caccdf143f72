"""Schema versions: `PRAGMA user_version` plus an ordered list of forward migration steps.

Why not Alembic: one SQLite file, one process, a handful of tables — a list of Python steps, each run
in the same transaction as the version bump (SQLite DDL is transactional), is all we need, adds no
dependency or generated scripts to bundle with PyInstaller, and a half-applied migration cannot exist.

Every step is frozen DDL, never the live metadata in schema.py: a released step must do tomorrow exactly
what it did when it shipped. tests/storage/test_migrations.py checks that the steps, replayed from an
empty file, give the same tables, columns, indexes and constraints as schema.py — so add the step *and*
change schema.py together.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from .errors import StorageError
from .schema_v1 import V1_DDL


def _v1_initial(conn: Connection) -> None:
    for statement in V1_DDL:
        conn.exec_driver_sql(statement)


def _v2_debriefs(conn: Connection) -> None:
    """The AI debrief: per item (room) and per session, written on request by the local model."""
    conn.exec_driver_sql("""CREATE TABLE debriefs (
        id INTEGER NOT NULL,
        session_id INTEGER NOT NULL,
        room_key VARCHAR(20),
        item TEXT,
        run_id VARCHAR(32),
        model TEXT NOT NULL,
        created_at VARCHAR(40) NOT NULL,
        text TEXT NOT NULL,
        unknown_citations TEXT NOT NULL,
        PRIMARY KEY (id),
        CONSTRAINT ck_debrief_room_key CHECK (room_key IS NULL OR room_key GLOB 'room-[1-9]*'),
        CONSTRAINT ck_debrief_scope CHECK ((room_key IS NULL) = (run_id IS NULL) AND (room_key IS NULL) = (item IS NULL)),
        CONSTRAINT ck_debrief_text CHECK (length(trim(text)) >= 1),
        FOREIGN KEY(session_id) REFERENCES sessions (id) ON DELETE CASCADE,
        FOREIGN KEY(run_id) REFERENCES runs (id) ON DELETE CASCADE
    )""")
    conn.exec_driver_sql("CREATE UNIQUE INDEX ux_debriefs_scope ON debriefs (session_id, coalesce(room_key, ''))")


def _v3_run_owners(conn: Connection) -> None:
    """Runs have an owner (the process negotiating them) and its heartbeat, so a second window or command on
    the same file can tell a live run from one a crash left behind."""
    conn.exec_driver_sql("ALTER TABLE runs ADD COLUMN owner_id TEXT")
    conn.exec_driver_sql("ALTER TABLE runs ADD COLUMN heartbeat_at VARCHAR(40)")


def _v4_experiments(conn: Connection) -> None:
    """Experiments: a scenario run many times across arms; the arms are stored sessions and the runs ordinary
    runs, tagged here with experiment, arm, repetition, seed and the seller order the buyer saw."""
    conn.exec_driver_sql("""CREATE TABLE experiments (
        id INTEGER NOT NULL,
        name TEXT NOT NULL,
        created_at VARCHAR(40) NOT NULL,
        spec_json TEXT NOT NULL,
        scenario_json TEXT NOT NULL,
        PRIMARY KEY (id),
        CONSTRAINT ck_experiment_name CHECK (length(trim(name)) >= 1)
    )""")
    conn.exec_driver_sql("""CREATE TABLE experiment_arms (
        id INTEGER NOT NULL,
        experiment_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        session_id INTEGER NOT NULL,
        PRIMARY KEY (id),
        CONSTRAINT ux_experiment_arm_position UNIQUE (experiment_id, position),
        CONSTRAINT ux_experiment_arm_name UNIQUE (experiment_id, name),
        FOREIGN KEY(experiment_id) REFERENCES experiments (id) ON DELETE CASCADE,
        FOREIGN KEY(session_id) REFERENCES sessions (id) ON DELETE CASCADE
    )""")
    conn.exec_driver_sql("""CREATE TABLE experiment_runs (
        id INTEGER NOT NULL,
        experiment_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        arm_id INTEGER NOT NULL,
        repetition INTEGER NOT NULL,
        seed INTEGER NOT NULL,
        seller_order TEXT NOT NULL,
        run_ids TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        done BOOLEAN NOT NULL,
        PRIMARY KEY (id),
        CONSTRAINT ck_done_flag CHECK (done IN (0, 1)),
        CONSTRAINT ck_experiment_run_counters CHECK (position >= 0 AND repetition >= 1 AND attempts >= 0),
        CONSTRAINT ux_experiment_run_position UNIQUE (experiment_id, position),
        FOREIGN KEY(experiment_id) REFERENCES experiments (id) ON DELETE CASCADE,
        FOREIGN KEY(arm_id) REFERENCES experiment_arms (id) ON DELETE CASCADE
    )""")


def _v5_agents(conn: Connection) -> None:
    """Who plays each agent (per session), how each message was produced, the run's strategy seed, and
    disclosures of private numbers."""
    conn.exec_driver_sql("""CREATE TABLE agent_configs (
        id INTEGER NOT NULL,
        session_id INTEGER NOT NULL,
        seller_id INTEGER,
        agent_json TEXT NOT NULL,
        PRIMARY KEY (id),
        FOREIGN KEY(session_id) REFERENCES sessions (id) ON DELETE CASCADE,
        FOREIGN KEY(seller_id) REFERENCES sellers (id) ON DELETE CASCADE
    )""")
    conn.exec_driver_sql(
        "CREATE UNIQUE INDEX ux_agent_configs_agent ON agent_configs (session_id, coalesce(seller_id, 0))")
    conn.exec_driver_sql("""CREATE TABLE message_productions (
        message_id INTEGER NOT NULL,
        agent_kind VARCHAR(10) NOT NULL,
        model TEXT,
        temperature FLOAT,
        seed INTEGER,
        latency_s FLOAT,
        failed_attempts INTEGER NOT NULL,
        fallback BOOLEAN NOT NULL,
        PRIMARY KEY (message_id),
        CONSTRAINT ck_agent_kind_known CHECK (agent_kind IN ('llm', 'strategy', 'hybrid')),
        CONSTRAINT ck_fallback_flag CHECK (fallback IN (0, 1)),
        CONSTRAINT ck_production_counts CHECK (failed_attempts >= 0 AND (latency_s IS NULL OR latency_s >= 0)),
        FOREIGN KEY(message_id) REFERENCES messages (id) ON DELETE CASCADE
    )""")
    conn.exec_driver_sql("""CREATE TABLE run_seeds (
        run_id VARCHAR(32) NOT NULL,
        seed INTEGER NOT NULL,
        PRIMARY KEY (run_id),
        FOREIGN KEY(run_id) REFERENCES runs (id) ON DELETE CASCADE
    )""")
    conn.exec_driver_sql("""CREATE TABLE disclosures (
        id INTEGER NOT NULL,
        run_id VARCHAR(32) NOT NULL,
        message_seq INTEGER NOT NULL,
        agent TEXT NOT NULL,
        round INTEGER NOT NULL,
        secret VARCHAR(20) NOT NULL,
        value FLOAT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (id),
        CONSTRAINT ck_disclosure_secret CHECK (secret IN ('cost', 'floor', 'max_price')),
        FOREIGN KEY(run_id) REFERENCES runs (id) ON DELETE CASCADE
    )""")
    conn.exec_driver_sql("CREATE INDEX ix_disclosures_run_id ON disclosures (run_id)")


def _v6_recipients_index(conn: Connection) -> None:
    """Message recipients by run: reading a run's transcript, and deleting a session (each participant's removal
    cascades to its recipients), scanned the whole table — half a minute to delete a 500-run experiment arm."""
    conn.exec_driver_sql("CREATE INDEX ix_message_recipients_run_id ON message_recipients (run_id, name)")


# MIGRATIONS[i] takes a database from version i to version i + 1. Append only; never edit a released step.
MIGRATIONS: list[Callable[[Connection], None]] = [_v1_initial, _v2_debriefs, _v3_run_owners, _v4_experiments, _v5_agents,
                                                  _v6_recipients_index]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    return conn.exec_driver_sql("PRAGMA user_version").scalar_one()


def migrate(conn: Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the database up to `target` (normally SCHEMA_VERSION) inside the caller's transaction; returns the
    old version. A lower target exists for tests that build an old database the way old versions did."""
    found = current_version(conn)
    if found > SCHEMA_VERSION:
        raise StorageError(
            f"This database was written by a newer Negotiator (schema {found}, this version knows {SCHEMA_VERSION}). "
            "Update Negotiator or choose another database.", transient=False)
    for step in MIGRATIONS[found:target]:
        step(conn)
    if found < target:
        conn.exec_driver_sql(f"PRAGMA user_version = {target}")
    return found
