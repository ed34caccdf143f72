"""Opening the SQLite file: pragmas, real transactions, migrations, and setting a damaged file aside."""
from __future__ import annotations

import logging
import sqlite3
import stat
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

from .errors import SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_READONLY, StorageError, describe, is_corruption, sqlite_code
from .migrations import SCHEMA_VERSION, migrate

log = logging.getLogger(__name__)
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


def make_engine(path: Path, *, read_only: bool = False, immutable: bool = False) -> Engine:
    if read_only:
        # mode=ro never writes the file; immutable=1 also skips the WAL companions, which read-only storage
        # cannot hold (only then: a file nobody can write cannot change under us).
        flags = "mode=ro&immutable=1" if immutable else "mode=ro"
        url, args = f"sqlite:///file:{quote(str(path))}?{flags}&uri=true", {"uri": True}
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


def sqlite_connection(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under `conn`, inside the same transaction: for hot paths that run many small fixed
    statements, where building each as a SQLAlchemy statement would cost far more than SQLite running it."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)  # every engine here is made by make_engine
    return driver


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


def _refuse(message: str) -> StorageError:
    return StorageError(message, transient=False)


def check_writable_path(path: Path) -> None:
    """Before creating or opening a database to write: the path must be a file (or nothing yet) in a folder
    that exists or can be made. Raises StorageError saying what is wrong."""
    try:
        if path.is_dir():
            raise _refuse(f"{path} is a folder, not a database file. Give a file name, e.g. {path / 'negotiator.sqlite3'}.")
        if path.exists() and not stat.S_ISREG(path.stat().st_mode):
            raise _refuse(f"{path} is not a regular file (a pipe, device or socket); give a database file name.")
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise _refuse(f"The folder for {path} cannot be created: part of its path is a file, not a folder.") from None
    except OSError as exc:
        raise _refuse(f"The folder for {path} cannot be used: {exc.strerror or exc}. Choose another location.") from None


def check_readable_database(path: Path) -> None:
    """Before reading: the file must be there and be SQLite. Nothing is created or moved aside."""
    try:
        if not path.exists():
            raise _refuse(f"There is no database at {path}. Check the path (`negotiator sessions --db PATH`); "
                          "`negotiator run` or `import` creates one.")
        if path.is_dir():
            raise _refuse(f"{path} is a folder, not a database file.")
        if not stat.S_ISREG(path.stat().st_mode):
            raise _refuse(f"{path} is not a regular file (a pipe, device or socket), so not a database.")
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise _refuse(f"{path} cannot be read: {exc.strerror or exc}.") from None
    if head != SQLITE_HEADER:
        raise _refuse(f"{path} is {'empty' if not head else 'not a database (not an SQLite file)'}; "
                      "it was left as it is.")


def _open_read_only(path: Path) -> Engine:
    """mode=ro first; on storage where SQLite cannot keep its WAL companions, the file read as immutable."""
    check_readable_database(path)
    for immutable in (False, True):
        engine = make_engine(path, read_only=True, immutable=immutable)
        try:
            with engine.connect() as conn:
                version = conn.exec_driver_sql("PRAGMA user_version").scalar_one()
                if conn.exec_driver_sql("PRAGMA quick_check").scalar_one() != "ok":
                    raise sqlite3.DatabaseError("database disk image is malformed (quick_check failed)")
        except (DBAPIError, sqlite3.DatabaseError) as exc:
            engine.dispose()
            if not immutable and sqlite_code(exc) in (SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_IOERR):
                continue
            raise describe(exc, path) from exc
        if version == 0:
            engine.dispose()
            raise _refuse(f"{path} is an SQLite file but not a Negotiator database; it was left as it is.")
        if version > SCHEMA_VERSION:
            engine.dispose()
            raise _refuse(f"{path} was written by a newer Negotiator (schema {version}, this version knows "
                          f"{SCHEMA_VERSION}). Update Negotiator.")
        if version < SCHEMA_VERSION:
            engine.dispose()
            raise _refuse(f"{path} was written by an older Negotiator; open it once with the window or a command "
                          "that writes (run, resume, import) to upgrade it, then list or export it.")
        return engine
    raise AssertionError("unreachable")  # pragma: no cover


def open_database(path: Path, *, read_only: bool = False) -> tuple[Engine, Path | None]:
    """An engine on an up-to-date database; returns where a damaged file was moved, if one was. Read-only
    opens never create, migrate or move anything; they refuse a missing or foreign file instead."""
    if read_only:
        return _open_read_only(path), None
    check_writable_path(path)
    try:
        return _open_writable(path)
    except OSError as exc:  # moving a damaged file aside, or the file system itself, refused
        raise _refuse(f"The database {path} cannot be opened: {exc.strerror or exc}.") from None


def _open_writable(path: Path) -> tuple[Engine, Path | None]:
    recovered: Path | None = None
    if not looks_like_sqlite(path):
        recovered = move_aside(path)
        log.warning("%s is not a SQLite database; moved it to %s", path, recovered)
    engine = make_engine(path)
    try:
        _check_and_migrate(engine)
        return engine, recovered
    except (DBAPIError, sqlite3.DatabaseError) as exc:
        engine.dispose()
        if not is_corruption(exc) or recovered:
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


__all__ = ["open_database", "make_engine", "move_aside", "sqlite_connection", "StorageError"]
