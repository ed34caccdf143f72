"""Schema versions: `PRAGMA user_version` plus an ordered list of forward migration steps.

Why not Alembic: one SQLite file, one process, a handful of tables — a list of Python steps, each run
in the same transaction as the version bump (SQLite DDL is transactional), is all we need, adds no
dependency or generated scripts to bundle with PyInstaller, and a half-applied migration cannot exist.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from .errors import StorageError
from .schema import TRIGGERS, metadata


def _v1_initial(conn: Connection) -> None:
    # While the schema is at version 1 the live metadata *is* version 1. When a v2 step is added,
    # freeze this step (e.g. as the DDL SQLite prints for .schema) so old files upgrade through it.
    metadata.create_all(conn)
    for trigger in TRIGGERS:
        conn.exec_driver_sql(trigger)


# MIGRATIONS[i] takes a database from version i to version i + 1. Append only; never edit a released step.
MIGRATIONS: list[Callable[[Connection], None]] = [_v1_initial]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    return conn.exec_driver_sql("PRAGMA user_version").scalar_one()


def migrate(conn: Connection) -> int:
    """Bring the database up to SCHEMA_VERSION inside the caller's transaction; returns the old version."""
    found = current_version(conn)
    if found > SCHEMA_VERSION:
        raise StorageError(
            f"This database was written by a newer Negotiator (schema {found}, this version knows {SCHEMA_VERSION}). "
            "Update Negotiator or choose another database.", transient=False)
    for step in MIGRATIONS[found:]:
        step(conn)
    if found != SCHEMA_VERSION:
        conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return found
