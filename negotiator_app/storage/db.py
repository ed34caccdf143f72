"""Opening the SQLite file: pragmas, real transactions, migrations, and setting a damaged file aside."""
from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

from .errors import StorageError, describe, is_corruption
from .migrations import migrate

log = logging.getLogger(__name__)
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


def make_engine(path: Path, *, read_only: bool = False) -> Engine:
    if read_only:
        url, args = f"sqlite:///file:{path}?mode=ro&uri=true", {"uri": True}
    else:
        url, args = f"sqlite:///{path}", {}
    # The recorder writes from its own thread; sqlite3 connections are serialized, so sharing the pool is safe.
    engine = create_engine(url, connect_args={"check_same_thread": False, **args})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (so DDL is transactional).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # WAL + NORMAL: a commit survives a killed process (only power loss can drop the newest commits).
        cur.execute("PRAGMA synchronous = NORMAL")
        if not read_only:  # WAL lets the UI read while the recorder writes; it needs a writable folder
            mode = cur.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                log.warning("SQLite refused WAL mode (%s); continuing with it", mode)
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        # Writers take the lock up front: a deferred read-then-write transaction could fail with BUSY.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("immediate") else "BEGIN")

    return engine


def looks_like_sqlite(path: Path) -> bool:
    """An empty or missing file is fine (SQLite will create it); anything else needs the magic header."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return True
    return not head or head == SQLITE_HEADER


def _check_and_migrate(engine: Engine) -> None:
    with engine.connect() as conn:
        if conn.exec_driver_sql("PRAGMA quick_check").scalar_one() != "ok":
            raise sqlite3.DatabaseError("database disk image is malformed (quick_check failed)")
        conn.commit()
    with engine.connect() as conn:
        conn = conn.execution_options(immediate=True)
        with conn.begin():
            migrate(conn)


def move_aside(path: Path) -> Path:
    """Rename a damaged database (and its WAL/SHM companions) to <name>.corrupt-<timestamp>: never delete it."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def open_database(path: Path, *, read_only: bool = False) -> tuple[Engine, Path | None]:
    """An engine on an up-to-date database; returns where a damaged file was moved, if one was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    recovered: Path | None = None
    if not read_only and not looks_like_sqlite(path):
        recovered = move_aside(path)
        log.warning("%s is not a SQLite database; moved it to %s", path, recovered)
    engine = make_engine(path, read_only=read_only)
    try:
        if read_only:
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA quick_check").scalar_one()
        else:
            _check_and_migrate(engine)
        return engine, recovered
    except (DBAPIError, sqlite3.DatabaseError) as exc:
        engine.dispose()
        if read_only or not is_corruption(exc) or recovered:
            raise describe(exc, path) from exc
    recovered = move_aside(path)
    log.warning("%s is damaged; moved it to %s and started a fresh database", path, recovered)
    engine = make_engine(path)
    try:
        _check_and_migrate(engine)
    except (DBAPIError, sqlite3.DatabaseError) as exc:
        engine.dispose()
        raise describe(exc, path) from exc
    return engine, recovered


__all__ = ["open_database", "make_engine", "move_aside", "StorageError"]
