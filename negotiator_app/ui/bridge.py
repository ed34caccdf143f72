"""The one place engine events become Qt signals; it also owns the room tasks that produce them."""
from __future__ import annotations

import asyncio
import logging
import math
import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from ..engine import EventBus, RoomRunner, RunSnapshot, TokenDelta
from ..engine.events import Event

log = logging.getLogger(__name__)

FLUSH_INTERVAL_MS = 40
# A room's flush is due at the first of its own slots at least this long after its first pending delta:
# coalescing lasts 25-65 ms (40 on average, and exactly 40 while the room streams steadily).
MIN_COALESCE_MS = 25


class RoomChannel(QObject):
    """The signals of one room, so a pane hears only its own room."""

    event = Signal(object)  # every engine event except token deltas, in order
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

    event = Signal(str, object)  # room, event
    text_streamed = Signal(str, int, str)  # room, stream_id, text
    reasoning_streamed = Signal(str, int, str)
    task_failed = Signal(str, str)  # room, message
    running_changed = Signal(str, bool)  # room, running

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bus = bus
        self.flushes = 0  # coalesced emissions so far (tests and benchmarks compare it with deltas)
        self.deltas = 0
        self._pending: dict[tuple[str, int, bool], list[str]] = {}  # dicts keep first-arrival order
        self._deadlines: dict[str, float] = {}  # room -> when its pending text is flushed (monotonic s)
        self._phases: dict[str, int] = {}  # room -> its slot in the interval, in order of first appearance
        self._channels: dict[str, RoomChannel] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may fire 5 % late or early
        self._timer.setSingleShot(True)  # armed for the earliest deadline: idle rooms cost nothing
        self._timer.timeout.connect(self._flush_due)
        self._unsubscribe = bus.subscribe(self._on_event)

    def channel(self, room: str) -> RoomChannel:
        if room not in self._channels:
            self._channels[room] = RoomChannel(self)
            self._phases.setdefault(room, len(self._phases))
        return self._channels[room]

    def close(self) -> None:
        """Stop listening (the tasks are not touched: use stop_all first)."""
        self._timer.stop()
        self._unsubscribe()

    # ----- events --------------------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
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
        """Emit the buffered text (of one room, or all): one signal per stream per flush."""
        if room is None:
            self._deadlines.clear()
        else:
            self._deadlines.pop(room, None)
        batches: dict[str, list[tuple[int, str, bool]]] = {}
        for key in [k for k in self._pending if room is None or k[0] == room]:
            room_key, stream_id, reasoning = key
            text = "".join(self._pending.pop(key))
            self.flushes += 1
            (self.reasoning_streamed if reasoning else self.text_streamed).emit(room_key, stream_id, text)
            batches.setdefault(room_key, []).append((stream_id, text, reasoning))
        for room_key, batch in batches.items():
            if room_key in self._channels:
                self._channels[room_key].streamed.emit(batch)

    # ----- tasks ---------------------------------------------------------------------------------

    def start_room(self, runner: RoomRunner, opening: str | None = None,
                   resume: RunSnapshot | None = None) -> asyncio.Task:
        """Start (or resume) a run; the bridge holds the task until it ends. Raises InputError."""
        task = runner.start(opening=opening, resume=resume)
        self._tasks[runner.key] = task
        task.add_done_callback(lambda t, key=runner.key: self._task_done(key, t))
        self._announce(runner.key, True)
        return task

    def stop_room(self, room: str) -> None:
        task = self._tasks.get(room)
        if task is not None and not task.done():
            task.cancel()  # the runner turns this into the stopped state, keeping partial messages

    async def stop_all(self) -> None:
        """Cancel every running room and wait for each to finish (call while the loop still runs)."""
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.flush()

    def running_rooms(self) -> list[str]:
        return [room for room, task in self._tasks.items() if not task.done()]

    def task(self, room: str) -> asyncio.Task | None:
        return self._tasks.get(room)

    def _task_done(self, room: str, task: asyncio.Task) -> None:
        if self._tasks.get(room) is task:
            del self._tasks[room]
        self.flush(room)
        self._announce(room, False)
        if task.cancelled():
            return
        exc = task.exception()  # retrieving it also keeps asyncio from logging "never retrieved"
        if exc is not None:
            log.error("room %s task failed", room, exc_info=exc)
            message = f"The negotiation in this room stopped unexpectedly: {exc!r}"
            self.task_failed.emit(room, message)
            if room in self._channels:
                self._channels[room].task_failed.emit(message)

    def _announce(self, room: str, running: bool) -> None:
        self.running_changed.emit(room, running)
        if room in self._channels:
            self._channels[room].running_changed.emit(running)
