"""The one place engine events and runtime notices become Qt signals. It observes the session runtime and
asks it to start or stop rooms; the runtime owns the room tasks."""
from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from ..engine import InputError, RoomRunner, RunSnapshot, TokenDelta
from ..engine.events import Event
from ..runtime import (
    RoomFailed, RoomRunning, RunStored, ServerContact, SessionRuntime, StorageFailed, StorageRecovered,
)
from ..storage import NotFound, StorageError

FLUSH_INTERVAL_MS = 40
# A room's flush is due at the first of its own slots at least this long after its first pending delta:
# coalescing lasts 25-65 ms (40 on average, and exactly 40 while the room streams steadily).
MIN_COALESCE_MS = 25


class RoomChannel(QObject):
    """The signals of one room, so a pane hears only its own room."""

    # A signal named like QObject.event(): PySide keeps Qt's own event() dispatch, so the shadowing is harmless.
    event = Signal(object)  # type: ignore[assignment]  # every engine event except token deltas, in order
    # One flush of the room: [(stream_id, text, is_reasoning), ...]. One signal for all its streams lets
    # the pane apply them in one document edit block (one layout pass instead of one per stream).
    streamed = Signal(object)
    task_failed = Signal(str)
    running_changed = Signal(bool)


class EngineBridge(QObject):
    """Subscribes to the bus; token deltas are buffered per stream and flushed every ~40 ms, never one
    signal per token. Before any other event of a room is emitted the room's buffers are flushed, so a
    MessageCompleted always follows the text it completes.

    Each room flushes on its own phase of the 40 ms interval (room i of n at i·40/n ms), so ten streaming
    rooms make ten small edits and repaints spread over the interval instead of one big loop turn."""

    event = Signal(str, object)  # type: ignore[assignment]  # room, event (see RoomChannel.event)
    task_failed = Signal(str, str)  # room, message
    running_changed = Signal(str, bool)  # room, running
    run_stored = Signal(str, str)  # room, run id: the recorder committed the run's start or end
    storage_failed = Signal(str)  # a message for the person; running rooms are paused
    storage_recovered = Signal()  # writes work again; the paused rooms continue
    server_contact = Signal(bool)  # a room's request reached the server (True) or could not connect (False)

    def __init__(self, runtime: SessionRuntime, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.flushes = 0  # coalesced emissions so far (tests and benchmarks compare it with deltas)
        self.deltas = 0
        self._pending: dict[tuple[str, int, bool], list[str]] = {}  # dicts keep first-arrival order
        self._deadlines: dict[str, float] = {}  # room -> when its pending text is flushed (monotonic s)
        self._phases: dict[str, int] = {}  # room -> its slot in the interval, in order of first appearance
        self._channels: dict[str, RoomChannel] = {}
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may fire 5 % late or early
        self._timer.setSingleShot(True)  # armed for the earliest deadline: idle rooms cost nothing
        self._timer.timeout.connect(self._flush_due)
        self._actions: set[asyncio.Task] = set()  # resumes waiting on the store's thread: owned, cancelled at close
        self._unsubscribe = runtime.subscribe(self._on_event)

    def channel(self, room: str) -> RoomChannel:
        if room not in self._channels:
            self._channels[room] = RoomChannel(self)
            self._phases.setdefault(room, len(self._phases))
        return self._channels[room]

    def close(self) -> None:
        """Stop listening (the rooms are not touched: stop them through the runtime first)."""
        self._timer.stop()
        self._unsubscribe()
        for task in list(self._actions):
            task.cancel()

    # ----- events --------------------------------------------------------------------------------

    def _on_event(self, event) -> None:
        if not isinstance(event, Event):
            self._on_notice(event)
            return
        if isinstance(event, TokenDelta):
            self.deltas += 1
            self._pending.setdefault((event.room, event.stream_id, event.reasoning), []).append(event.text)
            if event.room not in self._deadlines:
                self._deadlines[event.room] = self._next_slot(event.room)
                self._arm()
            return
        self.flush(event.room)
        self.event.emit(event.room, event)
        if event.room in self._channels:
            self._channels[event.room].event.emit(event)

    def _next_slot(self, room: str) -> float:
        """The first of the room's slots (its phase + k·interval) at least MIN_COALESCE_MS from now."""
        phase = self._phases.setdefault(room, len(self._phases))
        interval = FLUSH_INTERVAL_MS / 1000
        offset = phase * interval / len(self._phases)
        earliest = time.monotonic() + MIN_COALESCE_MS / 1000
        return offset + math.ceil((earliest - offset) / interval) * interval

    def _arm(self) -> None:
        if not self._deadlines:
            self._timer.stop()
            return
        wait_ms = max(0, math.ceil((min(self._deadlines.values()) - time.monotonic()) * 1000))
        if not self._timer.isActive() or self._timer.remainingTime() > wait_ms:
            self._timer.start(wait_ms)

    def _flush_due(self) -> None:
        now = time.monotonic() + 0.001  # a timer rounded to whole ms must not leave a deadline for a 0 ms turn
        for room in [r for r, deadline in self._deadlines.items() if deadline <= now]:
            self.flush(room)
        self._timer.stop()
        self._arm()

    def flush(self, room: str | None = None) -> None:
        """Emit the buffered text (of one room, or all): one signal per room per flush, for all its streams."""
        if room is None:
            self._deadlines.clear()
        else:
            self._deadlines.pop(room, None)
        batches: dict[str, list[tuple[int, str, bool]]] = {}
        for key in [k for k in self._pending if room is None or k[0] == room]:
            room_key, stream_id, reasoning = key
            text = "".join(self._pending.pop(key))
            self.flushes += 1
            batches.setdefault(room_key, []).append((stream_id, text, reasoning))
        for room_key, batch in batches.items():
            if room_key in self._channels:
                self._channels[room_key].streamed.emit(batch)

    def _on_notice(self, notice) -> None:
        if isinstance(notice, RoomRunning):
            self.flush(notice.room)
            self.running_changed.emit(notice.room, notice.running)
            if notice.room in self._channels:
                self._channels[notice.room].running_changed.emit(notice.running)
        elif isinstance(notice, RoomFailed):
            self.task_failed.emit(notice.room, notice.message)
            if notice.room in self._channels:
                self._channels[notice.room].task_failed.emit(notice.message)
        elif isinstance(notice, RunStored):
            self.run_stored.emit(notice.room, notice.run_id)
        elif isinstance(notice, StorageFailed):
            self.storage_failed.emit(notice.message)
        elif isinstance(notice, StorageRecovered):
            self.storage_recovered.emit()
        elif isinstance(notice, ServerContact):
            self.server_contact.emit(notice.reachable)

    # ----- asking the runtime ----------------------------------------------------------------------

    def start_room(self, runner: RoomRunner | str, opening: str | None = None,
                   resume: RunSnapshot | None = None) -> asyncio.Task:
        """Ask the runtime to start (or resume) a room's run. Raises InputError."""
        return self.runtime.start(runner if isinstance(runner, str) else runner.key, opening=opening, resume=resume)

    def resume_stored(self, room: str, run_id: str, *, on_error: Callable[[str], None],
                      on_started: Callable[[], None]) -> asyncio.Task:
        """Resume a stored run without the GUI thread waiting on the disk (an owned task): `on_error` gets
        the message when it cannot start, `on_started` is called once it runs."""

        async def resume() -> None:
            try:
                await self.runtime.resume_stored(room, run_id)
            except (InputError, StorageError, NotFound) as exc:
                on_error(getattr(exc, "user_message", None) or str(exc) or "The stored run is gone.")
                return
            on_started()

        task = asyncio.ensure_future(resume())
        self._actions.add(task)
        task.add_done_callback(self._actions.discard)
        return task

    def send(self, room: str, text: str) -> None:
        """A typed buyer message; on an idle room the runtime opens a run with it. Raises InputError."""
        self.runtime.send(room, text)

    def stop_room(self, room: str) -> None:
        self.runtime.stop(room)

    async def stop_all(self) -> None:
        """Ask the runtime to stop every room and wait for them, then show what was still buffered."""
        await self.runtime.stop_all()
        self.flush()

    def running_rooms(self) -> list[str]:
        return self.runtime.running_rooms

    def task(self, room: str) -> asyncio.Task | None:
        return self.runtime.task(room)
