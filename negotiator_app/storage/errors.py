"""Storage failures turned into messages a person can act on (disk full, read-only, corrupt, locked)."""
from __future__ import annotations

import sqlite3
from pathlib import Path


# sqlite3 primary result codes (the low byte of the extended code).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26
CORRUPT_CODES = {SQLITE_CORRUPT, SQLITE_NOTADB}


class StorageError(Exception):
    """A storage failure; `user_message` says what went wrong and what to do. `transient` errors are
    worth retrying (disk full, read-only, locked); others (a broken rule, a damaged file, a schema that does
    not match) will fail the same way again."""

    def __init__(self, user_message: str, *, transient: bool = True, code: int | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.transient = transient
        self.code = code


def _driver_error(exc: BaseException) -> BaseException | None:
    """The sqlite3 error SQLAlchemy wrapped, else `exc` (SQLAlchemy is imported only once it raised)."""
    from sqlalchemy.exc import DBAPIError

    return exc.orig if isinstance(exc, DBAPIError) else exc


def sqlite_code(exc: BaseException) -> int | None:
    inner = _driver_error(exc)
    code = getattr(inner, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_corruption(exc: BaseException) -> bool:
    if sqlite_code(exc) in CORRUPT_CODES:
        return True
    text = str(exc).lower()
    return "file is not a database" in text or "malformed" in text


def _schema_mismatch(inner: BaseException | None) -> bool:
    text = str(inner).lower()
    return isinstance(inner, sqlite3.OperationalError) and ("no such table" in text or "no such column" in text
                                                             or "has no column" in text)


def describe(exc: BaseException, path: Path | None) -> StorageError:
    """Wrap a database exception; integrity failures are not transient (retrying cannot help)."""
    where = f" ({path})" if path else ""
    code = sqlite_code(exc)
    inner = _driver_error(exc)
    if code == SQLITE_FULL:
        msg = f"The disk holding the database{where} is full. Free some space; nothing stored so far is lost."
    elif code in (SQLITE_READONLY, SQLITE_CANTOPEN):
        msg = (f"The database{where} is read-only or cannot be opened for writing. Check the file and folder "
               "permissions, or choose another database location in Settings.")
    elif code in (SQLITE_BUSY, SQLITE_LOCKED):
        msg = f"The database{where} is busy (another Negotiator may be using it). Close the other one and retry."
    elif code == SQLITE_IOERR:
        msg = f"The database{where} could not be written (input/output error: {inner}). Check the disk."
    elif code in CORRUPT_CODES or is_corruption(exc):
        return StorageError(f"The database{where} is damaged ({inner}). Restart Negotiator to set it aside and "
                            "start fresh.", transient=False, code=code)
    elif inner is not None and _schema_mismatch(inner):
        return StorageError(f"The database{where} does not have the tables this version expects ({inner}); it was "
                            "changed by another program or version. Choose another database.", transient=False,
                            code=code)
    elif isinstance(inner, sqlite3.IntegrityError):
        return StorageError(f"A record broke a storage rule and was not stored: {inner}", transient=False, code=code)
    else:
        msg = f"The database{where} failed: {inner}"
    return StorageError(msg, code=code)
