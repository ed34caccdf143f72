"""The store's event writer: one background thread that stores the events of every recorder on a database.

Recorders (one per running session: the window's session, each run of an experiment) only queue their events here.
The thread gathers what arrives within GATHER_S and commits it in one transaction, whatever sessions it belongs to:
with dozens of runs at once, one thread and one transaction per moment cost far less than a thread and a transaction
per run (most of a small transaction's cost is the transaction, and every thread woken costs the event loop too).

A failed write is retried while it is transient (read-only, disk full: reported through the recorders' `on_error`;
queued events are kept, never dropped silently). When the database refuses a batch for good, each recorder's share is
written alone and then event by event, so one session's refused event never costs another session its rows.

While any recorder owns unfinished runs the thread also refreshes this process's heartbeat, so another process on the
same file can tell a live run from one a crash left behind (see owners.py).
"""
from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import deque
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..engine.events import Event
from . import runs as rows
from .errors import StorageError
from .owners import heartbeat_interval

if TYPE_CHECKING:
    from .recorder import Recorder
    from .store import Store

log = logging.getLogger(__name__)
BATCH = 500  # events in one transaction at most
GATHER_S = 0.05  # after an event, the writer waits this long for more to store with it (at most)

_writers: weakref.WeakKeyDictionary[Store, EventWriter] = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()


def writer_for(store: Store) -> EventWriter:
    """The one event writer of `store` (made on first use)."""
    with _writers_lock:
        writer = _writers.get(store)
        if writer is None:
            writer = _writers[store] = EventWriter(store)
        return writer


