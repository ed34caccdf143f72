"""The recorder: stores engine events as they happen, on one background writer thread.

`handle()` runs on the event loop for every event, so it only filters and queues. The writer thread
drains the queue in short transactions, so a completed message is committed within 50 ms and a
killed process loses at most the message still being generated. A failed write (read-only, disk full)
is reported through `on_error` and retried: queued events are kept, never dropped silently.

The recorder also keeps this process's ownership of the runs it records: a run's row names its owner, and
the writer thread refreshes the owner's heartbeat while runs are unfinished, so another process on the same
file can tell a live run from one a crash left behind (see owners.py).
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from dataclasses import replace
from datetime import UTC, datetime
from collections.abc import Callable

from ..domain import RunState, SessionConfig
from ..engine.events import Event, RunFinished, RunStarted
from . import runs as rows
from .errors import StorageError
from .event_rows import EventRows, STORED_EVENTS
from .owners import heartbeat_interval
from .store import Store

log = logging.getLogger(__name__)
BATCH = 200
GATHER_S = 0.05  # after an event, the writer waits this long for more to store with it (at most)
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
        self._pending: deque[Event | None] = deque()
        self._busy = 0  # events taken off the queue but not yet committed
        self._flushing = 0  # callers waiting in flush_sync: nothing is held back to gather more
        self._cond = threading.Condition()
        self._closed = False
        self._rows = EventRows(session_id, self._config_now)
        self._beat_failed = False
        self._refused_runs: set[str] = set()  # runs with an event the database refused for good
        self._thread = threading.Thread(target=self._writer, name="negotiator-recorder", daemon=True)
        self._thread.start()

    # ----- the event-loop side ------------------------------------------------------------------

    def handle(self, event: Event) -> None:
        if not isinstance(event, STORED_EVENTS):
            return
        with self._cond:
            if self._closed:
                log.error("recorder closed; %s for run %s not stored", type(event).__name__, event.run_id)
                return
            self._pending.append(event)
            if len(self._pending) == 1 or len(self._pending) >= BATCH:
                # Only these change what the writer waits for (it gathers more for a moment anyway): waking a thread
                # for every event would cost more than storing it.
                self._cond.notify_all()

    @property
    def backlog(self) -> int:
        with self._cond:
            return len(self._pending) + self._busy

    def flush_sync(self, timeout: float | None = None) -> bool:
        """Wait until everything queued is committed; False if that did not happen within `timeout`."""
        with self._cond:
            self._flushing += 1
            self._cond.notify_all()  # the writer stops gathering and writes now
            try:
                return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)
            finally:
                self._flushing -= 1

    async def flush(self, timeout: float | None = None) -> bool:
        return await asyncio.to_thread(self.flush_sync, timeout)

    def close(self, timeout: float | None = 10.0) -> bool:
        """Write what is queued and stop the thread; False if writes were still failing at the timeout."""
        done = self.flush_sync(timeout)
        with self._cond:
            self._closed = True
            self._pending.append(None)
            self._cond.notify_all()
        self._thread.join(timeout=1.0 if not done else None)
        return done

    # ----- the writer thread --------------------------------------------------------------------

    def _writer(self) -> None:
        next_beat = time.monotonic() + self.heartbeat_s
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._pending), max(0.0, next_beat - time.monotonic()))
                if self._pending and self._pending[-1] is not None and not self._flushing:
                    # What one moment brings (the sellers of a round finishing together, a message with its offer)
                    # goes in one transaction: a transaction costs far more than the rows in it.
                    self._cond.wait_for(lambda: len(self._pending) >= BATCH or self._flushing
                                        or self._pending[-1] is None, GATHER_S)
                batch: list[Event] = []
                while self._pending and len(batch) < BATCH and (head := self._pending[0]) is not None:
                    batch.append(head)
                    self._pending.popleft()
                stop = not batch and bool(self._pending) and self._pending[0] is None
                self._busy = len(batch)
            if stop:
                return
            if batch:
                self._write_until_stored(batch)
                with self._cond:
                    self._busy = 0
                    self._cond.notify_all()
            if time.monotonic() >= next_beat:
                self._beat()
                next_beat = time.monotonic() + self.heartbeat_s

    def _beat(self) -> None:
        """Tell other processes on this file that our unfinished runs are still being negotiated."""
        if not self._rows.owns_runs:
            return
        try:
            with self.store.writing() as conn:
                rows.beat(conn, datetime.now(UTC))
            self._beat_failed = False
        except StorageError as exc:  # the event writes report storage trouble; a beat is retried next time
            if not self._beat_failed:
                log.warning("could not refresh the runs' heartbeat: %s", exc.user_message)
            self._beat_failed = True

    def _stored(self, events: list[Event]) -> None:
        announced: list[Event] = [e for e in events if isinstance(e, ANNOUNCED)]
        if announced and self.on_stored is not None:
            try:
                self.on_stored(announced)
            except Exception:  # noqa: BLE001
                log.exception("recorder on_stored callback failed")

    def _as_stored(self, batch: list[Event]) -> list[Event]:
        """A run the database refused part of for good ends in the error state, however it ended on screen: its
        stored record is incomplete. (A room can finish before the refusal reaches it, so it cannot say so.)"""
        if not self._refused_runs:
            return batch
        return [replace(e, state=RunState.ERROR, outcome=None)
                if isinstance(e, RunFinished) and e.run_id in self._refused_runs else e for e in batch]

    def _write_until_stored(self, batch: list[Event]) -> None:
        batch = self._as_stored(batch)
        attempt = 0
        while True:
            try:
                with self.store.writing() as conn:
                    self._rows.write(conn, batch)
                self._recovered()
                self._stored(batch)
                return
            except StorageError as exc:
                if not exc.transient:
                    self._write_one_by_one(batch)
                    return
                self._report(exc)
                with self._cond:
                    if self._closed:
                        log.error("recorder closing with %d events unstored: %s", len(batch), exc.user_message)
                        return
                delay = self.retry_delays[min(attempt, len(self.retry_delays) - 1)]
                attempt += 1
                threading.Event().wait(delay)
            except Exception:  # noqa: BLE001 - a bug in one event must not kill the writer
                log.exception("recorder failed on a batch; writing its events one by one")
                self._write_one_by_one(batch)
                return

    def _write_one_by_one(self, batch: list[Event]) -> None:
        """Isolate an event the database refuses (a broken rule) so the others are still stored."""
        for event in batch:
            [event] = self._as_stored([event])  # an event earlier in this batch may just have been refused
            try:
                with self.store.writing() as conn:
                    self._rows.write(conn, [event])
                self._stored([event])
            except StorageError as exc:
                if exc.transient:
                    self._write_until_stored([event])
                else:
                    log.error("not stored: %s of run %s: %s", type(event).__name__, event.run_id, exc)
                    self._refused_runs.add(event.run_id)
                    self._report(exc)
            except Exception:  # noqa: BLE001
                log.exception("not stored: %s of run %s", type(event).__name__, event.run_id)

    def _report(self, exc: StorageError) -> None:
        first = self.failing is None
        self.failing = exc
        if first and self.on_error is not None:
            try:
                self.on_error(exc)
            except Exception:  # noqa: BLE001
                log.exception("recorder on_error callback failed")

    def _recovered(self) -> None:
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
