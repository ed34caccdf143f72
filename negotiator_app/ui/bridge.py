"""The one place engine events become Qt signals; it also owns the room tasks that produce them."""
from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QObject, QTimer, Signal

from ..engine import EventBus, RoomRunner, RunSnapshot, TokenDelta
from ..engine.events import Event

log = logging.getLogger(__name__)

FLUSH_INTERVAL_MS = 40


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
    MessageCompleted always follows the text it completes."""

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
        self._channels: dict[str, RoomChannel] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_INTERVAL_MS)
        self._timer.setSingleShot(True)  # armed by the first pending delta: idle rooms cost nothing
        self._timer.timeout.connect(self.flush)
        self._unsubscribe = bus.subscribe(self._on_event)

    def channel(self, room: str) -> RoomChannel:
        if room not in self._channels:
            self._channels[room] = RoomChannel(self)
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
            if not self._timer.isActive():
                self._timer.start()
            return
        self.flush(event.room)
        self.event.emit(event.room, event)
        if event.room in self._channels:
            self._channels[event.room].event.emit(event)

    def flush(self, room: str | None = None) -> None:
        """Emit the buffered text (of one room, or all): one signal per stream per flush."""
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