class EventWriter:
    """Stores queued events on its own thread, which runs while recorders are attached."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cond = threading.Condition()
        self._pending: deque[tuple[Recorder, Event]] = deque()
        self._recorders: set[Recorder] = set()
        self._flushing = 0  # callers waiting in flush: nothing is held back to gather more
        self.gather_s = GATHER_S
        self._thread: threading.Thread | None = None
        self._beat_failed = False

    # ----- the recorders' side (any thread) ------------------------------------------------------

    def attach(self, recorder: Recorder) -> None:
        with self._cond:
            self._recorders.add(recorder)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="negotiator-writer", daemon=True)
                self._thread.start()
            self._cond.notify_all()  # its heartbeat may be due sooner

    def detach(self, recorder: Recorder, timeout: float | None = 1.0) -> None:
        """Stop storing for `recorder`. What it still had queued is dropped (and logged); a write of its events that
        keeps failing is given up, within `timeout`."""
        with self._cond:
            self._recorders.discard(recorder)
            kept = deque(item for item in self._pending if item[0] is not recorder)
            dropped = len(self._pending) - len(kept)
            self._pending = kept
            recorder.unstored -= dropped
            self._cond.notify_all()
            self._cond.wait_for(lambda: recorder.unstored <= 0, timeout)
        if dropped:
            log.error("recorder closing with %d events unstored", dropped)

    def put(self, recorder: Recorder, event: Event) -> bool:
        """Queue `event`; False if `recorder` is detached."""
        with self._cond:
            if recorder not in self._recorders:
                return False
            self._pending.append((recorder, event))
            recorder.unstored += 1
            if len(self._pending) == 1 or len(self._pending) >= BATCH:
                # Only these change what the writer waits for (it gathers more for a moment anyway): waking a thread
                # for every event would cost more than storing it.
                self._cond.notify_all()
            return True

    def unstored(self, recorder: Recorder) -> int:
        with self._cond:
            return recorder.unstored

    def flush(self, recorder: Recorder, timeout: float | None) -> bool:
        """Wait until everything `recorder` queued is committed; False if that did not happen within `timeout`."""
        with self._cond:
            self._flushing += 1
            self._cond.notify_all()  # the writer stops gathering and writes now
            try:
                return self._cond.wait_for(lambda: recorder.unstored <= 0, timeout)
            finally:
                self._flushing -= 1

    # ----- the writer thread ---------------------------------------------------------------------

    def _run(self) -> None:
        last_beat = time.monotonic()
        while True:
            with self._cond:
                if not self._pending and not self._recorders:
                    self._thread = None  # the next recorder attached starts a new thread
                    return
                due = last_beat + min((r.heartbeat_s for r in self._recorders), default=heartbeat_interval())
                if not self._pending and time.monotonic() < due:
                    self._cond.wait(due - time.monotonic())
                    continue
                if self._pending and not self._flushing:
                    # What one moment brings (the sellers of a round finishing together, a message with its offer, the
                    # other runs' events) goes in one transaction: a transaction costs far more than the rows in it.
                    self._cond.wait_for(lambda: len(self._pending) >= BATCH or self._flushing > 0, self.gather_s)
                batch = [self._pending.popleft() for _ in range(min(BATCH, len(self._pending)))]
            if batch:
                self._write(batch)
                with self._cond:
                    for recorder, _event in batch:
                        recorder.unstored -= 1
                    self._cond.notify_all()
            if time.monotonic() >= due:
                self._beat()
                last_beat = time.monotonic()

    def _beat(self) -> None:
        """Tell other processes on this file that our unfinished runs are still being negotiated."""
        with self._cond:
            owning = any(r.owns_runs for r in self._recorders)
        if not owning:
            return
        try:
            with self.store.writing() as conn:
                rows.beat(conn, datetime.now(UTC))
            self._beat_failed = False
        except StorageError as exc:  # the event writes report storage trouble; a beat is retried next time
            if not self._beat_failed:
                log.warning("could not refresh the runs' heartbeat: %s", exc.user_message)
            self._beat_failed = True

    def _write(self, batch: list[tuple[Recorder, Event]]) -> None:
        """One transaction for every recorder's events, retried while the failure is transient; refused for good,
        each recorder's share is written alone."""
        shares: dict[Recorder, list[Event]] = {}
        for recorder, event in batch:
            shares.setdefault(recorder, []).append(event)
        shares = {recorder: recorder.as_stored(events) for recorder, events in shares.items()}
        attempt = 0
        while shares:
            try:
                with self.store.writing() as conn:
                    for recorder, events in shares.items():
                        recorder.rows.write(conn, events)
            except StorageError as exc:
                if not exc.transient:
                    break
                for recorder in shares:
                    recorder.report(exc)
                shares = {r: events for r, events in shares.items() if self._still_attached(r, events, exc)}
                attempt = self._wait_to_retry(shares, attempt)
                continue
            except Exception:  # noqa: BLE001 - a bug in one event must not kill the writer
                log.exception("writing a batch of events failed; writing each session's events alone")
                break
            for recorder, events in shares.items():
                recorder.recovered()
                recorder.stored(events)
            return
        for recorder, events in shares.items():
            self._write_alone(recorder, events)

    def _write_alone(self, recorder: Recorder, events: list[Event]) -> None:
        attempt = 0
        while True:
            events = recorder.as_stored(events)  # an event written just before may have been refused
            try:
                with self.store.writing() as conn:
                    recorder.rows.write(conn, events)
            except StorageError as exc:
                if not exc.transient:
                    if len(events) > 1:
                        for event in events:
                            self._write_alone(recorder, [event])
                    else:
                        recorder.refused(events[0], exc)
                    return
                recorder.report(exc)
                if not self._still_attached(recorder, events, exc):
                    return
                attempt = self._wait_to_retry({recorder: events}, attempt)
                continue
            except Exception:  # noqa: BLE001
                if len(events) > 1:
                    log.exception("a recorder's batch failed; writing its events one by one")
                    for event in events:
                        self._write_alone(recorder, [event])
                else:
                    log.exception("not stored: %s of run %s", type(events[0]).__name__, events[0].run_id)
                return
            recorder.recovered()
            recorder.stored(events)
            return

    def _still_attached(self, recorder: Recorder, events: list[Event], exc: StorageError) -> bool:
        with self._cond:
            attached = recorder in self._recorders
        if not attached:
            log.error("recorder closing with %d events unstored: %s", len(events), exc.user_message)
        return attached

    def _wait_to_retry(self, shares: dict[Recorder, list[Event]], attempt: int) -> int:
        """Wait the shortest of the recorders' retry delays, or until one of them is closing."""
        if shares:
            delay = min(r.retry_delays[min(attempt, len(r.retry_delays) - 1)] for r in shares)
            with self._cond:
                self._cond.wait_for(lambda: any(r not in self._recorders for r in shares), delay)
        return attempt + 1
