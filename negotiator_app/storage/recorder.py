"""The recorder: stores engine events as they happen, on one background writer thread.

`handle()` runs on the event loop for every event, so it only filters and queues. The writer thread
drains the queue in short transactions, so a completed message is committed within milliseconds and a
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
from datetime import UTC, datetime
from collections.abc import Callable

from sqlalchemy import Connection, update

from ..domain import DisclosureRecord, RunState, SessionConfig, plan_rooms
from ..engine.events import (
    DecisionMade, DisclosureMade, ErrorRaised, Event, MessageCompleted, OfferMade, ParseFailed, RoundFinished, RunFinished,
    RunStarted, SellerSilent, StateChanged, ViolationRecorded,
)
from . import runs as rows
from .errors import StorageError
from .models import RunEvent
from .owners import heartbeat_interval, this_process
from .schema import runs
from .store import Store

log = logging.getLogger(__name__)
STORED = (RunStarted, StateChanged, MessageCompleted, OfferMade, ViolationRecorded, ParseFailed, SellerSilent,
          DecisionMade, RoundFinished, RunFinished, ErrorRaised, DisclosureMade)  # token deltas and discarded streams are not
BATCH = 200
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
        self._cond = threading.Condition()
        self._closed = False
        self._owns_runs = False  # set once this recorder has started a run: only then is there a heartbeat
        self._beat_failed = False
        self._thread = threading.Thread(target=self._writer, name="negotiator-recorder", daemon=True)
        self._thread.start()

    # ----- the event-loop side ------------------------------------------------------------------

    def handle(self, event: Event) -> None:
        if not isinstance(event, STORED):
            return
        with self._cond:
            if self._closed:
                log.error("recorder closed; %s for run %s not stored", type(event).__name__, event.run_id)
                return
            self._pending.append(event)
            self._cond.notify_all()

    @property
    def backlog(self) -> int:
        with self._cond:
            return len(self._pending) + self._busy

    def flush_sync(self, timeout: float | None = None) -> bool:
        """Wait until everything queued is committed; False if that did not happen within `timeout`."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

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
        if not self._owns_runs:
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

    def _write_until_stored(self, batch: list[Event]) -> None:
        attempt = 0
        while True:
            try:
                with self.store.writing() as conn:
                    for event in batch:
                        self._apply(conn, event)
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
            try:
                with self.store.writing() as conn:
                    self._apply(conn, event)
                self._stored([event])
            except StorageError as exc:
                if exc.transient:
                    self._write_until_stored([event])
                else:
                    log.error("not stored: %s of run %s: %s", type(event).__name__, event.run_id, exc)
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

    def _ensure_run(self, conn: Connection, event: Event) -> None:
        """A run can fail before RunStarted (no model): still give its error a run to belong to."""
        if rows.run_exists(conn, event.run_id):
            return
        config = self._config_now()
        plan = next(r for r in plan_rooms(config).rooms if r.key == event.room)
        rows.insert_run(conn, session_id=self.session_id, room_key=event.room, run_id=event.run_id,
                        item=plan.item.name, quantity=plan.item.quantity, buyer=config.buyer.name,
                        sellers=plan.seller_names, config=config, state=RunState.RUNNING, started_at=event.at,
                        max_rounds=config.llm.max_rounds, owner_id=this_process().id, heartbeat_at=event.at)
        self._owns_runs = True

    def _apply(self, conn: Connection, e: Event) -> None:
        run_id = e.run_id
        if isinstance(e, RunStarted):
            owner = {"owner_id": this_process().id, "heartbeat_at": e.at}
            self._owns_runs = True
            if rows.run_exists(conn, run_id):  # resumed: the run and its transcript are already stored
                conn.execute(update(runs).where(runs.c.id == run_id).values(
                    state=RunState.RUNNING.value, finished_at=None, model=e.model, resumed_count=runs.c.resumed_count + 1,
                    **owner))
            else:
                rows.insert_run(conn, session_id=self.session_id, room_key=e.room, run_id=run_id, item=e.item,
                                quantity=e.quantity, buyer=e.buyer, sellers=e.sellers, config=self._config_now(),
                                state=RunState.RUNNING, started_at=e.at, max_rounds=e.max_rounds, model=e.model,
                                buyer_mode=e.buyer_mode, resumed_count=int(e.resumed), **owner)
            rows.set_seed(conn, run_id, e.seed)
        else:
            self._ensure_run(conn, e)
        if isinstance(e, StateChanged):
            rows.set_state(conn, run_id, e.state, e.round, e.at)
        elif isinstance(e, MessageCompleted):
            rows.insert_message(conn, run_id, e.message)
        elif isinstance(e, OfferMade):
            rows.insert_offer(conn, run_id, e.offer)
        elif isinstance(e, ViolationRecorded):
            rows.insert_violation(conn, run_id, e.violation)
        elif isinstance(e, DisclosureMade):
            rows.insert_disclosure(conn, run_id, DisclosureRecord.model_validate(
                {"agent": e.agent, "round": e.round, "message_seq": e.message_seq, "secret": e.secret,
                 "value": e.value, "text": e.text}))
        elif isinstance(e, ParseFailed):
            conn.execute(update(runs).where(runs.c.id == run_id).values(parse_failures=runs.c.parse_failures + 1))
            self._note(conn, e, "parse_failed", e.round, e.agent, e.reason, e.raw)
        elif isinstance(e, SellerSilent):
            self._note(conn, e, "seller_silent", e.round, e.seller, e.reason)
        elif isinstance(e, DecisionMade):
            self._note(conn, e, "decision", e.round, e.seller, e.decision,
                       rows.event_json(by=e.by, reason=e.reason))
        elif isinstance(e, ErrorRaised):
            self._note(conn, e, "error", None, e.agent, e.message, rows.event_json(fatal=e.fatal))
        # RoundFinished only advances last_event_seq: rounds follow StateChanged/RunFinished.
        elif isinstance(e, RunFinished):
            rows.set_outcome(conn, run_id, e.outcome)
            rows.set_state(conn, run_id, e.state, e.rounds, e.at)
        rows.bump_seq(conn, run_id, e.seq)

    @staticmethod
    def _note(conn: Connection, e: Event, kind: str, round_, agent, text: str, detail: str = "") -> None:
        rows.insert_event(conn, e.run_id, RunEvent(event_seq=e.seq, kind=kind, round=round_, agent=agent,
                                                   text=text, detail=detail, at=e.at))
