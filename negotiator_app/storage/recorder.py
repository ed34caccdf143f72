"""The recorder: stores one session's engine events as they happen, through the store's event writer.

`handle()` runs on the event loop for every event, so it only filters and queues: the store's one writer thread
(event_writer.py) commits what every recorder queued within 50 ms in one transaction, so a killed process loses at
most the message still being generated. A failed write (read-only, disk full) is reported through `on_error` and
retried: queued events are kept, never dropped silently.

Runs the recorder writes are this process's: their rows name it as owner, and the writer refreshes the process's
heartbeat while they are unfinished, so another process on the same file can tell a live run from one a crash left
behind (see owners.py).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace

from ..domain import RunState, SessionConfig
from ..engine.events import Event, RunFinished, RunStarted
from .errors import StorageError
from .event_rows import EventRows, STORED_EVENTS
from .event_writer import writer_for
from .owners import heartbeat_interval
from .store import Store

log = logging.getLogger(__name__)
ANNOUNCED = (RunStarted, RunFinished)  # reported through `on_stored` once committed


class Recorder:
    def __init__(self, store: Store, session_id: int, config: SessionConfig | None = None, *,
                 retry_delays: tuple[float, ...] = (0.2, 0.5, 1.0, 2.0), heartbeat_s: float | None = None) -> None:
        self.store = store
        self.session_id = session_id
        self._config = config
        self.retry_delays = retry_delays
        self.heartbeat_s = heartbeat_s or heartbeat_interval()
        # Called from the writer thread (not the event loop): marshal to your loop/UI thread yourself.
        self.on_error: Callable[[StorageError], None] | None = None
        self.on_recovered: Callable[[], None] | None = None  # writes succeed again after an on_error
        self.on_stored: Callable[[list[Event]], None] | None = None  # RunStarted/RunFinished, once committed
        self.failing: StorageError | None = None
        self.rows = EventRows(session_id, self._config_now)
        self.unstored = 0  # events queued and not yet committed (or given up): kept under the writer's lock
        self._refused_runs: set[str] = set()  # runs with an event the database refused for good
        self._writer = writer_for(store)
        self._writer.attach(self)

    @property
    def owns_runs(self) -> bool:
        return self.rows.owns_runs

    # ----- the event-loop side ------------------------------------------------------------------

    def handle(self, event: Event) -> None:
        if isinstance(event, STORED_EVENTS) and not self._writer.put(self, event):
            log.error("recorder closed; %s for run %s not stored", type(event).__name__, event.run_id)

    @property
    def backlog(self) -> int:
        return self._writer.unstored(self)

    def flush_sync(self, timeout: float | None = None) -> bool:
        """Wait until everything queued is committed; False if that did not happen within `timeout`."""
        return self._writer.flush(self, timeout)

    async def flush(self, timeout: float | None = None) -> bool:
        return await asyncio.to_thread(self.flush_sync, timeout)

    def close(self, timeout: float | None = 10.0) -> bool:
        """Write what is queued and stop recording; False if writes were still failing at the timeout."""
        done = self.flush_sync(timeout)
        self._writer.detach(self, None if done else 1.0)
        return done

    # ----- called by the writer thread ----------------------------------------------------------

    def stored(self, events: list[Event]) -> None:
        announced: list[Event] = [e for e in events if isinstance(e, ANNOUNCED)]
        if announced and self.on_stored is not None:
            try:
                self.on_stored(announced)
            except Exception:  # noqa: BLE001
                log.exception("recorder on_stored callback failed")

    def as_stored(self, events: list[Event]) -> list[Event]:
        """A run the database refused part of for good ends in the error state, however it ended on screen: its
        stored record is incomplete. (A room can finish before the refusal reaches it, so it cannot say so.)"""
        if not self._refused_runs:
            return events
        return [replace(e, state=RunState.ERROR, outcome=None)
                if isinstance(e, RunFinished) and e.run_id in self._refused_runs else e for e in events]

    def refused(self, event: Event, exc: StorageError) -> None:
        log.error("not stored: %s of run %s: %s", type(event).__name__, event.run_id, exc)
        self._refused_runs.add(event.run_id)
        self.report(exc)

    def report(self, exc: StorageError) -> None:
        first = self.failing is None
        self.failing = exc
        if first and self.on_error is not None:
            try:
                self.on_error(exc)
            except Exception:  # noqa: BLE001
                log.exception("recorder on_error callback failed")

    def recovered(self) -> None:
        if self.failing is not None and self.failing.transient:
            self.failing = None
            if self.on_recovered is not None:
                try:
                    self.on_recovered()
                except Exception:  # noqa: BLE001
                    log.exception("recorder on_recovered callback failed")

    # ----- events to rows -----------------------------------------------------------------------

    def _config_now(self) -> SessionConfig:
        if self._config is None:
            self._config = self.store.get_session(self.session_id).config
        return self._config
