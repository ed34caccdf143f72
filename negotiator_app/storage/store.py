"""The store: the one object the UI, engine wiring and CLI use to read and write the database."""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.exc import DBAPIError

from ..domain import Message, RunSnapshot, RunState, SessionConfig
from . import debriefs as debrief_rows
from . import runs as run_rows
from . import sessions as session_rows
from .db import open_database
from .errors import StorageError, describe
from .models import Debrief, LatestRun, RunRecord, RunSummary, SessionSummary, StoredSession
from .schema import sessions


WRITE_TURN_WAIT_S = 30.0


class NotFound(KeyError):
    """No session or run with that id (deleted, or from another database)."""


class Store:
    def __init__(self, engine: Engine, path: Path, recovered_from: Path | None, read_only: bool) -> None:
        self.engine = engine
        self.path = path
        self.recovered_from = recovered_from  # where a damaged database was moved, when it was
        self.read_only = read_only
        # Read-only: the unfinished runs whose process is gone, shown as interrupted (they cannot be marked).
        self._crash_left: dict[str, tuple[int, RunState]] = {}
        # Writers of this process (a recorder per running session, the experiment's bookkeeping) queue here, each
        # woken as the one before commits. Left to SQLite's busy handler, which sleeps and polls, a writer among
        # dozens can keep losing the lock until its busy timeout and fail as if another program held the file.
        self._write_turn = threading.RLock()

    @classmethod
    def open(cls, path: Path | str | None = None, *, read_only: bool = False) -> Store:
        """Open (creating and migrating) the database; None means the default location. A file that is not
        SQLite or is damaged is moved aside to <name>.corrupt-<time> and a fresh database is created."""
        if path is None:
            from ..paths import default_db_path

            path = default_db_path()
        try:
            path = Path(path).expanduser().resolve()
        except (OSError, RuntimeError) as exc:  # a symlink loop, an unreadable folder
            raise StorageError(f"The database path {path} cannot be used: {exc}", transient=False) from None
        engine, recovered = open_database(path, read_only=read_only)
        store = cls(engine, path, recovered, read_only)
        if read_only:
            store._crash_left = store.crash_left_runs()
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # ----- transactions -------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One short write transaction; failures come out as StorageError with a message for a person."""
        if self.read_only:
            raise StorageError(f"The database ({self.path}) was opened read-only; changes cannot be saved.",
                               code=8)
        # Past WRITE_TURN_WAIT_S (a write that hangs) the writer goes on anyway, and SQLite's busy timeout decides.
        queued = self._write_turn.acquire(timeout=WRITE_TURN_WAIT_S)
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(immediate=True)
                with conn.begin():
                    yield conn
        except (DBAPIError, sqlite3.Error) as exc:
            raise describe(exc, self.path) from exc
        finally:
            if queued:
                self._write_turn.release()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except (DBAPIError, sqlite3.Error) as exc:
            raise describe(exc, self.path) from exc

    # ----- sessions -----------------------------------------------------------------------------

    def create_session(self, config: SessionConfig) -> SessionSummary:
        with self.writing() as conn:
            session_id = session_rows.insert_session(conn, config)
        return self.session_summary(session_id)

    def session_summary(self, session_id: int) -> SessionSummary:
        with self.reading() as conn:
            found = session_rows.list_summaries(conn, session_id)
        if not found:
            raise NotFound(session_id)
        return found[0]

    def list_sessions(self) -> list[SessionSummary]:
        """Newest activity first."""
        with self.reading() as conn:
            return session_rows.list_summaries(conn)

    def get_session(self, session_id: int) -> StoredSession:
        with self.reading() as conn:
            try:
                return session_rows.get_session(conn, session_id)
            except KeyError:
                raise NotFound(session_id) from None

    def update_session(self, session_id: int, config: SessionConfig) -> None:
        with self.writing() as conn:
            self._require_session(conn, session_id)
            session_rows.replace_config(conn, session_id, config)

    def rename_session(self, session_id: int, name: str) -> None:
        config = self.get_session(session_id).config
        self.update_session(session_id, SessionConfig.model_validate({**config.model_dump(), "name": name}))

    def duplicate_session(self, session_id: int) -> SessionSummary:
        """A copy of the configuration (not of its runs) to edit without touching the original."""
        config = self.get_session(session_id).config
        name = f"{config.name} (copy)"
        if len(name) > 100:
            name = config.name[:93] + " (copy)"
        return self.create_session(config.model_copy(update={"name": name}))

    def delete_session(self, session_id: int) -> None:
        """Deletes the session and, by cascade, its rooms, runs, messages, offers and outcomes."""
        with self.writing() as conn:
            self._require_session(conn, session_id)
            conn.execute(delete(sessions).where(sessions.c.id == session_id))

    @staticmethod
    def _require_session(conn: Connection, session_id: int) -> None:
        if conn.execute(select(sessions.c.id).where(sessions.c.id == session_id)).first() is None:
            raise NotFound(session_id)

    # ----- runs ---------------------------------------------------------------------------------

    def list_runs(self, session_id: int, room_key: str | None = None) -> list[RunSummary]:
        """Newest first: the first run of a room is the one to show by default."""
        with self.reading() as conn:
            return [self._as_seen(r) for r in run_rows.list_runs(conn, session_id, room_key)]

    def latest_runs(self, session_id: int) -> dict[str, LatestRun]:
        """Per room key: the newest run's id, state and owner (one cheap query, for the Resume buttons)."""
        with self.reading() as conn:
            return run_rows.latest_states(conn, session_id)

    def load_run(self, run_id: str, last_messages: int | None = None) -> RunRecord:
        """The whole run, or with `last_messages` its newest messages only (see `load_messages` for more)."""
        with self.reading() as conn:
            try:
                return self._as_seen(run_rows.load_run(conn, run_id, last_messages))
            except KeyError:
                raise NotFound(run_id) from None

    def load_messages(self, run_id: str, before_seq: int, limit: int) -> list[Message]:
        """Up to `limit` of the run's messages just before `before_seq`, oldest first."""
        with self.reading() as conn:
            return run_rows.load_messages(conn, run_id, before_seq, limit)

    def _as_seen(self, run):
        """A crash-left run reads as interrupted, as it would after a writing command marked it."""
        if run.run_id in self._crash_left:
            return run.model_copy(update={"state": RunState.INTERRUPTED, "owner_id": None})
        return run

    def crash_left_runs(self) -> dict[str, tuple[int, RunState]]:
        """Unfinished runs whose owning process is gone: run id → (session id, stored state). Changes nothing."""
        with self.reading() as conn:
            return run_rows.crash_left(conn, datetime.now(UTC))

    def snapshot(self, run_id: str) -> RunSnapshot:
        """What RoomRunner.start(resume=...) needs to pick a stored run up again."""
        record = self.load_run(run_id)
        return RunSnapshot(run_id=run_id, messages=record.messages, offers=record.offers,
                           violations=record.violations, last_event_seq=record.last_event_seq, seed=record.seed)

    def mark_interrupted_runs(self) -> list[str]:
        """Unfinished runs whose owning process is gone (a crash, kill -9, a silent heartbeat) become
        interrupted, so they can be resumed; a run another live process negotiates is left alone."""
        if self.read_only:
            return []
        with self.writing() as conn:
            return run_rows.mark_interrupted(conn, datetime.now(UTC))

    def claim_run(self, run_id: str) -> None:
        """Become the run's owner before resuming it. Raises RunOwnedElsewhere while another live process
        negotiates it."""
        with self.writing() as conn:
            run_rows.claim(conn, run_id, datetime.now(UTC))

    def run_state_counts(self) -> dict[int, dict[RunState, int]]:
        """Per session id: how many of its runs are in each state."""
        with self.reading() as conn:
            counts = run_rows.state_counts(conn)
        for session_id, state in self._crash_left.values():  # read-only: shown as a writing command leaves them
            by_state = counts[session_id]
            by_state[state] -= 1
            by_state[RunState.INTERRUPTED] = by_state.get(RunState.INTERRUPTED, 0) + 1
            counts[session_id] = {s: n for s, n in by_state.items() if n}
        return counts

    # ----- debriefs -----------------------------------------------------------------------------

    def save_debriefs(self, session_id: int, debriefs: list[Debrief]) -> None:
        """Replace the session's AI debriefs with these, in one transaction (regenerate = replace)."""
        with self.writing() as conn:
            self._require_session(conn, session_id)
            debrief_rows.replace_debriefs(conn, session_id, debriefs)

    def load_debriefs(self, session_id: int) -> list[Debrief]:
        """The session debrief first, then one per item in room order; empty when none was written."""
        with self.reading() as conn:
            self._require_session(conn, session_id)
            return debrief_rows.load_debriefs(conn, session_id)
